// Public surface of the line cache: keys, value semantics, stores and their errors.

export type { FileKeyInput, RejectionKeyInput } from './key.js';
export type {
  CacheValue,
  KeyInput,
  LineStore,
  Rejection,
  RejectionHow,
  StoreMaintenance,
  StoreStats,
  StoreWrite,
} from './types.js';
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
  REJECTION_KEY_VERSION,
  rejectionKey,
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
export { openStore, type MaintainedLineStore, type OpenStoreOptions, type StoreKind } from './open.js';
