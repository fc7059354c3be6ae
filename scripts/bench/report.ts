// Pure functions from bench/results.json to the README's performance section and the scale plot.
// No I/O: `all.ts` reads and writes the files; the tests feed these functions plain objects.
import { isAbsolute, relative, sep } from 'node:path';
import type { ScaleCase, ScaleResult } from './scale.js';

/** The goals the issues set; every verdict is computed from the measured numbers against these. */
export const GOALS = {
  /** Issue 3: split+join ≤ 1.3× raw remark parse. */
  splitJoinToRaw: 1.3,
  /** Issues 5 and 9: a warm run (everything cached) ≤ 1.5× raw remark parse of the same files. */
  warmToRaw: 1.5,
  /** Issues 4 and 9: RedisStore lookups ≥ 50% of raw MGET on the same server. */
  redisToMget: 0.5,
  /** Issue 4: EmbeddedStore ≥ 1,000,000 lookups/s warm. */
  embeddedLookupsPerSecond: 1_000_000,
  /** Issue 4: ≤ 100 bytes per fixpoint entry in Redis, ≤ 100 bytes beyond the value for rewrites. */
  redisBytesPerEntry: 100,
  /** Issue 9: peak RSS under 1 GiB for the 1M-line case. */
  peakRssBytes: 2 ** 30,
  peakRssAtLines: 1_000_000,
  /**
   * Issue 9: incremental cost proportional to the change. Read here as: model lines equal the distinct
   * changed lines in every push, and a push of the same lines costs the same (within this factor, for
   * machine noise) at every repository size from the smallest to the largest.
   */
  samePushTimeSpread: 2,
  /** Issue 7: webhook acknowledgement p99 under 100 ms in a burst. */
  webhookAckP99Ms: 100,
  /** Issue 11: a cold run with the parse pool ≥ 1.7× faster than the same run in one thread, on 2 cores. */
  poolColdSpeedup: 1.7,
  /** Issue 11: a re-run served by file-level fixpoints ≤ 0.05× raw parse of the same files. */
  fileFixpointRerunToRaw: 0.05,
  /** Issue 15: `docs-fix --version` and a warm `check` of one small file ≤ 3× `node -e 0`. */
  startToNode: 3,
  /** Issue 16: continuation lines sentence-case damages with prose units. */
  sentenceCaseDamage: 0,
  /** Issue 17: a cold offline run ≤ 3× the raw parse of the same files. */
  offlineColdToRaw: 3,
  /** Issue 17: recall of injected misspellings and doubled words, and wrong edits per 1,000 untouched lines. */
  misspellingRecall: 0.7,
  doubledRecall: 0.9,
  wrongEditsPer1000: 1,
} as const;

/** `npm run bench:start` (scripts/bench/start.ts). */
export interface StartFigures {
  readonly rounds: number;
  readonly loadAverage: number;
  readonly node: { medianMs: number; cpuMedianMs?: number };
  readonly version: { medianMs: number; ratioToNode: { wall: number; cpu?: number } };
  readonly checkWarm: { medianMs: number; ratioToNode: { wall: number; cpu?: number } };
}

/** `npm run bench:units` (scripts/bench/units.ts). */
export interface UnitFigures {
  readonly files: number;
  readonly lineCold: { units: number; modelLines: number; modelRequests: number; tokens: number; changedLines: number };
  readonly proseCold: {
    units: number;
    distinctUnits: number;
    modelLines: number;
    modelRequests: number;
    tokens: number;
    changedLines: number;
  };
  readonly push: {
    changedLines: number;
    line: { modelLines: number; tokens: number };
    prose: { modelLines: number; tokens: number; rerunModelUnits: number; rerunChangedLines: number };
    tokensProseToLine: number;
  };
  readonly sentenceCase: { where: string; files: number; damagedContinuationLines: { line: number; prose: number } };
}

/** `npm run bench:offline` (scripts/bench/offline.ts). */
export interface OfflineFigures {
  readonly rawParseCpuMs: number;
  readonly offlineColdCpuMs: number;
  readonly splitToUnitsCpuMs: number;
  readonly coldRunVsRawParse: number;
  readonly lintCalls: number;
  readonly fixpointRate: number;
  readonly changedUnits: number;
}

/** `npm run bench:quality` (scripts/bench/quality.ts). */
export interface QualityFigures {
  readonly files: number;
  readonly proseLines: number;
  readonly injected: number;
  readonly results: readonly {
    provider: string;
    classes: Record<string, { injected: number; fixed: number; recall: number | null }>;
    untouchedProseLines: number;
    falseEdits: number;
    judgedTypos?: number;
    wrongEdits?: number;
    wrongEditsPer1000?: number | null;
  }[];
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
}

export interface SplitFigures {
  readonly files: number;
  readonly bytes: number;
  readonly rawMs: number;
  readonly splitJoinMs: number;
  readonly rawMBps: number;
  readonly splitJoinMBps: number;
  readonly ratio: number;
}

