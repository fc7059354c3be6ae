// The built `docs-fix` run the way users and CI systems run it: from other working directories, with
// relative and absolute paths, folders outside the working directory, names with spaces and dots, and
// cache folders like `mktemp -d` makes. Every way of naming the same docs reads the same files and gives
// the same answer; naming nothing to read is an error, never a pass.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';

const fixtures = new URL('../fixtures/markdown/', import.meta.url).pathname;
const sim = ['--provider', 'sim', '--sim-flip-rate', '0'];

interface Summary {
  files: number;
  lines: number;
  units: number;
  changedLines: number;
  skippedFiles: { path: string; reason: string }[];
}

let top: string;
let repo: string;
let docs: string;
let elsewhere: string;

beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'docs-fix-as-user-'));
  // A repository (a `.git` folder) whose docs live in a folder with a space and a dot in its name.
  repo = join(top, 'my project');
  docs = join(repo, 'docs v1.2');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(docs, 'guide'), { recursive: true });
  // Real, hard-wrapped docs (test/fixtures/LICENSES.md), each with a misspelling the simulator fixes.
  const wrapped = readFileSync(join(fixtures, 'real-rust-book-comments.md'), 'utf8');
  writeFileSync(
    join(docs, 'comments.md'),
    wrapped.replace('source code may find useful', 'source code may find usefull'),
  );
  writeFileSync(
    join(docs, 'guide', 'notes.markdown'),
    '# Notes\n\nA Jekyll post that is\nwritten in teh old way.\n',
  );
  cpSync(join(fixtures, 'code.md'), join(docs, 'guide', 'code.md'));
  // Docs in a folder that is not under any working directory the tests run from.
  elsewhere = join(top, 'elsewhere', 'docs');
  mkdirSync(elsewhere, { recursive: true });
  cpSync(join(docs, 'comments.md'), join(elsewhere, 'comments.md'));
  mkdirSync(join(top, 'empty.d'));
  mkdirSync(join(top, 'cwd'));
});

async function check(
  args: string[],
  cwd: string,
): Promise<{ code: number; summary: Summary; stderr: string }> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'tmp.')); // a dot in its name, as `mktemp -d` gives
  const out = await runBin(['check', ...args, ...sim, '--json', '--cache-dir', cacheDir], { cwd });
  expect(out.stderr, `docs-fix check ${args.join(' ')} from ${cwd}`).toBe('');
  return { code: out.code, summary: JSON.parse(out.stdout) as Summary, stderr: out.stderr };
}

describe('docs-fix as users call it', () => {
  it('reads the same files with a relative path, an absolute path, from inside the folder and from outside', async () => {
    const ways: [string[], string][] = [
      [['docs v1.2'], repo],
      [[docs], join(top, 'cwd')],
      [['.'], docs],
      [[relative(join(top, 'cwd'), docs)], join(top, 'cwd')],
      [[docs], '/'],
    ];
    const results = await Promise.all(ways.map(([args, cwd]) => check(args, cwd)));
    const first = results[0]!;
    expect(first.code).toBe(1); // edits pending
    expect(first.summary.files).toBe(3); // comments.md, guide/notes.markdown, guide/code.md
    expect(first.summary.changedLines).toBe(2);
    for (const [i, r] of results.entries()) {
      const { files, lines, units, changedLines } = r.summary;
      expect({ way: ways[i], files, lines, units, changedLines }).toEqual({
        way: ways[i],
        files: first.summary.files,
        lines: first.summary.lines,
        units: first.summary.units,
        changedLines: first.summary.changedLines,
      });
      expect(r.code).toBe(1);
    }
  });

  it('checks a folder outside the working directory by absolute path, and says how many files it read', async () => {
    const out = await runBin(['check', elsewhere, ...sim, '--store', 'memory'], { cwd: join(top, 'cwd') });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^docs-fix: 1 file examined: 1 lines in 1 files would change$/m);
    const fixed = await runBin(['fix', elsewhere, '--write', ...sim, '--store', 'memory'], {
      cwd: join(top, 'cwd'),
    });
    expect(fixed.code).toBe(0);
    expect(readFileSync(join(elsewhere, 'comments.md'), 'utf8')).toContain('may find useful');
    const clean = await runBin(['check', elsewhere, ...sim, '--store', 'memory'], { cwd: join(top, 'cwd') });
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/^docs-fix: 1 file examined: at a fixpoint$/m);
  });

  it('checks one file by absolute path (pre-commit hooks and editors pass file names)', async () => {
    const { code, summary } = await check([join(docs, 'guide', 'notes.markdown')], '/');
    expect(code).toBe(1);
    expect(summary.files).toBe(1);
    expect(summary.changedLines).toBe(1);
  });

  it('keeps its cache in a folder whose name has dots, and serves the second run from it', async () => {
    const cacheDir = join(top, 'cwd', '.cache', 'docs.fix');
    const run = () =>
      runBin(['check', docs, ...sim, '--json', '--cache-dir', cacheDir], { cwd: join(top, 'cwd') });
    const first = await run();
    expect(first.stderr).toBe('');
    const second = JSON.parse((await run()).stdout) as Summary & { modelUnits: number; rewriteHits: number };
    expect(second.modelUnits).toBe(0);
    expect(second.rewriteHits).toBeGreaterThan(0);
  });

  it('a folder with no markdown, or a path that does not exist, is an error naming it, never a pass', async () => {
    const empty = await runBin(['check', join(top, 'empty.d'), ...sim], { cwd: join(top, 'cwd') });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`${join(top, 'empty.d')}: no markdown file to examine under it`);
    const missing = await runBin(['check', 'nope', ...sim], { cwd: join(top, 'cwd') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope: no such file or directory');
    // Excluding everything named leaves nothing to read: an error too.
    const excluded = await runBin(
      ['check', join(docs, 'comments.md'), '--exclude', '**/comments.md', ...sim],
      { cwd: join(top, 'cwd') },
    );
    expect(excluded.code).toBe(2);
    expect(excluded.stderr).toContain('nothing to examine');
  });

  it('matches include/exclude against paths from the repository root, wherever it runs from', async () => {
    const only = ['--include', 'docs v1.2/guide/**'];
    const fromRoot = await check([basename(docs), ...only], repo);
    const fromOutside = await check([docs, ...only], '/');
    expect(fromRoot.summary.files).toBe(2);
    expect(fromOutside.summary.files).toBe(2);
  });
});
