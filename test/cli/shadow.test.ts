// `docs-fix shadow` end to end: the real command line, the example docs, the embedded cache on disk.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShadowReport } from '../../src/engine/shadow.js';
import type { RunSummary } from '../../src/engine/types.js';
import { runCli } from '../support/cli.js';

const examples = new URL('../../examples/docs', import.meta.url).pathname;
const fixtures = new URL('../fixtures/markdown', import.meta.url).pathname;

/** The live configuration: the default simulator, its cache in `cache/`. */
const live = ['--provider', 'sim', '--cache-dir', 'cache'];
const steady = [
  '--candidate-sim-flip-rate',
  '0',
  '--candidate-sim-rules',
  'spelling,wordy,doubled,contractions',
];
const steadyAsLive = ['--sim-flip-rate', '0', '--sim-rules', 'spelling,wordy,doubled,contractions'];
const noisy = [
  '--candidate-sim-seed',
  '7',
  '--candidate-sim-flip-rate',
  '0.3',
  '--candidate-sim-rules',
  'spelling,wordy,doubled,us-spelling,no-contractions',
];
const noisyAsLive = [
  '--sim-seed',
  '7',
  '--sim-flip-rate',
  '0.3',
  '--sim-rules',
  'spelling,wordy,doubled,us-spelling,no-contractions',
];

let work: string;

/** A copy of the work folder (docs and live cache), for tests that write to the cache. */
function copyOfWork(): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-fix-shadow-copy-'));
  cpSync(join(work, 'docs'), join(dir, 'docs'), { recursive: true });
  cpSync(join(work, 'cache'), join(dir, 'cache'), { recursive: true });
  return dir;
}

async function stats(cwd: string): Promise<Record<string, number>> {
  const out = await runCli(['cache', 'stats', '--cache-dir', 'cache', '--json'], { cwd });
  const s = JSON.parse(out.stdout) as Record<string, number>;
  return { entries: s.entries!, fixpoints: s.fixpoints!, rewrites: s.rewrites!, held: s.held! };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'docs-fix-shadow-'));
  cpSync(examples, join(work, 'docs'), { recursive: true });
  for (const name of [
    'real-react-components.md',
    'real-powershell-notes-bom.md',
    'real-hugo-configure-page.md',
  ])
    cpSync(join(fixtures, name), join(work, 'docs', name));
  // The live configuration at its fixpoint: fix, write, and check that nothing is left.
  expect((await runCli(['fix', 'docs', '--write', ...live], { cwd: work })).code).toBe(0);
  const clean = await runCli(['check', 'docs', ...live], { cwd: work });
  expect(clean.code).toBe(0);
});

