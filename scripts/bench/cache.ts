// npm run bench:cache: RedisStore lookups against raw MGET of the same keys on the same server in the same run,
// EmbeddedStore warm lookups, and Redis memory per entry from INFO. Prints numbers; no pass/fail.
// Uses throwaway redis-server processes on free ports, so the shared server is never polluted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { open } from 'lmdb';
import { EmbeddedStore, RedisStore, lineKey, redisLineKey, type StoreWrite } from '../../src/cache/index.js';
import { startRedisServer } from '../../test/support/redis.js';
import { median, round, storeAgainstMget } from './lib.js';

const LOOKUP_KEYS = Number(process.env.BENCH_LOOKUP_KEYS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MEMORY_FIXPOINTS = Number(process.env.BENCH_MEMORY_FIXPOINTS ?? 1_000_000);
const MEMORY_REWRITES = Number(process.env.BENCH_MEMORY_REWRITES ?? 500_000);
const REWRITE_TEXT = 'The quick brown fox jumps over the lazy dog, twice.';

const keyOf = (scope: string, text: string): string =>
  lineKey({ scope, modelId: 'bench-model', promptVersion: 'bench-prompt', kind: 'paragraph', text });

/** Writes of `count` lines: every tenth a rewrite (its target a fixpoint), the rest fixpoints. */
function writesFor(scope: string, count: number): { keys: string[]; writes: StoreWrite[] } {
  const keys: string[] = [];
  const writes: StoreWrite[] = [];
  for (let i = 0; i < count; i++) {
    const key = keyOf(scope, `line ${i}`);
    keys.push(key);
    if (i % 10 === 0) {
      const text = `Line ${i}: ${REWRITE_TEXT}`;
      writes.push({ op: 'rewrite', key, toKey: keyOf(scope, text), text });
    } else {
      writes.push({ op: 'fixpoint', key });
    }
  }
  return { keys, writes };
}

async function inBatches<T>(items: readonly T[], size: number, run: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await run(items.slice(i, i + size));
}

async function usedMemory(client: Redis): Promise<number> {
  // Let incremental rehashing finish so the dict is not counted twice.
  await new Promise((r) => setTimeout(r, 500));
  const info = await client.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)![1]);
}

async function benchRedisLookups(url: string): Promise<Record<string, number>> {
  const store = await new RedisStore({ redis: url }).connect();
  const raw = new Redis(url);
  try {
    const { keys, writes } = writesFor('bench-lookup', LOOKUP_KEYS);
    await inBatches(writes, 5000, (batch) => store.write(batch));
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += BATCH) batches.push(keys.slice(i, i + BATCH));
    const rawBatches = batches.map((b) => b.map((k) => redisLineKey(store.prefix, k)));
    const { keys: looked, served, ...rates } = await storeAgainstMget(
      batches,
      rawBatches,
      ROUNDS,
      (batch) => store.get(batch),
      (batch) => raw.mget(batch),
    );
    if (served === 0) throw new Error('no lookups served');
    return { keys: looked, batch: BATCH, ...rates };
  } finally {
    await store.close();
    raw.disconnect();
  }
}

