/**
 * Shadow runs: what switching the model, the prompt or the style guide would do, measured before the switch.
 *
 * Every input that can change an answer is in the cache key, so a candidate configuration starts from an
 * empty cache: its first runs ask the model about every line again and may change lines the current
 * configuration holds as fixpoints (a wave of pull requests). A shadow run runs both configurations on the
 * same files, side by side, and leaves the live cache as it was:
 * - Current side: the live configuration through an `OverlayStore` over the live store: reads see the live
 *   cache, writes stay in memory. Lines the live cache does not know are asked of the current model by
 *   default (`currentMisses: 'ask'`; their tokens are reported apart, they are not the switch's cost) or
 *   left unknown (`'unknown'`: no model call, and those lines are left out of the agreement figure).
 * - Candidate side: the candidate fixer through its own overlay over the live store: it reads only its own
 *   keys (different model id or prompt version), so it sees exactly what the switch would see. With `warm`
 *   its writes are flushed to the live store afterwards, under its own keys, which the live configuration
 *   can never read: after the switch the shadowed files cost no model call.
 * - Recheck: the candidate's output is given to `recheck` (by default the candidate fixer itself) with an
 *   empty cache, so every line is asked again: the share it leaves unchanged is its own fixpoint rate
 *   without a cache (the same figure as `converge --no-cache` run 2).
 * File-level fixpoints are off on every side: the report needs every line's decision.
 */
import { MemoryStore, OverlayStore } from '../cache/index.js';
import type { LineStore } from '../cache/types.js';
import type { Budget, FixUnitsResult, UnitFixer } from '../model/types.js';
import { fixFiles } from './fix.js';
import type { FileParser } from './parser.js';
import type { FixResult, SourceFile, UnitTrace } from './types.js';
import type { Logger } from 'pino';

export interface Prices {
  /** Price of 1,000 prompt tokens (any currency; the report uses the same). */
  readonly promptPer1k: number;
  /** Price of 1,000 completion tokens. */
  readonly completionPer1k: number;
}

export interface ShadowGates {
  /** Most share of the lines the live cache holds as fixpoints that the candidate may change (0..1). */
  readonly maxChangeRate?: number;
  /** Least share of its own output lines the candidate must leave unchanged when re-asked (0..1). */
  readonly minFixpointRate?: number;
  /** Most estimated cost of the switch (the candidate's tokens at `prices`). */
  readonly maxCost?: number;
}

export interface ShadowOptions {
  /** The live store: read by both sides, written only when `warm` (candidate keys only). */
  readonly store: LineStore;
  readonly scope: string;
  readonly budget: Budget;
  readonly current: UnitFixer;
  readonly candidate: UnitFixer;
  /**
   * Asked about the candidate's output without a cache (default: `candidate`). A fresh instance of the
   * candidate makes the figure independent of this run's calls (the simulator's flips count calls).
   */
  readonly recheck?: UnitFixer | false;
  /** `ask` (default): current-side cache misses go to the current model; `unknown`: they are not asked. */
  readonly currentMisses?: 'ask' | 'unknown';
  /** Persist the candidate's cache entries to `store` (under the candidate's keys). */
  readonly warm?: boolean;
  readonly prices?: Prices;
  readonly gates?: ShadowGates;
  readonly parser?: FileParser;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
  /** TTL of rewrites in the overlays (the live store's, so overlay answers match it). */
  readonly rewriteTtlSeconds?: number;
  /**
   * The repository's facts, the same on both sides (the switch does not change them): its vocabulary in
   * admission, its languages, and whose maintainers' rejections apply (see `EngineContext`).
   */
  readonly vocabulary?: readonly string[];
  readonly languages?: readonly string[];
  readonly repository?: string;
}

export interface Tokens {
  prompt: number;
  completion: number;
  total: number;
}