export interface EngineBenchFigures {
  readonly files: number;
  readonly megabytes: number;
  readonly lines: number;
  readonly cold: { ms: number; modelLines: number; modelRequests: number; changedLines: number; ratioToRawParse: number };
  readonly rawParse: { ms: number; MBps: number };
  readonly warmOnInput: { ms: number; ratioToRawParse: number };
  readonly warmOnOutput: { ms: number; ratioToRawParse: number; modelLines: number; changedLines: number };
  /** Split and cold run on the parse pool against the same in this thread (absent before issue 11). */
  readonly pool?: {
    threads: number;
    split: { ms: number; inThreadMs: number; speedup: number };
    cold: { ms: number; inThreadMs: number; speedup: number; identical: boolean };
  };
  /** A re-run on converged output, served by file-level fixpoints (absent before issue 11). */
  readonly fileFixpointRerun?: {
    files: number;
    hits: number;
    parsedFiles: number;
    ms: number;
    rawParseMs: number;
    ratioToRawParse: number;
  };
}

export interface CacheFigures {
  readonly redisLookups?: {
    keys: number;
    batch: number;
    storeLookupsPerSecond: number;
    rawMgetLookupsPerSecond: number;
    ratio: number;
  };
  readonly embedded?: {
    keys: number;
    lookupsPerSecond: number;
    syncLookupsPerSecond?: number;
    rawLmdbLookupsPerSecond?: number;
  };
  readonly memoryNoPolicy?: RedisMemoryFigures;
  readonly memoryVolatileLru?: RedisMemoryFigures;
}

export interface RedisMemoryFigures {
  fixpoints: number;
  bytesPerFixpoint: number;
  bytesPerRewrite: number;
  rewriteValueBytes: number;
  bytesPerRewriteBeyondValue: number;
}

export interface BenchResults {
  /** ISO date of the run. */
  readonly date: string;
  readonly machine: Machine;
  /** The command that produced the file. */
  readonly command: string;
  readonly corpus?: string;
  readonly split?: SplitFigures;
  readonly cache?: CacheFigures;
  readonly engine?: EngineBenchFigures;
  readonly scale?: ScaleResult;
  /** Whatever `bench:webhooks` prints; rendered as found. */
  readonly webhooks?: Record<string, unknown>;
  readonly start?: StartFigures;
  readonly units?: UnitFigures;
  readonly offline?: OfflineFigures;
  readonly quality?: QualityFigures;
  /** When each bench finished (ISO), for results merged from several runs with BENCH_ONLY. */
  readonly runs?: Readonly<Record<string, string>>;
  /** Benchmarks not run, and why. */
  readonly skipped: readonly { name: string; reason: string }[];
}

export type Verdict = 'reached' | 'not reached' | 'not measured';

export interface GoalVerdict {
  readonly goal: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

const fmt = (x: number, digits = 2): string =>
  Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: digits });
const ms = (x: number): string => (x >= 10_000 ? `${fmt(x / 1000, 1)} s` : `${fmt(x, x < 10 ? 1 : 0)} ms`);
const ratio = (x: number): string => `${fmt(x, 2)}×`;
/** Ratios far below 1 (a re-run that parses almost nothing) keep a significant digit. */
const smallRatio = (x: number): string => (x < 0.1 ? `${fmt(x, 3)}×` : ratio(x));
const mib = (bytes: number): string => `${fmt(Math.round(bytes / 2 ** 20))} MiB`;
const sizeLabel = (lines: number): string =>
  lines >= 1_000_000 ? `${fmt(lines / 1_000_000)}M` : lines >= 1000 ? `${fmt(lines / 1000)}k` : String(lines);
const verdictOf = (ok: boolean): Verdict => (ok ? 'reached' : 'not reached');

/** The cases on the embedded store (the default), ascending by size. */
function embeddedCases(scale: ScaleResult | undefined): ScaleCase[] {
  return (scale?.cases ?? []).filter((c) => c.store === 'embedded').sort((a, b) => a.targetLines - b.targetLines);
}

