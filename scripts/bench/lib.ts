// Shared by the benchmark scripts: the corpus, the raw-parse reference, and timing helpers.
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { collectMarkdownPaths, readWithinLimits } from '../../src/engine/files.js';
import type { SourceFile } from '../../src/engine/types.js';

export interface Corpus {
  readonly files: SourceFile[];
  readonly bytes: number;
  /** Where the files came from, for the printed report. */
  readonly source: string;
}

/** Reads every markdown file under $DOCS_FIX_CORPUS, or the bundled fixtures with a warning when it is unset. */
export function loadCorpus(): Corpus {
  const fromEnv = process.env.DOCS_FIX_CORPUS;
  const root = fromEnv ?? new URL('../../../test/fixtures', import.meta.url).pathname;
  if (!fromEnv) {
    process.stderr.write(
      'bench: DOCS_FIX_CORPUS is not set: measuring the small bundled fixtures only; set it to a markdown corpus (CI: ../shared/corpus) for real figures\n',
    );
  }
  // Read the way the CLI reads a folder: every .md/.mdx/.markdown file, sorted by path.
  const { paths } = collectMarkdownPaths(['.'], { include: ['**/*'], exclude: [] }, root);
  const { files } = readWithinLimits(paths, root, { maxFiles: Infinity, maxBytes: Infinity });
  return { files, bytes: files.reduce((n, f) => n + f.bytes.byteLength, 0), source: root };
}

// The reference every benchmark names "raw parse": remark-parse + GFM + front matter (+ remark-mdx for .mdx),
// without the splitter's extra remark-math, so the splitter pays for its own plugins.
export const rawMarkdown = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml', 'toml']).freeze();
export const rawMdx = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkMdx)
  .freeze();

/** The floor every figure is compared with: remark parsing the same files with the same extensions. */
export function rawParse(files: readonly SourceFile[]): number {
  const decoder = new TextDecoder();
  let nodes = 0;
  for (const f of files) {
    const processor = f.path.toLowerCase().endsWith('.mdx') ? rawMdx : rawMarkdown;
    try {
      nodes += processor.parse(decoder.decode(f.bytes)).children.length;
    } catch {
      // An MDX file that does not parse costs what it cost until the error, as in split().
    }
  }
  return nodes;
}

export async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * A store's lookups against raw MGET of the same keys, `rounds` times after one warm-up round. The two are
 * interleaved batch by batch, alternating which goes first, so load drift on the machine hits both alike.
 */
export async function storeAgainstMget<Key, RawKey>(
  batches: readonly Key[][],
  rawBatches: readonly RawKey[][],
  rounds: number,
  storeGet: (keys: Key[]) => Promise<readonly unknown[]>,
  rawMget: (keys: RawKey[]) => Promise<unknown>,
): Promise<{
  keys: number;
  served: number;
  storeLookupsPerSecond: number;
  rawMgetLookupsPerSecond: number;
  ratio: number;
}> {
  const storeMs: number[] = [];
  const rawMs: number[] = [];
  let served = 0;
  for (let r = 0; r <= rounds; r++) {
    let storeTime = 0;
    let rawTime = 0;
    for (const [i, batch] of batches.entries()) {
      const t0 = performance.now();
      if (i % 2) served += (await storeGet(batch)).length;
      else await rawMget(rawBatches[i]!);
      const t1 = performance.now();
      if (i % 2) await rawMget(rawBatches[i]!);
      else served += (await storeGet(batch)).length;
      const t2 = performance.now();
      storeTime += i % 2 ? t1 - t0 : t2 - t1;
      rawTime += i % 2 ? t2 - t1 : t1 - t0;
    }
    if (r === 0) continue; // warm-up
    storeMs.push(storeTime);
    rawMs.push(rawTime);
  }
  const keys = batches.reduce((n, b) => n + b.length, 0);
  const storePerSecond = keys / (median(storeMs) / 1000);
  const rawPerSecond = keys / (median(rawMs) / 1000);
  return {
    keys,
    served,
    storeLookupsPerSecond: Math.round(storePerSecond),
    rawMgetLookupsPerSecond: Math.round(rawPerSecond),
    ratio: round(storePerSecond / rawPerSecond, 3),
  };
}

export function mbPerSecond(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000);
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A seeded PRNG (mulberry32): synthetic inputs are the same in every run, so runs compare. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A copy of `xs` in a seeded random order (Fisher–Yates). */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The process's resident-set high-water mark so far, in bytes (the kernel's figure, not a sample). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
