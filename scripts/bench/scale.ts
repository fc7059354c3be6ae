// npm run bench (part of it), or alone: node dist/scripts/bench/scale.js
// Synthetic repositories built from the corpus at ~1k, 10k, 100k and 1M lines: a cold run (everything
// missing), a warm run (same input, everything cached) and pushes that change a share of the lines, each
// timed side by side with a raw remark parse of the same files. Prints numbers and one JSON line; no pass/fail.
// Env: BENCH_SIZES=1000,10000 (lines), BENCH_SCALE_CHUNK_LINES (lines per engine call, 0 = one call),
// BENCH_REDIS_URL (also run on a RedisStore), BENCH_REDIS_MAX_LINES (largest size run on Redis).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { openStore, type MaintainedLineStore, type StoreKind } from '../../src/cache/index.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { EngineContext, FixResult, RunSummary, SourceFile } from '../../src/engine/types.js';
import { split } from '../../src/markdown/index.js';
import type { LineKind } from '../../src/markdown/types.js';
import { createFixer } from '../../src/model/index.js';
import { loadCorpus, median, peakRssBytes, rawParse, round, shuffled, time } from './lib.js';

export const DEFAULT_SIZES = [1_000, 10_000, 100_000, 1_000_000] as const;

export interface ScaleOptions {
  /** Target repository sizes in lines (each repository is a prefix of the next). */
  readonly sizes?: readonly number[];
  /** Lines per engine call: a big repository is fixed in chunks, as a run capped in files and bytes would. 0: one call. */
  readonly chunkLines?: number;
  /** Also run every size up to `redisMaxLines` on a RedisStore at this URL. */
  readonly redisUrl?: string;
  readonly redisMaxLines?: number;
  /** Shares of the lines changed by the pushes at every size. */
  readonly pushFractions?: readonly number[];
  /** Extra shares measured at one size only (the largest up to 100k lines). */
  readonly extraPushFractions?: readonly number[];
  /** A push of this many lines in the same files at every size: its cost should not depend on the size. */
  readonly fixedPushLines?: number;
  /** Median of this many warm/raw rounds for sizes under 100k lines (one round from 100k up). */
  readonly rounds?: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

/** One engine pass over a set of files, summed over its chunks. */
export interface EngineFigures {
  ms: number;
  chunks: number;
  files: number;
  lines: number;
  editableLines: number;
  /** Distinct (kind, text) pairs, summed per chunk (exact when there is one chunk). */
  distinctUnits: number;
  modelLines: number;
  modelRequests: number;
  tokens: number;
  changedLines: number;
  fixpointHits: number;
  rewriteHits: number;
}

export interface PushFigures extends EngineFigures {
  /** `1%`, `2%`, … or `fixed`. */
  readonly label: string;
  /** Lines changed in the input by the push. */
  readonly changedInputLines: number;
  readonly touchedFiles: number;
  /**
   * Source lines of the distinct changed prose units (a unit holding a changed line, asked about whole)
   * never seen by this store, counted here with the splitter but without the engine.
   */
  readonly expectedModelLines: number;
  readonly rawParseMs: number;
  readonly ratioToRawParse: number;
}

export interface ScaleCase {
  readonly targetLines: number;
  readonly store: StoreKind;
  readonly files: number;
  readonly bytes: number;
  readonly lines: number;
  readonly rawParseMs: number;
  readonly cold: EngineFigures & { ratioToRawParse: number };
  readonly warm: EngineFigures & { ratioToRawParse: number };
  /** A warm re-run on the cold run's output (nothing left to change: no structure re-checks). */
  readonly warmOnOutput: EngineFigures & { ratioToRawParse: number };
  readonly pushes: PushFigures[];
  /** Resident-set high-water mark of the process after this case (sizes run in ascending order). */
  readonly peakRssBytes: number;
  readonly wallMs: number;
}

export interface ScaleResult {
  readonly source: string;
  readonly model: string;
  readonly chunkLines: number;
  readonly rounds: number;
  readonly cases: ScaleCase[];
  /** RSS once the corpus is loaded and reduced to templates, before the first case: the bench's own share. */
  readonly baselineRssBytes: number;
  readonly peakRssBytes: number;
  readonly totalMs: number;
}

/**
 * A corpus file split once and reduced to byte offsets, so the bench's own data stays small next to the
 * engine's: every synthetic copy is spliced from the source bytes.
 */
interface Template {
  readonly path: string;
  readonly source: Uint8Array;
  readonly lines: number;
  /** Byte offset where the text of each editable line ends (ascending). */
  readonly textEnds: Int32Array;
  readonly pushable: readonly PushableLine[];
}

/** An editable prose line with a plain-text `the` a push can turn into `teh`. */
interface PushableLine {
  readonly kind: LineKind;
  readonly textStart: number;
  readonly textEnd: number;
  /** Byte offset of the `the`. */
  readonly at: number;
}

interface SyntheticFile extends SourceFile {
  readonly template: Template;
  readonly copy: number;
  readonly lines: number;
}

const PUSHABLE_KINDS: ReadonlySet<LineKind> = new Set(['paragraph', 'list-item', 'blockquote']);
/** A `the` before any code span, link, HTML, emphasis or bracket, so the misspelling lands in plain prose. */
const PLAIN_THE = /^([^`<[\]()*_]*?\b)the\b/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const utf8Length = (s: string): number => encoder.encode(s).byteLength;

function templateOf(file: SourceFile): Template | undefined {
  const doc = split(file.bytes, { path: file.path });
  if (doc.skipped || doc.lines.length === 0) return undefined;
  const textEnds: number[] = [];
  const pushable: PushableLine[] = [];
  let offset = doc.bom ? 3 : 0;
  for (const unit of doc.lines) {
    const textStart = offset + utf8Length(unit.prefix);
    const textEnd = textStart + utf8Length(unit.text);
    offset = textEnd + utf8Length(unit.suffix);
    if (!unit.editable) continue;
    textEnds.push(textEnd);
    const the = PLAIN_THE.exec(unit.text);
    if (PUSHABLE_KINDS.has(unit.kind) && the) {
      pushable.push({ kind: unit.kind, textStart, textEnd, at: textStart + utf8Length(the[1]!) });
    }
  }
  if (offset !== doc.source.byteLength) throw new Error(`${file.path}: line units do not cover the file`);
  return { path: file.path, source: doc.source, lines: doc.lines.length, textEnds: Int32Array.from(textEnds), pushable };
}

const copyMark = (copy: number): string => (copy === 0 ? '' : ` (copy ${copy})`);

/** Copy 0 is the file as it is; copy k appends `(copy k)` to every editable line, so copies are not all hits. */
function build(t: Template, copy: number, pushed: readonly PushableLine[] = []): Uint8Array {
  let source = t.source;
  if (pushed.length > 0) {
    source = t.source.slice();
    for (const p of pushed) source.set(TEH, p.at);
  }
  if (copy === 0) return source;
  const mark = encoder.encode(copyMark(copy));
  const out = new Uint8Array(source.byteLength + mark.byteLength * t.textEnds.length);
  let from = 0;
  let to = 0;
  for (const end of t.textEnds) {
    out.set(source.subarray(from, end), to);
    to += end - from;
    out.set(mark, to);
    to += mark.byteLength;
    from = end;
  }
  out.set(source.subarray(from), to);
  return out;
}

const TEH = encoder.encode('teh');

/** The first `targetLines` lines of the endless sequence copy 0, copy 1, … of the shuffled corpus. */
function buildRepository(templates: readonly Template[], targetLines: number): SyntheticFile[] {
  const files: SyntheticFile[] = [];
  let lines = 0;
  for (let copy = 0; lines < targetLines; copy += 1) {
    for (const t of templates) {
      if (lines >= targetLines) break;
      files.push({ path: `copy-${copy}/${t.path}`, bytes: build(t, copy), template: t, copy, lines: t.lines });
      lines += t.lines;
    }
  }
  return files;
}

interface Push {
  readonly files: SourceFile[];
  readonly changedInputLines: number;
  /** `kind\0text` of every prose unit holding a changed line, with its number of source lines. */
  readonly pairs: Map<string, number>;
}

/**
 * Changes `target` lines: `the` becomes `teh` in the pushable lines of the files taken in `order`, as an
 * edit pass over a few pages would, skipping lines an earlier push changed. Only the touched files are
 * returned: the app parses only those.
 */
function makePush(repo: readonly SyntheticFile[], order: readonly number[], target: number, used: Set<string>): Push {
  const files: SourceFile[] = [];
  const pairs = new Map<string, number>();
  let changed = 0;
  for (const fileIndex of order) {
    if (changed >= target) break;
    const f = repo[fileIndex]!;
    const lines: PushableLine[] = [];
    f.template.pushable.forEach((line, k) => {
      if (changed >= target || used.has(`${fileIndex}:${k}`)) return;
      used.add(`${fileIndex}:${k}`);
      lines.push(line);
      changed += 1;
    });
    if (lines.length === 0) continue;
    const bytes = build(f.template, f.copy, lines);
    files.push({ path: f.path, bytes });
    // The engine asks about each unit that holds a changed line, whole: those are what the push costs.
    for (const u of split(bytes, { path: f.path }).units) {
      if (/\bteh\b/.test(u.text)) pairs.set(`${u.kind}\u0000${u.text}`, u.lines.length);
    }
  }
  return { files, changedInputLines: changed, pairs };
}

function emptyFigures(): EngineFigures {
  return {
    ms: 0,
    chunks: 0,
    files: 0,
    lines: 0,
    editableLines: 0,
    distinctUnits: 0,
    modelLines: 0,
    modelRequests: 0,
    tokens: 0,
    changedLines: 0,
    fixpointHits: 0,
    rewriteHits: 0,
  };
}

function add(into: EngineFigures, s: RunSummary, ms: number): void {
  into.ms += ms;
  into.chunks += 1;
  into.files += s.files;
  into.lines += s.lines;
  into.editableLines += s.editableLines;
  into.distinctUnits += s.distinctUnits;
  into.modelLines += s.modelLines;
  into.modelRequests += s.modelRequests;
  into.tokens += s.tokens.total;
  into.changedLines += s.changedLines;
  into.fixpointHits += s.fixpointHits;
  into.rewriteHits += s.rewriteHits;
}

/** Consecutive runs of files holding about `chunkLines` lines each (one run when chunkLines is 0). */
function chunksOf<T extends SourceFile>(files: readonly T[], chunkLines: number, linesOf: (f: T) => number): T[][] {
  if (chunkLines <= 0) return [[...files]];
  const chunks: T[][] = [];
  let current: T[] = [];
  let lines = 0;
  for (const f of files) {
    current.push(f);
    lines += linesOf(f);
    if (lines >= chunkLines) {
      chunks.push(current);
      current = [];
      lines = 0;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Runs the engine chunk by chunk, timing a raw parse of each chunk right before it when asked, so that
 * load from elsewhere on the machine falls on both sides alike. Only the summaries are kept, and the
 * patched bytes when `output` is given.
 */
async function engineAndRaw(
  chunks: readonly (readonly SourceFile[])[],
  ctx: EngineContext,
  opts: { raw: boolean; output?: Map<string, Uint8Array> },
): Promise<{ figures: EngineFigures; rawMs: number }> {
  const { output } = opts;
  const figures = emptyFigures();
  let rawMs = 0;
  for (const chunk of chunks) {
    if (opts.raw) rawMs += await time(() => rawParse(chunk));
    let result: FixResult | undefined;
    const ms = await time(async () => {
      result = await fixFiles(chunk, ctx);
    });
    add(figures, result!.summary, ms);
    for (const patch of output ? result!.patches : []) output!.set(patch.path, patch.after);
  }
  return { figures, rawMs };
}

async function openCaseStore(kind: StoreKind, redisUrl: string | undefined): Promise<{
  store: MaintainedLineStore;
  dispose: (scope: string) => Promise<void>;
}> {
  if (kind === 'redis') {
    const store = await openStore({ kind: 'redis', redisUrl, prefix: `dfbench-${randomBytes(4).toString('hex')}` });
    return {
      store,
      dispose: async (scope) => {
        await store.purgeScope(scope);
        await store.close();
      },
    };
  }
  const dir = mkdtempSync(joinPath(tmpdir(), 'docs-fix-bench-scale-'));
  const store = await openStore({ kind, cacheDir: dir });
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const pct = (x: number): string => `${round(x * 100, 2)}%`;

export async function benchScale(options: ScaleOptions = {}): Promise<ScaleResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const sizes = [...(options.sizes ?? DEFAULT_SIZES)].sort((a, b) => a - b);
  const chunkLines = options.chunkLines ?? 100_000;
  const pushFractions = options.pushFractions ?? [0.01];
  const extraFractions = options.extraPushFractions ?? [0.02, 0.05];
  const fixedPushLines = options.fixedPushLines ?? 20;
  const rounds = options.rounds ?? 3;
  const seed = options.seed ?? 9;
  const stores: StoreKind[] = ['embedded', ...(options.redisUrl ? (['redis'] as const) : [])];
  const redisMaxLines = options.redisMaxLines ?? 100_000;
  const extraAt = [...sizes].reverse().find((s) => s <= 100_000) ?? sizes[0];

  const corpus = loadCorpus();
  const templates = shuffled(
    corpus.files.flatMap((f) => templateOf(f) ?? []),
    seed,
  );
  const fixer = createFixer({ provider: 'sim', model: 'sim' });
  const budget = { maxLines: Infinity, maxTokens: Infinity };
  const corpusLines = templates.reduce((n, t) => n + t.lines, 0);
  const pushableLines = templates.reduce((n, t) => n + t.pushable.length, 0);
  log(
    `scale: ${templates.length} corpus files (${corpusLines} lines, ${pushableLines} prose lines with a plain "the") ` +
      `from ${corpus.source}; model: ${fixer.label}; chunks of ${chunkLines || 'all'} lines`,
  );

  // JIT warm-up on a throwaway store, so the first size is not measured on cold code.
  {
    const { store, dispose } = await openCaseStore('memory', undefined);
    const repo = buildRepository(templates, Math.min(sizes[0] ?? 1000, 5000));
    const ctx = { store, fixer, scope: 'warmup', budget };
    await engineAndRaw([repo], ctx, { raw: true });
    await engineAndRaw([repo], ctx, { raw: true });
    await dispose('warmup');
  }

  const baselineRssBytes = process.memoryUsage().rss;
  const cases: ScaleCase[] = [];
  for (const size of sizes) {
    const repo = buildRepository(templates, size);
    const lines = repo.reduce((n, f) => n + f.lines, 0);
    const bytes = repo.reduce((n, f) => n + f.bytes.byteLength, 0);
    const chunks = chunksOf(repo, chunkLines, (f) => f.lines);
    // Pairs a push line could equal: every changed pair has a `teh`, so only lines with one matter.
    const tehInRepo = tehPairs(repo);
    for (const kind of stores) {
      if (kind === 'redis' && size > redisMaxLines) continue;
      const caseStart = performance.now();
      const scope = `bench-scale-${size}`;
      const { store, dispose } = await openCaseStore(kind, options.redisUrl);
      const ctx: EngineContext = { store, fixer, scope, budget };
      // Per store: each case starts from an empty store.
      const seen = new Set(tehInRepo);
      try {
        log(`\n${size} lines target: ${repo.length} files, ${lines} lines, ${round(bytes / 1e6, 2)} MB, store ${kind}`);
        const output = new Map<string, Uint8Array>();
        const cold = await engineAndRaw(chunks, ctx, { raw: false, output });
        if (cold.figures.lines !== lines) log(`  note: the engine counted ${cold.figures.lines} lines`);
        const raw: number[] = [];
        const warmRuns: EngineFigures[] = [];
        for (let r = 0; r < (size < 100_000 ? rounds : 1); r += 1) {
          const warm = await engineAndRaw(chunks, ctx, { raw: true });
          raw.push(warm.rawMs);
          warmRuns.push(warm.figures);
        }
        // The steady state: a re-run on the bot's own output, where no rewrite is served any more.
        const outputChunks = chunks.map((c) => c.map((f) => ({ path: f.path, bytes: output.get(f.path) ?? f.bytes })));
        output.clear();
        const onOutput = await engineAndRaw(outputChunks, ctx, { raw: false });
        const rawMs = median(raw);
        const warm = warmRuns.sort((a, b) => a.ms - b.ms)[Math.floor(warmRuns.length / 2)]!;
        log(
          `  raw parse ${round(rawMs, 0)} ms | cold ${round(cold.figures.ms, 0)} ms (${round(cold.figures.ms / rawMs, 2)}x), ` +
            `${cold.figures.modelLines} model lines, ${cold.figures.modelRequests} requests, ${cold.figures.changedLines} changed | ` +
            `warm ${round(warm.ms, 0)} ms (${round(warm.ms / rawMs, 2)}x raw; goal <= 1.5x), ${warm.modelLines} model lines | ` +
            `warm on its output ${round(onOutput.figures.ms, 0)} ms (${round(onOutput.figures.ms / rawMs, 2)}x), ` +
            `${onOutput.figures.modelLines} model lines, ${onOutput.figures.changedLines} changed`,
        );

        const pushes: PushFigures[] = [];
        const fractions = size === extraAt ? [...pushFractions, ...extraFractions] : pushFractions;
        const shuffledOrder = shuffled(
          repo.map((_, i) => i),
          seed + 1,
        );
        const specs = [
          { label: 'fixed', target: fixedPushLines, order: repo.map((_, i) => i) },
          ...fractions.map((f) => ({ label: pct(f), target: Math.round(f * lines), order: shuffledOrder })),
        ];
        // Each push starts from the same repository and changes lines no earlier push changed.
        const used = new Set<string>();
        for (const spec of specs) {
          const push = makePush(repo, spec.order, spec.target, used);
          const expected = [...push.pairs].reduce((n, [p, lines]) => (seen.has(p) ? n : n + lines), 0);
          for (const p of push.pairs.keys()) seen.add(p);
          const run = await engineAndRaw(chunksOf(push.files, chunkLines, () => 0), ctx, { raw: true });
          pushes.push({
            ...run.figures,
            label: spec.label,
            changedInputLines: push.changedInputLines,
            touchedFiles: push.files.length,
            expectedModelLines: expected,
            rawParseMs: round(run.rawMs, 1),
            ratioToRawParse: round(run.figures.ms / run.rawMs, 3),
          });
          log(
            `  push ${spec.label.padEnd(5)} ${push.changedInputLines} lines changed in ${push.files.length} files ` +
              `(${run.figures.lines} lines parsed): ${round(run.figures.ms, 0)} ms (raw parse ${round(run.rawMs, 0)} ms), ` +
              `model lines ${run.figures.modelLines} == lines of the distinct changed units ${expected}: ${run.figures.modelLines === expected}`,
          );
        }
        cases.push({
          targetLines: size,
          store: kind,
          files: repo.length,
          bytes,
          lines,
          rawParseMs: round(rawMs, 1),
          cold: { ...roundFigures(cold.figures), ratioToRawParse: round(cold.figures.ms / rawMs, 3) },
          warm: { ...roundFigures(warm), ratioToRawParse: round(warm.ms / rawMs, 3) },
          warmOnOutput: { ...roundFigures(onOutput.figures), ratioToRawParse: round(onOutput.figures.ms / rawMs, 3) },
          pushes: pushes.map((p) => ({ ...p, ms: round(p.ms, 1) })),
          peakRssBytes: peakRssBytes(),
          wallMs: round(performance.now() - caseStart, 0),
        });
        log(`  peak RSS so far ${round(peakRssBytes() / 2 ** 20, 0)} MiB; case wall ${round(performance.now() - caseStart, 0)} ms`);
      } finally {
        await dispose(scope);
      }
    }
  }
  return {
    source: corpus.source,
    model: fixer.label,
    chunkLines,
    rounds,
    cases,
    baselineRssBytes,
    peakRssBytes: peakRssBytes(),
    totalMs: round(performance.now() - started, 0),
  };
}

/** The (kind, text) prose units holding the word `teh` in the repository as it is. */
function tehPairs(repo: readonly SyntheticFile[]): string[] {
  const out: string[] = [];
  for (const f of repo) {
    if (!/\bteh\b/.test(decoder.decode(f.bytes))) continue;
    for (const u of split(f.bytes, { path: f.path }).units) {
      if (/\bteh\b/.test(u.text)) out.push(`${u.kind}\u0000${u.text}`);
    }
  }
  return out;
}

function roundFigures(f: EngineFigures): EngineFigures {
  return { ...f, ms: round(f.ms, 1) };
}

function sizesFromEnv(): number[] | undefined {
  const raw = process.env.BENCH_SIZES;
  if (!raw) return undefined;
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0)) {
    throw new Error(`BENCH_SIZES: expected comma-separated positive line counts, got "${raw}"`);
  }
  return sizes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const chunkEnv = process.env.BENCH_SCALE_CHUNK_LINES;
  const result = await benchScale({
    sizes: sizesFromEnv(),
    chunkLines: chunkEnv === undefined ? undefined : Number(chunkEnv),
    redisUrl: process.env.BENCH_REDIS_URL || undefined,
    redisMaxLines: process.env.BENCH_REDIS_MAX_LINES ? Number(process.env.BENCH_REDIS_MAX_LINES) : undefined,
    rounds: process.env.BENCH_ROUNDS ? Number(process.env.BENCH_ROUNDS) : undefined,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const mib = (b: number): number => round(b / 2 ** 20, 0);
  const lines = ['', 'size      lines  cold ms  warm ms  raw ms  warm/raw  cold model lines  1% push ms  peak RSS MiB'];
  for (const c of result.cases) {
    const p1 = c.pushes.find((p) => p.label === '1%');
    lines.push(
      [
        `${c.targetLines}${c.store === 'redis' ? ' (redis)' : ''}`.padEnd(8),
        String(c.lines).padStart(7),
        String(round(c.cold.ms, 0)).padStart(8),
        String(round(c.warm.ms, 0)).padStart(8),
        String(round(c.rawParseMs, 0)).padStart(7),
        String(c.warm.ratioToRawParse).padStart(9),
        String(c.cold.modelLines).padStart(17),
        String(p1 ? round(p1.ms, 0) : '-').padStart(11),
        String(mib(c.peakRssBytes)).padStart(13),
      ].join(' '),
    );
  }
  lines.push(
    `total ${round(result.totalMs / 1000, 1)} s, peak RSS ${mib(result.peakRssBytes)} MiB ` +
      `(${mib(result.baselineRssBytes)} MiB before the first case)`,
  );
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(result)}\n`);
}
