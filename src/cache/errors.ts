// Typed cache errors: what happened, where, and what to do. Callers fail closed on any of them.

export type CacheErrorCode = 'CACHE_UNAVAILABLE' | 'CACHE_FULL';
export type CacheOperation = 'connect' | 'get' | 'write' | 'confirmServed' | 'stats' | 'purge' | 'open';

export abstract class CacheError extends Error {
  abstract readonly code: CacheErrorCode;
  /** The store and where it lives, e.g. `redis redis://127.0.0.1:6379` or `embedded /home/u/.cache/docs-fix`. */
  readonly store: string;
  readonly operation: CacheOperation;

  constructor(message: string, store: string, operation: CacheOperation, cause: unknown) {
    super(message, { cause });
    this.store = store;
    this.operation = operation;
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The store cannot answer (down, timed out, refused, corrupt). Nothing from this run may be emitted. */
export class CacheUnavailableError extends CacheError {
  override readonly name = 'CacheUnavailableError';
  readonly code = 'CACHE_UNAVAILABLE' as const;

  constructor(store: string, operation: CacheOperation, cause: unknown) {
    super(
      `line cache unavailable: ${operation} on ${store} failed: ${causeText(cause)}. ` +
        'The run fails closed (no commit, no pull request); check that the store is reachable, then retry.',
      store,
      operation,
      cause,
    );
  }
}

/** Redis refused a write because it is at `maxmemory` and its eviction policy frees nothing. */
export class CacheFullError extends CacheError {
  override readonly name = 'CacheFullError';
  readonly code = 'CACHE_FULL' as const;

  constructor(store: string, operation: CacheOperation, cause: unknown) {
    super(
      `line cache full: ${operation} on ${store} was refused (${causeText(cause)}). ` +
        'The run fails closed. Set maxmemory-policy volatile-lru so expiring rewrites make room ' +
        '(fixpoints have no TTL and are never evicted), raise maxmemory, or purge scopes no longer installed.',
      store,
      operation,
      cause,
    );
  }
}

/** Redis reports out-of-memory as `OOM command not allowed when used memory > 'maxmemory'`, also inside scripts. */
export function isOutOfMemoryReply(err: unknown): boolean {
  return err instanceof Error && /(^|\s)OOM command not allowed/.test(err.message);
}
