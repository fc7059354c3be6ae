// The parse pool gives exactly what the in-thread parser gives (1 thread or several), on real markdown:
// the fixtures, the CommonMark spec examples (as .md and .mdx), the example docs and a sample of
// $DOCS_FIX_CORPUS; and it fails loudly, not silently, when closed or when a worker dies.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/index.js';
import { collectMarkdownPaths, readWithinLimits } from '../../src/engine/files.js';
import { fixFiles } from '../../src/engine/fix.js';
import { chunksOf, createParsePool, ParsePoolError } from '../../src/engine/parse-pool.js';
import { decodeDocuments, encodeDocuments } from '../../src/engine/parse-wire.js';
import { inThreadParser, type FileParser, type StructureTask } from '../../src/engine/parser.js';
import type { FixResult, SourceFile } from '../../src/engine/types.js';
import type { MarkdownDocument } from '../../src/markdown/types.js';
import { createFixer } from '../../src/model/index.js';

const encoder = new TextEncoder();
const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const examples = join(import.meta.dirname, '../../examples/docs');

function readDir(dir: string, keep: (name: string) => boolean, prefix = ''): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (at: string): void => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, e.name);
      if (e.isDirectory()) walk(path);
      else if (keep(e.name)) out.push({ path: `${prefix}${relative(dir, path)}`, bytes: readFileSync(path) });
    }
  };
  walk(dir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

interface SpecExample {
  readonly markdown: string;
  readonly number: number;
}

/** Every CommonMark spec example, once as markdown and once as MDX (where many are parse errors). */
function specFiles(): SourceFile[] {
  const spec = createRequire(import.meta.url)('commonmark-spec') as { tests: SpecExample[] };
  return spec.tests.flatMap((t) => {
    const bytes = encoder.encode(t.markdown.replaceAll('→', '\t'));
    return [
      { path: `spec/${t.number}.md`, bytes },
      { path: `spec/${t.number}.mdx`, bytes },
    ];
  });
}

/**
 * Every 40th file of $DOCS_FIX_CORPUS under 32 KB when it is set (real documentation of many shapes). Kept
 * small: each is split and checked three times here, on a machine the rest of the suite keeps busy; the
 * whole corpus goes through the pool in `npm run bench:engine`.
 */
function corpusSample(): SourceFile[] {
  const root = process.env.DOCS_FIX_CORPUS;
  if (!root) return [];
  const { paths } = collectMarkdownPaths(['.'], { include: ['**/*'], exclude: [] }, root);
  const { files } = readWithinLimits(paths, root, { maxFiles: Infinity, maxBytes: Infinity });
  return files
    .filter((f, i) => i % 40 === 0 && f.bytes.byteLength < 32 * 1024)
    .map((f) => ({ ...f, path: `corpus/${f.path}` }));
}

const files: SourceFile[] = [
  // The fixtures hold binary, invalid UTF-8, BOM, CRLF, MDX and MDX parse-error files on purpose.
  ...readDir(fixtures, (n) => /\.mdx?$/.test(n), 'fixtures/'),
  ...readDir(examples, (n) => /\.mdx?$/.test(n), 'examples/'),
  ...specFiles(),
  ...corpusSample(),
];

/** Structure tasks from split documents: prose edits, and edits that break the block structure. */
function structureTasks(docs: readonly MarkdownDocument[]): StructureTask[] {
  const tasks: StructureTask[] = [];
  docs.forEach((doc, d) => {
    if (doc.units.length === 0) return;
    const lines = (u: MarkdownDocument['units'][number]): string[] => u.lines.map((i) => doc.lines[i]!.text);
    // A paragraph unit whose first line has no prefix: turning that line into block syntax breaks the file.
    const paragraph = doc.units.find((u) => u.kind === 'paragraph' && doc.lines[u.lines[0]!]!.prefix === '');
    const breaking = (start: string): readonly string[] => [start, ...lines(paragraph!).slice(1)];
    const prose = new Map(
      doc.units.slice(0, 6).map((u) => [u.index, lines(u).map((l) => `Edited ${l}`)] as const),
    );
    switch (d % 4) {
      case 0:
        tasks.push({ doc, replacements: prose });
        break;
      case 1:
        // A paragraph line turned into a heading, among prose edits that keep the structure.
        if (paragraph)
          tasks.push({ doc, replacements: new Map([...prose, [paragraph.index, breaking('# heading')]]) });
        break;
      case 2:
        // Only a breaking edit: nothing is accepted and nothing is joined.
        if (paragraph) tasks.push({ doc, replacements: new Map([[paragraph.index, breaking('- item')]]) });
        break;
      default:
        tasks.push({ doc, replacements: new Map() });
    }
  });
  return tasks;
}

/**
 * Deep comparison of large results without blocking the test worker for seconds (vitest's RPC times out):
 * each item is serialised on its own, with a yield between items, and compared as strings; only an item
 * that differs is compared structurally, for a readable diff.
 */
async function expectSameItems<T>(actual: readonly T[], expected: readonly T[]): Promise<void> {
  expect(actual.length).toBe(expected.length);
  const text = (x: T): string =>
    JSON.stringify(x, (_k, v: unknown) =>
      v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('base64')}` : v instanceof Map ? [...v] : v,
    );
  for (let i = 0; i < expected.length; i += 1) {
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    if (text(actual[i]!) !== text(expected[i]!)) expect(actual[i]).toStrictEqual(expected[i]);
  }
}

/** Generous: the pool starts workers that load the TypeScript sources through tsx, on a busy machine. */
const SLOW = { timeout: 300_000 };

describe('parse pool', () => {
  const one = createParsePool({ threads: 1 });
  const three = createParsePool({ threads: 3 });
  afterAll(async () => {
    await one.close();
    await three.close();
  });

  it('has real inputs to compare on', () => {
    expect(files.length).toBeGreaterThan(1300);
    expect(files.some((f) => f.path.endsWith('.mdx'))).toBe(true);
  });

  it('splits exactly as the in-thread parser does, with 1 thread and with 3', SLOW, async () => {
    const expected = await inThreadParser().split(files);
    expect(expected.some((d) => d.skipped?.reason === 'parse-error')).toBe(true);
    expect(expected.some((d) => d.skipped?.reason === 'binary')).toBe(true);
    expect(expected.some((d) => d.bom)).toBe(true);
    const [byOne, byThree] = await Promise.all([one.split(files), three.split(files)]);
    await expectSameItems(byOne, expected);
    await expectSameItems(byThree, expected);
    // Each document keeps the caller's bytes, as split() keeps its input.
    byThree.forEach((doc, i) => expect(doc.source).toBe(files[i]!.bytes));
  });

  it(
    'gives the in-thread structure verdicts, including replacements that break the structure',
    SLOW,
    async () => {
      const docs = await inThreadParser().split(files);
      const tasks = structureTasks(docs);
      const expected = await inThreadParser().admitStructure(tasks);
      expect(expected.some((v) => v.broken.length > 0 && v.accepted.size > 0 && v.after)).toBe(true);
      expect(expected.some((v) => v.broken.length > 0 && v.accepted.size === 0 && !v.after)).toBe(true);
      expect(expected.some((v) => v.broken.length === 0 && v.accepted.size > 0)).toBe(true);
      await expectSameItems(await one.admitStructure(tasks), expected);
      await expectSameItems(await three.admitStructure(tasks), expected);
    },
  );

  it('rejects a call the in-thread parser rejects, with the same error', async () => {
    const [doc] = await inThreadParser().split([
      { path: 'a.md', bytes: encoder.encode('# Title\n\ntext\n') },
    ]);
    // A replacement with another number of lines than its unit has is a caller bug: it throws.
    const tasks = [{ doc: doc!, replacements: new Map([[0, ['x', 'y']]]) }];
    const expected = await inThreadParser()
      .admitStructure(tasks)
      .catch((e: Error) => e);
    expect(expected).toBeInstanceOf(Error);
    await expect(three.admitStructure(tasks)).rejects.toMatchObject({
      name: (expected as Error).name,
      message: (expected as Error).message,
      code: 'LINE_REPLACEMENT_INVALID',
    });
  });

  it('runs the engine to the same result as the in-thread parser', SLOW, async () => {
    const run = (parser: FileParser): Promise<FixResult> =>
      fixFiles(files, {
        store: new MemoryStore(),
        fixer: createFixer({ provider: 'sim', model: 'sim' }),
        scope: 'pool',
        budget: { maxLines: Infinity, maxTokens: Infinity },
        parser,
      });
    const expected = await run(inThreadParser());
    const pooled = await run(three);
    expect(expected.patches.length).toBeGreaterThan(0);
    const timeless = (r: FixResult) => ({ ...r, summary: { ...r.summary, durationMs: 0, modelMs: 0 } });
    const got = timeless(pooled);
    const want = timeless(expected);
    expect(got.summary).toStrictEqual(want.summary);
    expect(got.keyInputs).toStrictEqual(want.keyInputs);
    expect(got.diff === want.diff).toBe(true);
    await expectSameItems(got.patches, want.patches);
    await expectSameItems(got.trace, want.trace);
    await expectSameItems(got.files, want.files);
  });

  it('answers an empty list without starting a worker', async () => {
    const pool = createParsePool({ threads: 2 });
    expect(await pool.split([])).toEqual([]);
    expect(await pool.admitStructure([])).toEqual([]);
    await pool.close();
  });

  it('sizes itself to the machine by default and refuses a bad thread count', async () => {
    const pool = createParsePool();
    expect(pool.threads).toBe((await import('node:os')).availableParallelism());
    await pool.close();
    expect(() => createParsePool({ threads: 0 })).toThrow(RangeError);
  });

  it('close() rejects the calls still running, and later calls, with a clear error', async () => {
    const pool = createParsePool({ threads: 2 });
    const running = pool.split(files).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the workers have started on it
    await pool.close();
    const err = await running;
    expect(err).toBeInstanceOf(ParsePoolError);
    expect(err).toMatchObject({ code: 'PARSE_POOL_CLOSED', message: expect.stringMatching(/closed before/) });
    await expect(pool.split(files.slice(0, 1))).rejects.toMatchObject({ code: 'PARSE_POOL_CLOSED' });
  });

  it('a worker that dies rejects its call naming the files, and the pool goes on with a new worker', async () => {
    // A heap limit a large file exceeds: the worker is terminated out of memory in the middle of the call.
    const pool = createParsePool({
      threads: 1,
      resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 },
    });
    const big = Array.from(
      { length: 30_000 },
      (_, i) => `- item ${i} with *emphasis* and [a link](https://x.test/${i})\n`,
    );
    const small = { path: 'small.md', bytes: encoder.encode('# Title\n\nSome text.\n') };
    try {
      expect(await pool.split([small])).toHaveLength(1);
      const dying = pool.split([{ path: 'big.md', bytes: encoder.encode(big.join('').slice(0, 1_000_000)) }]);
      await expect(dying).rejects.toMatchObject({
        name: 'ParsePoolError',
        code: 'PARSE_WORKER_EXITED',
        message: expect.stringMatching(
          /worker thread 1 exited with code 1 while splitting 1 file \(big\.md\): .*memory/,
        ),
      });
      expect(await pool.split([small])).toStrictEqual(await inThreadParser().split([small]));
    } finally {
      await pool.close();
    }
  });

  it('does not keep the process alive when idle', () => {
    // A process that uses a pool and never closes it must still exit by itself.
    const pool = pathToFileURL(join(import.meta.dirname, '../../src/engine/parse-pool.ts')).href;
    const script = [
      `import { createParsePool } from ${JSON.stringify(pool)};`,
      `const docs = await createParsePool({ threads: 2 }).split([{ path: 'a.md', bytes: new TextEncoder().encode('# A\\n\\nb\\n') }]);`,
      `console.log(docs[0].lines.length);`,
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('3');
  });
});

describe('parse wire', () => {
  it('round-trips documents exactly', async () => {
    const docs = await inThreadParser().split(files);
    const wire = encodeDocuments(docs);
    expect(
      decodeDocuments(
        wire,
        docs.map((d) => d.source),
      ),
    ).toStrictEqual(docs);
  });
});

describe('chunksOf', () => {
  it('puts every item in exactly one chunk, largest first, smaller chunks towards the end', () => {
    const weights = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000) * 400);
    const chunks = chunksOf(weights, 2);
    expect(chunks.flat().sort((a, b) => a - b)).toEqual(weights.map((_, i) => i));
    const first = chunks.flat();
    for (let i = 1; i < first.length; i += 1)
      expect(weights[first[i]!]!).toBeLessThanOrEqual(weights[first[i - 1]!]!);
    const sizes = chunks.map((c) => c.reduce((n, i) => n + weights[i]!, 0));
    expect(sizes[0]!).toBeGreaterThan(sizes.at(-2)!);
    expect(chunks.length).toBeGreaterThan(8);
  });

  it('makes no chunk of nothing', () => {
    expect(chunksOf([], 4)).toEqual([]);
  });
});