export function goalVerdicts(r: BenchResults): GoalVerdict[] {
  const out: GoalVerdict[] = [];
  const g = GOALS;

  out.push(
    r.split
      ? {
          goal: `split+join ≤ ${g.splitJoinToRaw}× raw parse (corpus)`,
          measured: ratio(r.split.ratio),
          verdict: verdictOf(r.split.ratio <= g.splitJoinToRaw),
        }
      : { goal: `split+join ≤ ${g.splitJoinToRaw}× raw parse (corpus)`, measured: '—', verdict: 'not measured' },
  );

  const warm: { where: string; x: number }[] = [];
  if (r.engine) warm.push({ where: 'corpus', x: r.engine.warmOnInput.ratioToRawParse });
  for (const c of embeddedCases(r.scale)) warm.push({ where: sizeLabel(c.targetLines), x: c.warm.ratioToRawParse });
  out.push({
    goal: `warm run ≤ ${g.warmToRaw}× raw parse (same input, everything cached)`,
    measured: warm.length ? warm.map((w) => `${w.where} ${ratio(w.x)}`).join(', ') : '—',
    verdict: warm.length ? verdictOf(warm.every((w) => w.x <= g.warmToRaw)) : 'not measured',
  });

  if (r.engine) out.push(...engineVerdicts(r.engine));

  const lookups = r.cache?.redisLookups;
  out.push({
    goal: `RedisStore lookups ≥ ${g.redisToMget * 100}% of raw MGET`,
    measured: lookups ? `${fmt(lookups.ratio * 100, 0)}%` : '—',
    verdict: lookups ? verdictOf(lookups.ratio >= g.redisToMget) : 'not measured',
  });

  const embedded = r.cache?.embedded;
  out.push({
    goal: `EmbeddedStore ≥ ${fmt(g.embeddedLookupsPerSecond)} lookups/s warm`,
    measured: embedded ? `${fmt(Math.round(embedded.lookupsPerSecond))}/s` : '—',
    verdict: embedded ? verdictOf(embedded.lookupsPerSecond >= g.embeddedLookupsPerSecond) : 'not measured',
  });

  const memory = r.cache?.memoryNoPolicy;
  out.push({
    goal: `Redis ≤ ${g.redisBytesPerEntry} B per fixpoint, ≤ ${g.redisBytesPerEntry} B + value per rewrite`,
    measured: memory
      ? `${fmt(memory.bytesPerFixpoint, 1)} B, value + ${fmt(memory.bytesPerRewriteBeyondValue, 1)} B`
      : '—',
    verdict: memory
      ? verdictOf(
          memory.bytesPerFixpoint <= g.redisBytesPerEntry && memory.bytesPerRewriteBeyondValue <= g.redisBytesPerEntry,
        )
      : 'not measured',
  });

  out.push(incrementalVerdict(r.scale));

  const cases = embeddedCases(r.scale);
  const largest = cases.at(-1);
  out.push(
    largest && largest.targetLines >= g.peakRssAtLines
      ? {
          goal: `peak RSS < ${mib(g.peakRssBytes)} at ${sizeLabel(g.peakRssAtLines)} lines`,
          measured: `${mib(largest.peakRssBytes)} (chunks of ${r.scale!.chunkLines ? fmt(r.scale!.chunkLines) : 'all'} lines)`,
          verdict: verdictOf(largest.peakRssBytes < g.peakRssBytes),
        }
      : {
          goal: `peak RSS < ${mib(g.peakRssBytes)} at ${sizeLabel(g.peakRssAtLines)} lines`,
          measured: largest ? `${mib(largest.peakRssBytes)} at ${sizeLabel(largest.targetLines)} only` : '—',
          verdict: 'not measured',
        },
  );

  out.push(...newGoalVerdicts(r));

  const p99 = r.webhooks ? findNumber(r.webhooks, /p99/i) : undefined;
  out.push({
    goal: `webhook acknowledgement p99 < ${g.webhookAckP99Ms} ms`,
    measured: p99 ? `${fmt(p99.value, 1)} ms (${p99.path})` : '—',
    verdict: p99 ? verdictOf(p99.value < g.webhookAckP99Ms) : 'not measured',
  });
  return out;
}

/** Issues 15, 16 and 17: start-up, prose units, the offline editor. */
function newGoalVerdicts(r: BenchResults): GoalVerdict[] {
  const g = GOALS;
  const out: GoalVerdict[] = [];
  const startGoal = `\`docs-fix --version\` and a warm \`check\` of one file ≤ ${g.startToNode}× \`node -e 0\``;
  out.push(
    r.start
      ? {
          goal: startGoal,
          measured: `${ratio(r.start.version.ratioToNode.wall)} and ${ratio(r.start.checkWarm.ratioToNode.wall)} (wall, median of ${r.start.rounds})`,
          verdict: verdictOf(
            r.start.version.ratioToNode.wall <= g.startToNode && r.start.checkWarm.ratioToNode.wall <= g.startToNode,
          ),
        }
      : { goal: startGoal, measured: '—', verdict: 'not measured' },
  );
  const damageGoal = `sentence-case damage to continuation lines with prose units = ${g.sentenceCaseDamage}`;
  const d = r.units?.sentenceCase;
  out.push(
    d
      ? {
          goal: damageGoal,
          measured: `${fmt(d.damagedContinuationLines.prose)} (line units: ${fmt(d.damagedContinuationLines.line)}; ${d.where})`,
          verdict: verdictOf(d.damagedContinuationLines.prose <= g.sentenceCaseDamage),
        }
      : { goal: damageGoal, measured: '—', verdict: 'not measured' },
  );
  const offlineGoal = `cold offline run ≤ ${g.offlineColdToRaw}× raw parse (CPU)`;
  out.push(
    r.offline
      ? {
          goal: offlineGoal,
          measured: ratio(r.offline.coldRunVsRawParse),
          verdict: verdictOf(r.offline.coldRunVsRawParse <= g.offlineColdToRaw),
        }
      : { goal: offlineGoal, measured: '—', verdict: 'not measured' },
  );
  const q = r.quality?.results.find((x) => x.provider === 'offline');
  const qualityGoal = `offline editor: recall ≥ ${g.misspellingRecall} misspellings, ≥ ${g.doubledRecall} doubled words; ≤ ${g.wrongEditsPer1000} wrong edit per 1,000 untouched lines`;
  if (!q || q.wrongEditsPer1000 === undefined || q.wrongEditsPer1000 === null) {
    out.push({ goal: qualityGoal, measured: '—', verdict: 'not measured' });
  } else {
    const m = q.classes.misspelling?.recall ?? 0;
    const dbl = q.classes.doubled?.recall ?? 0;
    out.push({
      goal: qualityGoal,
      measured: `${fmt(m, 3)}, ${fmt(dbl, 3)}; ${fmt(q.wrongEditsPer1000, 2)} (${fmt(q.falseEdits)} edits of untouched lines, ${fmt(q.judgedTypos ?? 0)} of them real typos by hand)`,
      verdict: verdictOf(m >= g.misspellingRecall && dbl >= g.doubledRecall && q.wrongEditsPer1000 <= g.wrongEditsPer1000),
    });
  }
  return out;
}

