// The overlay store: reads through to a base store, writes only to memory, answers exactly what the base
// would answer had the writes gone to it, and can flush them there later.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryStore,
  OverlayStore,
  RedisStore,
  lineKey,
  type CacheValue,
  type LineStore,
  type StoreWrite,
} from '../../src/cache/index.js';
import { randomPrefix, type RandomPrefix } from '../support/redis.js';

const TTL_SECONDS = 3600;
const key = (text: string, scope = 'installation:1'): string =>
  lineKey({ scope, modelId: 'm', promptVersion: 'p', kind: 'paragraph', text });

const TEXTS = ['A', 'B', 'C', 'D', 'E', 'F'];
const ALL_KEYS = TEXTS.map((t) => key(t));

type Op =
  | { op: 'fixpoint'; a: number }
  | { op: 'rewrite'; a: number; b: number }
  | { op: 'held'; a: number }
  | { op: 'confirm'; a: number }
  | { op: 'reject'; a: number; pr: number }
  | { op: 'forget'; a: number; pr: number; closed: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('fixpoint' as const), a: fc.nat(5) }),
  fc.record({ op: fc.constant('rewrite' as const), a: fc.nat(5), b: fc.nat(5) }),
  fc.record({ op: fc.constant('held' as const), a: fc.nat(5) }),
  fc.record({ op: fc.constant('confirm' as const), a: fc.nat(5) }),
  fc.record({ op: fc.constant('reject' as const), a: fc.nat(5), pr: fc.nat(2) }),
  fc.record({ op: fc.constant('forget' as const), a: fc.nat(5), pr: fc.nat(2), closed: fc.boolean() }),
);
const batchesArb = fc.array(fc.array(opArb, { minLength: 1, maxLength: 6 }), { maxLength: 5 });

async function apply(store: LineStore, batches: readonly Op[][]): Promise<void> {
  for (const batch of batches) {
    const writes: StoreWrite[] = [];
    for (const o of batch) {
      if (o.op === 'confirm') {
        if (writes.length > 0) await store.write(writes.splice(0));
        await store.confirmServed([ALL_KEYS[o.a]!]);
      } else if (o.op === 'fixpoint') writes.push({ op: 'fixpoint', key: ALL_KEYS[o.a]! });
      else if (o.op === 'held') writes.push({ op: 'held', key: ALL_KEYS[o.a]!, reason: `r${o.a}` });
      else if (o.op === 'reject') {
        const how = o.pr % 2 === 0 ? ('closed' as const) : ('reverted' as const);
        const rejection = { pullRequest: o.pr, how, by: 'alice', at: '2026-01-01T00:00:00Z', proposed: 'x' };
        writes.push({ op: 'reject', key: ALL_KEYS[o.a]!, rejection });
      } else if (o.op === 'forget') {
        writes.push({
          op: 'forget',
          key: ALL_KEYS[o.a]!,
          pullRequest: o.pr,
          ...(o.closed ? { how: 'closed' as const } : {}),
        });
      } else writes.push({ op: 'rewrite', key: ALL_KEYS[o.a]!, toKey: ALL_KEYS[o.b]!, text: TEXTS[o.b]! });
    }
    if (writes.length > 0) await store.write(writes);
  }
}

