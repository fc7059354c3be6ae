// Benchmark: the offline editor (harper.js + common misspellings) on every distinct prose unit of the corpus,
// cold (this process has not created its linter yet), against a raw remark parse and split() of the same
// files in the same run; then how often its answer is a fixpoint of itself (no cache).
// Times are CPU times of this process (what it computes, whatever else runs on the machine), with wall times
// beside them; the parse and split references are medians of ROUNDS rounds in alternating order.
// Usage: DOCS_FIX_CORPUS=../shared/corpus npm run bench:offline   (ROUNDS=3 by default)
// Prints a table, then one JSON line for report scripts.
import { split } from '../../src/markdown/index.js';
import { createOfflineFixer, type OfflineFixer } from '../../src/model/offline/index.js';
import type { ModelUnit } from '../../src/model/types.js';
import { loadCorpus, median, rawParse, round } from './lib.js';
import { describeChanges, distinctUnits, type CorpusUnit } from './offline-units.js';

const ALL = { maxLines: Infinity, maxTokens: Infinity };

interface Cost {
  readonly cpuMs: number;
  readonly wallMs: number;
}

async function cost(fn: () => unknown | Promise<unknown>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - wall };
}

function show(c: Cost): string {
  return `${c.cpuMs.toFixed(0).padStart(7)} ms CPU  (${c.wallMs.toFixed(0)} ms wall)`;
}

interface Fixpoints {
  /** Units the fixer changed. */
  readonly changed: number;
  /** Of those, units whose answer the fixer changes again. */
  readonly notFixpoint: number;
  /** Share of all units whose answer is a fixpoint of the fixer. */
  readonly rate: number;
  readonly examples: string[];
}

