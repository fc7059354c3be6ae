// File-level fixpoints: a content whose every line is a stored fixpoint (or frozen) is skipped whole.
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore, contentId, gitBlobSha, lineKey } from '../../src/cache/index.js';
import type { CacheValue, LineStore, StoreWrite } from '../../src/cache/types.js';
import { fileKeyOf, fixFiles, keyInputsOf, knownFileFixpoints } from '../../src/engine/fix.js';
import { inThreadParser, type FileParser } from '../../src/engine/parser.js';
import type { EngineContext, FixResult, SourceFile } from '../../src/engine/types.js';
import { split } from '../../src/markdown/index.js';
import { createFixer } from '../../src/model/index.js';
import type { Budget, UnitFixer } from '../../src/model/types.js';

const unlimited: Budget = { maxLines: Infinity, maxTokens: Infinity };
const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const examples = join(import.meta.dirname, '../../examples/docs');

function readDir(dir: string, keep: (name: string) => boolean): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (at: string, rel: string): void => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(at, e.name), `${rel}${e.name}/`);
      else if (keep(e.name))
        out.push({ path: `${rel}${e.name}`, bytes: new Uint8Array(readFileSync(join(at, e.name))) });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Real markdown: the fixtures (minus the deliberately unreadable ones) and the example docs. */
function realFiles(): SourceFile[] {
  return [
    ...readDir(fixtures, (n) => /\.mdx?$/.test(n)),
    ...readDir(examples, (n) => n.endsWith('.md')).map((f) => ({ ...f, path: `examples/${f.path}` })),
  ];
}

const applied = (files: readonly SourceFile[], result: FixResult): SourceFile[] => {
  const after = new Map(result.patches.map((p) => [p.path, p.after]));
  return files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
};

/** Records which paths the engine split. */
function countingParser(): FileParser & { split_: string[] } {
  const inner = inThreadParser();
  const seen: string[] = [];
  return {
    threads: 1,
    split_: seen,
    split: (files) => {
      seen.push(...files.map((f) => f.path));
      return inner.split(files);
    },
    admitStructure: (tasks) => inner.admitStructure(tasks),
    close: () => inner.close(),
  };
}

function ctxOf(store: LineStore, fixer: UnitFixer, extra: Partial<EngineContext> = {}): EngineContext {
  return { store, fixer, scope: 'file-fixpoints', budget: unlimited, ...extra };
}

let lastRun: FixResult | undefined;

/** Runs until a run on its own output changes nothing (kept in `lastRun`); returns the files at that fixpoint. */
async function toFixpoint(files: SourceFile[], ctx: EngineContext): Promise<SourceFile[]> {
  let current = files;
  for (let run = 0; run < 5; run += 1) {
    lastRun = await fixFiles(current, ctx);
    if (lastRun.patches.length === 0) return current;
    current = applied(current, lastRun);
  }
  throw new Error('no fixpoint after 5 runs');
}

/** Every editable line of `file` must be a stored fixpoint under the run's key inputs. */
async function assertAllLinesFixpoints(
  store: LineStore,
  ctx: EngineContext,
  file: SourceFile,
): Promise<void> {
  const doc = split(file.bytes, { path: file.path });
  const keys = doc.units.map((u) =>
    lineKey({
      scope: ctx.scope,
      modelId: ctx.fixer.modelId,
      promptVersion: ctx.fixer.promptVersion,
      kind: u.kind,
      text: u.text,
    }),
  );
  const values = await store.get(keys);
  values.forEach((v, i) => {
    if (v?.type !== 'fixpoint') throw new Error(`${file.path}: unit key ${keys[i]} is ${JSON.stringify(v)}`);
  });
}