/** The additive figures of a shadow run: reports of several repositories are merged by summing these. */
export interface ShadowCounts {
  repositories: number;
  /** Repositories where the candidate would change something: its pull requests (opened or updated). */
  changedRepositories: number;
  /** Repositories where the candidate would change a line the live cache holds as a fixpoint. */
  waveRepositories: number;
  /** Files split and examined. */
  files: number;
  skippedFiles: number;
  /** Files the candidate would change. */
  changedFiles: number;
  /** Files with at least one wave unit. */
  waveFiles: number;
  /** Prose units (paragraphs, headings) examined; every count below is of units, except model lines. */
  units: number;
  /** Units the live cache holds as fixpoints. */
  currentFixpoints: number;
  /** Units the current configuration would change itself (pending live edits). */
  currentChanged: number;
  /**
   * Units kept unchanged by a rule: held (rejected) entries, fresh rejections, and rewrites the engine
   * withholds in this file.
   */
  currentHeld: number;
  /** Units whose current answer is unknown (not asked, over budget, unanswered). */
  currentUnknown: number;
  /** Source lines the current side sent to the model. */
  currentModelLines: number;
  currentTokens: Tokens;
  /** Units the candidate would change (the switch's edits). */
  candidateChanged: number;
  /** Units the candidate would change among those the live cache holds as fixpoints (the wave). */
  waveUnits: number;
  /** Units both sides decided (none unknown, over budget or unanswered). */
  compared: number;
  /** ... whose text is the same after both sides. */
  agreed: number;
  candidateModelLines: number;
  candidateModelRequests: number;
  candidateTokens: Tokens;
  /** Candidate answers rejected by admission, per unit occurrence, by reason. */
  candidateRejected: number;
  candidateRejectedByReason: Record<string, number>;
  candidateOverBudget: number;
  candidateUnanswered: number;
  /** Runs (repositories) whose candidate output was re-asked without a cache. */
  recheckRuns: number;
  /** Units of the candidate's output re-asked without a cache, and those it changed again. */
  recheckUnits: number;
  recheckChanged: number;
  /** Re-asked units over budget or unanswered: the fixpoint rate is then an upper bound. */
  recheckUnknown: number;
  recheckModelLines: number;
  recheckTokens: Tokens;
}

export interface ConfigLabel {
  readonly modelId: string;
  readonly promptVersion: string;
  readonly label: string;
}

export interface GateResult {
  readonly gate: 'max-change-rate' | 'min-fixpoint-rate' | 'max-cost';
  readonly threshold: number;
  /** The figure compared; undefined when it could not be measured. */
  readonly value: number | undefined;
  readonly passed: boolean;
  /** Why it failed, in words. */
  readonly message?: string;
}

export interface ShadowReport {
  readonly current: ConfigLabel;
  readonly candidate: ConfigLabel;
  readonly counts: ShadowCounts;
  /** waveUnits / currentFixpoints: the share of settled lines the switch would change (0 when none). */
  readonly changeRate: number;
  /** waveUnits / candidateChanged: the share of the switch's edits that touch settled lines. */
  readonly waveShareOfChanges: number;
  /** agreed / compared (1 when nothing was compared). */
  readonly agreement: number;
  /** 1 - recheckChanged / recheckUnits; undefined without a recheck. */
  readonly fixpointRate: number | undefined;
  /** Estimated costs at `prices`: of the switch (candidate tokens) and of this shadow run on top of it. */
  readonly cost?: { readonly switch: number; readonly currentSide: number; readonly recheck: number };
  readonly prices?: Prices;
  /** False when the candidate left lines over budget or unanswered: its figures are lower bounds. */
  readonly complete: boolean;
  /** The candidate's entries were written to the live store. */
  readonly warmed: boolean;
  readonly gates: readonly GateResult[];
  readonly passed: boolean;
}

export interface ShadowRun {
  readonly report: ShadowReport;
  /** The current side's run (against the overlay). */
  readonly current: FixResult;
  /** The candidate's run: its patches and diff are what the switch would propose. */
  readonly candidate: FixResult;
  readonly recheck?: FixResult;
}

const zeroTokens = (): Tokens => ({ prompt: 0, completion: 0, total: 0 });