/** Issue 11's goals, shown with the engine figures (results from before it say "not measured"). */
function engineVerdicts(e: EngineBenchFigures): GoalVerdict[] {
  const g = GOALS;
  const poolGoal = `cold run with the parse pool ≥ ${g.poolColdSpeedup}× faster than in one thread (2 cores)`;
  const fileGoal = `re-run served by file-level fixpoints ≤ ${g.fileFixpointRerunToRaw}× raw parse`;
  const f = e.fileFixpointRerun;
  return [
    e.pool
      ? {
          goal: poolGoal,
          measured: `${ratio(e.pool.cold.speedup)} (${e.pool.threads} threads)${e.pool.cold.identical ? '' : ', **diff differs**'}`,
          verdict: verdictOf(e.pool.cold.speedup >= g.poolColdSpeedup && e.pool.cold.identical),
        }
      : { goal: poolGoal, measured: '—', verdict: 'not measured' },
    f
      ? {
          goal: fileGoal,
          measured: `${smallRatio(f.ratioToRawParse)} (${fmt(f.hits)} of ${fmt(f.files)} files skipped whole)`,
          verdict: verdictOf(f.ratioToRawParse <= g.fileFixpointRerunToRaw),
        }
      : { goal: fileGoal, measured: '—', verdict: 'not measured' },
  ];
}

/** Rows for start-up and the offline editor's speed. */
function newFigureRows(r: BenchResults): string[][] {
  const rows: string[][] = [];
  const st = r.start;
  if (st) {
    const node = `node -e 0 ${ms(st.node.medianMs)}`;
    rows.push([`\`docs-fix --version\` (median of ${st.rounds}, load ${fmt(st.loadAverage)})`, ms(st.version.medianMs), node, ratio(st.version.ratioToNode.wall)]);
    rows.push([
      `\`docs-fix check\` of one settled file, warm cache (median of ${st.rounds})`,
      ms(st.checkWarm.medianMs),
      node,
      ratio(st.checkWarm.ratioToNode.wall),
    ]);
  }
  const o = r.offline;
  if (o) {
    rows.push([
      'cold offline run (split to units + offline editor), corpus, CPU time',
      `${ms(o.splitToUnitsCpuMs + o.offlineColdCpuMs)} (editor ${ms(o.offlineColdCpuMs)}, ${fmt(o.lintCalls)} lint calls, ${fmt(o.changedUnits)} units changed; re-run on its own output without a cache: per-unit fixpoint rate ${fmt(o.fixpointRate, 4)})`,
      `raw parse ${ms(o.rawParseCpuMs)}`,
      ratio(o.coldRunVsRawParse),
    ]);
  }
  return rows;
}

/** Prose units against line units on the corpus (bench:units). */
function unitSection(u: UnitFigures | undefined): string[] {
  if (!u) return [];
  return [
    `Prose units against line units (each editable line alone, as before) over ${fmt(u.files)} files, with the simulator:`,
    '',
    ...table(
      ['figure', 'line units', 'prose units', 'prose / line'],
      [
        ['units (distinct)', fmt(u.lineCold.units), `${fmt(u.proseCold.units)} (${fmt(u.proseCold.distinctUnits)})`, ratio(u.proseCold.units / u.lineCold.units)],
        ['cold run: model lines', fmt(u.lineCold.modelLines), fmt(u.proseCold.modelLines), ratio(u.proseCold.modelLines / u.lineCold.modelLines)],
        ['cold run: tokens', fmt(u.lineCold.tokens), fmt(u.proseCold.tokens), ratio(u.proseCold.tokens / u.lineCold.tokens)],
        [
          `push of ${fmt(u.push.changedLines)} changed lines on a warm cache: model lines`,
          fmt(u.push.line.modelLines),
          fmt(u.push.prose.modelLines),
          ratio(u.push.prose.modelLines / u.push.line.modelLines),
        ],
        [`the same push: tokens`, fmt(u.push.line.tokens), fmt(u.push.prose.tokens), ratio(u.push.tokensProseToLine)],
        [
          `sentence-case: continuation lines damaged (${u.sentenceCase.where}, ${fmt(u.sentenceCase.files)} files)`,
          fmt(u.sentenceCase.damagedContinuationLines.line),
          fmt(u.sentenceCase.damagedContinuationLines.prose),
          '—',
        ],
      ],
    ),
    '',
    `The re-run on the prose-unit output asked about ${fmt(u.push.prose.rerunModelUnits)} units and changed ${fmt(u.push.prose.rerunChangedLines)} lines.`,
    '',
  ];
}