describe('file-level fixpoints', () => {
  it('skips contents at a fixpoint: no split, no line lookup, no model line', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const files = realFiles();
    const atFixpoint = await toFixpoint(files, ctxOf(store, fixer));

    // Each file's entry was stored by the first run that found all its lines at a fixpoint.
    const storing = lastRun!;
    const unreadable = storing.files.filter((f) => f.outcome.startsWith('skipped:')).length;
    expect(unreadable).toBeGreaterThan(0); // binary and invalid UTF-8 fixtures are never file fixpoints
    const keys = keyInputsOf(ctxOf(store, fixer));
    const entries = await store.get(atFixpoint.map((f) => fileKeyOf(keys, f.path, contentId(f.bytes))));
    expect(entries.filter((v) => v?.type === 'fixpoint')).toHaveLength(files.length - unreadable);

    const parser = countingParser();
    const gets: number[] = [];
    const counting: LineStore = {
      ...store,
      kind: store.kind,
      get: (keys) => {
        gets.push(keys.length);
        return store.get(keys);
      },
      write: (w) => store.write(w),
      confirmServed: (k) => store.confirmServed(k),
      close: () => store.close(),
    };
    const rerun = await fixFiles(atFixpoint, ctxOf(counting, fixer, { parser, trace: 'all' }));
    expect(rerun.summary.fileFixpointHits).toBe(files.length - unreadable);
    expect(parser.split_.sort()).toEqual(
      storing.files
        .filter((f) => f.outcome.startsWith('skipped:'))
        .map((f) => f.path)
        .sort(),
    );
    expect(rerun.summary.modelLines).toBe(0);
    expect(rerun.summary.editableLines).toBe(0);
    expect(rerun.patches).toEqual([]);
    // One lookup for the file keys, one (empty) for lines: nothing per line.
    expect(gets).toEqual([files.length]);
    expect(rerun.files.filter((f) => f.outcome === 'file-fixpoint-hit')).toHaveLength(
      files.length - unreadable,
    );
    expect(rerun.trace).toEqual([]);
  });

  it('parses a file changed by one character again and sends only its changed line to the model', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const atFixpoint = await toFixpoint(realFiles(), ctxOf(store, fixer));
    await fixFiles(atFixpoint, ctxOf(store, fixer)); // stores the file fixpoints

    const target = atFixpoint.findIndex((f) => f.path === 'examples/guide/getting-started.md');
    expect(target).toBeGreaterThanOrEqual(0);
    const source = new TextDecoder().decode(atFixpoint[target]!.bytes);
    const lines = source.split('\n');
    const editable = split(atFixpoint[target]!.bytes, { path: 'getting-started.md' }).lines.find(
      (u) => u.editable && u.kind === 'paragraph' && /\bthe\b/.test(u.text),
    )!;
    // One character: "the" -> "teh", a misspelling the simulator corrects.
    lines[editable.line - 1] = lines[editable.line - 1]!.replace(/\bthe\b/, 'teh');
    const edited = atFixpoint.map((f, i) =>
      i === target ? { path: f.path, bytes: new TextEncoder().encode(lines.join('\n')) } : f,
    );
    expect(new TextDecoder().decode(edited[target]!.bytes).length).toBe(source.length);

    const parser = countingParser();
    const result = await fixFiles(edited, ctxOf(store, fixer, { parser }));
    expect(parser.split_).toContain('examples/guide/getting-started.md');
    expect(result.summary.fileFixpointHits).toBe(
      atFixpoint.length - 1 - result.files.filter((f) => f.outcome.startsWith('skipped:')).length,
    );
    // The unit holding the line is asked about (all of its lines), and only that line changes.
    const unit = split(atFixpoint[target]!.bytes, { path: 'getting-started.md' }).units[editable.unit!]!;
    expect(result.summary.modelUnits).toBe(1);
    expect(result.summary.modelLines).toBe(unit.lines.length);
    expect(result.summary.changedLines).toBe(1);
    expect(result.patches.map((p) => p.path)).toEqual(['examples/guide/getting-started.md']);
    // The patched file is not a fixpoint yet; its output becomes one on the next run.
    expect(
      result.files.find((f) => f.path === 'examples/guide/getting-started.md')?.fileFixpointStored,
    ).toBeUndefined();
  });

  it('never stores a file entry while a unit is a miss over budget, unanswered, rejected, held or rewritten', async () => {
    const files = realFiles();
    const fixer = createFixer({ provider: 'sim', model: 'sim', sim: { faultRate: 0.2, flipRate: 0.3 } });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        async (maxLines, runs) => {
          const store = new MemoryStore();
          const ctx = ctxOf(store, fixer, { budget: { maxLines, maxTokens: Infinity } });
          let current = files;
          for (let run = 0; run < runs; run += 1) {
            const result = await fixFiles(current, ctx);
            const s = result.summary;
            if (s.overBudgetUnits + s.unansweredUnits + s.rejectedUnits + s.heldHits + s.rewriteHits > 0) {
              // Any such unit blocks the file it is in.
              const blocked = new Set(
                result.trace
                  .filter((t) => t.outcome !== 'fixpoint-hit' && t.outcome !== 'miss-unchanged')
                  .map((t) => t.path),
              );
              for (const f of result.files)
                if (blocked.has(f.path)) expect(f.fileFixpointStored).toBeUndefined();
            }
            for (const f of result.files) {
              if (!f.fileFixpointStored) continue;
              await assertAllLinesFixpoints(
                store,
                ctx,
                current.find((c) => c.path === f.path)!,
              );
            }
            current = applied(current, result);
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('does not write a file entry when the run fails: line entries come first, file entries after', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const files = await toFixpoint(realFiles(), ctxOf(store, fixer));
    const fresh = new MemoryStore();
    const writes: StoreWrite[][] = [];
    let fail = false;
    const failing: LineStore = {
      kind: 'memory',
      get: (keys) => fresh.get(keys),
      write: async (batch) => {
        if (fail) throw new Error('store went away');
        writes.push([...batch]);
        // Fail every write after the line entries: the file entries never land.
        fail = true;
        return fresh.write(batch);
      },
      confirmServed: (keys) => fresh.confirmServed(keys),
      close: () => fresh.close(),
    };
    await expect(fixFiles(files, ctxOf(failing, fixer))).rejects.toThrow('store went away');
    const keys = keyInputsOf(ctxOf(fresh, fixer));
    const fileKeys = files.map((f) => fileKeyOf(keys, f.path, contentId(f.bytes)));
    expect((await fresh.get(fileKeys)).filter((v: CacheValue | undefined) => v)).toEqual([]);
    // The one batch that landed held line entries only.
    expect(writes).toHaveLength(1);
    expect(writes[0]!.some((w) => fileKeys.includes(w.key))).toBe(false);
  });

  it('makes file entries unreachable when any key input changes', async () => {
    const store = new MemoryStore();
    const files = realFiles();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const atFixpoint = await toFixpoint(files, ctxOf(store, fixer));
    await fixFiles(atFixpoint, ctxOf(store, fixer));
    expect((await fixFiles(atFixpoint, ctxOf(store, fixer))).summary.fileFixpointHits).toBeGreaterThan(0);

    const styled = createFixer({ provider: 'sim', model: 'sim', styleGuide: 'Use US spelling.' });
    const seeded = createFixer({ provider: 'sim', model: 'sim', sim: { seed: 2 } });
    for (const other of [styled, seeded]) {
      expect((await fixFiles(atFixpoint, ctxOf(store, other))).summary.fileFixpointHits).toBe(0);
    }
    const otherScope = await fixFiles(atFixpoint, { ...ctxOf(store, fixer), scope: 'another-tenant' });
    expect(otherScope.summary.fileFixpointHits).toBe(0);
    // The same bytes under another extension are parsed by another parser: another key.
    const renamed = atFixpoint.map((f) => ({ path: f.path.replace(/\.md$/, '.mdx'), bytes: f.bytes }));
    const keys = keyInputsOf(ctxOf(store, fixer));
    expect(fileKeyOf(keys, 'a.md', 'sha256:x')).not.toBe(fileKeyOf(keys, 'a.mdx', 'sha256:x'));
    expect(fileKeyOf(keys, 'a.md', 'sha256:x')).not.toBe(
      fileKeyOf({ ...keys, splitterVersion: 99 }, 'a.md', 'sha256:x'),
    );
    const hits = (await fixFiles(renamed, ctxOf(store, fixer))).summary.fileFixpointHits;
    expect(hits).toBeLessThan(atFixpoint.length);
  });

  it('identifies GitHub contents by blob SHA, verified against the bytes, and finds them before reading', async () => {
    const bytes = new TextEncoder().encode('# Title\n\nSome text.\n');
    const sha = gitBlobSha(bytes);
    // What `printf '# Title\n\nSome text.\n' | git hash-object --stdin` prints.
    expect(sha).toBe('046ce8608265002f2a56f8589956692a0b3a4d74');
    expect(contentId(bytes, sha)).toBe(`git-blob:${sha}`);
    expect(contentId(bytes, '0'.repeat(40))).toMatch(/^sha256:/);
    expect(contentId(bytes)).toMatch(/^sha256:[0-9a-f]{64}$/);

    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const ctx = ctxOf(store, fixer);
    const file = { path: 'docs/a.md', bytes, blobSha: sha };
    expect((await fixFiles([file], ctx)).summary.fileFixpointsStored).toBe(1);
    expect(
      await knownFileFixpoints(
        [
          { path: 'docs/a.md', sha },
          { path: 'docs/b.md', sha: 'f'.repeat(40) },
        ],
        ctx,
      ),
    ).toEqual(new Set(['docs/a.md']));
    // The same bytes read without a SHA (a local file) are keyed by sha256: a separate entry.
    expect((await fixFiles([{ path: 'docs/a.md', bytes }], ctx)).summary.fileFixpointHits).toBe(0);
  });

  it('can be turned off', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const files = await toFixpoint(realFiles(), ctxOf(store, fixer));
    const off = await fixFiles(files, ctxOf(store, fixer, { fileFixpoints: false }));
    expect(off.summary.fileFixpointsStored).toBe(0);
    const again = await fixFiles(files, ctxOf(store, fixer, { fileFixpoints: false }));
    expect(again.summary.fileFixpointHits).toBe(0);
    expect(again.summary.editableLines).toBeGreaterThan(0);
  });
});

