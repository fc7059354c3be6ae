// One contract, three stores: the fixpoint invariant, TTLs, scopes and exact text round trips.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EmbeddedStore,
  MemoryStore,
  RedisStore,
  lineKey,
  openRedisClient,
  redisLineKey,
  rejectionKey,
  type KeyInput,
  type MaintainedLineStore,
  type Rejection,
} from '../../src/cache/index.js';
import type { LineKind } from '../../src/markdown/types.js';
import { randomPrefix } from '../support/redis.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const TTL_SECONDS = 3600;

// One 3-master, 3-replica cluster for the file, started by the first test that needs it.
let cluster: Promise<RedisCluster> | undefined;
afterAll(async () => {
  await (await cluster)?.stop();
});

interface Harness {
  readonly store: MaintainedLineStore;
  /** Remaining TTL in ms (-1 = none, -2 = absent), where the store can tell (Redis). */
  readonly pttl?: (key: string) => Promise<number>;
  /** Moves the store's clock forward (memory, embedded). */
  readonly advance?: (ms: number) => void;
  cleanup(): Promise<void>;
}

const harnesses: [string, () => Promise<Harness>][] = [
  [
    'memory',
    async () => {
      let now = 1_750_000_000_000;
      const store = new MemoryStore({ rewriteTtlSeconds: TTL_SECONDS, now: () => now });
      return { store, advance: (ms) => (now += ms), cleanup: async () => store.close() };
    },
  ],
  [
    'embedded',
    async () => {
      let now = 1_750_000_000_000;
      const dir = mkdtempSync(join(tmpdir(), 'docs-fix-lmdb-'));
      const store = new EmbeddedStore({ path: dir, rewriteTtlSeconds: TTL_SECONDS, now: () => now });
      return {
        store,
        advance: (ms) => (now += ms),
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'redis',
    async () => {
      const space = randomPrefix();
      const store = await new RedisStore({
        redis: space.url,
        prefix: space.prefix,
        rewriteTtlSeconds: TTL_SECONDS,
      }).connect();
      const raw = new Redis(space.url);
      return {
        store,
        pttl: (key) => raw.pttl(redisLineKey(space.prefix, key)),
        cleanup: async () => {
          await store.close();
          raw.disconnect();
          await space.cleanup();
        },
      };
    },
  ],
  [
    'redis cluster',
    async () => {
      const { clusterNodes } = await (cluster ??= startRedisCluster());
      const prefix = `dft-${randomBytes(4).toString('hex')}`;
      const store = await new RedisStore({
        redis: { clusterNodes },
        prefix,
        rewriteTtlSeconds: TTL_SECONDS,
      }).connect();
      const raw = openRedisClient({ clusterNodes });
      return {
        store,
        pttl: (key) => raw.pttl(redisLineKey(prefix, key)),
        // The cluster is thrown away after the file; the prefix keeps tests apart meanwhile.
        cleanup: async () => {
          await store.close();
          raw.disconnect();
        },
      };
    },
  ],
];

const base = {
  scope: 'installation:1',
  modelId: 'gpt-test',
  promptVersion: 'p1',
  kind: 'paragraph',
} as const;
const key = (text: string, over: Partial<KeyInput> = {}): string => lineKey({ ...base, text, ...over });
const rejectedKey = (text: string, repository = 'octo/docs', scope: string = base.scope): string =>
  rejectionKey({ scope, repository, kind: 'paragraph', text });
const rejection = (pullRequest: number, over: Partial<Rejection> = {}): Rejection => ({
  pullRequest,
  how: 'closed',
  by: 'alice',
  at: '2026-11-30T10:00:00Z',
  proposed: 'The fixed text.',
  ...over,
});

describe.each(harnesses)('%s store contract', (_name, make) => {
  let h: Harness;
  beforeEach(async () => {
    h = await make();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  it('answers nothing for an empty batch and a miss for unknown keys, in order', async () => {
    expect(await h.store.get([])).toEqual([]);
    await h.store.write([{ op: 'fixpoint', key: key('b') }]);
    expect(await h.store.get([key('a'), key('b'), key('a')])).toEqual([
      undefined,
      { type: 'fixpoint' },
      undefined,
    ]);
  });

  it('stores an unchanged answer as a fixpoint', async () => {
    await h.store.write([{ op: 'fixpoint', key: key('Fine as it is.') }]);
    expect(await h.store.get([key('Fine as it is.')])).toEqual([{ type: 'fixpoint' }]);
  });

  it('stores a rewrite as B = fixpoint and A -> B', async () => {
    await h.store.write([{ op: 'rewrite', key: key('teh cat'), toKey: key('the cat'), text: 'the cat' }]);
    expect(await h.store.get([key('teh cat'), key('the cat')])).toEqual([
      { type: 'rewrite', text: 'the cat' },
      { type: 'fixpoint' },
    ]);
  });

  it('never lets a rewrite overwrite a fixpoint, but still makes B a fixpoint', async () => {
    await h.store.write([{ op: 'fixpoint', key: key('A') }]);
    await h.store.write([{ op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' }]);
    expect(await h.store.get([key('A'), key('B')])).toEqual([{ type: 'fixpoint' }, { type: 'fixpoint' }]);
  });

  it('lets a fixpoint overwrite a rewrite and a held entry', async () => {
    await h.store.write([
      { op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' },
      { op: 'held', key: key('C'), reason: 'too-different' },
    ]);
    await h.store.write([
      { op: 'fixpoint', key: key('A') },
      { op: 'fixpoint', key: key('C') },
    ]);
    expect(await h.store.get([key('A'), key('C')])).toEqual([{ type: 'fixpoint' }, { type: 'fixpoint' }]);
  });

  it('keeps the first rewrite of a line (later rewrites only make their own B a fixpoint)', async () => {
    await h.store.write([{ op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' }]);
    await h.store.write([{ op: 'rewrite', key: key('A'), toKey: key('C'), text: 'C' }]);
    expect(await h.store.get([key('A'), key('B'), key('C')])).toEqual([
      { type: 'rewrite', text: 'B' },
      { type: 'fixpoint' },
      { type: 'fixpoint' },
    ]);
  });

  it('stores held entries unless the line is a fixpoint; a held line is never turned into a rewrite', async () => {
    await h.store.write([{ op: 'held', key: key('H'), reason: 'changed-code-span' }]);
    expect(await h.store.get([key('H')])).toEqual([{ type: 'held', reason: 'changed-code-span' }]);

    await h.store.write([{ op: 'rewrite', key: key('H'), toKey: key('H2'), text: 'H2' }]);
    expect(await h.store.get([key('H'), key('H2')])).toEqual([
      { type: 'held', reason: 'changed-code-span' },
      { type: 'fixpoint' },
    ]);

    await h.store.write([{ op: 'fixpoint', key: key('F') }]);
    await h.store.write([{ op: 'held', key: key('F'), reason: 'x' }]);
    expect(await h.store.get([key('F')])).toEqual([{ type: 'fixpoint' }]);

    // A run that kept R as it is must find R kept on re-run, so held replaces a rewrite.
    await h.store.write([{ op: 'rewrite', key: key('R'), toKey: key('R2'), text: 'R2' }]);
    await h.store.write([{ op: 'held', key: key('R'), reason: 'lost-link' }]);
    expect(await h.store.get([key('R'), key('R2')])).toEqual([
      { type: 'held', reason: 'lost-link' },
      { type: 'fixpoint' },
    ]);
  });

  it('gives the same state whatever the order of a rewrite and a fixpoint of the same line', async () => {
    await h.store.write([
      { op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' },
      { op: 'fixpoint', key: key('A') },
      { op: 'fixpoint', key: key('X') },
      { op: 'rewrite', key: key('X'), toKey: key('Y'), text: 'Y' },
    ]);
    expect(await h.store.get([key('A'), key('B'), key('X'), key('Y')])).toEqual([
      { type: 'fixpoint' },
      { type: 'fixpoint' },
      { type: 'fixpoint' },
      { type: 'fixpoint' },
    ]);
  });

  it('re-asserts served rewrite targets as fixpoints (over a rewrite, or where B is gone)', async () => {
    await h.store.write([{ op: 'rewrite', key: key('B'), toKey: key('C'), text: 'C' }]);
    expect((await h.store.get([key('B')]))[0]?.type).toBe('rewrite');
    await h.store.confirmServed([key('B'), key('never-seen')]);
    expect(await h.store.get([key('B'), key('never-seen')])).toEqual([
      { type: 'fixpoint' },
      { type: 'fixpoint' },
    ]);
    if (h.pttl) expect(await h.pttl(key('B'))).toBe(-1);
    await h.store.confirmServed([]);
  });

  it('puts a TTL on rewrites and held entries, never on fixpoints', async () => {
    await h.store.write([
      { op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' },
      { op: 'held', key: key('H'), reason: 'r' },
      { op: 'fixpoint', key: key('F') },
    ]);
    if (h.pttl) {
      for (const k of [key('A'), key('H')]) {
        const ms = await h.pttl(k);
        expect(ms).toBeGreaterThan((TTL_SECONDS - 5) * 1000);
        expect(ms).toBeLessThanOrEqual(TTL_SECONDS * 1000);
      }
      expect(await h.pttl(key('B'))).toBe(-1);
      expect(await h.pttl(key('F'))).toBe(-1);
      // A fixpoint written over a rewrite drops the rewrite's TTL.
      await h.store.write([{ op: 'fixpoint', key: key('A') }]);
      expect(await h.pttl(key('A'))).toBe(-1);
      return;
    }
    h.advance!((TTL_SECONDS - 1) * 1000);
    expect((await h.store.get([key('A'), key('H')])).map((v) => v?.type)).toEqual(['rewrite', 'held']);
    h.advance!(2000);
    expect(await h.store.get([key('A'), key('H'), key('B'), key('F')])).toEqual([
      undefined,
      undefined,
      { type: 'fixpoint' },
      { type: 'fixpoint' },
    ]);
    // An expired rewrite is absent for writers too: a new rewrite may take its place.
    await h.store.write([{ op: 'rewrite', key: key('A'), toKey: key('C'), text: 'C' }]);
    expect(await h.store.get([key('A')])).toEqual([{ type: 'rewrite', text: 'C' }]);
  });

  it('round-trips unicode, emoji, CRLF, tabs, empty and lone-surrogate texts exactly', async () => {
    const texts = [
      'Ünïcödé — “quotes” and ½',
      'emoji 👩🏽‍💻 and 🇫🇷 flags',
      'line with CRLF\r\n',
      '\ttab\u0000nul',
      '',
      'lone \ud800 surrogate',
      '1',
      '>already tagged',
      'x'.repeat(5000),
    ];
    await h.store.write(
      texts.map((text, i) => ({ op: 'rewrite' as const, key: key(`src ${i}`), toKey: key(text), text })),
    );
    const values = await h.store.get(texts.map((_, i) => key(`src ${i}`)));
    expect(values).toEqual(texts.map((text) => ({ type: 'rewrite', text })));
    expect(await h.store.get(texts.map((t) => key(t)))).toEqual(texts.map(() => ({ type: 'fixpoint' })));
  });

  it('keeps entries of different scope, model, prompt, kind and text apart', async () => {
    const variants: Partial<KeyInput>[] = [
      { scope: 'installation:2' },
      { modelId: 'other-model' },
      { promptVersion: 'p2' },
      { kind: 'heading' as LineKind },
      { text: 'A ' },
    ];
    await h.store.write([{ op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' }]);
    const keys = variants.map((v) => key('A', v));
    expect(new Set([key('A'), ...keys]).size).toBe(variants.length + 1);
    expect(await h.store.get(keys)).toEqual(variants.map(() => undefined));
  });

  it('answers a batch that mixes scopes', async () => {
    const other = { scope: 'installation:99' };
    await h.store.write([{ op: 'fixpoint', key: key('A', other) }]);
    await h.store.write([{ op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' }]);
    expect(await h.store.get([key('A'), key('A', other), key('B'), key('B', other)])).toEqual([
      { type: 'rewrite', text: 'B' },
      { type: 'fixpoint' },
      { type: 'fixpoint' },
      undefined,
    ]);
  });

  it('refuses a rewrite whose target is in another scope', async () => {
    await expect(
      h.store.write([
        { op: 'rewrite', key: key('A'), toKey: key('B', { scope: 'installation:2' }), text: 'B' },
      ]),
    ).rejects.toThrow(TypeError);
  });

  it("stores a maintainer's rejection as it was given, with no TTL, over anything; the latest wins", async () => {
    const r = rejection(12, { proposed: 'lone \ud800 — “quoted”\nsecond line' });
    await h.store.write([
      { op: 'reject', key: rejectedKey('A'), rejection: r },
      { op: 'held', key: rejectedKey('B'), reason: 'r' },
    ]);
    await h.store.write([
      {
        op: 'reject',
        key: rejectedKey('B'),
        rejection: rejection(13, { how: 'reverted', commit: 'abc123', by: 'bob' }),
      },
    ]);
    expect(await h.store.get([rejectedKey('A'), rejectedKey('B')])).toEqual([
      { type: 'rejected', rejection: r },
      { type: 'rejected', rejection: rejection(13, { how: 'reverted', commit: 'abc123', by: 'bob' }) },
    ]);
    if (h.pttl) expect(await h.pttl(rejectedKey('A'))).toBe(-1);
    else {
      h.advance!((TTL_SECONDS + 10) * 1000 * 100);
      expect((await h.store.get([rejectedKey('A')]))[0]?.type).toBe('rejected');
    }
    // Another repository, another scope: other keys.
    expect(
      await h.store.get([rejectedKey('A', 'octo/other'), rejectedKey('A', 'octo/docs', 'installation:2')]),
    ).toEqual([undefined, undefined]);
    // GitHub names are compared without case.
    expect(rejectedKey('A', 'Octo/Docs')).toBe(rejectedKey('A'));
    expect(new Set([rejectedKey('A'), key('A')]).size).toBe(2);
  });

  it('forgets only the rejections recorded from the pull request (and in the way) it names', async () => {
    await h.store.write([
      { op: 'reject', key: rejectedKey('closed 12'), rejection: rejection(12) },
      { op: 'reject', key: rejectedKey('reverted 12'), rejection: rejection(12, { how: 'reverted' }) },
      { op: 'reject', key: rejectedKey('closed 120'), rejection: rejection(120) },
      { op: 'reject', key: rejectedKey('closed 1'), rejection: rejection(1) },
      { op: 'fixpoint', key: rejectedKey('not a rejection') },
    ]);
    const all = ['closed 12', 'reverted 12', 'closed 120', 'closed 1', 'not a rejection'].map((t) =>
      rejectedKey(t),
    );
    const types = async (): Promise<(string | undefined)[]> => (await h.store.get(all)).map((v) => v?.type);
    // Reopening pull request 12 forgets what its closing recorded, not what a person's revert did.
    await h.store.write(
      all.map((k) => ({ op: 'forget' as const, key: k, pullRequest: 12, how: 'closed' as const })),
    );
    expect(await types()).toEqual([undefined, 'rejected', 'rejected', 'rejected', 'fixpoint']);
    // `/docs-fix forget` on 12 forgets both ways; 120 and 1 are other pull requests.
    await h.store.write(all.map((k) => ({ op: 'forget' as const, key: k, pullRequest: 12 })));
    expect(await types()).toEqual([undefined, undefined, 'rejected', 'rejected', 'fixpoint']);
    // Forgetting what is not there is a no-op.
    await h.store.write([{ op: 'forget', key: rejectedKey('never'), pullRequest: 12 }]);
    expect(await h.store.get([rejectedKey('never')])).toEqual([undefined]);
  });

  it('counts entries by type and purges one scope only', async () => {
    const other = { scope: 'installation:2' };
    await h.store.write([
      { op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' },
      { op: 'held', key: key('H'), reason: 'r' },
      { op: 'fixpoint', key: key('F') },
      { op: 'fixpoint', key: key('F', other) },
      { op: 'reject', key: rejectedKey('R'), rejection: rejection(7) },
    ]);
    expect(await h.store.stats(base.scope)).toMatchObject({
      entries: 5,
      fixpoints: 2,
      rewrites: 1,
      held: 1,
      rejected: 1,
    });
    expect(await h.store.purgeScope(base.scope)).toBe(5);
    expect(await h.store.get([key('A'), key('B'), key('F'), key('F', other)])).toEqual([
      undefined,
      undefined,
      undefined,
      { type: 'fixpoint' },
    ]);
    expect(await h.store.stats(other.scope)).toMatchObject({ entries: 1, fixpoints: 1 });
  });
});
