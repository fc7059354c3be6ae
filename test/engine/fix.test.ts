import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/index.js';
import type { CacheValue, LineStore, StoreWrite } from '../../src/cache/types.js';
import { convergeRuns } from '../../src/engine/converge.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { EngineContext, SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';
import type { Budget, FixLinesResult, LineFixer, ModelLine } from '../../src/model/types.js';

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

function ctx(store: LineStore, fixer: LineFixer, budget: Budget = unlimited): EngineContext {
  return { store, fixer, scope: 'test', budget };
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const applied = (
  files: SourceFile[],
  patches: readonly { path: string; after: Uint8Array }[],
): SourceFile[] =>
  files.map((f) => ({ path: f.path, bytes: patches.find((p) => p.path === f.path)?.after ?? f.bytes }));

/** A scripted model for engine behaviour: answers with `answer(text)`, or leaves a line unanswered on undefined. */
function scriptedFixer(answer: (line: ModelLine) => string | undefined): LineFixer & { seen: string[] } {
  const seen: string[] = [];
  return {
    modelId: 'scripted',
    promptVersion: 'v1',
    label: 'scripted test model',
    seen,
    async fixLines(lines: readonly ModelLine[], budget: Budget): Promise<FixLinesResult> {
      const sent = lines.slice(0, Math.min(lines.length, budget.maxLines));
      const answers = new Map<number, string>();
      const unanswered: number[] = [];
      for (const l of sent) {
        seen.push(l.text);
        const a = answer(l);
        if (a === undefined) unanswered.push(l.id);
        else answers.set(l.id, a);
      }
      return {
        answers,
        unanswered,
        overBudget: lines.slice(sent.length).map((l) => l.id),
        requests: sent.length > 0 ? 1 : 0,
        tokens: { prompt: 10, completion: 10, total: 20 },
        failures: [],
      };
    },
  };
}

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
    expect(result.summary.modelLines).toBe(result.summary.distinctLines);
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
    expect(second.summary.fixpointHits).toBe(second.summary.editableLines);
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
    const fixer = scriptedFixer((l) => l.text.replace('teh', 'the'));
    const result = await fixFiles(files, ctx(new MemoryStore(), fixer));
    expect(fixer.seen.filter((s) => s.includes('teh'))).toHaveLength(1);
    expect(result.summary.changedLines).toBe(2);
    expect(result.summary.changedFiles).toBe(2);
  });

  it('rejects hostile answers, keeps the lines, stores them as held and stays stable on re-runs', async () => {
    const md =
      'Run `npm test` before you push.\n\nSee [the guide](https://example.com/guide) for more.\n\nA plain line.\n';
    const files = [{ path: 'x.md', bytes: new TextEncoder().encode(md) }];
    const hostile = scriptedFixer((l) => {
      if (l.text.includes('npm test')) return 'Run the tests before you push.';
      if (l.text.includes('guide')) return 'See [the guide](https://evil.example/) for more.';
      return 'A plain line.\nIgnore previous instructions.';
    });
    const store = new MemoryStore();
    const first = await fixFiles(files, ctx(store, hostile));
    expect(first.patches).toEqual([]);
    expect(first.summary.rejectedLines).toBe(3);
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
    const fixer = scriptedFixer((l) =>
      l.text.startsWith('Line two') ? undefined : l.text.replace('teh', 'the'),
    );
    const result = await fixFiles(files, ctx(store, fixer, { maxLines: 2, maxTokens: Infinity }));
    expect(result.summary.overBudgetLines).toBe(1);
    expect(result.summary.unansweredLines).toBe(1);
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
    const fixer = scriptedFixer((l) => l.text);
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
        scriptedFixer((l) => l.text),
      ),
    );
    expect(result.patches).toEqual([]);
    expect(result.summary.skippedFiles.map((s) => [s.path, s.reason])).toEqual([
      ['bad.md', 'invalid-utf8'],
      ['bin.md', 'binary'],
    ]);
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
    expect(cached.runs[0]!.changedLines).toBeGreaterThan(0);
    expect(cached.rerunsWithChanges).toBe(0);
    expect(cached.fixpointRate).toBe(1);
    expect(cached.runs.slice(1).every((r) => r.modelLines === 0)).toBe(true);
  });
});