export function emptyShadowCounts(): ShadowCounts {
  return {
    repositories: 0,
    changedRepositories: 0,
    waveRepositories: 0,
    files: 0,
    skippedFiles: 0,
    changedFiles: 0,
    waveFiles: 0,
    units: 0,
    currentFixpoints: 0,
    currentChanged: 0,
    currentHeld: 0,
    currentUnknown: 0,
    currentModelLines: 0,
    currentTokens: zeroTokens(),
    candidateChanged: 0,
    waveUnits: 0,
    compared: 0,
    agreed: 0,
    candidateModelLines: 0,
    candidateModelRequests: 0,
    candidateTokens: zeroTokens(),
    candidateRejected: 0,
    candidateRejectedByReason: {},
    candidateOverBudget: 0,
    candidateUnanswered: 0,
    recheckRuns: 0,
    recheckUnits: 0,
    recheckChanged: 0,
    recheckUnknown: 0,
    recheckModelLines: 0,
    recheckTokens: zeroTokens(),
  };
}

/**
 * A fixer with the same keys that sends nothing (every line over a zero budget): current-side misses stay
 * unknown, at no cost, and nothing is stored for them.
 */
export function cacheOnly(fixer: UnitFixer): UnitFixer {
  return {
    modelId: fixer.modelId,
    promptVersion: fixer.promptVersion,
    label: `${fixer.label} (cache only)`,
    fixUnits: async (units): Promise<FixUnitsResult> => ({
      answers: new Map(),
      unanswered: [],
      overBudget: units.map((u) => u.id),
      requests: 0,
      tokens: zeroTokens(),
      failures: [],
    }),
  };
}

const labelOf = (f: UnitFixer): ConfigLabel => ({
  modelId: f.modelId,
  promptVersion: f.promptVersion,
  label: f.label,
});

/** The candidate is a different configuration only if it reads and writes other keys. */
export function sameKeys(a: UnitFixer, b: UnitFixer): boolean {
  return a.modelId === b.modelId && a.promptVersion === b.promptVersion;
}

const unitId = (t: Pick<UnitTrace, 'path' | 'line'>): string => `${t.path}\u0000${t.line}`;
const isFrozen = (t: UnitTrace): boolean => t.outcome.startsWith('frozen:');
const isUnknown = (t: UnitTrace): boolean => t.outcome === 'over-budget' || t.outcome === 'unanswered';
const textAfter = (t: UnitTrace): string => t.after ?? t.before;

