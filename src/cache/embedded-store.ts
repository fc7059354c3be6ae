// The CLI's line store: an lmdb file, no server. Writes run in one synchronous write transaction per batch,
// which holds LMDB's single writer lock, so concurrent processes see each write whole.
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { DEFAULT_REWRITE_TTL_SECONDS } from './defaults.js';
import { CacheUnavailableError, type CacheOperation } from './errors.js';
import { lineKeyTag, scopeKeyRange } from './key.js';
import type { CacheValue, LineStore, StoreMaintenance, StoreStats, StoreWrite } from './types.js';
import {
  decodeBytes,
  encodeHeldBytes,
  encodeRejectionBytes,
  encodeRewriteBytes,
  expiryFor,
  FIXPOINT_BYTES,
  isFixpointBytes,
  isLiveBytes,
  isRejectionBytes,
  rejectionPrefix,
} from './value.js';

/**
 * Where the CLI keeps its cache: `$XDG_CACHE_HOME/docs-fix` when XDG_CACHE_HOME is set to an absolute path
 * (the user chose a per-user cache, shared by all projects: keys carry everything that matters),
 * otherwise `.docs-fix/cache` under the working directory (per project, nothing written outside it).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'docs-fix');
  return join(cwd, '.docs-fix', 'cache');
}

export interface EmbeddedStoreOptions {
  /** Directory of the lmdb environment; default `defaultCacheDir()`. */
  readonly path?: string;
  /** TTL of rewrites and held entries in seconds (default 90 days); 0 keeps them forever. */
  readonly rewriteTtlSeconds?: number;
  /** Milliseconds since the epoch; expiry is checked on read against it. */
  readonly now?: () => number;
}

export class EmbeddedStore implements LineStore, StoreMaintenance {
  readonly kind = 'embedded' as const;
  readonly path: string;
  private readonly db: RootDatabase<Buffer, string>;
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private readonly where: string;

  constructor(options: EmbeddedStoreOptions = {}) {
    this.path = resolve(options.path ?? defaultCacheDir());
    this.where = `embedded ${this.path}`;
    this.ttlSeconds = options.rewriteTtlSeconds ?? DEFAULT_REWRITE_TTL_SECONDS;
    this.now = options.now ?? Date.now;
    try {
      mkdirSync(this.path, { recursive: true });
      // noSubdir: false: the path is always a folder. lmdb-js otherwise takes a path with an extension
      // (`mktemp -d` gives `tmp.x1Y2`, or `.cache/docs.fix`) for a database file and fails on the folder.
      this.db = open<Buffer, string>({
        path: this.path,
        encoding: 'binary',
        compression: false,
        noSubdir: false,
      });
    } catch (err) {
      throw new CacheUnavailableError(this.where, 'open', err);
    }
  }

  async get(keys: readonly string[]): Promise<(CacheValue | undefined)[]> {
    return this.guard('get', () => this.getSync(keys));
  }

  /** Synchronous lookup (the reused buffer of getBinaryFast is decoded before the next read). */
  getSync(keys: readonly string[]): (CacheValue | undefined)[] {
    const nowSeconds = Math.floor(this.now() / 1000);
    const out: (CacheValue | undefined)[] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = decodeBytes(this.db.getBinaryFast(keys[i]!), nowSeconds);
    return out;
  }

  async write(writes: readonly StoreWrite[]): Promise<void> {
    if (writes.length === 0) return;
    for (const w of writes) {
      if (w.op === 'rewrite' && lineKeyTag(w.toKey) !== lineKeyTag(w.key)) {
        throw new TypeError(`rewrite ${w.key} -> ${w.toKey} crosses scopes; both keys need the same scope`);
      }
    }
    const nowMs = this.now();
    const nowSeconds = Math.floor(nowMs / 1000);
    const expiresAt = expiryFor(nowMs, this.ttlSeconds);
    this.guard('write', () =>
      this.db.transactionSync(() => {
        for (const w of writes) {
          if (w.op === 'fixpoint') {
            this.db.putSync(w.key, FIXPOINT_BYTES);
          } else if (w.op === 'rewrite') {
            this.db.putSync(w.toKey, FIXPOINT_BYTES);
            if (!isLiveBytes(this.db.getBinaryFast(w.key), nowSeconds)) {
              this.db.putSync(w.key, encodeRewriteBytes(w.text, expiresAt));
            }
          } else if (w.op === 'reject') {
            this.db.putSync(w.key, encodeRejectionBytes(w.rejection));
          } else if (w.op === 'forget') {
            if (isRejectionBytes(this.db.getBinaryFast(w.key), rejectionPrefix(w.pullRequest, w.how))) {
              this.db.removeSync(w.key);
            }
          } else {
            const current = this.db.getBinaryFast(w.key);
            if (current === undefined || !isFixpointBytes(current)) {
              this.db.putSync(w.key, encodeHeldBytes(w.reason, expiresAt));
            }
          }
        }
      }),
    );
  }

  async confirmServed(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.guard('confirmServed', () =>
      this.db.transactionSync(() => {
        for (const key of keys) this.db.putSync(key, FIXPOINT_BYTES);
      }),
    );
  }

  async stats(scope?: string): Promise<StoreStats> {
    return this.guard('stats', () => {
      const nowSeconds = Math.floor(this.now() / 1000);
      const stats = { entries: 0, fixpoints: 0, rewrites: 0, held: 0, rejected: 0 };
      const range = scope === undefined ? {} : scopeKeyRange(scope);
      for (const { value } of this.db.getRange(range)) {
        const decoded = decodeBytes(value, nowSeconds);
        if (!decoded) continue;
        stats.entries += 1;
        if (decoded.type === 'fixpoint') stats.fixpoints += 1;
        else if (decoded.type === 'rewrite') stats.rewrites += 1;
        else if (decoded.type === 'rejected') stats.rejected += 1;
        else stats.held += 1;
      }
      if (scope !== undefined || stats.entries === 0) return stats;
      const raw = this.db.getStats() as Record<string, number | undefined>;
      const pages = (raw.treeBranchPageCount ?? 0) + (raw.treeLeafPageCount ?? 0) + (raw.overflowPages ?? 0);
      const bytes = pages * (raw.pageSize ?? 4096);
      return bytes > 0 ? { ...stats, bytesPerEntry: Math.round(bytes / stats.entries) } : stats;
    });
  }

  async purgeScope(scope: string): Promise<number> {
    return this.guard('purge', () =>
      this.db.transactionSync(() => {
        const keys = [...this.db.getKeys(scopeKeyRange(scope))];
        for (const key of keys) this.db.removeSync(key);
        return keys.length;
      }),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  private guard<T>(operation: CacheOperation, run: () => T): T {
    try {
      return run();
    } catch (err) {
      throw new CacheUnavailableError(this.where, operation, err);
    }
  }
}
