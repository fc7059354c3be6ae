// Opening a store by kind. Each kind's module is loaded only when that kind is opened: the CLI's embedded
// store must not pay for the Redis client at start-up (a pre-commit `check` runs on every commit).
import type { Cluster, Redis } from 'ioredis';
import type { RedisTarget } from './connection.js';
import type { LineStore, StoreMaintenance } from './types.js';

export type StoreKind = LineStore['kind'];
export type MaintainedLineStore = LineStore & StoreMaintenance;

export interface OpenStoreOptions {
  readonly kind: StoreKind;
  /** redis: the server (default `redis://127.0.0.1:6379`); ignored when `redis` or `redisTarget` is given. */
  readonly redisUrl?: string;
  /** redis: a single Redis or a cluster, with credentials and TLS (the operator's `REDIS_*`). */
  readonly redisTarget?: RedisTarget;
  /** redis: an existing client the caller owns (the app's shared connection). */
  readonly redis?: Redis | Cluster;
  /** redis: key prefix (default `df`). */
  readonly prefix?: string;
  /** embedded: lmdb directory (default `defaultCacheDir()`). */
  readonly cacheDir?: string;
  /** TTL of rewrites and held entries in seconds (default 90 days); 0 keeps them forever. */
  readonly rewriteTtlSeconds?: number;
  /** redis: on a cluster, wait for a replica to acknowledge writes (`auto`, the default) or not (`off`). */
  readonly replicaAcks?: 'auto' | 'off';
  /** redis: per-command and connect timeout. */
  readonly commandTimeoutMs?: number;
  /** embedded, memory: clock in milliseconds since the epoch. */
  readonly now?: () => number;
}

/** Opens a store; for Redis waits until the server answers (else throws `CacheUnavailableError`). */
export async function openStore(options: OpenStoreOptions): Promise<MaintainedLineStore> {
  if (options.kind === 'memory') {
    const { MemoryStore } = await import('./memory-store.js');
    return new MemoryStore({ rewriteTtlSeconds: options.rewriteTtlSeconds, now: options.now });
  }
  if (options.kind === 'embedded') {
    const { EmbeddedStore, defaultCacheDir } = await import('./embedded-store.js');
    return new EmbeddedStore({
      path: options.cacheDir ?? defaultCacheDir(),
      rewriteTtlSeconds: options.rewriteTtlSeconds,
      now: options.now,
    });
  }
  const { RedisStore } = await import('./redis-store.js');
  const store = new RedisStore({
    redis: options.redis ?? options.redisTarget ?? options.redisUrl ?? 'redis://127.0.0.1:6379',
    prefix: options.prefix,
    rewriteTtlSeconds: options.rewriteTtlSeconds,
    commandTimeoutMs: options.commandTimeoutMs,
    replicaAcks: options.replicaAcks,
  });
  try {
    return await store.connect();
  } catch (err) {
    await store.close();
    throw err;
  }
}
