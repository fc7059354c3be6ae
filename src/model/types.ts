import type { LineKind } from '../markdown/types.js';

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
  /**
   * Answers by unit id, with the lines as the model gave them (admission rejects another number of lines);
   * a unit missing here was not answered and stays unchanged.
   */
  readonly answers: ReadonlyMap<number, readonly string[]>;
  readonly unanswered: readonly number[];
  readonly overBudget: readonly number[];
  /** Model requests actually sent, retries included (in-process providers count their simulated requests). */
  readonly requests: number;
  readonly tokens: TokenUsage;
  readonly failures: readonly ModelFailure[];
  /** Answer entries ignored: unknown ids, malformed entries, ids answered twice with different lines. */
  readonly ignoredAnswers?: number;
}

export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface Budget {
  /** Most source lines (of distinct units) sent to the model in one run (Infinity for none); a unit goes whole or not at all. */
  readonly maxLines: number;
  /** Most tokens (prompt + completion) spent in one run, counted from responses. */
  readonly maxTokens: number;
}

export interface ModelFailure {
  /** Unit ids the failure concerns. */
  readonly ids: readonly number[];
  readonly message: string;
  readonly status?: number;
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
  /**
   * Words of the repository this editor must leave as written in a run, given the texts of the run's units
   * (the offline editor: listed misspellings the repository's own prose uses often, its jargon). The engine
   * adds them to the run's admission vocabulary, not to the key: answers stay cacheable, and a cached
   * rewrite is withheld in any run whose files say the word is the repository's.
   */
  wordsToKeep?(unitTexts: readonly string[]): readonly string[];
}
