// The app's line store: Redis through ioredis, one round trip per batch, failures as typed errors.
import { Cluster, Redis, type ChainableCommander } from 'ioredis';
import { describeRedisTarget, openRedisClient, type RedisTarget } from './connection.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_REDIS_PREFIX, DEFAULT_REWRITE_TTL_SECONDS } from './defaults.js';
import { CacheFullError, CacheUnavailableError, isOutOfMemoryReply, type CacheOperation } from './errors.js';
import {
  clusterHashPart,
  clusterSlot,
  lineKeyTag,
  redisLineKey,
  redisPrefixPattern,
  redisScopePattern,
} from './key.js';
import { lineScripts } from './scripts.js';
import type { CacheValue, LineStore, StoreMaintenance, StoreStats, StoreWrite } from './types.js';
import {
  decodeValue,
  encodeHeld,
  encodeRejection,
  encodeRewrite,
  FIXPOINT_MARKER,
  rejectionPrefix,
} from './value.js';

export interface RedisStoreOptions {
  /**
   * A Redis URL or a target (single Redis or cluster: the store opens, owns and closes the connection), or a
   * client the caller owns.
   */
  readonly redis: string | RedisTarget | Redis | Cluster;
  /** Prefix of every key (operator env `DOCS_FIX_REDIS_PREFIX`); keep it short, it is in every key. */
  readonly prefix?: string;
  /** TTL of rewrites and held entries in seconds; 0 keeps them forever. Fixpoints never expire. */
  readonly rewriteTtlSeconds?: number;
  /** How long one command, or waiting for a connection, may take before the store reports unavailable. */
  readonly commandTimeoutMs?: number;
  /**
   * On a cluster, a write is acknowledged only once a replica of its shard holds it (`WAIT 1`, for shards
   * that have a replica), so a failover cannot lose what a run already relied on; a write no replica
   * acknowledged in time fails the run closed. `off` for services that refuse `WAIT`. Default `auto`.
   */
  readonly replicaAcks?: 'auto' | 'off';
}

interface LineCommands {
  docsFixWriteRewrite(a: Buffer, b: Buffer, value: string, marker: string, ttl: number): unknown;
  docsFixWriteHeld(a: Buffer, value: string, marker: string, ttl: number): unknown;
  docsFixForgetRejection(k: Buffer, prefix: string): unknown;
}

type Client = Redis | Cluster;

