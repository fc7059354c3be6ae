import type { Logger } from 'pino';
import type { LineStore, RejectionHow } from '../cache/types.js';
import type { FrozenReason, SkipReason } from '../markdown/types.js';
import type { Budget, UnitFixer } from '../model/types.js';
import type { FileParser } from './parser.js';

export interface SourceFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** The git blob SHA of `bytes` when they were read from GitHub by it (file-level fixpoint keys use it). */
  readonly blobSha?: string;
}

export interface FilePatch {
  readonly path: string;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  /** Source lines whose text changed. */
  readonly changedLines: number;
  /** Prose units that changed. */
  readonly changedUnits: number;
}

/** What happened to one prose unit (or, for `frozen:*`, to one frozen line in a full trace). */
export type UnitOutcome =
  | 'fixpoint-hit'
  | 'rewrite-hit'
  /**
   * A rewrite (cached, or answered in this run and stored) that is not applied in this file: it fails
   * today's admission rules, or the file's structure does not survive it. The unit stays as it is.
   */
  | `rewrite-withheld:${string}`
  | 'held-hit'
  /**
   * A maintainer rejected docs-fix's rewrite of this unit in this repository (closed its pull request
   * unmerged, or reverted the edit on the bot branch): served as it is, never sent to the model.
   */
  | 'rejected-by-maintainer'
  | 'miss-changed'
  | 'miss-unchanged'
  | `rejected:${string}`
  | 'over-budget'
  | 'unanswered'
  | `frozen:${FrozenReason}`;

/** What happened to one file. */
export type FileOutcome =
  /** Its content is a known file-level fixpoint under the run's key inputs: not split, no line looked up. */
  | 'file-fixpoint-hit'
  /** Split and looked up line by line. */
  | 'parsed'
  | `skipped:${SkipReason}`;

export interface FileTrace {
  readonly path: string;
  readonly outcome: FileOutcome;
  /** Content identity the file-level key used (`git-blob:<sha>` or `sha256:<hex>`). */
  readonly content: string;
  /** This run stored the file as a file-level fixpoint (every line a fixpoint or frozen). */
  readonly fileFixpointStored?: boolean;
}

/** The inputs every cache key of the run was derived from (the trace's answer to "under what?"). */
export interface KeyInputs {
  readonly scope: string;
  readonly modelId: string;
  readonly modelLabel: string;
  readonly promptVersion: string;
  readonly cacheSchema: number;
  readonly splitterVersion: number;
  /** The languages edited (sorted, comma-joined; `*` for all) when the run guarded languages. */
  readonly languages?: string;
}

/** One prose unit's decision (or one frozen line's, in a full trace). */
export interface UnitTrace {
  readonly path: string;
  /** 1-based number of the unit's first source line. */
  readonly line: number;
  /** Source lines the unit spans (`line` .. `line + lines - 1`); 1 for a frozen line. */
  readonly lines: number;
  readonly outcome: UnitOutcome;
  /** The unit's text (its lines joined with `\n`). */
  readonly before: string;
  /** The text served, when the unit changed. */
  readonly after?: string;
  /** For `rejected-by-maintainer`: who, in which pull request, and how. */
  readonly maintainer?: { readonly by: string; readonly pullRequest: number; readonly how: RejectionHow };
}

export interface RunSummary {
  files: number;
  /** Files skipped whole because their content is a file-level fixpoint (not split, no line lookups). */
  fileFixpointHits: number;
  /** File-level fixpoints this run stored. */
  fileFixpointsStored: number;
  skippedFiles: { path: string; reason: SkipReason | 'excluded' | 'limit'; message: string }[];
  /** Source lines of the files split. */
  lines: number;
  editableLines: number;
  /** Prose units of the files split (each occurrence; the counts below are per occurrence too). */
  units: number;
  /** Distinct (kind, text) units after dedupe: what the cache is asked about. */
  distinctUnits: number;
  fixpointHits: number;
  /** Units changed from a cached rewrite. */
  rewriteHits: number;
  /** Units a rewrite was withheld from (see the `rewrite-withheld` outcome), by reason. */
  withheldByReason: Record<string, number>;
  /** Units the model answered this run, and whose answer changed the unit. */
  missChangedUnits: number;
  /** Units the model answered this run unchanged. */
  missUnchangedUnits: number;
  /** Units served from held entries (earlier rejected answers), kept unchanged. */
  heldHits: number;
  /** Units kept as they are because a maintainer rejected docs-fix's rewrite of them in this repository. */
  rejectedByMaintainer: number;
  /** Distinct units sent to the model. */
  modelUnits: number;
  /** Their source lines. */
  modelLines: number;
  modelRequests: number;
  /** Source lines whose text changed. */
  changedLines: number;
  changedUnits: number;
  changedFiles: number;
  /** Model answers rejected by admission in this run. */
  rejectedUnits: number;
  /** Rejected units by admission reason. */
  rejectedByReason: Record<string, number>;
  /** Units kept unchanged because of a rejection, now or earlier (rejected + held hits). */
  heldUnits: number;
  overBudgetUnits: number;
  unansweredUnits: number;
  /** Frozen (not editable) lines of the files split, by reason. */
  frozenByReason: Record<string, number>;
  tokens: { prompt: number; completion: number; total: number };
  durationMs: number;
  /** Time spent waiting for the model. */
  modelMs: number;
}

export interface EngineContext {
  readonly store: LineStore;
  readonly fixer: UnitFixer;
  /** Tenant boundary for cache keys. */
  readonly scope: string;
  readonly budget: Budget;
  readonly log?: Logger;
  /** Injected clock for durations (tests). */
  readonly now?: () => number;
  readonly signal?: AbortSignal;
  /** Called as model batches finish (CLI progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
  /** `all` records every unit's outcome (and every frozen line's); `changes` (default) only changed, rejected, withheld and over-budget units. */
  readonly trace?: 'all' | 'changes';
  /** Where files are split and patched files re-checked (default: in this thread). */
  readonly parser?: FileParser;
  /**
   * `prose` (default): a paragraph over its wrapped lines is one unit. `line`: every editable line is its
   * own unit, as before prose units (comparisons only; turns file-level fixpoints off).
   */
  readonly units?: 'prose' | 'line';
  /** False turns file-level fixpoints off (neither looked up nor stored); default on. */
  readonly fileFixpoints?: boolean;
  /**
   * `owner/name` of the repository the files are from: units a maintainer rejected the rewrite of there
   * are served as they are (`rejected-by-maintainer`). Without it no rejection is looked up (the CLI on
   * its own).
   */
  readonly repository?: string;
  /**
   * The repository's vocabulary: admission rejects an answer, fresh or cached, that changes, drops or
   * re-cases an occurrence of a term (`vocabulary-changed`). The fixer should be built with the same list.
   */
  readonly vocabulary?: readonly string[];
  /**
   * The languages the repository edits (config `languages`): units in another language are frozen as
   * `language:<code>`. Without it (or with `*`) no unit is frozen for its language.
   */
  readonly languages?: readonly string[];
}

export interface FixResult {
  /** One per file whose bytes changed. */
  readonly patches: readonly FilePatch[];
  /** Unified diff of all patches (`a/` and `b/` prefixes, as git prints). */
  readonly diff: string;
  readonly trace: readonly UnitTrace[];
  /** One entry per file given (skipped by the file-level fixpoint, parsed, or skipped as unreadable). */
  readonly files: readonly FileTrace[];
  readonly keyInputs: KeyInputs;
  readonly summary: RunSummary;
}