/** Recall and false edits per provider (bench:quality). */
function qualitySection(q: QualityFigures | undefined): string[] {
  if (!q) return [];
  const classes = Object.keys(q.results[0]?.classes ?? {});
  return [
    `Quality: ${fmt(q.injected)} errors injected into ${fmt(q.proseLines)} prose lines of ${fmt(q.files)} corpus files; recall is the share fixed exactly; edits of lines where nothing was injected are judged by hand (\`scripts/bench/quality.verdicts.json\`), and every edit without a verdict counts as wrong.`,
    '',
    ...table(
      ['provider', ...classes.map((c) => `${c} recall`), 'edits of untouched lines', 'real typos (by hand)', 'wrong per 1,000'],
      q.results.map((x) => [
        x.provider,
        ...classes.map((c) => {
          const k = x.classes[c]!;
          return `${k.recall === null ? '—' : fmt(k.recall, 3)} (${fmt(k.fixed)}/${fmt(k.injected)})`;
        }),
        `${fmt(x.falseEdits)} of ${fmt(x.untouchedProseLines)}`,
        fmt(x.judgedTypos ?? 0),
        x.wrongEditsPer1000 === undefined || x.wrongEditsPer1000 === null ? '—' : fmt(x.wrongEditsPer1000, 2),
      ]),
    ),
    '',
  ];
}

function incrementalVerdict(scale: ScaleResult | undefined): GoalVerdict {
  const goal = 'incremental push cost proportional to the change';
  const cases = embeddedCases(scale);
  const pushes = cases.flatMap((c) => c.pushes);
  if (pushes.length === 0) return { goal, measured: '—', verdict: 'not measured' };
  const exact = pushes.filter((p) => p.modelLines === p.expectedModelLines).length;
  const fixed = cases.flatMap((c) => c.pushes.filter((p) => p.label === 'fixed').map((p) => ({ c, p })));
  const times = fixed.map((f) => f.p.ms);
  const spread = times.length > 1 ? Math.max(...times) / Math.min(...times) : NaN;
  const first = fixed[0];
  const last = fixed.at(-1);
  const growth = first && last ? last.c.lines / first.c.lines : NaN;
  const sameWork = fixed.every((f) => f.p.lines === first?.p.lines);
  const measured =
    `model lines = lines of the distinct changed units in ${exact}/${pushes.length} pushes; ` +
    (first && last && fixed.length > 1
      ? `the same ${first.p.changedInputLines}-line push: ${ms(first.p.ms)} at ${sizeLabel(first.c.targetLines)} lines, ` +
        `${ms(last.p.ms)} at ${sizeLabel(last.c.targetLines)} (repository ${fmt(Math.round(growth))}× larger, ` +
        `time spread max/min ${fmt(spread, 3)}×, limit ${GOALS.samePushTimeSpread}×)`
      : 'one size only');
  const ok = exact === pushes.length && fixed.length > 1 && sameWork && spread <= GOALS.samePushTimeSpread;
  return { goal, measured, verdict: fixed.length > 1 ? verdictOf(ok) : 'not measured' };
}

/** The first number whose key path matches `key` (depth-first), for figures from benches of unknown shape. */
export function findNumber(o: unknown, key: RegExp, path = ''): { path: string; value: number } | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  for (const [k, v] of Object.entries(o)) {
    const p = path ? `${path}.${k}` : k;
    if (typeof v === 'number' && key.test(k)) return { path: p, value: v };
    const found = findNumber(v, key, p);
    if (found) return found;
  }
  return undefined;
}

const row = (cells: readonly string[]): string => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  row(head),
  row(head.map(() => '---')),
  ...rows.map(row),
];

/**
 * A path of the machine the benchmark ran on, as generated text may show it: relative to the repository
 * (`../shared/corpus`) when it is the repository's folder or a sibling of it, else the variable that names
 * it (`$DOCS_FIX_CORPUS`). Text in the README must not carry one machine's folders.
 */
export function portablePath(path: string, repositoryRoot: string, variable = '$DOCS_FIX_CORPUS'): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(repositoryRoot, path).split(sep).join('/');
  if (rel === '') return '.';
  const ups = rel.split('/').filter((p) => p === '..').length;
  return isAbsolute(rel) || ups > 1 ? variable : rel;
}

/** `command` with every absolute path in it made portable (see `portablePath`). */
export function portableCommand(command: string, repositoryRoot: string): string {
  return command.replace(/(?<=^|[\s=])\/[^\s]*/g, (p) => portablePath(p, repositoryRoot));
}

