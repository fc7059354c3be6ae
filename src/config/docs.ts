import { z } from 'zod';
import { OperatorEnvSchema, RepoConfigSchema } from './schema.js';

interface JsonSchemaProperty {
  type?: string;
  enum?: unknown[];
  items?: { type?: string };
  anyOf?: JsonSchemaProperty[];
  default?: unknown;
  description?: string;
}

function typeOf(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' \\| ');
  if (p.type === 'array') return `${p.items?.type ?? 'value'}[]`;
  return p.type ?? 'string';
}

function table(schema: z.ZodType, first: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonSchemaProperty>;
  };
  const rows = Object.entries(json.properties).map(([name, p]) => {
    const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    return `| \`${name}\` | ${typeOf(p)} | ${def} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`;
  });
  return [`| ${first} | type | default | meaning |`, '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The README's table of `.github/docs-fix.yml` options, generated from the schema. */
export function repoConfigTable(): string {
  return table(RepoConfigSchema, 'option');
}

/** The README's table of docs-fix's own environment variables, generated from the schema. */
export function operatorEnvTable(): string {
  return table(OperatorEnvSchema, 'variable');
}
