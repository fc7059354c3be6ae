// `docs-fix explain` and the decision summary of `fix --json`, through the real command line.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLocation } from '../../src/cli/explain.js';
import { UsageError } from '../../src/cli/options.js';
import type { LineExplanation } from '../../src/engine/explain.js';
import type { DecisionSummary } from '../../src/engine/trace.js';
import type { FileTrace, KeyInputs, RunSummary, UnitTrace } from '../../src/engine/types.js';
import { runCli } from '../support/cli.js';

const fixtures = new URL('../fixtures/markdown', import.meta.url).pathname;
const sim = ['--provider', 'sim', '--cache-dir', 'cache'];
const doc = 'docs/real-powershell-notes-crlf.md';

type Saved = RunSummary & {
  keyInputs: KeyInputs;
  decisions: DecisionSummary;
  trace: UnitTrace[];
  fileTrace: FileTrace[];
};

let work: string;
let saved: Saved;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'docs-fix-explain-'));
  for (const name of ['real-powershell-notes-crlf.md', 'code.md', 'binary.md']) {
    cpSync(join(fixtures, name), join(work, 'docs', name));
  }
  const run = await runCli(['fix', 'docs', '--json', '--trace', ...sim], { cwd: work });
  expect(run.code).toBe(0);
  writeFileSync(join(work, 'run.json'), run.stdout);
  saved = JSON.parse(run.stdout) as Saved;
});

const explain = (args: string[]) => runCli(['explain', ...args, ...sim], { cwd: work });