describe('overlay store', () => {
  it('answers what the base would answer after the writes, leaves the base as it was, and flushes to it', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, batchesArb, async (baseOps, overlayOps) => {
        const base = new MemoryStore();
        const untouched = new MemoryStore();
        const reference = new MemoryStore();
        await apply(base, baseOps);
        await apply(untouched, baseOps);
        await apply(reference, baseOps);

        const overlay = new OverlayStore(base);
        await apply(overlay, overlayOps);
        await apply(reference, overlayOps);

        expect(await overlay.get(ALL_KEYS)).toEqual(await reference.get(ALL_KEYS));
        expect(await base.get(ALL_KEYS)).toEqual(await untouched.get(ALL_KEYS));

        await overlay.flush();
        expect(await base.get(ALL_KEYS)).toEqual(await reference.get(ALL_KEYS));
        expect(overlay.pendingWrites()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('follows the invariant over base entries: no rewrite over a base fixpoint or held entry, no held over a base fixpoint', async () => {
    const base = new MemoryStore();
    await base.write([
      { op: 'fixpoint', key: key('F') },
      { op: 'held', key: key('H'), reason: 'lost-link' },
      { op: 'rewrite', key: key('R'), toKey: key('R2'), text: 'R2' },
    ]);
    const overlay = new OverlayStore(base);
    await overlay.write([
      { op: 'rewrite', key: key('F'), toKey: key('F2'), text: 'F2' },
      { op: 'rewrite', key: key('H'), toKey: key('H2'), text: 'H2' },
      { op: 'held', key: key('F'), reason: 'x' },
      { op: 'held', key: key('R'), reason: 'too-different' },
    ]);
    expect(await overlay.get([key('F'), key('F2'), key('H'), key('H2'), key('R')])).toEqual([
      { type: 'fixpoint' },
      { type: 'fixpoint' },
      { type: 'held', reason: 'lost-link' },
      { type: 'fixpoint' },
      { type: 'held', reason: 'too-different' },
    ]);
    // The base still answers as before.
    expect(await base.get([key('F2'), key('H2'), key('R')])).toEqual([
      undefined,
      undefined,
      { type: 'rewrite', text: 'R2' },
    ]);
  });

  it('refuses a rewrite across scopes, like every store', async () => {
    const overlay = new OverlayStore(new MemoryStore());
    await expect(
      overlay.write([{ op: 'rewrite', key: key('A'), toKey: key('B', 'installation:2'), text: 'B' }]),
    ).rejects.toThrow(TypeError);
  });

  it('expires its own rewrites and held entries; an expired overlay entry still hides the base entry it replaced', async () => {
    let now = 1_750_000_000_000;
    const base = new MemoryStore({ rewriteTtlSeconds: 0 });
    await base.write([{ op: 'rewrite', key: key('A'), toKey: key('B'), text: 'B' }]);
    const overlay = new OverlayStore(base, { rewriteTtlSeconds: TTL_SECONDS, now: () => now });
    await overlay.write([
      { op: 'held', key: key('A'), reason: 'r' },
      { op: 'rewrite', key: key('C'), toKey: key('D'), text: 'D' },
    ]);
    expect((await overlay.get([key('A'), key('C')])).map((v) => v?.type)).toEqual(['held', 'rewrite']);
    now += (TTL_SECONDS + 1) * 1000;
    // As in a real store: the held entry replaced the rewrite, then expired; nothing is left.
    expect(await overlay.get([key('A'), key('C'), key('D')])).toEqual([
      undefined,
      undefined,
      { type: 'fixpoint' },
    ]);
    // An expired entry is absent for writers too.
    await overlay.write([{ op: 'rewrite', key: key('A'), toKey: key('E'), text: 'E' }]);
    expect(await overlay.get([key('A')])).toEqual([{ type: 'rewrite', text: 'E' }]);
  });

  it('does not close the base store', async () => {
    const base = new MemoryStore();
    await base.write([{ op: 'fixpoint', key: key('A') }]);
    const overlay = new OverlayStore(base);
    await overlay.close();
    expect(await base.get([key('A')])).toEqual([{ type: 'fixpoint' }]);
  });
});

describe('overlay over Redis', () => {
  let space: RandomPrefix;
  let redis: RedisStore;
  beforeEach(async () => {
    space = randomPrefix();
    redis = await new RedisStore({ redis: space.url, prefix: space.prefix }).connect();
  });
  afterEach(async () => {
    await redis.close();
    await space.cleanup();
  });

  it('never writes to Redis until flushed, then writes exactly the logged entries', async () => {
    await redis.write([{ op: 'fixpoint', key: key('A') }]);
    let writes = 0;
    const counted: LineStore = {
      kind: redis.kind,
      get: (keys) => redis.get(keys),
      write: async (w) => {
        writes += 1;
        return redis.write(w);
      },
      confirmServed: async (k) => {
        writes += 1;
        return redis.confirmServed(k);
      },
      close: async () => {},
    };
    const overlay = new OverlayStore(counted);
    await overlay.write([
      { op: 'rewrite', key: key('A'), toKey: key('A2'), text: 'A2' },
      { op: 'rewrite', key: key('B'), toKey: key('C'), text: 'C' },
      { op: 'held', key: key('D'), reason: 'lost-link' },
    ]);
    await overlay.confirmServed([key('E')]);
    const expected: (CacheValue | undefined)[] = [
      { type: 'fixpoint' },
      { type: 'fixpoint' },
      { type: 'rewrite', text: 'C' },
      { type: 'fixpoint' },
      { type: 'held', reason: 'lost-link' },
      { type: 'fixpoint' },
    ];
    const keys = ['A', 'A2', 'B', 'C', 'D', 'E'].map((t) => key(t));
    expect(await overlay.get(keys)).toEqual(expected);
    expect(writes).toBe(0);
    expect(await redis.get(keys)).toEqual([
      { type: 'fixpoint' },
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);

    expect(await overlay.flush()).toBe(4);
    expect(await redis.get(keys)).toEqual(expected);
  });
});
