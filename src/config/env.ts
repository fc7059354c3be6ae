// The operator environment, read without the YAML parser (every CLI command and process reads it at start).
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { OperatorEnvSchema, type OperatorEnv } from './schema.js';

/** A zod issue's path as `a.b.c`. */
export function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}

/** Reads the operator environment; throws ConfigError naming the variable. */
export function readOperatorEnv(env: NodeJS.ProcessEnv = process.env): OperatorEnv {
  // An empty variable (`OPENAI_API_KEY=` in a .env file) means unset.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = OperatorEnvSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError('environment', issuePath(issue), issue.message);
}