describe('docs-fix shadow', () => {
  it('reports what the switch does, leaves the live cache as it was, and the switch then does exactly that', async () => {
    const dir = copyOfWork();
    const before = await stats(dir);
    const out = await runCli(['shadow', 'docs', ...live, ...steady, '--json'], { cwd: dir });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as ShadowReport;
    expect(report.candidate.modelId).toContain('rules=spelling+wordy+doubled+contractions');
    expect(report.counts.currentFixpoints).toBeGreaterThan(0);
    expect(report.counts.waveUnits).toBeGreaterThan(0);
    expect(report.warmed).toBe(false);

    // Untouched: same entries, and the live configuration still finds every line at its fixpoint.
    expect(await stats(dir)).toEqual(before);
    const stillClean = await runCli(['check', 'docs', ...live, '--json'], { cwd: dir });
    expect(stillClean.code).toBe(0);
    expect((JSON.parse(stillClean.stdout) as RunSummary).modelLines).toBe(0);

    // The switch (the candidate as the live configuration), on the same files and cache.
    const switched = await runCli(['check', 'docs', ...live, ...steadyAsLive, '--json'], { cwd: dir });
    expect(switched.code).toBe(1);
    const s = JSON.parse(switched.stdout) as RunSummary;
    expect(s.changedLines).toBe(report.counts.candidateChanged);
    expect(s.changedFiles).toBe(report.counts.changedFiles);
    expect(s.modelLines).toBe(report.counts.candidateModelLines);
    expect(s.tokens).toEqual(report.counts.candidateTokens);
  });

  it('prints a table, and with --diff the changes the switch would propose', async () => {
    const out = await runCli(
      ['shadow', 'docs', ...live, '--candidate-sim-rules', 'spelling,contractions', '--diff'],
      {
        cwd: work,
      },
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('diff --git a/docs/');
    expect(out.stdout).toMatch(/^wave +\d+ of \d+ fixpoint units would change \(change rate/m);
    expect(out.stdout).toMatch(/^candidate fixpoint rate +100\.00%/m);
    expect(out.stdout).toContain('cost of the switch');
    expect(out.stderr).toContain('offline simulator');
  });

  it('exits 1 when a gate fails, naming the gate and the figure against the threshold', async () => {
    const out = await runCli(
      [
        'shadow',
        'docs',
        ...live,
        ...steady,
        '--max-change-rate',
        '0',
        '--max-cost',
        '100',
        '--price-per-1k-prompt-tokens',
        '0.15',
        '--price-per-1k-completion-tokens',
        '0.6',
        '--json',
      ],
      { cwd: work },
    );
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as ShadowReport;
    expect(report.passed).toBe(false);
    expect(report.gates.map((g) => [g.gate, g.passed])).toEqual([
      ['max-change-rate', false],
      ['max-cost', true],
    ]);
    const c = report.counts.candidateTokens;
    expect(c.total).toBeGreaterThan(0);
    expect(report.cost!.switch).toBeCloseTo((c.prompt / 1000) * 0.15 + (c.completion / 1000) * 0.6, 10);
    expect(out.stderr).toMatch(
      /gate max-change-rate failed: change rate \d+\.\d\d% \(\d+ of \d+ settled lines\) is above the maximum 0\.00%/,
    );

    const passing = await runCli(
      ['shadow', 'docs', ...live, ...steady, '--max-change-rate', '1', '--min-fixpoint-rate', '0.99'],
      {
        cwd: work,
      },
    );
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/gate max-change-rate +passed/);
  });

  it('prices from the environment; --max-cost fails when the switch costs more', async () => {
    const out = await runCli(['shadow', 'docs', ...live, ...steady, '--max-cost', '0.001', '--json'], {
      cwd: work,
      env: { DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS: '1', DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS: '2' },
    });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      /gate max-cost failed: estimated cost of the switch \d+\.\d{4} \(\d+ tokens\)/,
    );
  });

  it('--warm fills the candidate cache: the switch then asks the model about no line and makes the reported changes', async () => {
    const dir = copyOfWork();
    const shadow = await runCli(['shadow', 'docs', ...live, ...noisy, '--warm', '--json'], { cwd: dir });
    expect(shadow.code).toBe(0);
    const report = JSON.parse(shadow.stdout) as ShadowReport;
    expect(report.warmed).toBe(true);
    expect(report.counts.candidateModelLines).toBeGreaterThan(0);

    const live1 = await runCli(['check', 'docs', ...live, '--json'], { cwd: dir });
    expect(live1.code).toBe(0);
    expect((JSON.parse(live1.stdout) as RunSummary).modelLines).toBe(0);

    const switched = await runCli(['check', 'docs', ...live, ...noisyAsLive, '--json'], { cwd: dir });
    const s = JSON.parse(switched.stdout) as RunSummary;
    expect(s.modelLines).toBe(0);
    expect(s.tokens.total).toBe(0);
    expect(s.changedLines).toBe(report.counts.candidateChanged);
    expect(s.changedFiles).toBe(report.counts.changedFiles);
  });

  it('a candidate prompt file changes the prompt version', async () => {
    writeFileSync(join(work, 'prompt.txt'), 'You are a copy editor. Prefer short sentences.\n');
    const out = await runCli(['shadow', 'docs', ...live, '--candidate-prompt', 'prompt.txt', '--json'], {
      cwd: work,
    });
    expect(out.code).toBe(0);
    const report = JSON.parse(out.stdout) as ShadowReport;
    expect(report.candidate.modelId).toBe(report.current.modelId);
    expect(report.candidate.promptVersion).not.toBe(report.current.promptVersion);
  });

  it.each([
    [['--max-change-rate', '2'], '--max-change-rate'],
    [['--candidate-sim-rules', 'spelling,oxford'], '--candidate-sim-rules'],
    [['--max-cost', '1', ...steady], '--max-cost'],
    [['--price-per-1k-prompt-tokens', '1', ...steady], '--price-per-1k-completion-tokens'],
    [['--min-fixpoint-rate', '0.9', '--no-recheck', ...steady], '--min-fixpoint-rate'],
    [['--candidate-prompt', 'missing.txt'], '--candidate-prompt'],
    [[], 'the candidate is the current configuration'],
  ])('exits 2 on a usage error naming it (%j)', async (args, named) => {
    const out = await runCli(['shadow', 'docs', ...live, ...args], { cwd: work });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(named);
  });
});
