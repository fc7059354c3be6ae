// Where Redis is and how to reach it: one server by URL, or a Redis Cluster by seed nodes, with the operator's
// credentials and TLS. The one place that turns that into an ioredis client (line cache, queue, workers,
// health checks and the CLI all open their clients here).
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { DEFAULT_REDIS_URL, type RedisTarget } from '../config/redis.js';

export type { RedisTarget } from '../config/redis.js';
export { describeRedisTarget } from '../config/redis.js';

export type RedisClient = Redis | Cluster;

export function isClusterClient(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** Per-role settings; the cluster-level ones are taken from them where ioredis has a cluster-level twin. */
export interface RedisClientOptions extends RedisOptions {
  /** Extra options of the Cluster client (ignored for a single Redis). */
  readonly cluster?: Partial<ClusterOptions>;
}

/**
 * Opens an ioredis client for the target. A single Redis is `new Redis(url, options)`; a cluster is a
 * `Cluster` over the seed nodes whose node connections get `options`. Credentials and TLS are added to both
 * (explicit ones override the URL's). With TLS on a cluster, node addresses are not resolved to IPs, so the
 * certificate is checked against the names the cluster announces (managed clusters need this).
 */
export function openRedisClient(target: RedisTarget, options: RedisClientOptions = {}): RedisClient {
  const { cluster, ...redisOptions } = options;
  const auth: RedisOptions = {
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls !== undefined ? { tls: target.tls } : {}),
  };
  if (!target.clusterNodes || target.clusterNodes.length === 0) {
    return new Redis(target.url ?? DEFAULT_REDIS_URL, { ...redisOptions, ...auth });
  }
  const { lazyConnect, enableOfflineQueue, enableReadyCheck, ...nodeOptions } = redisOptions;
  return new Cluster(
    target.clusterNodes.map((n) => ({ host: n.host, port: n.port })),
    {
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      ...(enableReadyCheck !== undefined ? { enableReadyCheck } : {}),
      ...(target.tls !== undefined
        ? { dnsLookup: (address: string, done: (err: null, address: string) => void) => done(null, address) }
        : {}),
      // A failed or promoted node drops out of (or joins) the client's view within seconds, even when no
      // command is redirected meanwhile (health probes talk to nodes directly).
      slotsRefreshInterval: 2000,
      ...cluster,
      redisOptions: { ...nodeOptions, ...auth },
    },
  );
}

export interface RedisHealth {
  readonly ok: boolean;
  /** `ok`, or what is wrong (a node that does not answer, `cluster_state:fail`, ...). */
  readonly detail: string;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Health of the target: a single Redis answers PING; a cluster is healthy only when every master the client
 * knows answers and reports `cluster_state:ok` (all slots served), so a dead master shows until its replica
 * has taken over.
 */
export async function probeRedis(client: RedisClient, timeoutMs: number): Promise<RedisHealth> {
  try {
    if (!isClusterClient(client)) {
      await withTimeout(client.ping(), timeoutMs, 'redis');
      return { ok: true, detail: 'ok' };
    }
    if (client.status !== 'ready') {
      return { ok: false, detail: `cluster client ${client.status}` };
    }
    const masters = client.nodes('master');
    if (masters.length === 0) return { ok: false, detail: 'no master known' };
    const states = await Promise.all(
      masters.map(async (node) => {
        const where = `${node.options.host ?? '?'}:${node.options.port ?? '?'}`;
        const info = await withTimeout(node.cluster('INFO') as Promise<string>, timeoutMs, where);
        const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
        return state === 'ok' ? undefined : `${where} cluster_state:${state}`;
      }),
    );
    const bad = states.filter((s): s is string => s !== undefined);
    return bad.length === 0
      ? { ok: true, detail: `ok (${masters.length} masters)` }
      : { ok: false, detail: bad.join('; ') };
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
}
