// `explainLine` says, for one line, exactly what a run did and what the next run will do, and writes nothing.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore, gitBlobSha, lineKey } from '../../src/cache/index.js';
import type { LineStore, StoreWrite } from '../../src/cache/types.js';
import { explainLine, LineOutOfRangeError, type ExplainContext } from '../../src/engine/explain.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { EngineContext, FixResult, SourceFile } from '../../src/engine/types.js';
import { split } from '../../src/markdown/index.js';
import { createFixer } from '../../src/model/index.js';
import type { Budget, UnitFixer } from '../../src/model/types.js';

const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const unlimited: Budget = { maxLines: Infinity, maxTokens: Infinity };
const scope = 'test';

function fixture(name: string): SourceFile {
  return { path: name, bytes: new Uint8Array(readFileSync(join(fixtures, name))) };
}

/** Every real markdown fixture (the unreadable ones too: explain must handle skipped files). */
const allFixtures = (): SourceFile[] =>
  readdirSync(fixtures)
    .filter((n) => /\.mdx?$/.test(n))
    .sort()
    .map(fixture);

const sim = (faultRate = 0): UnitFixer =>
  createFixer({ provider: 'sim', model: 'sim', sim: { seed: 7, flipRate: 0, faultRate } });

/** A store that refuses writes: explain must never write. */
function readOnly(store: MemoryStore): LineStore & { writes: number } {
  const wrapped = {
    kind: store.kind,
    writes: 0,
    get: (keys: readonly string[]) => store.get(keys),
    async write(): Promise<void> {
      wrapped.writes += 1;
      throw new Error('explain wrote to the store');
    },
    async confirmServed(): Promise<void> {
      wrapped.writes += 1;
      throw new Error('explain re-asserted a fixpoint');
    },
    close: async () => {},
  };
  return wrapped;
}

/** A fixer that counts calls and the source lines of the units it was asked about. */
function counting(fixer: UnitFixer): UnitFixer & { calls: number; lines: number } {
  const out = {
    modelId: fixer.modelId,
    promptVersion: fixer.promptVersion,
    label: fixer.label,
    calls: 0,
    lines: 0,
    fixUnits: (...args: Parameters<UnitFixer['fixUnits']>) => {
      out.calls += 1;
      out.lines += args[0].reduce((n, u) => n + u.lines.length, 0);
      return fixer.fixUnits(...args);
    },
  };
  return out;
}

function engine(store: LineStore, fixer: UnitFixer): EngineContext {
  return { store, fixer, scope, budget: unlimited, trace: 'all' };
}

function explainCtx(store: LineStore, fixer: UnitFixer): ExplainContext {
  return { store, fixer, scope };
}

