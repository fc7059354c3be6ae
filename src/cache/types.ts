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

/**
 * A maintainer's "no" to docs-fix's rewrite of a prose unit in one repository (keyed by `rejectionKey`):
 * later runs serve the unit as it is. Never expires; `forget` removes it.
 */
export interface Rejection {
  /** The bot pull request it was recorded from. */
  readonly pullRequest: number;
  /**
   * `closed`: the pull request was closed without merging; `reverted`: a person's commit put the text
   * back; `rewritten`: a person's commit replaced docs-fix's text with their own.
   */
  readonly how: RejectionHow;
  /** Login of the person who closed the pull request or made the commit. */
  readonly by: string;
  /** When (ISO 8601). */
  readonly at: string;
  /** What docs-fix had proposed (the unit's lines joined with `\n`). */
  readonly proposed: string;
  /** The person's commit (`reverted`, `rewritten`). */
  readonly commit?: string;
}

export type RejectionHow = 'closed' | 'reverted' | 'rewritten';

/** What the cache knows about a line (or, under a rejection key, what a maintainer said about it). */
export type CacheValue =
  | { readonly type: 'fixpoint' }
  | { readonly type: 'rewrite'; readonly text: string }
  | { readonly type: 'held'; readonly reason: string }
  | { readonly type: 'rejected'; readonly rejection: Rejection };

/**
 * One write under the fixpoint invariant. "Keep the line" beats "change the line", so a line some run left
 * as it is can never later be served as a rewrite (that run's output would not be a fixpoint of the fixer).
 * - `fixpoint`: the line is correct as it is. Overwrites anything, never expires.
 * - `rewrite`: atomically store `toKey` = fixpoint, then `key` → `text` only if `key` has no entry at all
 *   (set-if-absent: never over a fixpoint or held entry, and the first rewrite stored wins). Expires (TTL).
 * - `held`: the model's answer was rejected by admission; the line stays as it is. Stored unless `key` is a
 *   fixpoint (so it replaces a rewrite or an older held entry). Expires (TTL), so the line is retried later.
 * - `reject`: a maintainer rejected the rewrite of a unit (`key` from `rejectionKey`). Overwrites anything
 *   (the latest rejection is the one explained), never expires.
 * - `forget`: removes `key` if it holds a rejection recorded from `pullRequest` (and `how`, when given);
 *   anything else, a rejection from another pull request included, is left. Atomic.
 * `key` and `toKey` must come from `lineKey` with the same scope.
 */
export type StoreWrite =
  | { readonly op: 'fixpoint'; readonly key: string }
  | { readonly op: 'rewrite'; readonly key: string; readonly toKey: string; readonly text: string }
  | { readonly op: 'held'; readonly key: string; readonly reason: string }
  | { readonly op: 'reject'; readonly key: string; readonly rejection: Rejection }
  | {
      readonly op: 'forget';
      readonly key: string;
      readonly pullRequest: number;
      readonly how?: RejectionHow;
    };

export interface StoreStats {
  readonly entries: number;
  readonly fixpoints: number;
  readonly rewrites: number;
  readonly held: number;
  /** Maintainers' rejections (they never expire). */
  readonly rejected: number;
  /** Bytes per entry where the store can tell (Redis: used_memory delta estimate). */
  readonly bytesPerEntry?: number;
}

/** The contract every line store (Redis, embedded lmdb, memory) fulfils; one contract test suite runs on all. */
export interface LineStore {
  readonly kind: 'redis' | 'embedded' | 'memory';
  /** One batched lookup (one round trip for Redis). Throws `CacheUnavailableError` when the store cannot answer. */
  get(keys: readonly string[]): Promise<(CacheValue | undefined)[]>;
  /**
   * Apply writes under the invariant, one round trip per batch for Redis. Each write is atomic on its own;
   * a failed batch may have applied some writes whole, never half of one.
   * Throws `CacheUnavailableError` / `CacheFullError`.
   */
  write(writes: readonly StoreWrite[]): Promise<void>;
  /**
   * Re-assert `B` = fixpoint for the rewrite targets served from rewrite hits (`lineKey` of the served text,
   * same scope and kind), so eviction or expiry of `B` cannot reopen a loop. Plain fixpoint writes.
   */
  confirmServed(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Operator-only maintenance (the `docs-fix cache` commands); never used in the hot path. */
export interface StoreMaintenance {
  /** Counts entries by type, of one scope or (without `scope`) of the whole store. Scans: slow on big stores. */
  stats(scope?: string): Promise<StoreStats>;
  /** Removes every entry of a scope (uninstalls); returns how many were removed. */
  purgeScope(scope: string): Promise<number>;
}