function describeClient(client: Client): string {
  if (client instanceof Cluster) return 'redis cluster';
  const { host, port } = client.options;
  return `redis ${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/** Groups item indexes by the scope tag of their key, keeping order; one group in the usual case. */
function groupByTag(keys: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  keys.forEach((key, i) => {
    const tag = lineKeyTag(key);
    const group = groups.get(tag);
    if (group) group.push(i);
    else groups.set(tag, [i]);
  });
  return [...groups.values()];
}

/**
 * Groups scanned keys by hash tag, so that each group is in one slot (one MGET or UNLINK on a cluster); one
 * group on a single Redis.
 */
function bySlot(client: Client, keys: Buffer[]): Buffer[][] {
  if (!(client instanceof Cluster)) return [keys];
  const groups = new Map<string, Buffer[]>();
  for (const key of keys) {
    const tag = Buffer.from(clusterHashPart(key)).toString('latin1');
    const group = groups.get(tag);
    if (group) group.push(key);
    else groups.set(tag, [key]);
  }
  return [...groups.values()];
}

function sameTag(keys: readonly string[]): boolean {
  const tag = lineKeyTag(keys[0]!);
  for (let i = 1; i < keys.length; i++) if (!keys[i]!.startsWith(tag)) return false;
  return true;
}

export class RedisStore implements LineStore, StoreMaintenance {
  readonly kind = 'redis' as const;
  readonly prefix: string;
  readonly rewriteTtlSeconds: number;
  readonly client: Client;
  private readonly owned: boolean;
  private readonly where: string;
  private readonly timeoutMs: number;
  private readonly replicaAcks: 'auto' | 'off';
  private readonly ackTimeoutMs: number;

  constructor(options: RedisStoreOptions) {
    this.prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.rewriteTtlSeconds = options.rewriteTtlSeconds ?? DEFAULT_REWRITE_TTL_SECONDS;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    if (!Number.isInteger(this.rewriteTtlSeconds) || this.rewriteTtlSeconds < 0) {
      throw new RangeError(`rewriteTtlSeconds must be a whole number >= 0, got ${this.rewriteTtlSeconds}`);
    }
    if (!(options.redis instanceof Redis) && !(options.redis instanceof Cluster)) {
      const target: RedisTarget = typeof options.redis === 'string' ? { url: options.redis } : options.redis;
      this.where = describeRedisTarget(target);
      this.client = openRedisClient(target, {
        lazyConnect: true,
        // A run must fail closed at once when Redis is away, not queue lookups until it returns.
        enableOfflineQueue: false,
        commandTimeout: this.timeoutMs,
        connectTimeout: this.timeoutMs,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 100, 1000),
        cluster: { slotsRefreshTimeout: this.timeoutMs },
      });
      // Errors reach callers as CacheUnavailableError; the event would otherwise be logged as unhandled.
      this.client.on('error', () => undefined);
      this.owned = true;
    } else {
      this.client = options.redis;
      this.where = describeClient(options.redis);
      this.owned = false;
    }
    this.replicaAcks = options.replicaAcks ?? 'auto';
    this.ackTimeoutMs = Math.max(50, Math.min(1000, Math.floor(this.timeoutMs / 3)));
    const scripts = lineScripts();
    for (const script of [scripts.writeRewrite, scripts.writeHeld, scripts.forgetRejection]) {
      if (!(script.command in this.client)) {
        this.client.defineCommand(script.command, { numberOfKeys: script.numberOfKeys, lua: script.lua });
      }
    }
  }

  /** Opens a connection (when the store owns one) and waits until Redis answers. */
  async connect(): Promise<this> {
    await this.ready('connect');
    return this;
  }

  async get(keys: readonly string[]): Promise<(CacheValue | undefined)[]> {
    if (keys.length === 0) return [];
    await this.ready('get');
    if (sameTag(keys)) {
      const redisKeys = keys.map((key) => redisLineKey(this.prefix, key));
      try {
        return (await this.client.mget(redisKeys)).map(decodeValue);
      } catch (err) {
        throw this.failure('get', err);
      }
    }
    // Several scopes in one batch: one MGET per hash slot, all sent before any reply is awaited.
    const groups = groupByTag(keys);
    const redisKeys = groups.map((group) => group.map((i) => redisLineKey(this.prefix, keys[i]!)));
    let replies: (string | null)[][];
    try {
      replies = await Promise.all(redisKeys.map((group) => this.client.mget(group)));
    } catch (err) {
      throw this.failure('get', err);
    }
    const out: (CacheValue | undefined)[] = new Array(keys.length);
    groups.forEach((group, g) => group.forEach((i, j) => (out[i] = decodeValue(replies[g]![j]))));
    return out;
  }

  async write(writes: readonly StoreWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.ready('write');
    const ttl = this.rewriteTtlSeconds;
    await this.pipelined(
      'write',
      writes.map((w) => w.key),
      (pipeline, indexes) => {
        const fixpoints: (Buffer | string)[] = [];
        for (const i of indexes) {
          const w = writes[i]!;
          const key = redisLineKey(this.prefix, w.key);
          if (w.op === 'fixpoint') {
            fixpoints.push(key, FIXPOINT_MARKER);
          } else if (w.op === 'rewrite') {
            if (lineKeyTag(w.toKey) !== lineKeyTag(w.key)) {
              throw new TypeError(
                `rewrite ${w.key} -> ${w.toKey} crosses scopes; both keys need the same scope`,
              );
            }
            const to = redisLineKey(this.prefix, w.toKey);
            pipeline.docsFixWriteRewrite(key, to, encodeRewrite(w.text), FIXPOINT_MARKER, ttl);
          } else if (w.op === 'reject') {
            // No TTL: under volatile-lru a maintainer's rejection is never evicted.
            pipeline.set(key, encodeRejection(w.rejection));
          } else if (w.op === 'forget') {
            pipeline.docsFixForgetRejection(key, rejectionPrefix(w.pullRequest, w.how));
          } else {
            pipeline.docsFixWriteHeld(key, encodeHeld(w.reason), FIXPOINT_MARKER, ttl);
          }
        }
        // Fixpoints overwrite anything, so their order relative to the scripts does not matter.
        if (fixpoints.length > 0) pipeline.mset(...fixpoints);
      },
    );
  }

  async confirmServed(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.ready('confirmServed');
    await this.pipelined('confirmServed', keys, (pipeline, indexes) => {
      pipeline.mset(...indexes.flatMap((i) => [redisLineKey(this.prefix, keys[i]!), FIXPOINT_MARKER]));
    });
  }

  /** Scans the prefix (or one scope) on every master of a cluster: operator use only. */
  async stats(scope?: string): Promise<StoreStats> {
    await this.ready('stats');
    const counts = { entries: 0, fixpoints: 0, rewrites: 0, held: 0, rejected: 0 };
    const sample: { node: Redis; key: Buffer }[] = [];
    try {
      await this.scan(scope, async (node, keys) => {
        for (const group of bySlot(this.client, keys)) {
          for (const raw of await this.client.mget(group)) {
            const value = decodeValue(raw);
            if (!value) continue;
            counts.entries += 1;
            if (value.type === 'fixpoint') counts.fixpoints += 1;
            else if (value.type === 'rewrite') counts.rewrites += 1;
            else if (value.type === 'rejected') counts.rejected += 1;
            else counts.held += 1;
          }
        }
        for (const key of keys) if (sample.length < 500) sample.push({ node, key });
      });
      if (sample.length === 0) return counts;
      // MEMORY USAGE goes to the node that listed the key (its master), which ioredis cannot route by itself.
      const usage = await Promise.all(
        sample.map(
          ({ node, key }) => node.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') as Promise<number | null>,
        ),
      );
      const measured = usage.filter((n): n is number => typeof n === 'number');
      const bytesPerEntry = measured.reduce((a, b) => a + b, 0) / Math.max(1, measured.length);
      return { ...counts, bytesPerEntry: Math.round(bytesPerEntry) };
    } catch (err) {
      throw this.failure('stats', err);
    }
  }

  /** Removes every key of a scope with batched SCAN + UNLINK on every master: operator use only. */
  async purgeScope(scope: string): Promise<number> {
    await this.ready('purge');
    let removed = 0;
    try {
      await this.scan(scope, async (_node, keys) => {
        for (const group of bySlot(this.client, keys)) removed += await this.client.unlink(...group);
      });
    } catch (err) {
      throw this.failure('purge', err);
    }
    return removed;
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    const client = this.client;
    if (client.status === 'ready') {
      await client.quit().catch(() => client.disconnect());
    } else {
      client.disconnect();
    }
  }

  /**
   * SCANs a single Redis, or every master of a cluster (each holds its own slots; replicas only copies):
   * `each` gets the node and a batch of keys it holds.
   */
  private async scan(
    scope: string | undefined,
    each: (node: Redis, keys: Buffer[]) => Promise<void>,
  ): Promise<void> {
    const pattern =
      scope === undefined ? redisPrefixPattern(this.prefix) : redisScopePattern(this.prefix, scope);
    const nodes = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    if (nodes.length === 0) throw new Error('the cluster client knows no master');
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next.toString();
        if (keys.length > 0) await each(node, keys);
      } while (cursor !== '0');
    }
  }

  /**
   * Runs one pipeline per hash slot (one in the usual case), all in flight together; maps reply errors. On a
   * cluster whose shard has a replica, the pipeline ends with `WAIT 1` and succeeds only when it answers 1.
   */
  private async pipelined(
    operation: CacheOperation,
    keys: readonly string[],
    fill: (pipeline: ChainableCommander & LineCommands, indexes: number[]) => void,
  ): Promise<void> {
    const groups = sameTag(keys) ? [keys.map((_, i) => i)] : groupByTag(keys);
    const acks: boolean[] = [];
    const pipelines = groups.map((indexes) => {
      const pipeline = this.client.pipeline() as ChainableCommander & LineCommands;
      fill(pipeline, indexes);
      const ack = this.needsReplicaAck(keys[indexes[0]!]!);
      if (ack) pipeline.wait(1, this.ackTimeoutMs);
      acks.push(ack);
      return pipeline;
    });
    let results: ([Error | null, unknown][] | null)[];
    try {
      results = await Promise.all(pipelines.map((p) => p.exec()));
    } catch (err) {
      throw this.failure(operation, err);
    }
    const errors = results.flatMap((r) => (r ?? []).flatMap(([err]) => (err ? [err] : [])));
    if (results.some((r) => r === null)) errors.push(new Error('pipeline was discarded'));
    if (errors.length === 0) {
      results.forEach((r, g) => {
        if (acks[g] && r && r.at(-1)?.[1] !== 1) {
          errors.push(
            new Error(
              `written, but no replica acknowledged it within ${this.ackTimeoutMs} ms (WAIT 1 answered ${String(r.at(-1)?.[1])}): a failover could lose it`,
            ),
          );
        }
      });
    }
    if (errors.length === 0) return;
    throw this.failure(operation, errors.find(isOutOfMemoryReply) ?? errors[0]);
  }

  /** Whether writes to the shard of this line key wait for a replica (cluster, `auto`, shard has one). */
  private needsReplicaAck(key: string): boolean {
    if (this.replicaAcks === 'off' || !(this.client instanceof Cluster)) return false;
    const nodes = (this.client.slots as (string[] | undefined)[])[clusterSlot(lineKeyTag(key))];
    return (nodes?.length ?? 0) > 1;
  }

  private failure(operation: CacheOperation, err: unknown): Error {
    if (err instanceof CacheUnavailableError || err instanceof CacheFullError) return err;
    if (isOutOfMemoryReply(err)) return new CacheFullError(this.where, operation, err);
    return new CacheUnavailableError(this.where, operation, err);
  }

  /** Waits for a usable connection for at most the command timeout; never queues commands. */
  private async ready(operation: CacheOperation): Promise<void> {
    const client = this.client;
    if (client.status === 'ready') return;
    if (client.status === 'end') {
      throw new CacheUnavailableError(this.where, operation, new Error('the connection was closed'));
    }
    try {
      await new Promise<void>((resolve, reject) => {
        const done = (err?: Error): void => {
          clearTimeout(timer);
          client.off('ready', onReady);
          client.off('error', onError);
          client.off('end', onEnd);
          if (err) reject(err);
          else resolve();
        };
        const onReady = (): void => done();
        const onError = (err: Error): void => done(err);
        const onEnd = (): void => done(new Error('the connection was closed'));
        const timer = setTimeout(
          () => done(new Error(`no connection within ${this.timeoutMs} ms (status ${client.status})`)),
          this.timeoutMs,
        );
        client.once('ready', onReady);
        client.once('error', onError);
        client.once('end', onEnd);
        if (client.status === 'wait') client.connect().catch(() => undefined);
      });
    } catch (err) {
      throw new CacheUnavailableError(this.where, operation, err);
    }
  }
}