/** Runs the current and the candidate configuration side by side on `files`; see the module comment. */
export async function shadowFiles(files: readonly SourceFile[], opts: ShadowOptions): Promise<ShadowRun> {
  if (sameKeys(opts.current, opts.candidate)) {
    throw new TypeError(
      'the candidate has the same model id and prompt version as the current configuration: nothing to compare',
    );
  }
  const common = {
    scope: opts.scope,
    budget: opts.budget,
    trace: 'all' as const,
    fileFixpoints: false,
    ...(opts.vocabulary ? { vocabulary: opts.vocabulary } : {}),
    ...(opts.languages ? { languages: opts.languages } : {}),
    ...(opts.repository ? { repository: opts.repository } : {}),
    ...(opts.parser ? { parser: opts.parser } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  const overlayOptions = { rewriteTtlSeconds: opts.rewriteTtlSeconds };

  const currentFixer = opts.currentMisses === 'unknown' ? cacheOnly(opts.current) : opts.current;
  const current = await fixFiles(files, {
    ...common,
    store: new OverlayStore(opts.store, overlayOptions),
    fixer: currentFixer,
  });

  const candidateStore = new OverlayStore(opts.store, overlayOptions);
  const candidate = await fixFiles(files, { ...common, store: candidateStore, fixer: opts.candidate });
  if (opts.warm) {
    const written = await candidateStore.flush();
    opts.log?.info({ written, modelId: opts.candidate.modelId }, 'shadow: candidate cache warmed');
  }

  let recheck: FixResult | undefined;
  if (opts.recheck !== false) {
    const after = new Map(candidate.patches.map((p) => [p.path, p.after]));
    const output = files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
    recheck = await fixFiles(output, {
      ...common,
      store: new MemoryStore(),
      fixer: opts.recheck ?? opts.candidate,
    });
  }

  const counts = countShadow(current, candidate, recheck);
  const report = shadowReport(counts, {
    current: labelOf(opts.current),
    candidate: labelOf(opts.candidate),
    prices: opts.prices,
    gates: opts.gates,
    warmed: opts.warm === true,
  });
  return { report, current, candidate, ...(recheck ? { recheck } : {}) };
}

/** Joins the two sides unit by unit (same files, same splitter: the same prose units). */
export function countShadow(current: FixResult, candidate: FixResult, recheck?: FixResult): ShadowCounts {
  const c = emptyShadowCounts();
  c.repositories = 1;
  const cs = current.summary;
  const ks = candidate.summary;
  c.files = ks.files - ks.skippedFiles.length;
  c.skippedFiles = ks.skippedFiles.length;
  c.units = ks.units;
  c.currentModelLines = cs.modelLines;
  c.currentTokens = { ...cs.tokens };
  c.candidateChanged = ks.changedUnits;
  c.changedFiles = ks.changedFiles;
  c.candidateModelLines = ks.modelLines;
  c.candidateModelRequests = ks.modelRequests;
  c.candidateTokens = { ...ks.tokens };
  c.candidateRejected = ks.rejectedUnits;
  c.candidateRejectedByReason = { ...ks.rejectedByReason };
  c.candidateOverBudget = ks.overBudgetUnits;
  c.candidateUnanswered = ks.unansweredUnits;

  const currentByUnit = new Map<string, UnitTrace>();
  for (const t of current.trace) if (!isFrozen(t)) currentByUnit.set(unitId(t), t);
  const waveFiles = new Set<string>();
  for (const k of candidate.trace) {
    if (isFrozen(k)) continue;
    const cur = currentByUnit.get(unitId(k));
    if (!cur) continue;
    const candidateChanges = k.after !== undefined && k.after !== k.before;
    if (cur.outcome === 'fixpoint-hit') {
      c.currentFixpoints += 1;
      if (candidateChanges) {
        c.waveUnits += 1;
        waveFiles.add(k.path);
      }
    } else if (isUnknown(cur)) c.currentUnknown += 1;
    else if (cur.after !== undefined && cur.after !== cur.before) c.currentChanged += 1;
    else if (
      cur.outcome === 'held-hit' ||
      cur.outcome.startsWith('rejected:') ||
      cur.outcome.startsWith('rewrite-withheld:')
    )
      c.currentHeld += 1;
    if (!isUnknown(cur) && !isUnknown(k)) {
      c.compared += 1;
      if (textAfter(cur) === textAfter(k)) c.agreed += 1;
    }
  }
  c.waveFiles = waveFiles.size;
  c.changedRepositories = ks.changedUnits > 0 ? 1 : 0;
  c.waveRepositories = c.waveUnits > 0 ? 1 : 0;
  if (recheck) {
    c.recheckRuns = 1;
    c.recheckUnknown = recheck.summary.overBudgetUnits + recheck.summary.unansweredUnits;
    c.recheckUnits = recheck.summary.units;
    c.recheckChanged = recheck.summary.changedUnits;
    c.recheckModelLines = recheck.summary.modelLines;
    c.recheckTokens = { ...recheck.summary.tokens };
  }
  return c;
}

function addTokens(a: Tokens, b: Tokens): Tokens {
  return { prompt: a.prompt + b.prompt, completion: a.completion + b.completion, total: a.total + b.total };
}

/** Sums the counts of several shadow runs (one per repository); by-reason maps are merged. */
export function mergeShadowCounts(all: readonly ShadowCounts[]): ShadowCounts {
  const out = emptyShadowCounts();
  for (const c of all) {
    for (const k of Object.keys(out) as (keyof ShadowCounts)[]) {
      const v = c[k];
      if (typeof v === 'number') (out[k] as number) += v;
    }
    out.currentTokens = addTokens(out.currentTokens, c.currentTokens);
    out.candidateTokens = addTokens(out.candidateTokens, c.candidateTokens);
    out.recheckTokens = addTokens(out.recheckTokens, c.recheckTokens);
    for (const [reason, n] of Object.entries(c.candidateRejectedByReason)) {
      out.candidateRejectedByReason[reason] = (out.candidateRejectedByReason[reason] ?? 0) + n;
    }
  }
  return out;
}

export function costOf(tokens: Tokens, prices: Prices): number {
  return (tokens.prompt / 1000) * prices.promptPer1k + (tokens.completion / 1000) * prices.completionPer1k;
}

/** Rates, costs and gate verdicts from the counts (pure: the app uses it on merged counts too). */
export function shadowReport(
  counts: ShadowCounts,
  opts: {
    readonly current: ConfigLabel;
    readonly candidate: ConfigLabel;
    readonly prices?: Prices;
    readonly gates?: ShadowGates;
    readonly warmed?: boolean;
  },
): ShadowReport {
  const changeRate = counts.currentFixpoints === 0 ? 0 : counts.waveUnits / counts.currentFixpoints;
  const waveShareOfChanges = counts.candidateChanged === 0 ? 0 : counts.waveUnits / counts.candidateChanged;
  const agreement = counts.compared === 0 ? 1 : counts.agreed / counts.compared;
  const fixpointRate =
    counts.recheckRuns === 0
      ? undefined
      : counts.recheckUnits === 0
        ? 1
        : 1 - counts.recheckChanged / counts.recheckUnits;
  const cost = opts.prices
    ? {
        switch: costOf(counts.candidateTokens, opts.prices),
        currentSide: costOf(counts.currentTokens, opts.prices),
        recheck: costOf(counts.recheckTokens, opts.prices),
      }
    : undefined;
  const complete = counts.candidateOverBudget === 0 && counts.candidateUnanswered === 0;
  const gates: GateResult[] = [];
  const g = opts.gates ?? {};
  // Gates fail closed: figures from an incomplete candidate run are lower bounds, not measurements.
  const incomplete = `the candidate left ${counts.candidateOverBudget} lines over budget and ${counts.candidateUnanswered} unanswered: the figures are incomplete (raise --max-lines or retry)`;
  if (g.maxChangeRate !== undefined) {
    const passed = complete && changeRate <= g.maxChangeRate;
    gates.push({
      gate: 'max-change-rate',
      threshold: g.maxChangeRate,
      value: changeRate,
      passed,
      ...(passed
        ? {}
        : {
            message: complete
              ? `change rate ${pct(changeRate)} (${counts.waveUnits} of ${counts.currentFixpoints} settled lines) is above the maximum ${pct(g.maxChangeRate)}`
              : incomplete,
          }),
    });
  }
  if (g.minFixpointRate !== undefined) {
    const measured = complete && counts.recheckUnknown === 0;
    const passed = measured && fixpointRate !== undefined && fixpointRate >= g.minFixpointRate;
    gates.push({
      gate: 'min-fixpoint-rate',
      threshold: g.minFixpointRate,
      value: fixpointRate,
      passed,
      ...(passed
        ? {}
        : {
            message: !complete
              ? incomplete
              : fixpointRate === undefined
                ? 'the fixpoint rate was not measured (no recheck)'
                : !measured
                  ? `the recheck left ${counts.recheckUnknown} lines over budget or unanswered: the fixpoint rate is incomplete (raise --max-lines or retry)`
                  : `candidate fixpoint rate ${pct(fixpointRate)} (${counts.recheckChanged} of ${counts.recheckUnits} lines changed again) is below the minimum ${pct(g.minFixpointRate)}`,
          }),
    });
  }
  if (g.maxCost !== undefined) {
    const value = cost?.switch;
    const passed = complete && value !== undefined && value <= g.maxCost;
    gates.push({
      gate: 'max-cost',
      threshold: g.maxCost,
      value,
      passed,
      ...(passed
        ? {}
        : {
            message: !complete
              ? incomplete
              : value === undefined
                ? 'the cost was not estimated (no token prices)'
                : `estimated cost of the switch ${value.toFixed(4)} (${counts.candidateTokens.total} tokens) is above the maximum ${g.maxCost}`,
          }),
    });
  }
  return {
    current: opts.current,
    candidate: opts.candidate,
    counts,
    changeRate,
    waveShareOfChanges,
    agreement,
    fixpointRate,
    ...(cost ? { cost, prices: opts.prices } : {}),
    complete,
    warmed: opts.warmed === true,
    gates,
    passed: gates.every((x) => x.passed),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
