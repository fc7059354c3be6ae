// npm run bench:units: prose units (a paragraph over its wrapped lines) against line units (each editable
// line alone, as docs-fix worked before), on the corpus, with the offline simulator. Prints numbers and a
// JSON object on its last line; no pass/fail.
//
// - Units: how many the model would be asked about (all, distinct), and a cold run's model lines, requests
//   and tokens, in both modes.
// - An incremental push: a warm cache, then 20 editable lines changed (a misspelling the simulator fixes
//   put into each): model lines and tokens of the push in both modes. A unit costs more tokens per change
//   than a line (its whole paragraph is asked about); the figure says by how much.
// - Sentence-case damage: `converge --sim-rules sentence-case` on rust-lang/book (or the whole corpus when
//   that folder is absent): continuation lines (lines 2.. of a paragraph) whose first letter the run
//   capitalised, with line units and with prose units. Goal: 0 with prose units.
// - Convergence: the re-run on the prose-unit output sends 0 units and changes 0 lines.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { EngineContext, FixResult, SourceFile } from '../../src/engine/types.js';
import { split } from '../../src/markdown/index.js';
import { createFixer, type SimRule } from '../../src/model/index.js';
import { loadCorpus, round, seededRandom } from './lib.js';

type Units = 'prose' | 'line';
const CHANGED_LINES = 20;

const applied = (files: readonly SourceFile[], result: FixResult): SourceFile[] => {
  const after = new Map(result.patches.map((p) => [p.path, p.after]));
  return files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
};

function ctx(store: MemoryStore, units: Units, rules?: SimRule[]): EngineContext {
  return {
    store,
    fixer: createFixer({ provider: 'sim', model: 'sim', sim: { flipRate: 0, ...(rules ? { rules } : {}) } }),
    scope: 'bench-units',
    budget: { maxLines: Infinity, maxTokens: Infinity },
    units,
    fileFixpoints: false,
  };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** `count` editable lines of the files, spread over them, each given a misspelling the simulator fixes. */
function pushOf(files: readonly SourceFile[], count: number): SourceFile[] {
  const candidates: { file: number; line: number }[] = [];
  files.forEach((f, i) => {
    const doc = split(f.bytes, { path: f.path });
    for (const l of doc.lines) if (l.editable && /\bthe\b/.test(l.text)) candidates.push({ file: i, line: l.index });
  });
  const random = seededRandom(20);
  const chosen = new Map<number, Set<number>>();
  for (let n = 0; n < count && candidates.length > 0; n += 1) {
    const [pick] = candidates.splice(Math.floor(random() * candidates.length), 1);
    chosen.set(pick!.file, (chosen.get(pick!.file) ?? new Set()).add(pick!.line));
  }
  return files.map((f, i) => {
    const lines = chosen.get(i);
    if (!lines) return f;
    const text = decoder.decode(f.bytes).split('\n');
    for (const line of lines) text[line] = text[line]!.replace(/\bthe\b/, 'teh');
    return { path: f.path, bytes: encoder.encode(text.join('\n')) };
  });
}

/** Lines 2.. of a multi-line prose unit whose first letter went from lower to upper case. */
function damagedContinuationLines(before: readonly SourceFile[], after: readonly SourceFile[]): number {
  let damaged = 0;
  before.forEach((f, i) => {
    if (after[i]!.bytes === f.bytes) return;
    const doc = split(f.bytes, { path: f.path });
    const out = split(after[i]!.bytes, { path: f.path });
    for (const unit of doc.units) {
      for (const index of unit.lines.slice(1)) {
        const was = doc.lines[index]!.text;
        const now = out.lines[index]?.text ?? was;
        if (/^\p{Ll}/u.test(was) && /^\p{Lu}/u.test(now)) damaged += 1;
      }
    }
  });
  return damaged;
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const files = corpus.files;
  const result: Record<string, unknown> = { files: files.length };

  // Units, and a cold run in each mode.
  for (const units of ['line', 'prose'] as const) {
    const cold = await fixFiles(files, ctx(new MemoryStore(), units));
    const s = cold.summary;
    result[`${units}Cold`] = {
      units: s.units,
      distinctUnits: s.distinctUnits,
      modelUnits: s.modelUnits,
      modelLines: s.modelLines,
      modelRequests: s.modelRequests,
      tokens: s.tokens.total,
      changedLines: s.changedLines,
    };
  }

  // The incremental push: a warm cache at the files' fixpoint, then 20 lines changed.
  const pushes: Record<string, unknown> = {};
  for (const units of ['line', 'prose'] as const) {
    const store = new MemoryStore();
    const first = await fixFiles(files, ctx(store, units));
    const settled = applied(files, first);
    const rerun = await fixFiles(settled, ctx(store, units));
    const pushed = pushOf(settled, CHANGED_LINES);
    const push = await fixFiles(pushed, ctx(store, units));
    pushes[units] = {
      rerunModelUnits: rerun.summary.modelUnits,
      rerunChangedLines: rerun.summary.changedLines,
      modelUnits: push.summary.modelUnits,
      modelLines: push.summary.modelLines,
      tokens: push.summary.tokens.total,
      changedLines: push.summary.changedLines,
    };
  }
  const pl = pushes.line as { tokens: number; modelLines: number };
  const pp = pushes.prose as { tokens: number; modelLines: number };
  result.push = {
    changedLines: CHANGED_LINES,
    ...pushes,
    tokensProseToLine: round(pp.tokens / pl.tokens, 2),
    modelLinesProseToLine: round(pp.modelLines / pl.modelLines, 2),
  };

  // Sentence-case damage on a hard-wrapped book.
  const book = corpus.source && existsSync(join(corpus.source, 'rust-lang__book'));
  const bookFiles = book ? files.filter((f) => f.path.startsWith('rust-lang__book/')) : files;
  const damage: Record<string, number> = {};
  for (const units of ['line', 'prose'] as const) {
    const run = await fixFiles(bookFiles, ctx(new MemoryStore(), units, ['sentence-case']));
    damage[units] = damagedContinuationLines(bookFiles, applied(bookFiles, run));
  }
  result.sentenceCase = { where: book ? 'rust-lang__book' : 'corpus', files: bookFiles.length, damagedContinuationLines: damage };

  const lc = result.lineCold as { units: number; modelLines: number; tokens: number };
  const pc = result.proseCold as { units: number; distinctUnits: number; modelLines: number; tokens: number };
  const pu = pushes.prose as { rerunModelUnits: number; rerunChangedLines: number; tokens: number; modelUnits: number };
  const lu = pushes.line as { tokens: number; modelUnits: number };
  process.stdout.write(
    [
      `units over ${files.length} files: ${lc.units} line units, ${pc.units} prose units (${pc.distinctUnits} distinct)`,
      `cold run: line units ${lc.modelLines} model lines, ${lc.tokens} tokens; prose units ${pc.modelLines} model lines, ${pc.tokens} tokens (${round(pc.tokens / lc.tokens, 2)}x)`,
      `push of ${CHANGED_LINES} changed lines: line units ${lu.modelUnits} units, ${lu.tokens} tokens; prose units ${pu.modelUnits} units, ${pu.tokens} tokens (${round(pu.tokens / lu.tokens, 2)}x)`,
      `re-run on its own output (prose units): ${pu.rerunModelUnits} units asked, ${pu.rerunChangedLines} lines changed`,
      `sentence-case on ${book ? 'rust-lang__book' : 'the corpus'} (${bookFiles.length} files): ${damage.line} continuation lines damaged with line units, ${damage.prose} with prose units`,
      '',
    ].join('\n'),
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
