// Opens the ioredis connection that a queue or a worker (and its repository locks) uses.
import { Redis, type RedisOptions } from 'ioredis';

/** A Redis URL (`redis://host:port/db`) or ioredis options. */
export type RedisConnection = string | RedisOptions;

/**
 * Workers need `maxRetriesPerRequest: null` (BullMQ blocks on Redis and must not give up on a reconnect);
 * producers keep ioredis' default so that `enqueue` fails instead of hanging when Redis is down.
 */
export function openRedis(connection: RedisConnection, role: 'queue' | 'worker'): Redis {
  const overrides: RedisOptions = role === 'worker' ? { maxRetriesPerRequest: null } : {};
  return typeof connection === 'string'
    ? new Redis(connection, overrides)
    : new Redis({ ...connection, ...overrides });
}
