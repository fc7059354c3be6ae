// In-process store for unit tests: the same invariant and TTL semantics as Redis, with an injected clock.
import { DEFAULT_REWRITE_TTL_SECONDS } from './defaults.js';
import { lineKeyTag, scopeTag } from './key.js';
import type { CacheValue, LineStore, StoreMaintenance, StoreStats, StoreWrite } from './types.js';
import { forgets } from './rejection.js';
import { FIXPOINT } from './value.js';

export interface MemoryStoreOptions {
  /** TTL of rewrites and held entries in seconds (default 90 days); 0 keeps them forever. */
  readonly rewriteTtlSeconds?: number;
  /** Milliseconds since the epoch; tests move it to expire entries. */
  readonly now?: () => number;
}

interface Entry {
  readonly value: CacheValue;
  /** Milliseconds since the epoch; 0 = never. */
  readonly expiresAt: number;
}

export class MemoryStore implements LineStore, StoreMaintenance {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.ttlMs = (options.rewriteTtlSeconds ?? DEFAULT_REWRITE_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
  }

  async get(keys: readonly string[]): Promise<(CacheValue | undefined)[]> {
    const now = this.now();
    return keys.map((key) => this.live(key, now)?.value);
  }

  async write(writes: readonly StoreWrite[]): Promise<void> {
    const now = this.now();
    const expiresAt = this.ttlMs > 0 ? now + this.ttlMs : 0;
    for (const w of writes) {
      if (w.op === 'fixpoint') {
        this.entries.set(w.key, { value: FIXPOINT, expiresAt: 0 });
      } else if (w.op === 'rewrite') {
        if (lineKeyTag(w.toKey) !== lineKeyTag(w.key)) {
          throw new TypeError(`rewrite ${w.key} -> ${w.toKey} crosses scopes; both keys need the same scope`);
        }
        this.entries.set(w.toKey, { value: FIXPOINT, expiresAt: 0 });
        if (!this.live(w.key, now))
          this.entries.set(w.key, { value: { type: 'rewrite', text: w.text }, expiresAt });
      } else if (w.op === 'reject') {
        this.entries.set(w.key, { value: { type: 'rejected', rejection: w.rejection }, expiresAt: 0 });
      } else if (w.op === 'forget') {
        const current = this.live(w.key, now)?.value;
        if (current?.type === 'rejected' && forgets(current.rejection, w)) this.entries.delete(w.key);
      } else if (this.live(w.key, now)?.value.type !== 'fixpoint') {
        this.entries.set(w.key, { value: { type: 'held', reason: w.reason }, expiresAt });
      }
    }
  }

  async confirmServed(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.set(key, { value: FIXPOINT, expiresAt: 0 });
  }

  async stats(scope?: string): Promise<StoreStats> {
    const now = this.now();
    const tag = scope === undefined ? undefined : scopeTag(scope);
    const stats = { entries: 0, fixpoints: 0, rewrites: 0, held: 0, rejected: 0 };
    for (const [key, entry] of this.entries) {
      if (tag !== undefined && lineKeyTag(key) !== tag) continue;
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) continue;
      stats.entries += 1;
      if (entry.value.type === 'fixpoint') stats.fixpoints += 1;
      else if (entry.value.type === 'rewrite') stats.rewrites += 1;
      else if (entry.value.type === 'rejected') stats.rejected += 1;
      else stats.held += 1;
    }
    return stats;
  }

  async purgeScope(scope: string): Promise<number> {
    const tag = scopeTag(scope);
    let removed = 0;
    for (const key of [...this.entries.keys()]) {
      if (lineKeyTag(key) === tag && this.entries.delete(key)) removed += 1;
    }
    return removed;
  }

  async close(): Promise<void> {}

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
