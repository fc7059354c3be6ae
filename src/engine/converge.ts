import type { LineStore } from '../cache/types.js';
import type { Budget, UnitFixer } from '../model/types.js';
import { fixFiles } from './fix.js';
import type { FileParser } from './parser.js';
import type { RunSummary, SourceFile } from './types.js';

export interface ConvergeOptions {
  readonly runs: number;
  /** The store for run `n` (1-based): the same store every run measures the cache, a fresh one measures without it. */
  readonly storeForRun: (run: number) => LineStore;
  readonly fixer: UnitFixer;
  readonly scope: string;
  readonly budget: Budget;
  readonly parser?: FileParser;
  /** `prose` (default) or `line` units, to compare the two (see `EngineContext.units`). */
  readonly units?: 'prose' | 'line';
}

export interface ConvergeRun extends RunSummary {
  readonly run: number;
  /** Share of prose units this run left as they were (1 for a run at a fixpoint). */
  readonly fixpointRate: number;
  /** Whether this run would open or update a pull request. */
  readonly wouldOpenPullRequest: boolean;
}

export interface ConvergeReport {
  readonly runs: ConvergeRun[];
  /** Re-runs (run 2 onwards) that changed something. */
  readonly rerunsWithChanges: number;
  /** rerunsWithChanges / re-runs: how often a bot re-run on its own output would open a pull request again. */
  readonly pullRequestFailureRate: number;
  /** Unchanged units over all re-runs / units over all re-runs. */
  readonly fixpointRate: number;
}

/** Runs the fixer on its own output `runs` times, in memory, and measures how far it is from a fixpoint. */
export async function convergeRuns(
  files: readonly SourceFile[],
  opts: ConvergeOptions,
): Promise<ConvergeReport> {
  let current = [...files];
  const runs: ConvergeRun[] = [];
  for (let run = 1; run <= opts.runs; run += 1) {
    const store = opts.storeForRun(run);
    const result = await fixFiles(current, {
      store,
      fixer: opts.fixer,
      scope: opts.scope,
      budget: opts.budget,
      // Every run examines every unit: the report measures the unit-level fixpoint rate.
      fileFixpoints: false,
      ...(opts.parser ? { parser: opts.parser } : {}),
      ...(opts.units ? { units: opts.units } : {}),
    });
    const s = result.summary;
    runs.push({
      ...s,
      run,
      fixpointRate: s.units === 0 ? 1 : 1 - s.changedUnits / s.units,
      wouldOpenPullRequest: s.changedUnits > 0,
    });
    const after = new Map(result.patches.map((p) => [p.path, p.after]));
    current = current.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
  }
  const reruns = runs.slice(1);
  const rerunsWithChanges = reruns.filter((r) => r.wouldOpenPullRequest).length;
  const editable = reruns.reduce((n, r) => n + r.units, 0);
  const changed = reruns.reduce((n, r) => n + r.changedUnits, 0);
  return {
    runs,
    rerunsWithChanges,
    pullRequestFailureRate: reruns.length === 0 ? 0 : rerunsWithChanges / reruns.length,
    fixpointRate: editable === 0 ? 1 : 1 - changed / editable,
  };
}
