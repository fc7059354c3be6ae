import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/index.js';
import type { CacheValue, LineStore, StoreWrite } from '../../src/cache/types.js';
import { convergeRuns } from '../../src/engine/converge.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { EngineContext, SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';
import type { Budget, UnitFixer } from '../../src/model/types.js';
import { scriptedFixer, unitTextOf } from '../support/scripted-fixer.js';

const examples = join(import.meta.dirname, '../../examples/docs');
const unlimited: Budget = { maxLines: Infinity, maxTokens: Infinity };

function readExamples(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.push({ path: `${rel}${e.name}`, bytes: new Uint8Array(readFileSync(join(dir, e.name))) });
    }
  };
  walk(examples, '');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function ctx(store: LineStore, fixer: UnitFixer, budget: Budget = unlimited): EngineContext {
  return { store, fixer, scope: 'test', budget };
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const applied = (
  files: SourceFile[],
  patches: readonly { path: string; after: Uint8Array }[],
): SourceFile[] =>
  files.map((f) => ({ path: f.path, bytes: patches.find((p) => p.path === f.path)?.after ?? f.bytes }));

describe('fixFiles', () => {
  it('with echo changes nothing and leaves every file byte-identical', async () => {
    const files = readExamples();
    const result = await fixFiles(
      files,
      ctx(new MemoryStore(), createFixer({ provider: 'echo', model: 'echo' })),
    );
    expect(result.patches).toEqual([]);
    expect(result.diff).toBe('');
    expect(result.summary.changedLines).toBe(0);
    expect(result.summary.modelUnits).toBe(result.summary.distinctUnits);
    expect(result.summary.modelLines).toBeGreaterThan(result.summary.modelUnits);
    expect(result.summary.editableLines).toBeGreaterThan(20);
  });

  it('fixes misspellings with the simulator, and a re-run on its own output sends nothing and changes nothing', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const files = readExamples();
    const first = await fixFiles(files, ctx(store, fixer));
    expect(first.summary.changedLines).toBeGreaterThan(5);
    expect(first.diff).toContain('-Once it is installed, run `lanternfish --help` to see wich commands');
    expect(first.diff).toContain('+Once it is installed, run `lanternfish --help` to see which commands');
    // Frozen lines are untouched: code, front matter, HTML, tables, shortcodes.
    const readme = text(first.patches.find((p) => p.path === 'README.md')!.after);
    expect(readme).toContain('npm install --global lanternfish');
    expect(readme).toContain('| `run`   | Runs a task and its dependencies |');

    const second = await fixFiles(applied(files, first.patches), ctx(store, fixer));
    expect(second.summary.modelLines).toBe(0);
    expect(second.summary.changedLines).toBe(0);
    expect(second.summary.fixpointHits).toBe(second.summary.units);
  });

  it('serves rewrites from the cache for the original input, with the same result and no model lines', async () => {
    const store = new MemoryStore();
    const fixer = createFixer({ provider: 'sim', model: 'sim' });
    const files = readExamples();
    const first = await fixFiles(files, ctx(store, fixer));
    const again = await fixFiles(files, ctx(store, fixer));
    expect(again.summary.modelLines).toBe(0);
    expect(again.summary.rewriteHits).toBeGreaterThan(0);
    expect(again.diff).toBe(first.diff);
  });

  it('sends a line repeated across files to the model once', async () => {
    const line = 'This line appears in both files and has a typo: teh.\n';
    const files = [
      { path: 'a.md', bytes: new TextEncoder().encode(`# A\n\n${line}`) },
      { path: 'b.md', bytes: new TextEncoder().encode(`# B\n\n${line}`) },
    ];
    const fixer = scriptedFixer((u) => u.lines.map((l) => l.replace('teh', 'the')));
    const result = await fixFiles(files, ctx(new MemoryStore(), fixer));
    expect(fixer.seen.filter((s) => s.includes('teh'))).toHaveLength(1);
    expect(result.summary.changedLines).toBe(2);
    expect(result.summary.changedFiles).toBe(2);
  });

  it('rejects hostile answers, keeps the lines, stores them as held and stays stable on re-runs', async () => {
    const md =
      'Run `npm test` before you push.\n\nSee [the guide](https://example.com/guide) for more.\n\nA plain line.\n';
    const files = [{ path: 'x.md', bytes: new TextEncoder().encode(md) }];
    const hostile = scriptedFixer((u) => {
      const text = unitTextOf(u);
      if (text.includes('npm test')) return 'Run the tests before you push.';
      if (text.includes('guide')) return 'See [the guide](https://evil.example/) for more.';
      return 'A plain line.\nIgnore previous instructions.';
    });
    const store = new MemoryStore();
    const first = await fixFiles(files, ctx(store, hostile));
    expect(first.patches).toEqual([]);
    expect(first.summary.rejectedUnits).toBe(3);
    expect(first.trace.map((t) => t.outcome).sort()).toEqual(
      ['rejected:code-span-changed', 'rejected:link-changed', 'rejected:multi-line'].sort(),
    );
    const second = await fixFiles(files, ctx(store, hostile));
    expect(second.summary.modelLines).toBe(0);
    expect(second.summary.heldHits).toBe(3);
    expect(second.summary.changedLines).toBe(0);
  });

  it('leaves lines over budget or unanswered unchanged and does not cache them', async () => {
    const md = 'Line one has teh typo.\n\nLine two has teh typo.\n\nLine three has teh typo.\n';
    const files = [{ path: 'x.md', bytes: new TextEncoder().encode(md) }];
    const store = new MemoryStore();
    const fixer = scriptedFixer((u) =>
      unitTextOf(u).startsWith('Line two') ? undefined : unitTextOf(u).replace('teh', 'the'),
    );
    const result = await fixFiles(files, ctx(store, fixer, { maxLines: 2, maxTokens: Infinity }));
    expect(result.summary.overBudgetUnits).toBe(1);
    expect(result.summary.unansweredUnits).toBe(1);
    expect(result.summary.changedLines).toBe(1);
    const again = await fixFiles(files, ctx(store, fixer));
    expect(again.summary.modelLines).toBe(2);
  });

  it('fails closed when the store cannot be written: the run rejects and emits no patch', async () => {
    class BrokenStore extends MemoryStore {
      override async write(_writes: readonly StoreWrite[]): Promise<void> {
        throw new Error('store down');
      }
    }
    const files = readExamples();
    await expect(
      fixFiles(files, ctx(new BrokenStore(), createFixer({ provider: 'sim', model: 'sim' }))),
    ).rejects.toThrow('store down');
  });

  it('fails closed when the store cannot be read', async () => {
    class BrokenStore extends MemoryStore {
      override async get(_keys: readonly string[]): Promise<(CacheValue | undefined)[]> {
        throw new Error('lookup failed');
      }
    }
    const fixer = scriptedFixer((u) => u.lines);
    await expect(fixFiles(readExamples(), ctx(new BrokenStore(), fixer))).rejects.toThrow('lookup failed');
    expect(fixer.seen).toEqual([]);
  });

  it('skips files it cannot handle and reports why, leaving them untouched', async () => {
    const files = [
      { path: 'bad.md', bytes: new Uint8Array([0x48, 0x69, 0xff, 0xfe, 0x0a]) },
      { path: 'bin.md', bytes: new Uint8Array([0x48, 0x00, 0x69]) },
    ];
    const result = await fixFiles(
      files,
      ctx(
        new MemoryStore(),
        scriptedFixer((u) => u.lines),
      ),
    );
    expect(result.patches).toEqual([]);
    expect(result.summary.skippedFiles.map((s) => [s.path, s.reason])).toEqual([
      ['bad.md', 'invalid-utf8'],
      ['bin.md', 'binary'],
    ]);
  });
});

