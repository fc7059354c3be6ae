import type { Logger } from 'pino';
import type { LineStore } from '../cache/types.js';
import type { FrozenReason, SkipReason } from '../markdown/types.js';
import type { Budget, LineFixer } from '../model/types.js';

export interface SourceFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface FilePatch {
  readonly path: string;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  /** Lines whose text changed. */
  readonly changedLines: number;
}

/** What happened to one line. */
export type LineOutcome =
  | 'fixpoint-hit'
  | 'rewrite-hit'
  | 'held-hit'
  | 'miss-changed'
  | 'miss-unchanged'
  | `rejected:${string}`
  | 'over-budget'
  | 'unanswered'
  | `frozen:${FrozenReason}`;

export interface LineTrace {
  readonly path: string;
  readonly line: number;
  readonly outcome: LineOutcome;
  readonly before: string;
  readonly after?: string;
}

export interface RunSummary {
  files: number;
  skippedFiles: { path: string; reason: SkipReason | 'excluded' | 'limit'; message: string }[];
  lines: number;
  editableLines: number;
  /** Distinct editable (kind, text) pairs after dedupe. */
  distinctLines: number;
  fixpointHits: number;
  rewriteHits: number;
  /** Lines served from held entries (earlier rejected answers), kept unchanged. */
  heldHits: number;
  modelLines: number;
  modelRequests: number;
  changedLines: number;
  changedFiles: number;
  /** Model answers rejected by admission in this run. */
  rejectedLines: number;
  /** Rejected lines by admission reason. */
  rejectedByReason: Record<string, number>;
  /** Lines kept unchanged because of a rejection, now or earlier (rejected + held hits). */
  heldLines: number;
  overBudgetLines: number;
  unansweredLines: number;
  tokens: { prompt: number; completion: number; total: number };
  durationMs: number;
  /** Time spent waiting for the model. */
  modelMs: number;
}

export interface EngineContext {
  readonly store: LineStore;
  readonly fixer: LineFixer;
  /** Tenant boundary for cache keys. */
  readonly scope: string;
  readonly budget: Budget;
  readonly log?: Logger;
  /** Injected clock for durations (tests). */
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Called as model batches finish (CLI progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  /** `all` records every line's outcome; `changes` (default) only changed, rejected and over-budget lines. */
  readonly trace?: 'all' | 'changes';
}

export interface FixResult {
  /** One per file whose bytes changed. */
  readonly patches: readonly FilePatch[];
  /** Unified diff of all patches (`a/` and `b/` prefixes, as git prints). */
  readonly diff: string;
  readonly trace: readonly LineTrace[];
  readonly summary: RunSummary;
}
