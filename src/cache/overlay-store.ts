// A read-through, write-aside view of a store: shadow runs read the live cache but never write to it.
import { DEFAULT_REWRITE_TTL_SECONDS } from './defaults.js';
import { lineKeyTag } from './key.js';
import type { CacheValue, LineStore, StoreWrite } from './types.js';
import { forgets } from './rejection.js';
import { FIXPOINT } from './value.js';

export interface OverlayStoreOptions {
  /** TTL of rewrites and held entries written to the overlay, in seconds (default 90 days); 0 keeps them. */
  readonly rewriteTtlSeconds?: number;
  /** Milliseconds since the epoch (tests). */
  readonly now?: () => number;
}

interface Entry {
  readonly value: CacheValue;
  /** Milliseconds since the epoch; 0 = never. */
  readonly expiresAt: number;
}

/** Base lookups for one batch of writes are chunked like the engine's (one round trip each). */
const BASE_CHUNK = 2000;

/**
 * Reads go to the overlay first, then to `base`; writes go only to the overlay (in memory), under the same
 * invariant as if they had been applied to `base` itself: a rewrite is set only where neither the overlay
 * nor the base has an entry, a held entry never replaces a fixpoint of either. So the view answers exactly
 * what `base` would answer after the writes, while `base` is left untouched. An overlay entry, even an
 * expired one, hides the base entry it was written over (as the write would have replaced it).
 *
 * Every write is also logged in order; `flush()` applies the log to `base` (a shadow run's `--warm`).
 * `close()` does not close `base`: its owner does.
 */
export class OverlayStore implements LineStore {
  /** The kind of the store read through (the overlay itself is in memory). */
  readonly kind: LineStore['kind'];
  private readonly entries = new Map<string, Entry>();
  private readonly log: StoreWrite[] = [];
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    readonly base: LineStore,
    options: OverlayStoreOptions = {},
  ) {
    this.kind = base.kind;
    this.ttlMs = (options.rewriteTtlSeconds ?? DEFAULT_REWRITE_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  async get(keys: readonly string[]): Promise<(CacheValue | undefined)[]> {
    const now = this.now();
    const out: (CacheValue | undefined)[] = new Array(keys.length);
    const fromBase: number[] = [];
    keys.forEach((key, i) => {
      const entry = this.entries.get(key);
      if (entry) out[i] = live(entry, now);
      else fromBase.push(i);
    });
    if (fromBase.length > 0) {
      const values = await this.base.get(fromBase.map((i) => keys[i]!));
      fromBase.forEach((i, j) => (out[i] = values[j]));
    }
    return out;
  }

  async write(writes: readonly StoreWrite[]): Promise<void> {
    for (const w of writes) {
      if (w.op === 'rewrite' && lineKeyTag(w.toKey) !== lineKeyTag(w.key)) {
        throw new TypeError(`rewrite ${w.key} -> ${w.toKey} crosses scopes; both keys need the same scope`);
      }
    }
    // The base values the conditional writes depend on, where the overlay does not decide them itself.
    const conditional = [
      ...new Set(
        writes
          .filter((w) => w.op !== 'fixpoint' && w.op !== 'reject' && !this.entries.has(w.key))
          .map((w) => w.key),
      ),
    ];
    const baseValues = new Map<string, CacheValue | undefined>();
    for (let i = 0; i < conditional.length; i += BASE_CHUNK) {
      const chunk = conditional.slice(i, i + BASE_CHUNK);
      const values = await this.base.get(chunk);
      chunk.forEach((key, j) => baseValues.set(key, values[j]));
    }
    const now = this.now();
    const expiresAt = this.ttlMs > 0 ? now + this.ttlMs : 0;
    const current = (key: string): CacheValue | undefined => {
      const entry = this.entries.get(key);
      return entry ? live(entry, now) : baseValues.get(key);
    };
    for (const w of writes) {
      this.log.push(w);
      if (w.op === 'fixpoint') {
        this.entries.set(w.key, { value: FIXPOINT, expiresAt: 0 });
      } else if (w.op === 'rewrite') {
        this.entries.set(w.toKey, { value: FIXPOINT, expiresAt: 0 });
        if (!current(w.key)) this.entries.set(w.key, { value: { type: 'rewrite', text: w.text }, expiresAt });
      } else if (w.op === 'reject') {
        this.entries.set(w.key, { value: { type: 'rejected', rejection: w.rejection }, expiresAt: 0 });
      } else if (w.op === 'forget') {
        const value = current(w.key);
        // Forgotten in the view: an expired entry hides the base's, as a deletion would.
        if (value?.type === 'rejected' && forgets(value.rejection, w))
          this.entries.set(w.key, { value: FIXPOINT, expiresAt: 1 });
      } else if (current(w.key)?.type !== 'fixpoint') {
        this.entries.set(w.key, { value: { type: 'held', reason: w.reason }, expiresAt });
      }
    }
  }

  async confirmServed(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.log.push({ op: 'fixpoint', key });
      this.entries.set(key, { value: FIXPOINT, expiresAt: 0 });
    }
  }

  /** The writes made to the overlay so far, in order (confirmations as fixpoint writes). */
  pendingWrites(): readonly StoreWrite[] {
    return this.log;
  }

  /**
   * Applies the logged writes to `base`, in order and in chunks, and clears the log; answers how many were
   * applied. The overlay keeps answering as before (base now holds what it holds).
   */
  async flush(): Promise<number> {
    const writes = this.log.splice(0, this.log.length);
    for (let i = 0; i < writes.length; i += BASE_CHUNK)
      await this.base.write(writes.slice(i, i + BASE_CHUNK));
    return writes.length;
  }

  async close(): Promise<void> {}
}

function live(entry: Entry, now: number): CacheValue | undefined {
  return entry.expiresAt !== 0 && entry.expiresAt <= now ? undefined : entry.value;
}
