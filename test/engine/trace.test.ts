// Decision summaries of real runs, and reading a saved `fix --json --trace` output back.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/index.js';
import { fixFiles } from '../../src/engine/fix.js';
import {
  keyInputsDiffer,
  parseSavedRun,
  recordedDecision,
  summariseDecisions,
} from '../../src/engine/trace.js';
import type { EngineContext, SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';

const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const files: SourceFile[] = readdirSync(fixtures)
  .filter((n) => /\.mdx?$/.test(n))
  .sort()
  .map((n) => ({ path: n, bytes: new Uint8Array(readFileSync(join(fixtures, n))) }));
/** A fresh simulator per run: its answers depend on its call count, so equal runs need equal fixers. */
const ctx = (store: MemoryStore, trace: 'all' | 'changes'): EngineContext => ({
  store,
  fixer: createFixer({ provider: 'sim', model: 'sim', sim: { seed: 7, flipRate: 0, faultRate: 0.2 } }),
  scope: 'test',
  budget: { maxLines: Infinity, maxTokens: Infinity },
  trace,
});

describe('summariseDecisions', () => {
  it('accounts for every unit and frozen line of the files split, the same with a full trace or changes only', async () => {
    const all = await fixFiles(files, ctx(new MemoryStore(), 'all'));
    const changes = await fixFiles(files, ctx(new MemoryStore(), 'changes'));
    const d = summariseDecisions(all);
    expect(summariseDecisions(changes)).toEqual(d);

    const units = Object.values(d.units).reduce((n, c) => n + c, 0);
    expect(units).toBe(all.summary.units);
    expect(d.frozenLines).toBe(all.summary.lines - all.summary.editableLines);
    // Per-outcome counts agree with the full trace; the trace's units and frozen lines cover every line.
    const traced = (p: (o: string) => boolean): number => all.trace.filter((t) => p(t.outcome)).length;
    expect(all.trace.reduce((n, t) => n + t.lines, 0)).toBe(all.summary.lines);
    expect(d.units['miss-changed']).toBe(traced((o) => o === 'miss-changed'));
    expect(d.units['miss-unchanged']).toBe(traced((o) => o === 'miss-unchanged'));
    expect(d.units.rejected).toBe(traced((o) => o.startsWith('rejected:')));
    expect(d.frozenLines).toBe(traced((o) => o.startsWith('frozen:')));
    expect(d.units.rejected).toBeGreaterThan(0);
    expect(Object.values(d.rejectedByReason).reduce((n, c) => n + c, 0)).toBe(d.units.rejected);
    expect(d.frozenByReason).toEqual(all.summary.frozenByReason);
    expect(d.files).toEqual({
      parsed: files.length - 3,
      'skipped:binary': 1,
      'skipped:invalid-utf8': 1,
      'skipped:parse-error': 1,
    });
  });

  it('counts file-level fixpoint hits and files the run left out', async () => {
    const store = new MemoryStore();
    await fixFiles(files, ctx(store, 'changes'));
    const again = await fixFiles(files, ctx(store, 'changes'));
    again.summary.skippedFiles.push({ path: 'big.md', reason: 'limit', message: 'big.md: not examined' });
    const d = summariseDecisions(again);
    expect(d.files['file-fixpoint-hit']).toBe(again.summary.fileFixpointHits);
    expect(d.files['file-fixpoint-hit']).toBeGreaterThan(0);
    expect(d.files['skipped:limit']).toBe(1);
    // A skipped file is counted once, from its trace, not again from the summary's list.
    expect(d.files['skipped:binary']).toBe(1);
  });
});

describe('saved runs', () => {
  it('reads back what `fix --json --trace` prints, and finds a line or its file', async () => {
    const result = await fixFiles(files.slice(0, 6), ctx(new MemoryStore(), 'all'));
    const printed = JSON.parse(
      JSON.stringify({
        ...result.summary,
        keyInputs: result.keyInputs,
        trace: result.trace,
        fileTrace: result.files,
      }),
    ) as unknown;
    const saved = parseSavedRun(printed);
    if ('error' in saved) throw new Error(saved.error);
    expect(saved.keyInputs).toEqual(result.keyInputs);
    const line = result.trace[3]!;
    expect(recordedDecision(saved, line.path, line.line)).toEqual({ found: 'line', trace: line });
    // Any line of a unit of several lines finds the unit's entry.
    const wrapped = result.trace.find((t) => t.lines > 1)!;
    expect(recordedDecision(saved, wrapped.path, wrapped.line + wrapped.lines - 1)).toEqual({
      found: 'line',
      trace: wrapped,
    });
    expect(recordedDecision(saved, 'binary.md', 1)).toMatchObject({
      found: 'file',
      file: { outcome: 'skipped:binary' },
    });
    expect(recordedDecision(saved, line.path, 10_000)).toEqual({ found: 'none', fileInRun: true });
    expect(recordedDecision(saved, 'elsewhere.md', 1)).toEqual({ found: 'none', fileInRun: false });
    expect(
      keyInputsDiffer(result.keyInputs, { ...result.keyInputs, promptVersion: 'other', scope: 's' }),
    ).toEqual(['scope', 'promptVersion']);
  });

  it('says what is wrong with something that is not a saved trace', () => {
    expect(parseSavedRun([])).toEqual({ error: expect.stringContaining('JSON object') });
    expect(parseSavedRun({ files: 3 })).toEqual({ error: expect.stringContaining('"trace" array') });
    expect(parseSavedRun({ trace: [{ path: 'a.md', line: '1' }] })).toEqual({
      error: expect.stringContaining('"trace" array'),
    });
    expect(parseSavedRun({ trace: [] })).toEqual({ trace: [] });
  });
});
