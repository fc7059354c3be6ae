// npm run bench:engine: cold and warm engine runs over the corpus against raw remark parsing of the same
// files, measured side by side in the same run. Prints numbers; no pass/fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/cache/index.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';
import { loadCorpus, mbPerSecond, median, rawParse, round, time } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

export async function benchEngine(): Promise<Record<string, unknown>> {
  const corpus = loadCorpus();
  const dir = mkdtempSync(join(tmpdir(), 'docs-fix-bench-engine-'));
  const store = await openStore({ kind: 'embedded', cacheDir: dir });
  const fixer = createFixer({ provider: 'sim', model: 'sim' });
  const ctx = { store, fixer, scope: 'bench', budget: { maxLines: Infinity, maxTokens: Infinity } };
  try {
    let cold = await fixFiles(corpus.files, ctx);
    const coldMs = await time(async () => {
      // The first call above warmed the JIT on a throwaway store; measure a cold cache on a fresh scope.
      cold = await fixFiles(corpus.files, { ...ctx, scope: 'bench-cold' });
    });
    const after = new Map(cold.patches.map((p) => [p.path, p.after]));
    const output: SourceFile[] = corpus.files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));

    const raw: number[] = [];
    const warmInput: number[] = [];
    const warmOutput: number[] = [];
    let rerun = cold.summary;
    for (let r = 0; r < ROUNDS; r += 1) {
      raw.push(await time(() => rawParse(corpus.files)));
      warmInput.push(await time(() => fixFiles(corpus.files, { ...ctx, scope: 'bench-cold' })));
      warmOutput.push(
        await time(async () => {
          rerun = (await fixFiles(output, { ...ctx, scope: 'bench-cold' })).summary;
        }),
      );
    }
    const rawMs = median(raw);
    const result = {
      source: corpus.source,
      files: corpus.files.length,
      megabytes: round(corpus.bytes / 1e6),
      lines: cold.summary.lines,
      editableLines: cold.summary.editableLines,
      distinctLines: cold.summary.distinctLines,
      cold: {
        ms: round(coldMs, 1),
        MBps: round(mbPerSecond(corpus.bytes, coldMs)),
        modelLines: cold.summary.modelLines,
        modelRequests: cold.summary.modelRequests,
        changedLines: cold.summary.changedLines,
        ratioToRawParse: round(coldMs / rawMs, 2),
      },
      rawParse: { ms: round(rawMs, 1), MBps: round(mbPerSecond(corpus.bytes, rawMs)) },
      warmOnInput: { ms: round(median(warmInput), 1), ratioToRawParse: round(median(warmInput) / rawMs, 3) },
      warmOnOutput: {
        ms: round(median(warmOutput), 1),
        ratioToRawParse: round(median(warmOutput) / rawMs, 3),
        modelLines: rerun.modelLines,
        changedLines: rerun.changedLines,
      },
      rounds: ROUNDS,
    };
    return result;
  } finally {
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
  };
  process.stdout.write(
    [
      `engine over ${r.files} files, ${r.megabytes} MB (model: offline simulator; cache: embedded lmdb)`,
      `raw remark parse          ${r.rawParse.ms} ms (${r.rawParse.MBps} MB/s)`,
      `cold run                  ${r.cold.ms} ms, ${r.cold.modelLines} lines to the model (${r.cold.ratioToRawParse}x raw parse)`,
      `warm re-run on the input  ${r.warmOnInput.ms} ms (${r.warmOnInput.ratioToRawParse}x raw parse; goal <= 1.5x)`,
      `warm re-run on its output ${r.warmOnOutput.ms} ms (${r.warmOnOutput.ratioToRawParse}x raw parse), ${r.warmOnOutput.modelLines} model lines, ${r.warmOnOutput.changedLines} changed lines`,
      JSON.stringify(r),
      '',
    ].join('\n'),
  );
}