describe('fix --json', () => {
  it('carries the key inputs, the decisions by outcome, and with --trace the line and file traces', () => {
    expect(saved.keyInputs).toMatchObject({ scope: 'local', cacheSchema: 2 });
    expect(saved.keyInputs.modelId).toMatch(/^docs-fix-sim\//);
    expect(saved.decisions.files).toEqual({ parsed: 2, 'skipped:binary': 1 });
    expect(saved.decisions.units['miss-changed']).toBe(saved.changedUnits);
    expect(saved.decisions.frozenLines).toBe(
      saved.trace.filter((t) => t.outcome.startsWith('frozen:')).length,
    );
    expect(saved.decisions.frozenByReason).toEqual(saved.frozenByReason);
    expect(saved.fileTrace.map((f) => [f.path, f.outcome])).toEqual([
      ['docs/binary.md', 'skipped:binary'],
      ['docs/code.md', 'parsed'],
      [doc, 'parsed'],
    ]);
    // The summary's own fields stay where they were.
    expect(saved.files).toBe(3);
  });
});

describe('docs-fix explain', () => {
  it('explains a changed line: the rewrite the next run serves, and what the saved run recorded', async () => {
    const changed = saved.trace.find((t) => t.path === doc && t.outcome === 'miss-changed')!;
    expect(changed).toBeDefined();
    const out = await explain([`${doc}:${changed.line}`, '--json', '--trace', 'run.json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const e = JSON.parse(out.stdout) as LineExplanation;
    expect(e).toMatchObject({
      path: doc,
      line: changed.line,
      keyInputs: saved.keyInputs,
      selected: true,
      source: { editable: true, suffix: '\r\n' },
      unit: { firstLine: changed.line, lines: changed.before.split('\n') },
      cache: { type: 'rewrite', text: changed.after, targetIsFixpoint: true, admission: { ok: true } },
      next: { outcome: 'rewrite-hit', text: changed.after },
      recorded: { decision: { found: 'line', trace: changed }, keyInputsDiffer: [] },
    });
    expect(e.lineKey).toMatch(/^[A-Za-z0-9_-]{7}\.[A-Za-z0-9_-]{43}$/);

    const human = await explain([`${doc}:${changed.line}`, '--trace', 'run.json']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${doc}:${changed.line}: `);
    expect(human.stdout).toMatch(/^next run {4}rewrite-hit → /m);
    expect(human.stdout).toMatch(/^recorded {4}miss-changed → /m);
    expect(human.stdout).toContain(`prompt version ${saved.keyInputs.promptVersion}`);
  });

  it('explains a frozen line with its reason (--ask does not send it), a fixpoint line, a file-level fixpoint; writes nothing', async () => {
    const frozen = saved.trace.find((t) => t.path === doc && t.outcome.startsWith('frozen:'))!;
    const unchanged = saved.trace.find((t) => t.path === doc && t.outcome === 'miss-unchanged')!;
    const stats = async () =>
      (await runCli(['cache', 'stats', '--cache-dir', 'cache', '--json'], { cwd: work })).stdout;
    const before = await stats();
    expect(JSON.parse(before)).toMatchObject({ entries: expect.any(Number) });

    const [f, u, c] = await Promise.all([
      explain([`${doc}:${frozen.line}`, '--json', '--ask']),
      explain([`${doc}:${unchanged.line}`, '--json', '--ask']),
      explain(['docs/code.md:1']),
    ]);
    expect([f.code, u.code, c.code]).toEqual([0, 0, 0]);
    expect(JSON.parse(f.stdout)).toMatchObject({
      source: { editable: false, reason: frozen.outcome.slice('frozen:'.length) },
      next: { outcome: frozen.outcome },
      asked: { sent: false },
    });
    const e = JSON.parse(u.stdout) as LineExplanation;
    expect(e.cache).toEqual({ type: 'fixpoint' });
    expect(e.next.outcome).toBe('fixpoint-hit');
    expect(e.asked).toMatchObject({ sent: true });
    // Every line of code.md was a fixpoint or frozen: the run stored the file-level fixpoint.
    expect(c.stdout).toMatch(/^file {8}md, \d+ lines: a known file-level fixpoint \(by bytes\)$/m);
    expect(c.stdout).toMatch(/^next run {4}file-fixpoint-hit$/m);
    expect(await stats()).toBe(before);
  });

  it('exits 2 naming what is wrong', async () => {
    const cases: [string[], RegExp][] = [
      [['docs/code.md'], /expected <file>:<line>.*got "docs\/code\.md"/],
      [['docs/missing.md:3'], /docs\/missing\.md: no such file/],
      [['docs/code.md:9999'], /docs\/code\.md:9999: no such line; expected 1 to \d+/],
      [['docs/code.md:1', '--trace', 'docs/code.md'], /--trace docs\/code\.md: not JSON/],
    ];
    const outs = await Promise.all(cases.map(([args]) => explain(args)));
    cases.forEach(([args, message], i) => {
      expect(outs[i]!.code, args.join(' ')).toBe(2);
      expect(outs[i]!.stderr, args.join(' ')).toMatch(message);
      expect(outs[i]!.stdout).toBe('');
    });
  });

  it('parses <file>:<line> at the last colon', () => {
    expect(parseLocation('docs/a.md:12')).toEqual({ file: 'docs/a.md', line: 12 });
    expect(parseLocation('C:/docs/a.md:3')).toEqual({ file: 'C:/docs/a.md', line: 3 });
    for (const bad of ['docs/a.md', 'docs/a.md:', ':3', 'docs/a.md:0', 'docs/a.md:1.5', 'docs/a.md:-2']) {
      expect(() => parseLocation(bad), bad).toThrow(UsageError);
    }
  });

  it('reads the same options as fix: another scope finds nothing cached for the line', async () => {
    const changed = saved.trace.find((t) => t.path === doc && t.outcome === 'miss-changed')!;
    const out = await explain([
      `${doc}:${changed.line}`,
      '--json',
      '--scope',
      'other',
      '--trace',
      'run.json',
    ]);
    expect(out.code).toBe(0);
    const e = JSON.parse(out.stdout) as LineExplanation;
    expect(e.keyInputs.scope).toBe('other');
    expect(e.cache).toEqual({ type: 'none' });
    expect(e.next.outcome).toBe('miss');
    expect(e.recorded?.keyInputsDiffer).toEqual(['scope']);
    expect(readFileSync(join(work, doc), 'utf8')).toContain(changed.before);
  });
});
