/** Rewrites and held entries live 90 days unless configured (operator env `DOCS_FIX_REWRITE_TTL_DAYS`). */
export const DEFAULT_REWRITE_TTL_SECONDS = 90 * 24 * 60 * 60;
/** Prefix of every Redis key (operator env `DOCS_FIX_REDIS_PREFIX`). */
export const DEFAULT_REDIS_PREFIX = 'df';
export const DEFAULT_COMMAND_TIMEOUT_MS = 3000;