/** The README section: machine and date, goals with verdicts, every figure beside its reference, scale. */
export function markdownReport(
  r: BenchResults,
  plotPath = 'bench/scale.svg',
  repositoryRoot = process.cwd(),
): string {
  const m = r.machine;
  const corpus = r.corpus ? portablePath(r.corpus, repositoryRoot) : undefined;
  const lines: string[] = [
    `Measured ${r.date.slice(0, 10)} on ${m.cpu} (${m.cores} cores, ${mib(m.memoryBytes)}), Node ${m.node}, ${m.platform}, ` +
      `with \`${portableCommand(r.command, repositoryRoot)}\`${corpus ? ` over \`${corpus}\`` : ''}. Model: the offline simulator (not a language model), except where the offline editor is named. ` +
      `Every time is beside its reference measured in the same run; figures are in \`bench/results.json\`.`,
    ...(r.runs && Object.keys(r.runs).length > 0
      ? [
          '',
          `Finished: ${Object.entries(r.runs)
            .map(([name, at]) => `${name} ${at.slice(0, 16).replace('T', ' ')} UTC`)
            .join(', ')}.`,
        ]
      : []),
    '',
    ...table(
      ['goal', 'measured', 'verdict'],
      goalVerdicts(r).map((v) => [v.goal, v.measured, v.verdict === 'reached' ? 'reached' : `**${v.verdict}**`]),
    ),
    '',
  ];

  const figures: string[][] = [];
  if (r.split) {
    figures.push([
      'split + join (corpus)',
      `${ms(r.split.splitJoinMs)} (${fmt(r.split.splitJoinMBps)} MB/s)`,
      `raw parse ${ms(r.split.rawMs)} (${fmt(r.split.rawMBps)} MB/s)`,
      ratio(r.split.ratio),
    ]);
  }
  if (r.engine) {
    const e = r.engine;
    const raw = `raw parse ${ms(e.rawParse.ms)}`;
    figures.push([
      `engine cold, corpus (${fmt(e.files)} files, ${fmt(e.lines)} lines)`,
      `${ms(e.cold.ms)}, ${fmt(e.cold.modelLines)} model lines in ${fmt(e.cold.modelRequests)} requests`,
      raw,
      ratio(e.cold.ratioToRawParse),
    ]);
    figures.push([
      'engine warm on the same input, corpus (line cache only)',
      ms(e.warmOnInput.ms),
      raw,
      ratio(e.warmOnInput.ratioToRawParse),
    ]);
    figures.push([
      'engine warm on its own output, corpus (line cache only)',
      `${ms(e.warmOnOutput.ms)}, ${fmt(e.warmOnOutput.modelLines)} model lines, ${fmt(e.warmOnOutput.changedLines)} changed`,
      raw,
      ratio(e.warmOnOutput.ratioToRawParse),
    ]);
    if (e.pool) {
      const p = e.pool;
      figures.push([
        `split on the parse pool (${p.threads} threads), corpus`,
        `${ms(p.split.ms)} (${ratio(p.split.speedup)} faster)`,
        `split in one thread ${ms(p.split.inThreadMs)}`,
        ratio(p.split.ms / p.split.inThreadMs),
      ]);
      figures.push([
        `engine cold with the parse pool (${p.threads} threads), corpus`,
        `${ms(p.cold.ms)} (${ratio(p.cold.speedup)} faster; ${p.cold.identical ? 'same diff' : '**different diff**'})`,
        `cold in one thread ${ms(p.cold.inThreadMs)}`,
        ratio(p.cold.ms / p.cold.inThreadMs),
      ]);
    }
    const f = e.fileFixpointRerun;
    if (f) {
      figures.push([
        'engine re-run on its converged output, file-level fixpoints, corpus',
        `${ms(f.ms)}, ${fmt(f.hits)} of ${fmt(f.files)} files skipped whole, ${fmt(f.parsedFiles)} parsed`,
        `raw parse ${ms(f.rawParseMs)}`,
        smallRatio(f.ratioToRawParse),
      ]);
    }
  }
  const c = r.cache;
  if (c?.redisLookups) {
    figures.push([
      `RedisStore.get (${fmt(c.redisLookups.keys)} keys, batches of ${fmt(c.redisLookups.batch)})`,
      `${fmt(Math.round(c.redisLookups.storeLookupsPerSecond))} lookups/s`,
      `raw MGET ${fmt(Math.round(c.redisLookups.rawMgetLookupsPerSecond))}/s`,
      ratio(c.redisLookups.ratio),
    ]);
  }
  if (c?.embedded) {
    const e = c.embedded;
    const raw = e.rawLmdbLookupsPerSecond;
    figures.push([
      `EmbeddedStore.get (${fmt(e.keys)} keys, warm)`,
      `${fmt(Math.round(e.lookupsPerSecond))} lookups/s` +
        (e.syncLookupsPerSecond ? ` (getSync ${fmt(Math.round(e.syncLookupsPerSecond))}/s)` : ''),
      raw ? `raw lmdb-js ${fmt(Math.round(raw))}/s` : '—',
      raw ? ratio(e.lookupsPerSecond / raw) : '—',
    ]);
  }
  for (const [label, mem] of [
    ['no maxmemory policy', c?.memoryNoPolicy],
    ['volatile-lru', c?.memoryVolatileLru],
  ] as const) {
    if (!mem) continue;
    figures.push([
      `Redis memory, ${label} (${fmt(mem.fixpoints)} fixpoints)`,
      `${fmt(mem.bytesPerFixpoint, 1)} B per fixpoint, ${fmt(mem.bytesPerRewrite, 1)} B per rewrite`,
      `rewrite value ${fmt(mem.rewriteValueBytes)} B`,
      '—',
    ]);
  }
  figures.push(...webhookRows(r.webhooks));
  figures.push(...newFigureRows(r));
  if (figures.length > 0) lines.push(...table(['figure', 'measured', 'reference (same run)', 'ratio'], figures), '');
  lines.push(...unitSection(r.units), ...qualitySection(r.quality));

  const cases = [...(r.scale?.cases ?? [])].sort((a, b) => a.targetLines - b.targetLines || a.store.localeCompare(b.store));
  if (cases.length > 0) {
    lines.push(
      `Synthetic repositories from the corpus (copies of real files, each copy's editable lines marked with its number); ` +
        `fixed in chunks of ${r.scale!.chunkLines ? `${fmt(r.scale!.chunkLines)} lines` : 'the whole repository'} per engine call. ` +
        `Pushes turn \`the\` into \`teh\` in prose lines and run the engine on the touched files only; ` +
        `"fixed" is the same ${cases[0]!.pushes.find((p) => p.label === 'fixed')?.changedInputLines ?? '?'}-line push at every size.`,
      '',
      ...table(
        [
          'repository',
          'raw parse',
          'cold (model lines)',
          'warm (× raw)',
          'warm on output (× raw)',
          'push: lines changed, files, time (raw parse of touched files), model lines = lines of the distinct changed units',
          'peak RSS',
        ],
        cases.map((k) => [
          `${sizeLabel(k.lines)} lines, ${fmt(k.files)} files, ${fmt(k.bytes / 1e6, k.bytes < 1e6 ? 2 : 1)} MB${k.store === 'embedded' ? '' : ` (${k.store})`}`,
          ms(k.rawParseMs),
          `${ms(k.cold.ms)} (${fmt(k.cold.modelLines)})`,
          `${ms(k.warm.ms)} (${ratio(k.warm.ratioToRawParse)})`,
          k.warmOnOutput ? `${ms(k.warmOnOutput.ms)} (${ratio(k.warmOnOutput.ratioToRawParse)})` : '—',
          k.pushes
            .map(
              (p) =>
                `${p.label}: ${fmt(p.changedInputLines)}, ${fmt(p.touchedFiles)}, ${ms(p.ms)} (${ms(p.rawParseMs)}), ` +
                `${fmt(p.modelLines)} ${p.modelLines === p.expectedModelLines ? '=' : '≠'} ${fmt(p.expectedModelLines)}`,
            )
            .join('<br>'),
          mib(k.peakRssBytes),
        ]),
      ),
      '',
      `![time and model lines against repository size](${plotPath})`,
      '',
    );
  }
  if (r.skipped.length > 0) {
    lines.push(`Not measured in this run: ${r.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}.`, '');
  }
  return lines.join('\n');
}

