// Public surface of the line cache: keys, value semantics, stores and their errors.
import type { Cluster, Redis } from 'ioredis';
import type { RedisTarget } from './connection.js';
import { EmbeddedStore, defaultCacheDir } from './embedded-store.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { LineStore, StoreMaintenance } from './types.js';

export type { FileKeyInput } from './key.js';
export type { CacheValue, KeyInput, LineStore, StoreMaintenance, StoreStats, StoreWrite } from './types.js';
export {
  CACHE_SCHEMA_VERSION,
  LINE_KEY_LENGTH,
  assertLineKey,
  blobContentId,
  contentId,
  fileKey,
  gitBlobSha,
  isLineKey,
  lineKey,
  lineKeyTag,
  redisLineKey,
  redisPrefixPattern,
  redisScopePattern,
  scopeKeyRange,
  scopeTag,
  clusterSlot,
} from './key.js';
export {
  describeRedisTarget,
  isClusterClient,
  openRedisClient,
  probeRedis,
  type RedisClient,
  type RedisClientOptions,
  type RedisHealth,
  type RedisTarget,
} from './connection.js';
export { CacheError, CacheFullError, CacheUnavailableError, isOutOfMemoryReply } from './errors.js';
export type { CacheErrorCode, CacheOperation } from './errors.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_REDIS_PREFIX, DEFAULT_REWRITE_TTL_SECONDS } from './defaults.js';
export { FIXPOINT_MARKER } from './value.js';
export { EmbeddedStore, defaultCacheDir, type EmbeddedStoreOptions } from './embedded-store.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { OverlayStore, type OverlayStoreOptions } from './overlay-store.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';

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
    return new MemoryStore({ rewriteTtlSeconds: options.rewriteTtlSeconds, now: options.now });
  }
  if (options.kind === 'embedded') {
    return new EmbeddedStore({
      path: options.cacheDir ?? defaultCacheDir(),
      rewriteTtlSeconds: options.rewriteTtlSeconds,
      now: options.now,
    });
  }
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
