// The repository's vocabulary, its languages and its maintainers' rejections, through the real command
// line, with a model that would otherwise change the lines (the simulator's `us-spelling` and
// `sentence-case` rule sets).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore, rejectionKey } from '../../src/cache/index.js';
import type { RunSummary, UnitTrace } from '../../src/engine/types.js';
import { runCli } from '../support/cli.js';

const languages = new URL('../fixtures/languages/', import.meta.url).pathname;
type Json = RunSummary & { trace: UnitTrace[]; keyInputs: { languages?: string } };

function workspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-fix-maintainers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const british = 'docs/a.md';
const BRITISH = '# Theme\n\nOpen the Colour Picker to choose a colour.\n\nPick a colour for the theme.\n';
const usSpelling = ['--provider', 'sim', '--sim-rules', 'us-spelling', '--store', 'memory'];

describe('vocabulary', () => {
  it('from the config: a unit whose term the model would change is left, the others are fixed', async () => {
    const dir = workspace({ [british]: BRITISH, 'docs-fix.yml': 'vocabulary: [Colour Picker]\n' });
    const plain = await runCli(['fix', 'docs', ...usSpelling], { cwd: dir });
    expect(plain.stdout).toContain('+Open the Color Picker to choose a color.');

    const run = await runCli(
      ['fix', 'docs', '--config', 'docs-fix.yml', '--json', '--trace', ...usSpelling],
      {
        cwd: dir,
      },
    );
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Json;
    expect(out.rejectedByReason).toEqual({ 'vocabulary-changed': 1 });
    expect(out.trace.find((t) => t.line === 3)?.outcome).toBe('rejected:vocabulary-changed');
    expect(out.changedLines).toBe(1);

    const written = await runCli(['fix', 'docs', '--config', 'docs-fix.yml', '--write', ...usSpelling], {
      cwd: dir,
    });
    expect(written.code).toBe(0);
    expect(readFileSync(join(dir, british), 'utf8')).toBe(
      '# Theme\n\nOpen the Colour Picker to choose a colour.\n\nPick a color for the theme.\n',
    );
  });

  it("from the repository's Vale vocabulary and cspell words, found at the git root", async () => {
    const dir = workspace({
      'docs/b.md':
        'The Behaviour tab sets the colour.\n\nThe Colour Picker shows every colour.\n\nA colour.\n',
      '.vale.ini':
        'StylesPath = styles\nMinAlertLevel = suggestion\nVocab = Docs\n\n[*.md]\nBasedOnStyles = Vale\n',
      'styles/config/vocabularies/Docs/accept.txt':
        '# product names\n[Cc]olour Picker\n(?i)Kubernetes\n[pP]y.*\\b\n',
      'cspell.json': '// cspell config\n{\n  "version": "0.2",\n  "words": ["Behaviour",],\n}\n',
    });
    mkdirSync(join(dir, '.git'));
    const run = await runCli(['fix', '.', '--json', '--trace', ...usSpelling], { cwd: join(dir, 'docs') });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as Json;
    expect(out.trace.filter((t) => t.outcome === 'rejected:vocabulary-changed').map((t) => t.line)).toEqual([
      1, 3,
    ]);
    expect(out.changedLines).toBe(1);
  });

  it('a vocabulary file the config names that does not exist is a usage error naming it', async () => {
    const dir = workspace({
      [british]: BRITISH,
      '.github/docs-fix.yml': 'vocabulary: {file: docs/terms.txt}\n',
    });
    const run = await runCli(['check', 'docs', '--config', '.github/docs-fix.yml', ...usSpelling], {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('vocabulary.file docs/terms.txt does not exist');
    writeFileSync(join(dir, 'docs/terms.txt'), '# one per line\nColour Picker\n');
    const ok = await runCli(['check', 'docs', '--config', '.github/docs-fix.yml', '--json', ...usSpelling], {
      cwd: dir,
    });
    expect((JSON.parse(ok.stdout) as Json).rejectedByReason).toEqual({ 'vocabulary-changed': 1 });
  });
});

describe('languages', () => {
  const dir = workspace({});
  mkdirSync(join(dir, 'docs'));
  cpSync(join(languages, 'vue-lifecycle.fr.md'), join(dir, 'docs/lifecycle.fr.md'));
  cpSync(join(languages, 'vue-state-management.fr.md'), join(dir, 'docs/state-management.fr.md'));
  cpSync(join(languages, 'vue-lifecycle.en.md'), join(dir, 'docs/lifecycle.md'));
  // An English page with a doubled word the simulator fixes.
  writeFileSync(join(dir, 'docs/notes.md'), '# Notes\n\nRead the the guide before you start.\n');
  writeFileSync(join(dir, 'all.yml'), "languages: ['*']\n");
  writeFileSync(join(dir, 'en.yml'), 'languages: [en]\n');
  // The simulator's default rules remove a doubled word: right in English, wrong in French (`nous nous`).
  const sim = ['--provider', 'sim', '--store', 'memory'];

  it('fix and check leave the French pages alone and count their lines as frozen by language', async () => {
    const run = await runCli(['fix', 'docs', ...sim], { cwd: dir });
    expect(run.stdout).toContain('+Read the guide before you start.');
    expect(run.stdout).not.toContain('.fr.md');
    expect(run.stderr).toMatch(/frozen \d+ \(.*language:fr \d+/);

    const check = await runCli(['check', 'docs', '--json', ...sim], { cwd: dir });
    expect(check.code).toBe(1);
    const out = JSON.parse(check.stdout) as Json;
    expect(out.frozenByReason['language:fr']).toBeGreaterThan(20);
    expect(out.keyInputs.languages).toBe('en');
    expect(out.changedLines).toBe(1);

    const all = await runCli(['fix', 'docs', '--config', 'all.yml', ...sim], { cwd: dir });
    expect(all.stdout).toContain('diff --git a/docs/state-management.fr.md');
    expect(all.stdout).toContain('+Dans le deuxième cas, nous retrouvons souvent');
  });

  it('lines --config shows what a run freezes, with its language', async () => {
    const plain = await runCli(['lines', 'docs/lifecycle.fr.md'], { cwd: dir });
    expect(plain.stdout).not.toContain('language:');
    const guarded = await runCli(['lines', '--config', 'en.yml', 'docs/lifecycle.fr.md'], { cwd: dir });
    expect(guarded.code).toBe(0);
    expect(guarded.stdout.split('\n')[0]).toBe(
      '1\theading\tfrozen:language:fr\t-\tLes hooks du cycle de vie',
    );
    expect(guarded.stdout).not.toMatch(/\teditable\t/);
  });
});

describe("a maintainer's rejection, from a store shared with the app", () => {
  it('fix --repo serves the unit as it is; explain --repo says who rejected it, where, and how to undo it', async () => {
    const dir = workspace({ [british]: BRITISH });
    const cacheDir = join(dir, 'cache');
    const store = new EmbeddedStore({ path: cacheDir });
    await store.write([
      {
        op: 'reject',
        key: rejectionKey({
          scope: 'installation:7',
          repository: 'octo/docs',
          kind: 'paragraph',
          text: 'Open the Colour Picker to choose a colour.',
        }),
        rejection: {
          pullRequest: 12,
          how: 'closed',
          by: 'alice',
          at: '2026-11-30T10:00:00Z',
          proposed: 'Open the Color Picker to choose a color.',
        },
      },
    ]);
    await store.close();
    const shared = [
      '--provider',
      'sim',
      '--sim-rules',
      'us-spelling',
      '--cache-dir',
      cacheDir,
      '--scope',
      'installation:7',
    ];

    const fix = await runCli(['fix', 'docs', '--repo', 'octo/docs', '--json', '--trace', ...shared], {
      cwd: dir,
    });
    const out = JSON.parse(fix.stdout) as Json;
    expect(out.rejectedByMaintainer).toBe(1);
    expect(out.trace.find((t) => t.line === 3)).toMatchObject({
      outcome: 'rejected-by-maintainer',
      maintainer: { by: 'alice', pullRequest: 12, how: 'closed' },
    });
    expect(out.changedLines).toBe(1);

    const explain = await runCli(['explain', `${british}:3`, '--repo', 'octo/docs', ...shared], { cwd: dir });
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('maintainer  @alice closed pull request #12 on 2026-11-30');
    expect(explain.stdout).toContain('next run    rejected-by-maintainer');
    expect(explain.stdout).toContain('`/docs-fix forget` on #12 (or reopen it) to undo');

    const other = await runCli(['explain', `${british}:3`, ...shared], { cwd: dir });
    expect(other.stdout).not.toContain('maintainer');
    const bad = await runCli(['fix', 'docs', '--repo', 'not a repo', ...shared], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--repo: expected owner/name');
  });
});