describe('explainLine after a run', () => {
  it('reports exactly what the run did for every traced unit and frozen line, and writes nothing', async () => {
    const files = allFixtures();
    const fixer = sim(0.2);
    const store = new MemoryStore();
    // Without file-level fixpoints, so that every line is explained at the line level (tested below).
    const result = await fixFiles(files, { ...engine(store, fixer), fileFixpoints: false });
    // The run has every kind of decision the test checks.
    expect(result.summary.changedLines).toBeGreaterThan(0);
    expect(result.summary.rejectedUnits).toBeGreaterThan(0);
    expect(
      result.summary.fixpointHits + result.trace.filter((t) => t.outcome === 'miss-unchanged').length,
    ).toBeGreaterThan(0);
    expect(Object.keys(result.summary.frozenByReason).length).toBeGreaterThan(3);

    const stats = await store.stats();
    const ro = readOnly(store);
    const model = counting(fixer);
    const byPath = new Map(files.map((f) => [f.path, f]));
    const seen = new Map<string, number>();
    for (const t of result.trace) {
      // One line per file and outcome keeps this fast (explain splits the file each time); all are covered.
      const sample = `${t.path}\u0000${t.outcome}`;
      seen.set(sample, (seen.get(sample) ?? 0) + 1);
      if (seen.get(sample)! > 1) continue;
      // The last line of a unit explains the same unit as its first.
      const line = t.line + t.lines - 1;
      const e = await explainLine({ file: byPath.get(t.path)!, line }, explainCtx(ro, model));
      const at = `${t.path}:${line} ${t.outcome}`;
      expect(e.file.knownFixpoint, at).toBe(false);
      if (t.outcome.startsWith('frozen:')) {
        expect(e.source?.text, at).toBe(t.before);
        expect(e.source?.editable, at).toBe(false);
        expect(`frozen:${e.source?.reason}`, at).toBe(t.outcome);
        expect(e.unit, at).toBeUndefined();
        expect(e.next.outcome, at).toBe(t.outcome);
        expect(e.lineKey, at).toBeUndefined();
      } else {
        expect(e.unit?.lines.join('\n'), at).toBe(t.before);
        expect([e.unit?.firstLine, e.unit?.lastLine], at).toEqual([t.line, line]);
        expect(e.source?.text, at).toBe(e.unit?.lines.at(-1));
      }
      if (t.outcome.startsWith('frozen:')) {
        // checked above
      } else if (t.outcome === 'miss-changed') {
        expect(e.cache, at).toMatchObject({ type: 'rewrite', text: t.after, targetIsFixpoint: true });
        expect(e.cache?.type === 'rewrite' && e.cache.admission.ok && e.cache.structure.ok, at).toBe(true);
        expect(e.next, at).toMatchObject({ outcome: 'rewrite-hit', text: t.after });
      } else if (t.outcome === 'miss-unchanged' || t.outcome === 'fixpoint-hit') {
        expect(e.cache, at).toEqual({ type: 'fixpoint' });
        expect(e.next.outcome, at).toBe('fixpoint-hit');
      } else if (t.outcome.startsWith('rejected:')) {
        expect(e.cache, at).toEqual({ type: 'held', reason: t.outcome.slice('rejected:'.length) });
        expect(e.next.outcome, at).toBe('held-hit');
        expect(e.next.text, at).toBeUndefined();
      } else {
        throw new Error(`unexpected outcome in a first run: ${at}`);
      }
      if (e.lineKey) {
        expect(e.lineKey).toBe(
          lineKey({
            scope,
            modelId: fixer.modelId,
            promptVersion: fixer.promptVersion,
            kind: e.unit!.kind,
            text: t.before,
          }),
        );
      }
    }
    expect(result.trace.some((t) => t.lines > 1 && !t.outcome.startsWith('frozen:'))).toBe(true);
    const outcomes = new Set([...seen.keys()].map((k) => k.split('\u0000')[1]!.replace(/:.*/, '')));
    expect([...outcomes].sort()).toEqual(['frozen', 'miss-changed', 'miss-unchanged', 'rejected']);
    expect(ro.writes).toBe(0);
    expect(model.calls).toBe(0);
    expect(await store.stats()).toEqual(stats);
  });

  it('shows the recorded decision of a saved run, and flags other key inputs', async () => {
    const file = fixture('real-powershell-notes-crlf.md');
    const store = new MemoryStore();
    const fixer = sim();
    const result = await fixFiles([file], engine(store, fixer));
    const changed = result.trace.find((t) => t.outcome === 'miss-changed')!;
    expect(changed).toBeDefined();
    const saved = { trace: result.trace, fileTrace: result.files, keyInputs: result.keyInputs };

    const e = await explainLine({ file, line: changed.line, saved }, explainCtx(store, fixer));
    expect(e.recorded).toEqual({ decision: { found: 'line', trace: changed }, keyInputsDiffer: [] });

    const other = createFixer({ provider: 'echo', model: 'x' });
    const under = await explainLine({ file, line: changed.line, saved }, explainCtx(store, other));
    expect(under.recorded?.keyInputsDiffer).toEqual(expect.arrayContaining(['modelId', 'modelLabel']));
    // Under other key inputs the same cache knows nothing about the line.
    expect(under.cache).toEqual({ type: 'none' });
    expect(under.next.outcome).toBe('miss');
  });
});

