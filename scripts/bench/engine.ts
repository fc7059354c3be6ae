// npm run bench:engine: engine runs over the corpus against raw remark parsing of the same files, measured
// side by side in the same run: cold and warm (line cache only) in this thread; cold again with the parse
// pool (split on every core) against cold in this thread; a re-run served by file-level fixpoints.
// Prints numbers; no pass/fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/cache/index.js';
import { fixFiles } from '../../src/engine/fix.js';
import { createParsePool } from '../../src/engine/parse-pool.js';
import { inThreadParser } from '../../src/engine/parser.js';
import type { EngineContext, FixResult, SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';
import { loadCorpus, mbPerSecond, median, rawParse, round, time } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Runs on its own output before the file-level figure, at most (the first normally stores them). */
const MAX_CONVERGE_PASSES = 5;

const applied = (files: readonly SourceFile[], result: FixResult): SourceFile[] => {
  const after = new Map(result.patches.map((p) => [p.path, p.after]));
  return files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
};

export async function benchEngine(): Promise<Record<string, unknown>> {
  const corpus = loadCorpus();
  const files = corpus.files;
  const dir = mkdtempSync(join(tmpdir(), 'docs-fix-bench-engine-'));
  const store = await openStore({ kind: 'embedded', cacheDir: dir });
  const pool = createParsePool();
  // A fresh simulator per cold run: it counts calls, so every cold run gets the same answers and does the same work.
  const ctx = (scope: string, more: Partial<EngineContext> = {}): EngineContext => ({
    store,
    fixer: createFixer({ provider: 'sim', model: 'sim' }),
    scope,
    budget: { maxLines: Infinity, maxTokens: Infinity },
    ...more,
  });
  // The line-cache figures keep their meaning: file-level fixpoints are measured on their own below.
  const linesOnly = { fileFixpoints: false } as const;
  try {
    // Warms the JIT of this thread and of the pool's workers on throwaway scopes.
    await fixFiles(files, ctx('bench'));
    await pool.split(files);

    const raw: number[] = [];
    const splitInThread: number[] = [];
    const splitPool: number[] = [];
    const coldInThread: number[] = [];
    const coldPool: number[] = [];
    const warmInput: number[] = [];
    const warmOutput: number[] = [];
    let cold: FixResult | undefined;
    let identical = true;
    let output: SourceFile[] = files;
    let rerun = undefined as FixResult['summary'] | undefined;
    for (let r = 0; r < ROUNDS; r += 1) {
      raw.push(await time(() => rawParse(files)));
      splitInThread.push(await time(() => inThreadParser().split(files)));
      splitPool.push(await time(() => pool.split(files)));
      // Cold: a fresh scope each, the same files, in this thread and on the pool.
      let inThread: FixResult | undefined;
      let pooled: FixResult | undefined;
      coldInThread.push(
        await time(async () => {
          inThread = await fixFiles(files, ctx(`bench-cold-${r}`));
        }),
      );
      coldPool.push(
        await time(async () => {
          pooled = await fixFiles(files, ctx(`bench-pool-${r}`, { parser: pool }));
        }),
      );
      identical &&= inThread!.diff === pooled!.diff && inThread!.patches.length === pooled!.patches.length;
      if (r === 0) {
        cold = inThread!;
        output = applied(files, cold);
      }
      warmInput.push(await time(() => fixFiles(files, ctx('bench-cold-0', linesOnly))));
      warmOutput.push(
        await time(async () => {
          rerun = (await fixFiles(output, ctx('bench-cold-0', linesOnly))).summary;
        }),
      );
    }

    // File-level fixpoints: run on its own output until a run changes nothing and stores them, then re-run.
    let converged = output;
    let passes = 0;
    let stored = 0;
    while (passes < MAX_CONVERGE_PASSES) {
      passes += 1;
      const result = await fixFiles(converged, ctx('bench-cold-0'));
      converged = applied(converged, result);
      stored += result.summary.fileFixpointsStored;
      if (result.patches.length === 0 && result.summary.fileFixpointsStored > 0) break;
    }
    const convergedBytes = converged.reduce((n, f) => n + f.bytes.byteLength, 0);
    const rawOfConverged: number[] = [];
    const fileRerun: number[] = [];
    let fileSummary = undefined as FixResult['summary'] | undefined;
    for (let r = 0; r < ROUNDS; r += 1) {
      rawOfConverged.push(await time(() => rawParse(converged)));
      fileRerun.push(
        await time(async () => {
          fileSummary = (await fixFiles(converged, ctx('bench-cold-0'))).summary;
        }),
      );
    }

    const rawMs = median(raw);
    const coldMs = median(coldInThread);
    const coldPoolMs = median(coldPool);
    const rawConvergedMs = median(rawOfConverged);
    const result = {
      source: corpus.source,
      files: files.length,
      megabytes: round(corpus.bytes / 1e6),
      lines: cold!.summary.lines,
      editableLines: cold!.summary.editableLines,
      units: cold!.summary.units,
      distinctUnits: cold!.summary.distinctUnits,
      cold: {
        ms: round(coldMs, 1),
        MBps: round(mbPerSecond(corpus.bytes, coldMs)),
        modelLines: cold!.summary.modelLines,
        modelRequests: cold!.summary.modelRequests,
        changedLines: cold!.summary.changedLines,
        ratioToRawParse: round(coldMs / rawMs, 2),
      },
      rawParse: { ms: round(rawMs, 1), MBps: round(mbPerSecond(corpus.bytes, rawMs)) },
      warmOnInput: { ms: round(median(warmInput), 1), ratioToRawParse: round(median(warmInput) / rawMs, 3) },
      warmOnOutput: {
        ms: round(median(warmOutput), 1),
        ratioToRawParse: round(median(warmOutput) / rawMs, 3),
        modelLines: rerun!.modelLines,
        changedLines: rerun!.changedLines,
      },
      pool: {
        threads: pool.threads,
        split: {
          ms: round(median(splitPool), 1),
          inThreadMs: round(median(splitInThread), 1),
          speedup: round(median(splitInThread) / median(splitPool), 2),
        },
        cold: {
          ms: round(coldPoolMs, 1),
          inThreadMs: round(coldMs, 1),
          speedup: round(coldMs / coldPoolMs, 2),
          /** Every cold run on the pool gave the diff of the cold run in this thread. */
          identical,
        },
      },
      fileFixpointRerun: {
        passes,
        stored,
        files: converged.length,
        hits: fileSummary!.fileFixpointHits,
        parsedFiles: fileSummary!.files - fileSummary!.fileFixpointHits,
        modelLines: fileSummary!.modelLines,
        ms: round(median(fileRerun), 1),
        rawParseMs: round(rawConvergedMs, 1),
        rawParseMBps: round(mbPerSecond(convergedBytes, rawConvergedMs)),
        ratioToRawParse: round(median(fileRerun) / rawConvergedMs, 4),
      },
      rounds: ROUNDS,
    };
    return result;
  } finally {
    await pool.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = (await benchEngine()) as {
    files: number;
    megabytes: number;
    cold: { ms: number; modelLines: number; ratioToRawParse: number };
    rawParse: { ms: number; MBps: number };
    warmOnInput: { ms: number; ratioToRawParse: number };
    warmOnOutput: { ms: number; ratioToRawParse: number; modelLines: number; changedLines: number };
    pool: {
      threads: number;
      split: { ms: number; inThreadMs: number; speedup: number };
      cold: { ms: number; inThreadMs: number; speedup: number; identical: boolean };
    };
    fileFixpointRerun: {
      passes: number;
      files: number;
      hits: number;
      parsedFiles: number;
      ms: number;
      rawParseMs: number;
      ratioToRawParse: number;
    };
  };
  const p = r.pool;
  const f = r.fileFixpointRerun;
  process.stdout.write(
    [
      `engine over ${r.files} files, ${r.megabytes} MB (model: offline simulator; cache: embedded lmdb)`,
      `raw remark parse          ${r.rawParse.ms} ms (${r.rawParse.MBps} MB/s)`,
      `cold run                  ${r.cold.ms} ms, ${r.cold.modelLines} lines to the model (${r.cold.ratioToRawParse}x raw parse)`,
      `warm re-run on the input  ${r.warmOnInput.ms} ms (${r.warmOnInput.ratioToRawParse}x raw parse; goal <= 1.5x; line cache only)`,
      `warm re-run on its output ${r.warmOnOutput.ms} ms (${r.warmOnOutput.ratioToRawParse}x raw parse), ${r.warmOnOutput.modelLines} model lines, ${r.warmOnOutput.changedLines} changed lines (line cache only)`,
      `split, parse pool         ${p.split.ms} ms on ${p.threads} threads against ${p.split.inThreadMs} ms in this thread (${p.split.speedup}x faster)`,
      `cold run, parse pool      ${p.cold.ms} ms on ${p.threads} threads against ${p.cold.inThreadMs} ms in this thread (${p.cold.speedup}x faster; goal >= 1.7x on 2 cores); same diff: ${p.cold.identical}`,
      `re-run, file fixpoints    ${f.ms} ms, ${f.hits}/${f.files} files skipped whole, ${f.parsedFiles} parsed (${f.ratioToRawParse}x raw parse of ${f.rawParseMs} ms; goal <= 0.05x; after ${f.passes} run(s) on its output)`,
      JSON.stringify(r),
      '',
    ].join('\n'),
  );
}