/** Applies the fixer to its own answers: a unit is a fixpoint when the second answer equals the first. */
async function fixpoints(
  fixer: OfflineFixer,
  units: readonly ModelUnit[],
  first: ReadonlyMap<number, readonly string[]>,
): Promise<Fixpoints> {
  const changed = units.filter((u) => first.get(u.id)!.join('\n') !== u.lines.join('\n'));
  const again = await fixer.fixUnits(
    changed.map((u) => ({ id: u.id, kind: u.kind, lines: first.get(u.id)! })),
    ALL,
  );
  const examples: string[] = [];
  let notFixpoint = 0;
  for (const u of changed) {
    const before = u.lines.join('\n');
    const a = first.get(u.id)!.join('\n');
    const b = again.answers.get(u.id)!.join('\n');
    if (a === b) continue;
    notFixpoint += 1;
    if (examples.length < 5) {
      const step = (x: string, y: string): string => describeChanges(x, y, 25).map((c) => c.where).join(' … ');
      examples.push(`${step(before, a)}\n      then ${step(a, b)}`);
    }
  }
  return { changed: changed.length, notFixpoint, rate: round(1 - notFixpoint / units.length, 6), examples };
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const { files } = corpus;
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? 3));
  console.log(
    `bench:offline: ${files.length} files, ${(corpus.bytes / 1e6).toFixed(2)} MB from ${corpus.source}, ${rounds} rounds of the references`,
  );

  // Warm-up on a tenth of the files so that the parse and split sides run JIT-compiled code.
  const tenth = files.filter((_, i) => i % 10 === 0);
  rawParse(tenth);
  for (const f of tenth) split(f.bytes, { path: f.path });
  const splitAll = (): void => {
    for (const f of files) split(f.bytes, { path: f.path });
  };
  const raw: Cost[] = [];
  const splits: Cost[] = [];
  for (let r = 0; r < rounds; r += 1) {
    if (r % 2 === 0) {
      raw.push(await cost(() => rawParse(files)));
      splits.push(await cost(splitAll));
    } else {
      splits.push(await cost(splitAll));
      raw.push(await cost(() => rawParse(files)));
    }
  }
  const med = (cs: Cost[]): Cost => ({ cpuMs: median(cs.map((c) => c.cpuMs)), wallMs: median(cs.map((c) => c.wallMs)) });
  const rawCost = med(raw);
  const splitCost = med(splits);

  // Cold: the first fixer of the process creates the linter (WebAssembly compile + dictionary) on first use.
  let units: CorpusUnit[] = [];
  const unitsCost = await cost(() => {
    units = distinctUnits(corpus);
  });
  const lines = units.reduce((n, u) => n + u.lines.length, 0);
  const fixer = createOfflineFixer();
  let first: ReadonlyMap<number, readonly string[]> = new Map();
  let lintCalls = 0;
  const coldCost = await cost(async () => {
    const result = await fixer.fixUnits(units, ALL);
    if (result.failures.length > 0) throw new Error(result.failures.map((f) => f.message).join('; '));
    first = result.answers;
    lintCalls = result.requests;
  });
  // The same work with the linter already set up: the difference is the one-off setup.
  const warmCost = await cost(() => createOfflineFixer().fixUnits(units, ALL));

  const iterated = await fixpoints(fixer, units, first);
  const single = createOfflineFixer({ maxPasses: 1 });
  const singleFirst = (await single.fixUnits(units, ALL)).answers;
  const once = await fixpoints(single, units, singleFirst);

  const cpuRatio = (a: number, b: number): number => round(a / b);
  const result = {
    files: files.length,
    bytes: corpus.bytes,
    units: units.length,
    lines,
    model: fixer.modelId,
    rounds,
    rawParseCpuMs: round(rawCost.cpuMs, 1),
    splitCpuMs: round(splitCost.cpuMs, 1),
    splitToUnitsCpuMs: round(unitsCost.cpuMs, 1),
    offlineColdCpuMs: round(coldCost.cpuMs, 1),
    offlineWarmCpuMs: round(warmCost.cpuMs, 1),
    rawParseWallMs: round(rawCost.wallMs, 1),
    splitWallMs: round(splitCost.wallMs, 1),
    offlineColdWallMs: round(coldCost.wallMs, 1),
    lintCalls,
    coldRunVsRawParse: cpuRatio(unitsCost.cpuMs + coldCost.cpuMs, rawCost.cpuMs),
    coldRunVsSplit: cpuRatio(unitsCost.cpuMs + coldCost.cpuMs, splitCost.cpuMs),
    editorColdVsRawParse: cpuRatio(coldCost.cpuMs, rawCost.cpuMs),
    editorWarmVsRawParse: cpuRatio(warmCost.cpuMs, rawCost.cpuMs),
    changedUnits: iterated.changed,
    fixpointRate: iterated.rate,
    notFixpoint: iterated.notFixpoint,
    changedUnitsOnePass: once.changed,
    fixpointRateOnePass: once.rate,
    notFixpointOnePass: once.notFixpoint,
  };
  console.log(`raw remark parse (median)     ${show(rawCost)}`);
  console.log(`split() (median)              ${show(splitCost)}`);
  console.log(`split to distinct units       ${show(unitsCost)}  ${units.length} units, ${lines} lines`);
  console.log(`offline editor, cold          ${show(coldCost)}  ${lintCalls} lint calls, linter created in this run`);
  console.log(`offline editor, linter warm   ${show(warmCost)}`);
  console.log(
    `cold offline run (split to units + editor) / raw parse: ${result.coldRunVsRawParse}x CPU (goal <= 3x); / split(): ${result.coldRunVsSplit}x`,
  );
  console.log(
    `the editor alone / raw parse: ${result.editorColdVsRawParse}x cold, ${result.editorWarmVsRawParse}x with its linter warm`,
  );
  console.log(
    `fixpoints without a cache: ${iterated.changed} units changed, ${iterated.notFixpoint} of them changed again by a second run: per-unit fixpoint rate ${iterated.rate}`,
  );
  console.log(
    `  with a single pass (maxPasses 1): ${once.changed} changed, ${once.notFixpoint} changed again: rate ${once.rate}; for example`,
  );
  for (const e of [...iterated.examples, ...once.examples]) console.log(`    ${e}`);
  console.log(JSON.stringify(result));
}

await main();
