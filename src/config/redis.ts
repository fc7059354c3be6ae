// Where the operator's Redis is: one server by URL or a Redis Cluster by seed nodes, with credentials and
// TLS. Pure (no client library): cache/connection.ts opens clients from a RedisTarget.
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from './errors.js';
import type { OperatorEnv } from './schema.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/** A single Redis (`url`) or a Redis Cluster (`clusterNodes`); credentials and TLS apply to either. */
export interface RedisTarget {
  /** `redis://` or `rediss://` URL of a single Redis; not used when `clusterNodes` are given. */
  readonly url?: string;
  /** Seed nodes of a Redis Cluster (any reachable subset); the client discovers the others. */
  readonly clusterNodes?: readonly RedisNodeAddress[];
  /** ACL user; with a URL, overrides the URL's user. */
  readonly username?: string;
  /** With a URL, overrides the URL's password. */
  readonly password?: string;
  /** TLS (`{}` verifies against the system CAs); a `rediss://` URL turns it on as well. */
  readonly tls?: ConnectionOptions;
}

/**
 * Parses `host:port,host:port` (IPv6 as `[::1]:7000`) into seed nodes; throws a `RangeError` naming the
 * entry that is not one.
 */
export function parseClusterNodes(text: string): RedisNodeAddress[] {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new RangeError('expected at least one host:port');
  return entries.map((entry) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/@]+)):(\d{1,5})$/.exec(entry);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new RangeError(`"${entry}" is not host:port (e.g. 10.0.0.1:6379 or [::1]:7000)`);
    }
    return { host: match[1] ?? match[2]!, port };
  });
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/** Where the target is, for messages and logs; never a password. */
export function describeRedisTarget(target: RedisTarget): string {
  const tls = target.tls ? ' (tls)' : '';
  if (target.clusterNodes && target.clusterNodes.length > 0) {
    const nodes = target.clusterNodes.map(
      (n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`,
    );
    return `redis cluster ${nodes.join(',')}${tls}`;
  }
  return `redis ${redactUrl(target.url ?? DEFAULT_REDIS_URL)}${tls}`;
}

type RedisEnv = Pick<
  OperatorEnv,
  | 'REDIS_URL'
  | 'REDIS_CLUSTER_NODES'
  | 'REDIS_USERNAME'
  | 'REDIS_PASSWORD'
  | 'REDIS_TLS'
  | 'REDIS_TLS_CA_FILE'
>;

/**
 * The operator's Redis: `REDIS_CLUSTER_NODES` when set (then `REDIS_URL` is not used), else `REDIS_URL`;
 * `overrides` are the CLI's `--redis-url` / `--redis-cluster-nodes` (a cluster option wins over a URL).
 * Throws `ConfigError` when the CA file cannot be read.
 */
export function redisTargetFromEnv(
  env: RedisEnv,
  readText: (path: string) => string,
  overrides: { readonly url?: string; readonly clusterNodes?: readonly RedisNodeAddress[] } = {},
): RedisTarget {
  // A cluster given on the command line wins; a URL given there means that Redis, not the env's cluster.
  const clusterNodes =
    overrides.clusterNodes ?? (overrides.url !== undefined ? undefined : env.REDIS_CLUSTER_NODES);
  let ca: string | undefined;
  if (env.REDIS_TLS_CA_FILE !== undefined) {
    try {
      ca = readText(env.REDIS_TLS_CA_FILE);
    } catch (err) {
      throw new ConfigError(
        'environment',
        'REDIS_TLS_CA_FILE',
        `${env.REDIS_TLS_CA_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  const tls = env.REDIS_TLS || ca !== undefined ? { ...(ca !== undefined ? { ca } : {}) } : undefined;
  return {
    ...(clusterNodes && clusterNodes.length > 0 ? { clusterNodes } : { url: overrides.url ?? env.REDIS_URL }),
    ...(env.REDIS_USERNAME !== undefined ? { username: env.REDIS_USERNAME } : {}),
    ...(env.REDIS_PASSWORD !== undefined ? { password: env.REDIS_PASSWORD } : {}),
    ...(tls ? { tls } : {}),
  };
}
