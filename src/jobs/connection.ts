// Opens the ioredis connection that a queue or a worker (and its repository locks) uses: a single Redis or
// a Redis Cluster, as cache/connection.ts opens every docs-fix client.
import { openRedisClient, type RedisClient, type RedisTarget } from '../cache/connection.js';

/** A Redis URL (`redis://host:port/db`) or a target (single Redis or cluster, credentials, TLS). */
export type RedisConnection = string | RedisTarget;

/**
 * Workers need `maxRetriesPerRequest: null` (BullMQ blocks on Redis and must not give up on a reconnect);
 * producers keep ioredis' default so that `enqueue` fails instead of hanging when Redis is down.
 */
export function openRedis(connection: RedisConnection, role: 'queue' | 'worker'): RedisClient {
  const target: RedisTarget = typeof connection === 'string' ? { url: connection } : connection;
  return openRedisClient(target, role === 'worker' ? { maxRetriesPerRequest: null } : {});
}
