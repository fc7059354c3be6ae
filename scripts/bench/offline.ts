// Benchmark: the offline editor (harper.js + common misspellings) on every distinct prose unit of the corpus,
// cold (this process has not created its linter yet), against a raw remark parse and split() of the same
// files in the same run; then how often its answer is a fixpoint of itself (no cache).
// Usage: DOCS_FIX_CORPUS=../shared/corpus npm run bench:offline
// Prints a table, then one JSON line for report scripts.
import { split } from '../../src/markdown/index.js';
import { createOfflineFixer, type OfflineFixer } from '../../src/model/offline/index.js';
import type { ModelUnit } from '../../src/model/types.js';
import { loadCorpus, rawParse, round, time } from './lib.js';
import { distinctUnits, type CorpusUnit } from './offline-units.js';

const ALL = { maxLines: Infinity, maxTokens: Infinity };

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
async function fixpoints(fixer: OfflineFixer, units: readonly ModelUnit[], first: ReadonlyMap<number, readonly string[]>): Promise<Fixpoints> {
  const changed = units.filter((u) => first.get(u.id)!.join('\n') !== u.lines.join('\n'));
  const again = await fixer.fixUnits(
    changed.map((u) => ({ id: u.id, kind: u.kind, lines: first.get(u.id)! })),
    ALL,
  );
  const examples: string[] = [];
  let notFixpoint = 0;
  for (const u of changed) {
    const a = first.get(u.id)!.join('\n');
    const b = again.answers.get(u.id)!.join('\n');
    if (a === b) continue;
    notFixpoint += 1;
    if (examples.length < 5) examples.push(`${JSON.stringify(u.lines.join('\n').slice(0, 120))} -> ${JSON.stringify(a.slice(0, 120))} -> ${JSON.stringify(b.slice(0, 120))}`);
  }
  return { changed: changed.length, notFixpoint, rate: round(1 - notFixpoint / units.length, 6), examples };
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const { files } = corpus;
  console.log(`bench:offline: ${files.length} files, ${(corpus.bytes / 1e6).toFixed(2)} MB from ${corpus.source}`);

  // Warm-up on a tenth of the files so that the parse and split sides run JIT-compiled code.
  const tenth = files.filter((_, i) => i % 10 === 0);
  rawParse(tenth);
  for (const f of tenth) split(f.bytes, { path: f.path });

  const rawMs = await time(() => rawParse(files));
  const splitMs = await time(() => {
    for (const f of files) split(f.bytes, { path: f.path });
  });

  // Cold: the first fixer of the process creates the linter (WebAssembly compile + dictionary) on first use.
  let units: CorpusUnit[] = [];
  const unitsMs = await time(() => {
    units = distinctUnits(corpus);
  });
  const lines = units.reduce((n, u) => n + u.lines.length, 0);
  const fixer = createOfflineFixer();
  let first: ReadonlyMap<number, readonly string[]> = new Map();
  let lintCalls = 0;
  const coldMs = await time(async () => {
    const result = await fixer.fixUnits(units, ALL);
    if (result.failures.length > 0) throw new Error(result.failures.map((f) => f.message).join('; '));
    first = result.answers;
    lintCalls = result.requests;
  });
  // The same work with the linter already set up: the difference is the one-off setup.
  const warmMs = await time(() => createOfflineFixer().fixUnits(units, ALL));

  const iterated = await fixpoints(fixer, units, first);
  const single = createOfflineFixer({ maxPasses: 1 });
  const singleFirst = (await single.fixUnits(units, ALL)).answers;
  const once = await fixpoints(single, units, singleFirst);

  const result = {
    files: files.length,
    bytes: corpus.bytes,
    units: units.length,
    lines,
    model: fixer.modelId,
    rawParseMs: round(rawMs, 1),
    splitMs: round(splitMs, 1),
    splitToUnitsMs: round(unitsMs, 1),
    offlineColdMs: round(coldMs, 1),
    offlineWarmMs: round(warmMs, 1),
    lintCalls,
    coldRunVsRawParse: round((unitsMs + coldMs) / rawMs),
    coldRunVsSplit: round((unitsMs + coldMs) / splitMs),
    offlineColdVsRawParse: round(coldMs / rawMs),
    changedUnits: iterated.changed,
    fixpointRate: iterated.rate,
    notFixpoint: iterated.notFixpoint,
    changedUnitsOnePass: once.changed,
    fixpointRateOnePass: once.rate,
    notFixpointOnePass: once.notFixpoint,
  };
  console.log(`raw remark parse              ${result.rawParseMs} ms`);
  console.log(`split()                       ${result.splitMs} ms`);
  console.log(`split to distinct units       ${result.splitToUnitsMs} ms (${units.length} units, ${lines} lines)`);
  console.log(`offline editor, cold          ${result.offlineColdMs} ms (${lintCalls} lint calls; linter created in this run)`);
  console.log(`offline editor, linter warm   ${result.offlineWarmMs} ms`);
  console.log(
    `cold offline run (units + editor) / raw parse: ${result.coldRunVsRawParse}x (goal <= 3x); / split(): ${result.coldRunVsSplit}x; editor alone / raw parse: ${result.offlineColdVsRawParse}x`,
  );
  console.log(
    `fixpoints without a cache: ${iterated.changed} units changed, ${iterated.notFixpoint} of them changed again by a second run: per-unit fixpoint rate ${iterated.rate}`,
  );
  console.log(
    `  with a single pass (maxPasses 1): ${once.changed} changed, ${once.notFixpoint} changed again: rate ${once.rate}`,
  );
  for (const e of [...iterated.examples, ...once.examples]) console.log(`  ${e}`);
  console.log(JSON.stringify(result));
}

await main();
