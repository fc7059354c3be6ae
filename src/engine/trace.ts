// What a run decided, summarised (check run, `--json`) and read back from a saved `fix --json --trace`
// output (`docs-fix explain --trace`). Pure functions of their inputs.
import type { FileTrace, FixResult, KeyInputs, UnitTrace } from './types.js';

/** Prose unit occurrences by outcome; `rejected` is split by reason in `DecisionSummary`. */
export interface UnitDecisions {
  'fixpoint-hit': number;
  'rewrite-hit': number;
  /** A rewrite (cached or fresh) not applied to this unit: see `withheldByReason`. */
  'rewrite-withheld': number;
  /** Served from a held entry (an answer rejected by an earlier run): kept unchanged. */
  'held-hit': number;
  /** A maintainer rejected docs-fix's rewrite of the unit in this repository: kept unchanged. */
  'rejected-by-maintainer': number;
  /** Sent to the model; its answer changed the unit. */
  'miss-changed': number;
  /** Sent to the model; it answered the unit unchanged. */
  'miss-unchanged': number;
  rejected: number;
  'over-budget': number;
  unanswered: number;
}

export interface DecisionSummary {
  /** Files by outcome: `file-fixpoint-hit`, `parsed`, `skipped:<reason>` (also `limit` and `excluded`). */
  readonly files: Record<string, number>;
  readonly units: UnitDecisions;
  /** Frozen source lines (never sent to the model), split by reason in `frozenByReason`. */
  readonly frozenLines: number;
  readonly rejectedByReason: Record<string, number>;
  readonly withheldByReason: Record<string, number>;
  readonly frozenByReason: Record<string, number>;
}

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((n, c) => n + c, 0);

/** Counts a run's decisions (per unit occurrence, from the summary the engine counted). */
export function summariseDecisions(
  result: Pick<FixResult, 'summary'> & { readonly files?: readonly FileTrace[] },
): DecisionSummary {
  const s = result.summary;
  const files: Record<string, number> = {};
  const traced = new Set<string>();
  for (const f of result.files ?? []) {
    files[f.outcome] = (files[f.outcome] ?? 0) + 1;
    traced.add(f.path);
  }
  for (const skip of s.skippedFiles) {
    if (traced.has(skip.path)) continue;
    const outcome = `skipped:${skip.reason}`;
    files[outcome] = (files[outcome] ?? 0) + 1;
  }
  return {
    files,
    units: {
      'fixpoint-hit': s.fixpointHits,
      'rewrite-hit': s.rewriteHits,
      'rewrite-withheld': sum(s.withheldByReason),
      'held-hit': s.heldHits,
      'rejected-by-maintainer': s.rejectedByMaintainer,
      'miss-changed': s.missChangedUnits,
      'miss-unchanged': s.missUnchangedUnits,
      rejected: s.rejectedUnits,
      'over-budget': s.overBudgetUnits,
      unanswered: s.unansweredUnits,
    },
    frozenLines: sum(s.frozenByReason),
    rejectedByReason: { ...s.rejectedByReason },
    withheldByReason: { ...s.withheldByReason },
    frozenByReason: { ...s.frozenByReason },
  };
}

/** The fields of `docs-fix fix --json --trace` output that `explain --trace` reads back. */
export interface SavedRun {
  readonly keyInputs?: KeyInputs;
  readonly trace: readonly UnitTrace[];
  readonly fileTrace?: readonly FileTrace[];
}

/** What a saved run recorded for one line. */
export type RecordedDecision =
  /** The trace entry of the unit holding the line (or of the frozen line itself). */
  | { readonly found: 'line'; readonly trace: UnitTrace }
  /** The run did not split the file (a file-level fixpoint, or skipped): its outcome covers the line. */
  | { readonly found: 'file'; readonly file: FileTrace }
  /** Nothing about this line: the file was not in the run, or the run traced changes only. */
  | { readonly found: 'none'; readonly fileInRun: boolean };

const KEY_INPUT_FIELDS = [
  'scope',
  'modelId',
  'modelLabel',
  'promptVersion',
  'cacheSchema',
  'splitterVersion',
  'languages',
] as const satisfies readonly (keyof KeyInputs)[];

/**
 * Reads a saved `fix --json --trace` output; returns a message saying what is wrong when it is not one
 * (bad input is a result, not an exception).
 */
export function parseSavedRun(json: unknown): SavedRun | { readonly error: string } {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { error: 'expected a JSON object (the output of `docs-fix fix --json --trace`)' };
  const o = json as Record<string, unknown>;
  if (!Array.isArray(o.trace) || !o.trace.every(isUnitTrace)) {
    return {
      error:
        'expected a "trace" array of {path, line, lines, outcome, before} (run `docs-fix fix --json --trace`)',
    };
  }
  const fileTrace = Array.isArray(o.fileTrace) ? o.fileTrace.filter(isFileTrace) : undefined;
  const keyInputs = isKeyInputs(o.keyInputs) ? o.keyInputs : undefined;
  return {
    trace: o.trace,
    ...(fileTrace ? { fileTrace } : {}),
    ...(keyInputs ? { keyInputs } : {}),
  };
}

/** The saved run's decision for `path:line` (paths as the run printed them: relative to where it ran). */
export function recordedDecision(run: SavedRun, path: string, line: number): RecordedDecision {
  const own = run.trace.find((t) => t.path === path && t.line <= line && line < t.line + t.lines);
  if (own) return { found: 'line', trace: own };
  const file = run.fileTrace?.find((f) => f.path === path);
  if (file && file.outcome !== 'parsed') return { found: 'file', file };
  return { found: 'none', fileInRun: file !== undefined || run.trace.some((t) => t.path === path) };
}

/** The key inputs that differ between two runs (a saved run's decisions say nothing under other inputs). */
export function keyInputsDiffer(a: KeyInputs, b: KeyInputs): (keyof KeyInputs)[] {
  return KEY_INPUT_FIELDS.filter((k) => a[k] !== b[k]);
}

function isUnitTrace(x: unknown): x is UnitTrace {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Record<string, unknown>;
  return (
    typeof t.path === 'string' &&
    typeof t.line === 'number' &&
    typeof t.lines === 'number' &&
    t.lines >= 1 &&
    typeof t.outcome === 'string' &&
    typeof t.before === 'string' &&
    (t.after === undefined || typeof t.after === 'string')
  );
}

function isFileTrace(x: unknown): x is FileTrace {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Record<string, unknown>;
  return typeof t.path === 'string' && typeof t.outcome === 'string' && typeof t.content === 'string';
}

function isKeyInputs(x: unknown): x is KeyInputs {
  if (typeof x !== 'object' || x === null) return false;
  const k = x as Record<string, unknown>;
  return (
    typeof k.scope === 'string' &&
    typeof k.modelId === 'string' &&
    typeof k.modelLabel === 'string' &&
    typeof k.promptVersion === 'string' &&
    typeof k.cacheSchema === 'number' &&
    typeof k.splitterVersion === 'number'
  );
}

/** The key inputs in one line, for people (`explain`, `fix --trace`). */
export function formatKeyInputs(k: KeyInputs): string {
  const languages = k.languages === undefined ? '' : `, languages ${k.languages}`;
  return `model ${k.modelId} (${k.modelLabel}), prompt version ${k.promptVersion}, scope ${k.scope}, cache schema ${k.cacheSchema}, splitter version ${k.splitterVersion}${languages}`;
}