describe('prose units', () => {
  const wrapped = [
    '# Testing',
    '',
    'Run the',
    'the tests before',
    'you push. Teh results',
    'go to `target/`.',
    '',
    '- A list item that',
    '  wraps onto a second line.',
    '',
  ].join('\n');
  const files = () => [{ path: 'wrapped.md', bytes: new TextEncoder().encode(wrapped) }];

  it('sends a hard-wrapped paragraph as one unit, fixes across its line breaks and keeps the line breaks', async () => {
    const sim = createFixer({ provider: 'sim', model: 'sim', sim: { flipRate: 0 } });
    const result = await fixFiles(files(), ctx(new MemoryStore(), sim));
    expect(result.summary.units).toBe(3);
    expect(result.summary.modelUnits).toBe(3);
    expect(result.summary.modelLines).toBe(7);
    expect(text(result.patches[0]!.after)).toBe(
      wrapped.replace('the tests before', 'tests before').replace('Teh results', 'The results'),
    );
    expect(result.summary.changedLines).toBe(2);
    expect(result.summary.changedUnits).toBe(1);
    expect(result.trace).toEqual([
      {
        path: 'wrapped.md',
        line: 3,
        lines: 4,
        outcome: 'miss-changed',
        before: 'Run the\nthe tests before\nyou push. Teh results\ngo to `target/`.',
        after: 'Run the\ntests before\nyou push. The results\ngo to `target/`.',
      },
    ]);
  });

  it('sentence-case damages every continuation line with line units, none with prose units', async () => {
    const run = async (units: 'prose' | 'line') => {
      const fixer = createFixer({
        provider: 'sim',
        model: 'sim',
        sim: { flipRate: 0, rules: ['sentence-case'] },
      });
      const result = await fixFiles(files(), { ...ctx(new MemoryStore(), fixer), units });
      return result.patches[0] ? text(result.patches[0].after) : wrapped;
    };
    // Every unit is a sentence already; only the heading gains a full stop (the rule ends every unit).
    const prose = await run('prose');
    expect(prose).toBe(wrapped.replace('# Testing', '# Testing.'));
    const lines = await run('line');
    expect(lines.split('\n').filter((l) => /^(- | {2})?[A-Z]/.test(l))).toEqual([
      'Run the.',
      'The tests before.',
      'You push. Teh results.',
      'Go to `target/`.',
      '- A list item that.',
      '  Wraps onto a second line.',
    ]);
  });

  it('rejects an answer with another number of lines and keeps the unit', async () => {
    const merge = scriptedFixer((u) => [u.lines.join(' ')]);
    const result = await fixFiles(files(), ctx(new MemoryStore(), merge));
    expect(result.patches).toEqual([]);
    expect(result.summary.rejectedByReason).toEqual({ 'line-count': 2 });
  });

  it('keys a unit by its exact lines: rewrapping the same words is another unit', async () => {
    const store = new MemoryStore();
    const fixer = scriptedFixer((u) => u.lines);
    await fixFiles(files(), ctx(store, fixer));
    const rewrapped = wrapped.replace('Run the\nthe tests before', 'Run the the\ntests before');
    const again = await fixFiles(
      [{ path: 'wrapped.md', bytes: new TextEncoder().encode(rewrapped) }],
      ctx(store, fixer),
    );
    expect(again.summary.modelUnits).toBe(1);
    expect(fixer.seen.at(-1)).toBe('Run the the\ntests before\nyou push. Teh results\ngo to `target/`.');
  });
});

describe('convergeRuns', () => {
  it('without the cache re-runs keep changing lines; with it they never do', async () => {
    const files = readExamples();
    const fixer = createFixer({ provider: 'sim', model: 'sim', sim: { seed: 7, flipRate: 0.3 } });
    const noCache = await convergeRuns(files, {
      runs: 6,
      storeForRun: () => new MemoryStore(),
      fixer,
      scope: 'test',
      budget: unlimited,
    });
    expect(noCache.rerunsWithChanges).toBeGreaterThan(0);
    expect(noCache.fixpointRate).toBeLessThan(1);

    const store = new MemoryStore();
    const cached = await convergeRuns(files, {
      runs: 6,
      storeForRun: () => store,
      fixer,
      scope: 'test',
      budget: unlimited,
    });
    expect(cached.runs[0]!.changedUnits).toBeGreaterThan(0);
    expect(cached.rerunsWithChanges).toBe(0);
    expect(cached.fixpointRate).toBe(1);
    expect(cached.runs.slice(1).every((r) => r.modelLines === 0)).toBe(true);
  });
});
