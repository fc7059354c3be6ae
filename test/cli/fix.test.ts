import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const examples = new URL('../../examples/docs', import.meta.url).pathname;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'docs-fix-cli-'));
  cpSync(examples, join(work, 'docs'), { recursive: true });
});

const sim = ['--provider', 'sim', '--cache-dir', 'cache'];

describe('docs-fix fix / check / converge', () => {
  it('check exits 1 with pending edits, fix --write applies them, then check exits 0 with nothing sent to the model', async () => {
    const before = readFileSync(join(work, 'docs/README.md'), 'utf8');
    const pending = await runCli(['check', 'docs', ...sim], { cwd: work });
    expect(pending.stderr).toContain('offline simulator');
    expect(pending.code).toBe(1);

    const fixed = await runCli(['fix', 'docs', '--write', ...sim], { cwd: work });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('diff --git a/docs/README.md b/docs/README.md');
    const after = readFileSync(join(work, 'docs/README.md'), 'utf8');
    expect(after).not.toBe(before);
    expect(after).toContain('to see which commands');

    const clean = await runCli(['check', 'docs', '--json', ...sim], { cwd: work });
    expect(clean.code).toBe(0);
    const summary = JSON.parse(clean.stdout) as Record<string, unknown>;
    for (const field of [
      'files',
      'skippedFiles',
      'lines',
      'editableLines',
      'units',
      'distinctUnits',
      'fixpointHits',
      'rewriteHits',
      'modelUnits',
      'modelLines',
      'modelRequests',
      'changedLines',
      'changedUnits',
      'changedFiles',
      'rejectedUnits',
      'heldUnits',
      'overBudgetUnits',
      'tokens',
      'durationMs',
    ]) {
      expect(summary).toHaveProperty(field);
    }
    expect(summary.modelLines).toBe(0);
    expect(summary.changedLines).toBe(0);
  });

  it(
    '--threads 2 splits on worker threads with the same result; file-level fixpoints skip settled files; --no-file-fixpoints splits them',
    { timeout: 300_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'docs-fix-cli-threads-'));
      cpSync(examples, join(dir, 'docs'), { recursive: true });
      const one = await runCli(['fix', 'docs', ...sim, '--store', 'memory', '--threads', '1'], { cwd: dir });
      const two = await runCli(['fix', 'docs', ...sim, '--store', 'memory', '--threads', '2'], { cwd: dir });
      expect(one.code).toBe(0);
      expect(two.code).toBe(0);
      expect(two.stdout).toBe(one.stdout);
      expect(two.stdout).toContain('diff --git');

      await runCli(['fix', 'docs', '--write', ...sim], { cwd: dir });
      const settle = JSON.parse((await runCli(['check', 'docs', '--json', ...sim], { cwd: dir })).stdout) as {
        fileFixpointsStored: number;
        files: number;
      };
      expect(settle.fileFixpointsStored).toBe(settle.files);
      const skipped = JSON.parse(
        (await runCli(['check', 'docs', '--json', ...sim], { cwd: dir })).stdout,
      ) as {
        fileFixpointHits: number;
        editableLines: number;
      };
      expect(skipped).toMatchObject({ fileFixpointHits: settle.files, editableLines: 0 });
      const all = JSON.parse(
        (await runCli(['check', 'docs', '--json', '--no-file-fixpoints', ...sim], { cwd: dir })).stdout,
      ) as { fileFixpointHits: number; editableLines: number; units: number; fixpointHits: number };
      expect(all.fileFixpointHits).toBe(0);
      expect(all.fixpointHits).toBe(all.units);
      expect(all.editableLines).toBeGreaterThan(0);
      const bad = await runCli(['check', 'docs', '--threads', '0', ...sim], { cwd: dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--threads');
    },
  );

  it('converge --no-cache prints one summary per run with rates', async () => {
    const out = await runCli(
      ['converge', 'docs', '--runs', '3', '--no-cache', '--store', 'memory', '--provider', 'sim', '--json'],
      { cwd: work },
    );
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as {
      runs: { run: number; modelLines: number }[];
      pullRequestFailureRate: number;
    };
    expect(report.runs.map((r) => r.run)).toEqual([1, 2, 3]);
    // Without a cache every run sends every line to the model again.
    expect(report.runs[2]!.modelLines).toBe(report.runs[0]!.modelLines);
    expect(report.pullRequestFailureRate).toBeGreaterThanOrEqual(0);
  });

  it('converge --units line asks about each line alone: sentence-case then damages wrapped lines that prose units keep', async () => {
    // A hard-wrapped chapter of the Rust book (test/fixtures/LICENSES.md).
    const wrapped = mkdtempSync(join(tmpdir(), 'docs-fix-cli-wrapped-'));
    cpSync(
      new URL('../fixtures/markdown/real-rust-book-comments.md', import.meta.url).pathname,
      join(wrapped, 'comments.md'),
    );
    const converge = async (units: string) => {
      const out = await runCli(
        [
          'converge',
          '.',
          '--runs',
          '2',
          '--units',
          units,
          '--sim-rules',
          'sentence-case',
          '--store',
          'memory',
        ],
        { cwd: wrapped, env: { DOCS_FIX_PROVIDER: 'sim' } },
      );
      expect(out.code, out.stderr).toBe(0);
      expect(out.stderr).toContain(`${units} units`);
      return out.stdout;
    };
    const [prose, line] = await Promise.all([converge('prose'), converge('line')]);
    const changed = (table: string): number => Number(/^ {2}1 +\d+ +\d+ +(\d+)/m.exec(table)![1]);
    expect(changed(line)).toBeGreaterThan(changed(prose));
    expect(prose).toContain('per-unit fixpoint rate');
    const bad = await runCli(['converge', 'docs', '--units', 'words'], { cwd: work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--units');
  });

  it('with echo leaves every file byte-identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-fix-echo-'));
    cpSync(examples, join(dir, 'docs'), { recursive: true });
    const before = readFileSync(join(dir, 'docs/guide/configuration.md'));
    const out = await runCli(
      ['fix', 'docs', '--write', '--provider', 'echo', '--store', 'memory', '--json'],
      { cwd: dir },
    );
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).changedLines).toBe(0);
    expect(readFileSync(join(dir, 'docs/guide/configuration.md')).equals(before)).toBe(true);
  });

  it('names a missing path and exits 2', async () => {
    const out = await runCli(['fix', 'no-such-folder', '--provider', 'echo', '--store', 'memory'], {
      cwd: work,
    });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no-such-folder');
  });

  it('names a bad option value and exits 2', async () => {
    const runs = await runCli(['converge', 'docs', '--runs', 'x', '--store', 'memory'], { cwd: work });
    expect(runs.code).toBe(2);
    expect(runs.stderr).toContain('--runs');
    const store = await runCli(['fix', 'docs', '--store', 'postgres'], { cwd: work });
    expect(store.code).toBe(2);
    expect(store.stderr).toContain('postgres');
  });

  it('names the field of an invalid config file and exits 2', async () => {
    writeFileSync(join(work, 'bad.yml'), 'schedule: sometimes\n');
    const out = await runCli(
      ['check', 'docs', '--config', 'bad.yml', '--store', 'memory', '--provider', 'echo'],
      {
        cwd: work,
      },
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('bad.yml:1');
    expect(out.stderr).toContain('schedule');
  });
});
