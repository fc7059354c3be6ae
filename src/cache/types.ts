import type { LineKind } from '../markdown/types.js';

/** Everything that can change the model's answer for one line; the cache key is a hash of all of it. */
export interface KeyInput {
  /** Tenant boundary: `installation:<id>` in the app, `local` in the CLI. Never from repository content. */
  readonly scope: string;
  readonly modelId: string;
  /** Hash of prompt template, style guide and output-shaping model options (see model/prompt). */
  readonly promptVersion: string;
  readonly kind: LineKind;
  /** Exact text, no normalisation. */
  readonly text: string;
}

/** What the cache knows about a line. */
export type CacheValue =
  | { readonly type: 'fixpoint' }
  | { readonly type: 'rewrite'; readonly text: string }
  | { readonly type: 'held'; readonly reason: string };

/**
 * One write under the fixpoint invariant.
 * - `fixpoint`: the line is correct as it is (overwrites anything).
 * - `rewrite`: atomically store `toKey` = fixpoint, then `key` → `text` unless `key` is already a fixpoint.
 * - `held`: the model's answer was rejected by admission; the line stays as it is (set-if-absent).
 */
export type StoreWrite =
  | { readonly op: 'fixpoint'; readonly key: string }
  | { readonly op: 'rewrite'; readonly key: string; readonly toKey: string; readonly text: string }
  | { readonly op: 'held'; readonly key: string; readonly reason: string };

export interface StoreStats {
  readonly entries: number;
  readonly fixpoints: number;
  readonly rewrites: number;
  readonly held: number;
  /** Bytes per entry where the store can tell (Redis: used_memory delta estimate). */
  readonly bytesPerEntry?: number;
}

/** The contract every line store (Redis, embedded lmdb, memory) fulfils; one contract test suite runs on all. */
export interface LineStore {
  readonly kind: 'redis' | 'embedded' | 'memory';
  /** One batched lookup (one round trip for Redis). Throws `CacheUnavailableError` when the store cannot answer. */
  get(keys: readonly string[]): Promise<(CacheValue | undefined)[]>;
  /** Apply writes under the invariant. Throws `CacheUnavailableError` / `CacheFullError`. */
  write(writes: readonly StoreWrite[]): Promise<void>;
  close(): Promise<void>;
}