describe('withheld rewrites', () => {
  const a = { path: 'a.md', bytes: new TextEncoder().encode('# A\n\nThis is teh guide.\n') };
  const b = {
    path: 'b.md',
    bytes: new TextEncoder().encode('# B\n\nThis is teh guide.\n\nMore text here.\n'),
  };

  /** The in-thread parser, except that replacing the unit holding line `line` of `path` reports a broken structure. */
  function breaking(path: string, line: number): FileParser {
    const inner = inThreadParser();
    return {
      ...inner,
      admitStructure: async (tasks) =>
        (await inner.admitStructure(tasks)).map((verdict, i) => {
          const doc = tasks[i]!.doc;
          if (doc.path !== path) return verdict;
          const index = doc.lines.find((u) => u.line === line)!.unit!;
          const accepted = new Map([...verdict.accepted].filter(([k]) => k !== index));
          const after = accepted.size > 0 ? verdict.after : undefined;
          return { accepted, broken: [...verdict.broken, index], ...(after ? { after } : {}) };
        }),
    };
  }

  it('a fresh answer applied in one file and breaking another is stored as a rewrite and withheld per file', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim', sim: { flipRate: 0 } });
    const result = await fixFiles([a, b], ctxOf(store, fixer, { parser: breaking('b.md', 3) }));
    expect(result.patches.map((p) => p.path)).toEqual(['a.md']);
    expect(result.trace.map((t) => [t.path, t.line, t.outcome, t.after])).toEqual([
      ['a.md', 3, 'miss-changed', 'This is the guide.'],
      ['b.md', 3, 'rewrite-withheld:structure-changed', undefined],
    ]);
    expect(result.summary.missChangedUnits).toBe(1);
    expect(result.summary.withheldByReason).toEqual({ 'structure-changed': 1 });
    // The text emitted in a.md is a fixpoint, as for every rewrite: a re-run of a.md's output converges.
    const again = await fixFiles(applied([a], result), ctxOf(store, fixer));
    expect(again.summary.fixpointHits).toBe(again.summary.units);
    // b.md keeps being withheld, and is never stored as a file-level fixpoint.
    const rerun = await fixFiles([b], ctxOf(store, fixer, { parser: breaking('b.md', 3) }));
    expect(rerun.trace.map((t) => t.outcome)).toEqual(['rewrite-withheld:structure-changed']);
    expect(rerun.summary.fileFixpointsStored).toBe(0);
  });

  it('a fresh answer that breaks every file it occurs in is held', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim', sim: { flipRate: 0 } });
    const result = await fixFiles([b], ctxOf(store, fixer, { parser: breaking('b.md', 3) }));
    expect(result.patches).toEqual([]);
    expect(result.trace.map((t) => t.outcome)).toEqual(['rejected:structure-changed']);
    const rerun = await fixFiles([b], ctxOf(store, fixer));
    expect(rerun.summary.heldHits).toBe(1);
    expect(rerun.summary.modelLines).toBe(0);
  });
});