interface WebhookFigures {
  burst?: { deliveries: number; concurrency: number; ackP50Ms: number; ackP99Ms: number; ackMaxMs?: number };
  workers?: { processes: number; jobs: number; jobsPerSecond: number }[];
}

/** bench:webhooks in its known shape (burst latency, jobs/s per worker count); any other shape as found. */
function webhookRows(w: Record<string, unknown> | undefined): string[][] {
  if (!w) return [];
  const { burst, workers } = w as WebhookFigures;
  if (!burst || !Array.isArray(workers)) {
    return flatNumbers(w).map(([path, value]) => [`webhooks: ${path}`, fmt(value, 2), '—', '—']);
  }
  const one = workers.find((k) => k.processes === 1);
  return [
    [
      `webhook acknowledgement, burst of ${fmt(burst.deliveries)} (${burst.concurrency} in flight)`,
      `p50 ${ms(burst.ackP50Ms)}, p99 ${ms(burst.ackP99Ms)}${burst.ackMaxMs ? `, max ${ms(burst.ackMaxMs)}` : ''}`,
      '—',
      '—',
    ],
    ...workers.map((k) => [
      `push jobs with ${k.processes} worker process${k.processes === 1 ? '' : 'es'} (${k.jobs} jobs)`,
      `${fmt(k.jobsPerSecond)} jobs/s`,
      one ? `1 process ${fmt(one.jobsPerSecond)} jobs/s` : '—',
      one ? ratio(k.jobsPerSecond / one.jobsPerSecond) : '—',
    ]),
  ];
}

function flatNumbers(o: unknown, path = ''): [string, number][] {
  if (typeof o === 'number') return [[path, o]];
  if (typeof o !== 'object' || o === null) return [];
  return Object.entries(o).flatMap(([k, v]) => flatNumbers(v, path ? `${path}.${k}` : k));
}

export const BENCH_START = '<!-- generated:bench -->';
export const BENCH_END = '<!-- /generated:bench -->';

/** Replaces the generated section of the README, or appends it under `## Performance` when absent. */
export function replaceGenerated(readme: string, section: string): string {
  const block = `${BENCH_START}\n${section.trimEnd()}\n${BENCH_END}`;
  const start = readme.indexOf(BENCH_START);
  const end = readme.indexOf(BENCH_END);
  if (start >= 0 && end > start) return readme.slice(0, start) + block + readme.slice(end + BENCH_END.length);
  return `${readme.trimEnd()}\n\n## Performance\n\n${block}\n`;
}

interface Series {
  readonly name: string;
  readonly color: string;
  readonly dash?: string;
  readonly points: readonly (readonly [number, number])[];
}

