// RedisStore against its own redis-server processes: restarts with AOF, eviction, a full Redis, Redis away.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CacheFullError,
  CacheUnavailableError,
  RedisStore,
  openStore,
  redisLineKey,
  redisScopePattern,
  lineKey,
} from '../../src/cache/index.js';
import { fixLines, keyOf, type Model } from './fixer.js';
import {
  freePort,
  randomPrefix,
  startRedisServer,
  unlinkMatching,
  type RedisServer,
} from '../support/redis.js';

const PAD = 'lorem ipsum dolor sit amet '.repeat(12);
/** Deterministic model: `line i ...` becomes `Line i ...`; capitalised lines are correct. */
const capitalise: Model = async (text) => text.charAt(0).toUpperCase() + text.slice(1);
const never: Model = async (text) => {
  throw new Error(`the model was asked about ${JSON.stringify(text.slice(0, 30))}`);
};
const lines = (n: number): string[] => Array.from({ length: n }, (_, i) => `line ${i} ${PAD}`);

async function info(client: Redis, field: string): Promise<number> {
  const text = await client.info();
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  return Number(match?.[1] ?? NaN);
}

async function inBatches<T>(
  items: readonly T[],
  size: number,
  run: (batch: T[]) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await run(items.slice(i, i + size));
}

describe('RedisStore on its own redis-server', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  async function server(args: string[]): Promise<RedisServer> {
    const s = await startRedisServer(args);
    cleanups.push(() => s.stop());
    return s;
  }
  async function store(url: string, options: { ttl?: number } = {}): Promise<RedisStore> {
    const s = await new RedisStore({
      redis: url,
      rewriteTtlSeconds: options.ttl,
      commandTimeoutMs: 2000,
    }).connect();
    cleanups.push(() => s.close());
    return s;
  }

  it('keeps every fixpoint across a crash with appendfsync everysec; the second run asks the model nothing', async () => {
    const redis = await server(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    const input = lines(300);
    const first = await fixLines(await store(redis.url), 'local', input, capitalise);
    expect(first.asked).toBe(300);

    await new Promise((r) => setTimeout(r, 1100));
    await redis.kill('SIGKILL');
    await redis.restart();

    const after = await store(redis.url);
    expect(await after.stats()).toMatchObject({ fixpoints: 300, rewrites: 300 });
    expect(await fixLines(after, 'local', input, never)).toEqual({ out: first.out, asked: 0 });
    expect(await fixLines(after, 'local', first.out, never)).toEqual({ out: first.out, asked: 0 });
  });

  it('under volatile-lru evicts only rewrites: every fixpoint stays and the fixer still converges', async () => {
    const redis = await server(['--maxmemory-policy', 'volatile-lru']);
    const admin = new Redis(redis.url);
    cleanups.push(async () => admin.disconnect());
    const s = await store(redis.url);
    await admin.config('SET', 'maxmemory', String((await info(admin, 'used_memory')) + 1_500_000));

    // 6,000 rewrites of ~350 bytes each (~2.8 MB with TTL) and 6,000 small fixpoints (~0.6 MB).
    const input = lines(6000);
    const outputs: string[] = [];
    await inBatches(input, 500, async (batch) =>
      outputs.push(...(await fixLines(s, 'local', batch, capitalise)).out),
    );

    expect(await info(admin, 'evicted_keys')).toBeGreaterThan(0);
    const fixpoints = await s.get(outputs.map((t) => keyOf('local', t)));
    expect(fixpoints.every((v) => v?.type === 'fixpoint')).toBe(true);
    const rewrites = (await s.get(input.map((t) => keyOf('local', t)))).filter((v) => v?.type === 'rewrite');
    expect(rewrites.length).toBeLessThan(input.length);

    // Re-running on the output asks nothing; re-running on the input gives the same output.
    await inBatches(outputs, 500, async (batch) => {
      expect(await fixLines(s, 'local', batch, never)).toEqual({ out: batch, asked: 0 });
    });
    const again: string[] = [];
    await inBatches(input, 500, async (batch) =>
      again.push(...(await fixLines(s, 'local', batch, capitalise)).out),
    );
    expect(again).toEqual(outputs);
  });

  it('with noeviction and a full Redis fails writes with CacheFullError and never half-writes a rewrite', async () => {
    const redis = await server(['--maxmemory-policy', 'noeviction']);
    const admin = new Redis(redis.url);
    cleanups.push(async () => admin.disconnect());
    const s = await store(redis.url);
    await admin.config('SET', 'maxmemory', String((await info(admin, 'used_memory')) + 400_000));

    const input = lines(5000);
    let failure: unknown;
    try {
      await inBatches(input, 200, (batch) => fixLines(s, 'local', batch, capitalise));
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(CacheFullError);
    expect((failure as CacheFullError).code).toBe('CACHE_FULL');
    expect((failure as Error).message).toMatch(/maxmemory-policy volatile-lru/);

    // Every stored rewrite A -> B has B as a fixpoint: the scripts are all or nothing.
    const values = await s.get(input.map((t) => keyOf('local', t)));
    const served = values.flatMap((v) => (v?.type === 'rewrite' ? [v.text] : []));
    expect(served.length).toBeGreaterThan(0);
    expect(served.length).toBeLessThan(input.length);
    const targets = await s.get(served.map((t) => keyOf('local', t)));
    expect(targets.every((v) => v?.type === 'fixpoint')).toBe(true);

    // A single rewrite on a full server writes neither half. (Memory fell back when the failed pipeline's
    // buffers were freed, so make sure the server is over its limit now.)
    await admin.config('SET', 'maxmemory', String((await info(admin, 'used_memory')) - 50_000));
    const a = keyOf('local', 'brand new line');
    const b = keyOf('local', 'Brand new line');
    await expect(
      s.write([{ op: 'rewrite', key: a, toKey: b, text: 'Brand new line' }]),
    ).rejects.toBeInstanceOf(CacheFullError);
    expect(await admin.exists(redisLineKey('df', a), redisLineKey('df', b))).toBe(0);
    await expect(s.confirmServed([b])).rejects.toBeInstanceOf(CacheFullError);
  });

  it('expires rewrites after their TTL and keeps fixpoints', async () => {
    const redis = await server([]);
    const s = await store(redis.url, { ttl: 1 });
    const out = await fixLines(s, 'local', ['teh line'], capitalise);
    expect(out.out).toEqual(['Teh line']);
    await new Promise((r) => setTimeout(r, 1300));
    expect(await s.get([keyOf('local', 'teh line'), keyOf('local', 'Teh line')])).toEqual([
      undefined,
      { type: 'fixpoint' },
    ]);
  });

  it('fails fast with CacheUnavailableError when Redis is not there, and when it goes away', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(openStore({ kind: 'redis', redisUrl: `redis://127.0.0.1:${port}` })).rejects.toBeInstanceOf(
      CacheUnavailableError,
    );
    const dead = new RedisStore({ redis: `redis://127.0.0.1:${port}`, commandTimeoutMs: 2000 });
    cleanups.push(() => dead.close());
    const error = await dead.get([keyOf('local', 'x')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheUnavailableError);
    expect((error as CacheUnavailableError).code).toBe('CACHE_UNAVAILABLE');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    await expect(dead.write([{ op: 'fixpoint', key: keyOf('local', 'x') }])).rejects.toBeInstanceOf(
      CacheUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(3000);

    const redis = await server([]);
    const s = await store(redis.url);
    await s.write([{ op: 'fixpoint', key: keyOf('local', 'y') }]);
    await redis.kill('SIGKILL');
    const lost = Date.now();
    await expect(s.get([keyOf('local', 'y')])).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(s.write([{ op: 'fixpoint', key: keyOf('local', 'z') }])).rejects.toBeInstanceOf(
      CacheUnavailableError,
    );
    expect(Date.now() - lost).toBeLessThan(4500);
  });
});

describe('tenants on the shared Redis', () => {
  it('never shares an entry between installations with different style guides', async () => {
    const space = randomPrefix();
    const s = await new RedisStore({ redis: space.url, prefix: space.prefix }).connect();
    const raw = new Redis(space.url);
    try {
      const text = 'Teh same line in two repositories.';
      const one = {
        scope: 'installation:1',
        modelId: 'm',
        promptVersion: 'style-guide-1',
        kind: 'paragraph',
      } as const;
      const two = {
        scope: 'installation:2',
        modelId: 'm',
        promptVersion: 'style-guide-2',
        kind: 'paragraph',
      } as const;
      const a1 = lineKey({ ...one, text });
      const a2 = lineKey({ ...two, text });
      expect(a1).not.toBe(a2);
      expect(redisLineKey(space.prefix, a1).equals(redisLineKey(space.prefix, a2))).toBe(false);

      await s.write([
        {
          op: 'rewrite',
          key: a1,
          toKey: lineKey({ ...one, text: 'The same line.' }),
          text: 'The same line.',
        },
      ]);
      expect(await s.get([a2, lineKey({ ...two, text: 'The same line.' })])).toEqual([undefined, undefined]);

      // Even with everything but the scope equal, nothing written under one scope is readable under the other.
      const sameStyle = { ...two, promptVersion: one.promptVersion };
      expect(
        await s.get([lineKey({ ...sameStyle, text }), lineKey({ ...sameStyle, text: 'The same line.' })]),
      ).toEqual([undefined, undefined]);
      const [, scopeTwoKeys] = await raw.scanBuffer(
        '0',
        'MATCH',
        redisScopePattern(space.prefix, two.scope),
        'COUNT',
        1000,
      );
      expect(scopeTwoKeys).toEqual([]);
      expect(await s.purgeScope(two.scope)).toBe(0);
      expect(await s.purgeScope(one.scope)).toBe(2);
    } finally {
      await s.close();
      await unlinkMatching(raw, `${space.prefix}*`);
      raw.disconnect();
    }
  });
});
