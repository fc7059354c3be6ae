// Benchmark: split+join throughput against a raw remark parse of the same files, in the same run.
// Usage: DOCS_FIX_CORPUS=../shared/corpus npm run bench:split   (ROUNDS=5 by default)
// Prints a table, then one JSON line ({"rawMBps", "splitJoinMBps", "ratio", ...}) for report scripts.
import { join, split } from '../../src/markdown/index.js';
import { parseMarkdown } from '../../src/markdown/parse.js';
import { loadCorpus, rawMarkdown, rawMdx } from './lib.js';

interface BenchFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly mdx: boolean;
}

const NONE: ReadonlyMap<number, string> = new Map();



// 'own' is the splitter's own parser set (adds remark-math), so its overhead over parsing shows too.
type Side = 'raw' | 'own' | 'splitJoin';
const SIDES: readonly Side[] = ['raw', 'own', 'splitJoin'];

function runOne(side: Side, file: BenchFile): number {
  const start = performance.now();
  try {
    if (side === 'splitJoin') join(split(file.bytes, { path: file.path }), NONE);
    else if (side === 'raw') (file.mdx ? rawMdx : rawMarkdown).parse(file.text);
    else parseMarkdown(file.text, file.path);
  } catch {
    // An MDX syntax error costs what it costs; split() meets the same error and skips the file.
  }
  return performance.now() - start;
}

/**
 * One round: every file is run by every side back to back, in an order that rotates from file to file,
 * so that load from other processes on the machine falls on all sides alike.
 */
function round(files: readonly BenchFile[], offset: number): Record<Side, number> {
  const total: Record<Side, number> = { raw: 0, own: 0, splitJoin: 0 };
  files.forEach((file, i) => {
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(i + offset + k) % SIDES.length]!;
      total[side] += runOne(side, file);
    }
  });
  return total;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function main(): void {
  const decoder = new TextDecoder();
  const files: BenchFile[] = loadCorpus().files.map((f) => ({
    path: f.path,
    bytes: f.bytes,
    text: decoder.decode(f.bytes),
    mdx: f.path.toLowerCase().endsWith('.mdx'),
  }));
  const bytes = files.reduce((sum, f) => sum + f.bytes.length, 0);
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? 5));
  console.log(`bench:split: ${files.length} files, ${(bytes / 1e6).toFixed(2)} MB, ${rounds} rounds (+1 warm-up)`);

  // A warm-up round on a tenth of the files, so that every side runs JIT-compiled code.
  round(
    files.filter((_, i) => i % 10 === 0),
    0,
  );
  const raw: number[] = [];
  const own: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = round(files, r);
    raw.push(t.raw);
    own.push(t.own);
    ours.push(t.splitJoin);
    console.log(
      `  round ${r + 1}: raw parse ${t.raw.toFixed(0)} ms, parse with math ${t.own.toFixed(0)} ms, split+join ${t.splitJoin.toFixed(0)} ms`,
    );
  }

  const rawMs = median(raw);
  const ownMs = median(own);
  const oursMs = median(ours);
  const mbps = (ms: number): number => Number((bytes / 1e6 / (ms / 1000)).toFixed(3));
  const result = {
    files: files.length,
    bytes,
    rounds,
    rawMs: Number(rawMs.toFixed(1)),
    ownParseMs: Number(ownMs.toFixed(1)),
    splitJoinMs: Number(oursMs.toFixed(1)),
    rawMBps: mbps(rawMs),
    ownParseMBps: mbps(ownMs),
    splitJoinMBps: mbps(oursMs),
    ratio: Number((oursMs / rawMs).toFixed(3)),
    ratioOwnParse: Number((oursMs / ownMs).toFixed(3)),
  };
  console.log(`raw remark parse  ${result.rawMBps.toFixed(2)} MB/s  (median ${result.rawMs} ms)`);
  console.log(`parse with math   ${result.ownParseMBps.toFixed(2)} MB/s  (median ${result.ownParseMs} ms; the splitter's parser set)`);
  console.log(`split + join      ${result.splitJoinMBps.toFixed(2)} MB/s  (median ${result.splitJoinMs} ms)`);
  console.log(`ratio split+join / raw parse: ${result.ratio.toFixed(2)}x (goal <= 1.3x)`);
  console.log(`ratio split+join / parse with math: ${result.ratioOwnParse.toFixed(2)}x`);
  console.log(JSON.stringify(result));
}

main();