async function benchEmbedded(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'docs-fix-bench-lmdb-'));
  const store = new EmbeddedStore({ path: dir });
  try {
    const { keys, writes } = writesFor('bench-embedded', LOOKUP_KEYS);
    await inBatches(writes, 5000, (batch) => store.write(batch));
    const batches: string[][] = [];
    for (let i = 0; i < keys.length; i += 2000) batches.push(keys.slice(i, i + 2000));
    // The floor: lmdb-js getBinaryFast on the same keys through a second handle, interleaved batch by batch.
    const raw = open<Buffer, string>({ path: dir, encoding: 'binary', compression: false });
    const asyncMs: number[] = [];
    const syncMs: number[] = [];
    const rawMs: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      let a = 0;
      let s = 0;
      let f = 0;
      for (const b of batches) {
        const t0 = performance.now();
        await store.get(b);
        const t1 = performance.now();
        store.getSync(b);
        const t2 = performance.now();
        for (const k of b) raw.getBinaryFast(k);
        const t3 = performance.now();
        a += t1 - t0;
        s += t2 - t1;
        f += t3 - t2;
      }
      if (r === 0) continue;
      asyncMs.push(a);
      syncMs.push(s);
      rawMs.push(f);
    }
    return {
      keys: keys.length,
      lookupsPerSecond: Math.round(keys.length / (median(asyncMs) / 1000)),
      syncLookupsPerSecond: Math.round(keys.length / (median(syncMs) / 1000)),
      rawLmdbLookupsPerSecond: Math.round(keys.length / (median(rawMs) / 1000)),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bytes per fixpoint and per rewrite entry from INFO used_memory deltas, under one eviction policy. */
async function benchMemory(url: string, policy: 'none' | 'volatile-lru'): Promise<Record<string, number>> {
  const admin = new Redis(url);
  const store = await new RedisStore({ redis: url }).connect();
  try {
    await admin.flushall();
    if (policy === 'none') await admin.config('SET', 'maxmemory', '0');
    else {
      await admin.config('SET', 'maxmemory', String(8 * 1024 ** 3));
      await admin.config('SET', 'maxmemory-policy', policy);
    }
    const scope = `bench-memory-${policy}`;
    const before = await usedMemory(admin);
    const fixpoints: StoreWrite[] = [];
    for (let i = 0; i < MEMORY_FIXPOINTS; i++) fixpoints.push({ op: 'fixpoint', key: keyOf(scope, `fixpoint ${i}`) });
    await inBatches(fixpoints, 10_000, (batch) => store.write(batch));
    const afterFixpoints = await usedMemory(admin);
    const perFixpoint = (afterFixpoints - before) / MEMORY_FIXPOINTS;

    // On an empty server again, so the key table has the same size as above (2 keys per rewrite: each rewrite
    // write also stores its target as a fixpoint, subtracted at the rate just measured).
    await admin.flushall();
    const beforeRewrites = await usedMemory(admin);
    const rewrites: StoreWrite[] = [];
    for (let i = 0; i < MEMORY_REWRITES; i++) {
      const text = `${REWRITE_TEXT} ${i}`;
      rewrites.push({ op: 'rewrite', key: keyOf(scope, `rewrite ${i}`), toKey: keyOf(scope, text), text });
    }
    await inBatches(rewrites, 10_000, (batch) => store.write(batch));
    const afterRewrites = await usedMemory(admin);
    const perRewrite = (afterRewrites - beforeRewrites) / MEMORY_REWRITES - perFixpoint;
    const valueBytes = 1 + Buffer.byteLength(`${REWRITE_TEXT} ${MEMORY_REWRITES / 2}`);
    return {
      fixpoints: MEMORY_FIXPOINTS,
      bytesPerFixpoint: round(perFixpoint, 1),
      rewrites: MEMORY_REWRITES,
      rewriteValueBytes: valueBytes,
      bytesPerRewrite: round(perRewrite, 1),
      bytesPerRewriteBeyondValue: round(perRewrite - valueBytes, 1),
    };
  } finally {
    await store.close();
    admin.disconnect();
  }
}

export async function benchCache(): Promise<Record<string, unknown>> {
  const redis = await startRedisServer();
  try {
    const redisLookups = await benchRedisLookups(redis.url);
    const embedded = await benchEmbedded();
    const memoryNoPolicy = await benchMemory(redis.url, 'none');
    const memoryVolatileLru = await benchMemory(redis.url, 'volatile-lru');
    return { redisLookups, embedded, memoryNoPolicy, memoryVolatileLru };
  } finally {
    await redis.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const r = (await benchCache()) as {
    redisLookups: Record<string, number>;
    embedded: Record<string, number>;
    memoryNoPolicy: Record<string, number>;
    memoryVolatileLru: Record<string, number>;
  };
  const l = r.redisLookups;
  const e = r.embedded;
  const mem = (label: string, m: Record<string, number>): string =>
    `redis memory (${label}): ${m.bytesPerFixpoint} B per fixpoint over ${m.fixpoints} entries (goal <= 100); ` +
    `${m.bytesPerRewrite} B per rewrite with a ${m.rewriteValueBytes}-byte value, ${m.bytesPerRewriteBeyondValue} B beyond it (goal <= 100)`;
  process.stdout.write(
    [
      `redis lookups (${l.keys} keys, batches of ${l.batch}, median of ${ROUNDS} rounds, one connection):`,
      `  RedisStore.get   ${l.storeLookupsPerSecond}/s`,
      `  raw MGET         ${l.rawMgetLookupsPerSecond}/s`,
      `  ratio            ${l.ratio} (goal >= 0.5)`,
      `embedded lookups (${e.keys} keys, batches of 2000, warm): ${e.lookupsPerSecond}/s via get, ${e.syncLookupsPerSecond}/s via getSync, raw lmdb-js getBinaryFast ${e.rawLmdbLookupsPerSecond}/s (goal >= 1,000,000/s)`,
      mem('no maxmemory policy', r.memoryNoPolicy),
      mem('maxmemory-policy volatile-lru', r.memoryVolatileLru),
      `took ${round((performance.now() - started) / 1000, 1)} s`,
      JSON.stringify(r),
      '',
    ].join('\n'),
  );
}
