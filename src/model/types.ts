import type { LineKind } from '../markdown/types.js';

/** One distinct line sent to the model. `id` is the engine's handle for it (unique within one call). */
export interface ModelLine {
  readonly id: number;
  readonly kind: LineKind;
  readonly text: string;
}

/**
 * One distinct prose unit sent to the model: the editable lines of a paragraph or heading (a single-line
 * paragraph is a unit of one line), without prefixes or suffixes. `id` is the engine's handle for it
 * (unique within one call). An answer gives back the same number of lines; words may move between them.
 */
export interface ModelUnit {
  readonly id: number;
  readonly kind: LineKind;
  /** At least one; no line holds a line break. */
  readonly lines: readonly string[];
}

export interface FixUnitsResult {
  /** Answers by unit id, each with exactly the unit's number of lines; a unit missing here stays unchanged. */
  readonly answers: ReadonlyMap<number, readonly string[]>;
  readonly unanswered: readonly number[];
  readonly overBudget: readonly number[];
  /** Model requests actually sent, retries included (in-process providers count their simulated requests). */
  readonly requests: number;
  readonly tokens: TokenUsage;
  readonly failures: readonly ModelFailure[];
  /** Answer entries ignored: unknown ids, malformed entries, ids answered twice, wrong line counts. */
  readonly ignoredAnswers?: number;
}

export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface Budget {
  /** Most distinct lines sent to the model in one run (Infinity for none). */
  readonly maxLines: number;
  /** Most tokens (prompt + completion) spent in one run, counted from responses. */
  readonly maxTokens: number;
}

export interface ModelFailure {
  /** Line ids the failure concerns. */
  readonly ids: readonly number[];
  readonly message: string;
  readonly status?: number;
}

export interface FixLinesResult {
  /** Answers by line id; a line missing here was not answered and must stay unchanged. */
  readonly answers: ReadonlyMap<number, string>;
  readonly unanswered: readonly number[];
  readonly overBudget: readonly number[];
  /** Model requests actually sent, retries included (in-process providers count their simulated requests). */
  readonly requests: number;
  readonly tokens: TokenUsage;
  readonly failures: readonly ModelFailure[];
  /** Answer entries ignored: unknown ids, malformed entries, ids answered twice. */
  readonly ignoredAnswers?: number;
}

/** A configured model: provider, model id, prompt (with style guide) fixed at construction. */
export interface LineFixer {
  /** Model id as it goes into cache keys. */
  readonly modelId: string;
  /** Hash of everything that shapes the output except the line itself. */
  readonly promptVersion: string;
  /** Human label, e.g. `sim (offline simulator, not a language model)`. */
  readonly label: string;
  fixLines(lines: readonly ModelLine[], budget: Budget, signal?: AbortSignal): Promise<FixLinesResult>;
}

/**
 * A configured editor of prose units: provider, model id, prompt (with style guide and vocabulary) fixed at
 * construction. The engine sends only distinct cache misses and stores the answers under
 * (modelId, promptVersion, kind, unit text), so everything that can change an answer must be in those two ids.
 */
export interface UnitFixer {
  /** Model id as it goes into cache keys (for a rule-based editor: its engine, data and rule-set versions). */
  readonly modelId: string;
  /** Hash of everything that shapes the output except the unit itself. */
  readonly promptVersion: string;
  /** Human label, e.g. `sim (offline simulator — not a language model)`. */
  readonly label: string;
  fixUnits(units: readonly ModelUnit[], budget: Budget, signal?: AbortSignal): Promise<FixUnitsResult>;
}
