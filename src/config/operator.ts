// The configuration a CLI run starts from, without loading the validator when there is nothing to validate:
// no docs-fix variable set, no config file. The defaults are generated from the zod schemas
// (src/config/defaults.ts, checked by test/config/readme.test.ts), so the schemas stay the one place for
// each fact; zod loads only to validate what a user actually set.
import { OPERATOR_ENV_DEFAULTS, OPERATOR_ENV_KEYS, REPO_CONFIG_DEFAULTS } from './defaults.js';
import type { OperatorEnv, RepoConfig } from './schema.js';

/** The operator environment (see `readOperatorEnv`): the defaults when none of its variables is set. */
export async function loadOperatorEnv(env: NodeJS.ProcessEnv = process.env): Promise<OperatorEnv> {
  // An empty variable (`OPENAI_API_KEY=` in a .env file) means unset, as in readOperatorEnv.
  const set = OPERATOR_ENV_KEYS.some((key) => env[key] !== undefined && env[key] !== '');
  if (!set) return structuredClone(OPERATOR_ENV_DEFAULTS);
  return (await import('./env.js')).readOperatorEnv(env);
}

/** A repository configuration with every option at its default. */
export function defaultRepoConfig(): RepoConfig {
  return structuredClone(REPO_CONFIG_DEFAULTS);
}