/** Time and model lines against repository size, log–log, cold / warm / pushes, as a standalone SVG. */
export function scaleSvg(scale: ScaleResult): string {
  const cases = embeddedCases(scale);
  const at = (f: (c: ScaleCase) => number | undefined): [number, number][] =>
    cases.flatMap((c) => {
      const y = f(c);
      return y === undefined ? [] : [[c.lines, y] as [number, number]];
    });
  const push = (label: string) => (c: ScaleCase) => c.pushes.find((p) => p.label === label);
  const timeSeries: Series[] = [
    { name: 'cold', color: '#d62728', points: at((c) => c.cold.ms) },
    { name: 'warm (same input)', color: '#1f77b4', points: at((c) => c.warm.ms) },
    { name: 'warm on its output', color: '#1f77b4', dash: '2 3', points: at((c) => c.warmOnOutput?.ms) },
    { name: 'raw remark parse', color: '#7f7f7f', dash: '6 4', points: at((c) => c.rawParseMs) },
    { name: '1% push', color: '#2ca02c', points: at((c) => push('1%')(c)?.ms) },
    { name: 'same 20-line push', color: '#ff7f0e', points: at((c) => push('fixed')(c)?.ms) },
  ];
  const lineSeries: Series[] = [
    { name: 'cold', color: '#d62728', points: at((c) => c.cold.modelLines) },
    { name: 'warm', color: '#1f77b4', points: at((c) => c.warm.modelLines) },
    { name: '1% push', color: '#2ca02c', points: at((c) => push('1%')(c)?.modelLines) },
    { name: 'same 20-line push', color: '#ff7f0e', points: at((c) => push('fixed')(c)?.modelLines) },
  ];
  const fixedLines = cases[0]?.pushes.find((p) => p.label === 'fixed')?.changedInputLines;
  if (fixedLines !== undefined) {
    for (const s of [...timeSeries, ...lineSeries]) {
      if (s.name === 'same 20-line push') Object.assign(s, { name: `same ${fixedLines}-line push` });
    }
  }
  const W = 960;
  const H = 420;
  const panel = (x0: number, title: string, unit: string, series: Series[]): string =>
    logPanel({ x0, y0: 40, w: 380, h: 280, title, unit, series });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    panel(70, 'Wall time against repository size', 'ms', timeSeries),
    panel(550, 'Model lines against repository size', 'lines', lineSeries),
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" fill="#555">repository size (lines, log scale); ` +
      `model: offline simulator; store: embedded lmdb; 0 is drawn on the bottom edge</text>`,
    '</svg>',
    '',
  ].join('\n');
}

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

function logPanel(p: {
  x0: number;
  y0: number;
  w: number;
  h: number;
  title: string;
  unit: string;
  series: Series[];
}): string {
  const xs = p.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = p.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y > 0);
  const decade = (v: number, f: (n: number) => number): number => f(Math.log10(v));
  const xMin = xs.length ? decade(Math.min(...xs), Math.floor) : 3;
  const xMax = Math.max(xMin + 1, xs.length ? decade(Math.max(...xs), Math.ceil) : 6);
  const yMin = ys.length ? decade(Math.min(...ys), Math.floor) : 0;
  const yMax = Math.max(yMin + 1, ys.length ? decade(Math.max(...ys), Math.ceil) : 1);
  const sx = (x: number): number => p.x0 + ((Math.log10(x) - xMin) / (xMax - xMin)) * p.w;
  const sy = (y: number): number =>
    y <= 0 ? p.y0 + p.h : p.y0 + p.h - ((Math.log10(y) - yMin) / (yMax - yMin)) * p.h;
  const n = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<g>`,
    `<text x="${p.x0 + p.w / 2}" y="${p.y0 - 16}" text-anchor="middle" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
    `<rect x="${p.x0}" y="${p.y0}" width="${p.w}" height="${p.h}" fill="none" stroke="#333"/>`,
  ];
  for (let d = xMin; d <= xMax; d += 1) {
    const x = sx(10 ** d);
    out.push(`<line x1="${n(x)}" y1="${p.y0}" x2="${n(x)}" y2="${p.y0 + p.h}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${n(x)}" y="${p.y0 + p.h + 16}" text-anchor="middle">${esc(tickLabel(10 ** d))}</text>`);
  }
  for (let d = yMin; d <= yMax; d += 1) {
    const y = sy(10 ** d);
    out.push(`<line x1="${p.x0}" y1="${n(y)}" x2="${p.x0 + p.w}" y2="${n(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${p.x0 - 6}" y="${n(y + 4)}" text-anchor="end">${esc(tickLabel(10 ** d))}</text>`);
  }
  out.push(
    `<text transform="translate(${p.x0 - 48} ${p.y0 + p.h / 2}) rotate(-90)" text-anchor="middle">${esc(p.unit)} (log)</text>`,
  );
  p.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    const d = s.points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${n(sx(x))},${n(sy(y))}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points) {
      out.push(`<circle cx="${n(sx(x))}" cy="${n(sy(y))}" r="3.5" fill="${y > 0 ? s.color : '#fff'}" stroke="${s.color}"/>`);
    }
    const ly = p.y0 + 14 + i * 16;
    out.push(`<line x1="${p.x0 + 10}" y1="${ly - 4}" x2="${p.x0 + 34}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${p.x0 + 40}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

function tickLabel(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(v);
}