describe('explainLine on prepared cache states', () => {
  const file = fixture('real-rust-book-comments.md');
  const doc = split(file.bytes, { path: file.path });
  /** Paragraph units with their first source line (`line`) and their lines' texts. */
  const editable = doc.units
    .filter((u) => u.kind === 'paragraph')
    .map((u) => ({ ...u, line: u.lines[0]! + 1, texts: u.lines.map((i) => doc.lines[i]!.text) }));
  const fixer = sim();
  const keyOf = (kind: string, text: string): string =>
    lineKey({ scope, modelId: fixer.modelId, promptVersion: fixer.promptVersion, kind: kind as never, text });

  it('a fresh store: a miss, the next run asks the model; nothing is looked up beyond the unit and file keys', async () => {
    const unit = editable.find((u) => u.lines.length > 1)!;
    const store = new MemoryStore();
    const model = counting(fixer);
    const first = doc.lines[unit.lines[0]!]!;
    const e = await explainLine({ file, line: unit.line + 1 }, explainCtx(readOnly(store), model));
    const second = doc.lines[unit.lines[1]!]!;
    expect(e.source).toEqual({
      kind: second.kind,
      editable: true,
      prefix: second.prefix,
      text: second.text,
      suffix: second.suffix,
    });
    expect(e.unit).toEqual({
      kind: unit.kind,
      firstLine: first.line,
      lastLine: first.line + unit.lines.length - 1,
      lines: unit.texts,
    });
    expect(e.lineKey).toBe(keyOf(unit.kind, unit.text));
    expect(e.cache).toEqual({ type: 'none' });
    expect(e.next.outcome).toBe('miss');
    expect(e.file.knownFixpoint).toBe(false);
    expect(e.file.fileKeys.map((k) => k.content)).toEqual([
      expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      `git-blob:${gitBlobSha(file.bytes)}`,
    ]);
    expect(e.keyInputs).toMatchObject({ scope, modelId: fixer.modelId, promptVersion: fixer.promptVersion });
    expect(model.calls).toBe(0);
    expect(await store.stats()).toMatchObject({ entries: 0 });
  });

  it('--ask asks the model once for this unit and stores nothing', async () => {
    const unit =
      editable.find((u) => /\b(the the|wich|recieve|untill|seperate)\b/.test(u.text)) ?? editable[0]!;
    const store = new MemoryStore();
    const model = counting(fixer);
    const e = await explainLine({ file, line: unit.line, ask: true }, explainCtx(readOnly(store), model));
    expect(model.calls).toBe(1);
    expect(model.lines).toBe(unit.lines.length);
    expect(e.asked?.sent).toBe(true);
    expect(e.asked?.answer).toBeDefined();
    const answer = e.asked!.answer!;
    expect(e.asked!.wouldStore).toBe(
      answer === unit.text ? 'fixpoint' : e.asked!.admission?.ok ? 'rewrite' : 'held',
    );
    expect(e.cache).toEqual({ type: 'none' });
    expect(await store.stats()).toMatchObject({ entries: 0 });

    // A frozen line is not sent.
    const frozen = doc.lines.find((u) => !u.editable)!;
    const f = await explainLine({ file, line: frozen.line, ask: true }, explainCtx(readOnly(store), model));
    expect(f.asked).toMatchObject({ sent: false, wouldStore: 'nothing' });
    expect(model.calls).toBe(1);
  });

  it('a held entry: kept unchanged, with the reason', async () => {
    const unit = editable[1]!;
    const store = new MemoryStore();
    await store.write([{ op: 'held', key: keyOf(unit.kind, unit.text), reason: 'link-changed' }]);
    const e = await explainLine({ file, line: unit.line }, explainCtx(store, fixer));
    expect(e.cache).toEqual({ type: 'held', reason: 'link-changed' });
    expect(e.next.outcome).toBe('held-hit');
    expect(e.next.why).toContain('link-changed');
  });

  it("a cached rewrite that today's admission rejects: explain says it is withheld, and the engine agrees", async () => {
    const unit = editable[0]!;
    const broken = [`# ${unit.texts[0]!}`, ...unit.texts.slice(1)].join('\n');
    const store = new MemoryStore();
    const write: StoreWrite = {
      op: 'rewrite',
      key: keyOf(unit.kind, unit.text),
      toKey: keyOf(unit.kind, broken),
      text: broken,
    };
    await store.write([write]);
    const e = await explainLine({ file, line: unit.line }, explainCtx(store, fixer));
    expect(e.cache).toMatchObject({ type: 'rewrite', text: broken, targetIsFixpoint: true });
    if (e.cache?.type !== 'rewrite') throw new Error('expected a rewrite');
    expect(e.cache.admission).toMatchObject({ ok: false, reason: 'new-block-syntax' });
    expect(e.cache.structure.ok).toBe(false);
    expect(e.next).toMatchObject({ outcome: 'rewrite-withheld:new-block-syntax' });
    expect(e.next.text).toBeUndefined();

    const run = await fixFiles([file], { ...engine(store, fixer), trace: 'all' });
    const traced = run.trace.find((t) => t.line === unit.line)!;
    expect(traced.outcome).toBe('rewrite-withheld:new-block-syntax');
    expect(traced.after).toBeUndefined();
    const after = new TextDecoder().decode(run.patches[0]?.after ?? file.bytes);
    const firstLine = doc.lines[unit.lines[0]!]!;
    expect(after.split('\n')[unit.line - 1]).toBe(firstLine.prefix + firstLine.text);
  });

  it('an admitted cached rewrite: the next run serves it, and the engine agrees', async () => {
    const unit = editable[2]!;
    const fixed = `${unit.text} Indeed.`; // appended to the unit's last line
    const store = new MemoryStore();
    await store.write([
      { op: 'rewrite', key: keyOf(unit.kind, unit.text), toKey: keyOf(unit.kind, fixed), text: fixed },
    ]);
    const e = await explainLine({ file, line: unit.line }, explainCtx(store, fixer));
    expect(e.next).toMatchObject({ outcome: 'rewrite-hit', text: fixed });
    const run = await fixFiles([file], engine(store, fixer));
    expect(run.trace.find((t) => t.line === unit.line)).toMatchObject({
      outcome: 'rewrite-hit',
      after: fixed,
    });
  });
});

describe('explainLine on files', () => {
  it('a file-level fixpoint (by bytes in the CLI, by blob SHA in the app) is skipped whole', async () => {
    const file = fixture('real-powershell-notes-crlf.md');
    const fixer = sim();
    const store = new MemoryStore();
    const first = await fixFiles([file], engine(store, fixer));
    expect(first.patches).toHaveLength(1);
    const output: SourceFile = { path: file.path, bytes: first.patches[0]!.after };
    // Every line of the output is a stored fixpoint: the next run stores the file-level fixpoint.
    const second: FixResult = await fixFiles([output], engine(store, fixer));
    expect(second.files[0]?.fileFixpointStored).toBe(true);
    const line = split(output.bytes, { path: file.path }).lines.find((u) => u.editable)!.line;
    const e = await explainLine({ file: output, line }, explainCtx(store, fixer));
    expect(e.file.knownFixpoint).toBe(true);
    expect(e.file.fileKeys[0]).toMatchObject({ content: expect.stringMatching(/^sha256:/), fixpoint: true });
    expect(e.next.outcome).toBe('file-fixpoint-hit');
    // The line entry behind it is a fixpoint too.
    expect(e.cache).toEqual({ type: 'fixpoint' });

    // The app keys the same content by its git blob SHA.
    const blobSha = gitBlobSha(output.bytes);
    await fixFiles([{ ...output, blobSha }], engine(store, fixer));
    const app = await explainLine({ file: { ...output, blobSha }, line }, explainCtx(store, fixer));
    expect(app.file.fileKeys).toEqual([
      expect.objectContaining({ content: `git-blob:${blobSha}`, fixpoint: true }),
    ]);
  });

  it('a skipped file: no line, no unit, left byte-identical', async () => {
    const e = await explainLine(
      { file: fixture('binary.md'), line: 1 },
      explainCtx(new MemoryStore(), sim()),
    );
    expect(e.unit).toBeUndefined();
    expect(e.source).toBeUndefined();
    expect(e.next.outcome).toBe('skipped:binary');
    expect(e.file.skipped?.reason).toBe('binary');
  });

  it('include/exclude: reports whether a run over folders would examine the file', async () => {
    const file = fixture('headings.md');
    const ctx = explainCtx(new MemoryStore(), sim());
    const yes = await explainLine(
      { file, line: 1 },
      { ...ctx, selection: { include: ['**/*.md'], exclude: [] } },
    );
    const no = await explainLine(
      { file, line: 1 },
      { ...ctx, selection: { include: ['**/*.md'], exclude: ['headings.md'] } },
    );
    expect(yes.selected).toBe(true);
    expect(no.selected).toBe(false);
  });

  it('a line the file does not have is a LineOutOfRangeError naming the range', async () => {
    const file = fixture('headings.md');
    const lines = split(file.bytes, { path: file.path }).lines.length;
    const ctx = explainCtx(new MemoryStore(), sim());
    await expect(explainLine({ file, line: lines + 1 }, ctx)).rejects.toThrow(
      new LineOutOfRangeError(file.path, lines + 1, lines).message,
    );
    await expect(explainLine({ file, line: 0 }, ctx)).rejects.toBeInstanceOf(LineOutOfRangeError);
    await expect(explainLine({ file: fixture('empty.md'), line: 1 }, ctx)).rejects.toThrow(
      /the file is empty/,
    );
    const last = await explainLine({ file, line: lines }, ctx);
    expect(last.line).toBe(lines);
  });
});
