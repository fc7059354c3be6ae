import { afterEach, describe, expect, it } from 'vitest';
import { changedMarkdownFiles, pathMatcher } from '../../src/github/index.js';
import { ZERO_SHA } from '../support/fake-github/index.js';
import { manyFiles, startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

const globs = { include: ['**/*.md', '**/*.mdx'], exclude: ['**/node_modules/**', 'CHANGELOG.md'] };

describe('pathMatcher', () => {
  it('matches dot files and root files, applies excludes after includes', () => {
    const m = pathMatcher(globs.include, globs.exclude);
    expect(m('README.md')).toBe(true);
    expect(m('.github/CONTRIBUTING.md')).toBe(true);
    expect(m('docs/a/b.mdx')).toBe(true);
    expect(m('CHANGELOG.md')).toBe(false);
    expect(m('docs/CHANGELOG.md')).toBe(true);
    expect(m('x/node_modules/y.md')).toBe(false);
    expect(m('src/index.ts')).toBe(false);
  });
});

describe('changedMarkdownFiles', () => {
  it('uses one compare request; removed and non-markdown files are left out', async () => {
    h = await startHarness({ 'README.md': 'r\n', 'old.md': 'o\n', 'src/a.ts': 'a\n' });
    const push = h.fake.pushCommit(h.fullName, {
      files: {
        'README.md': 'r2\n',
        'old.md': null,
        'src/a.ts': 'b\n',
        'docs/new.md': 'n\n',
        'CHANGELOG.md': 'c\n',
      },
    });
    h.fake.clearLog();
    const result = await changedMarkdownFiles(h.octokit, h.repo, {
      before: push.before,
      after: push.after,
      ...globs,
    });
    expect(result.files.map((f) => f.path)).toEqual(['README.md', 'docs/new.md']);
    expect(result.via).toBe('compare');
    expect(result.afterTreeSha).toBe(push.commits[0]!.tree_id);
    expect(h.fake.count()).toBe(1);
  });

  it('walks trees for a new branch (all-zero before) without calling compare', async () => {
    h = await startHarness({ 'README.md': 'r\n' });
    const push = h.fake.pushCommit(h.fullName, { branch: 'feature', files: { 'x.md': 'x\n' } });
    expect(push.before).toBe(ZERO_SHA);
    h.fake.clearLog();
    const result = await changedMarkdownFiles(h.octokit, h.repo, {
      before: push.before,
      after: push.after,
      ...globs,
    });
    // A new branch: every markdown file of the pushed commit.
    expect(result.files.map((f) => f.path)).toEqual(['README.md', 'x.md']);
    expect(result.via).toBe('tree');
    expect(h.fake.count({ route: 'GET /repos/{owner}/{repo}/compare/{basehead}' })).toBe(0);
    expect(h.fake.count()).toBe(1);
  });

  it('falls back to trees when compare is cut at 300 files, with the same list as compare would give', async () => {
    h = await startHarness(manyFiles(350));
    const push = h.fake.pushCommit(h.fullName, {
      files: { ...manyFiles(340, ' changed'), 'src/x.ts': 'x\n', 'docs/f345.md': null },
    });
    h.fake.clearLog();
    const result = await changedMarkdownFiles(h.octokit, h.repo, {
      before: push.before,
      after: push.after,
      ...globs,
    });
    expect(result.via).toBe('tree');
    expect(result.files).toHaveLength(340);
    expect(result.files.map((f) => f.path)).toEqual(Object.keys(manyFiles(340)).sort());
    expect(h.fake.count()).toBe(3); // compare + two recursive trees
  });

  it('tree fallback lists exactly the files compare would list, renames and dot files included', async () => {
    h = await startHarness({ ...manyFiles(320), '.github/x.md': 'x\n' });
    const edits = {
      ...manyFiles(310, ' v2'),
      '.github/x.md': 'y\n',
      'docs/f315.md': null,
      'moved/f316.md': '# File 316\n\nSome text.\n',
      'docs/f316.md': null,
    };
    const push = h.fake.pushCommits(h.fullName, { commits: [{ files: edits }] });
    const viaTree = await changedMarkdownFiles(h.octokit, h.repo, {
      before: push.before,
      after: push.after,
      ...globs,
    });
    // The truth, from the fake's own trees: files whose content differs or that are new.
    const before = h.fake.files(h.fullName, push.before);
    const truth = [...h.fake.files(h.fullName, push.after)]
      .filter(([p, c]) => before.get(p) !== c)
      .map(([p]) => p)
      .sort();
    expect(viaTree.via).toBe('tree');
    expect(viaTree.files.map((f) => f.path)).toEqual(truth);
    // A smaller push of the same kinds of change goes through compare and agrees with the same rule.
    const small = h.fake.pushCommit(h.fullName, {
      files: { '.github/x.md': 'z\n', 'moved/f316.md': null, 'again/f316.md': '# File 316\n\nSome text.\n' },
    });
    const viaCompare = await changedMarkdownFiles(h.octokit, h.repo, {
      before: small.before,
      after: small.after,
      ...globs,
    });
    expect(viaCompare.via).toBe('compare');
    expect(viaCompare.files.map((f) => f.path)).toEqual(['.github/x.md', 'again/f316.md']);
  });

  it('falls back to trees when compare answers 404 (unknown before)', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    const push = h.fake.pushCommit(h.fullName, { files: { 'b.md': 'b\n' } });
    const result = await changedMarkdownFiles(h.octokit, h.repo, {
      before: 'e'.repeat(40),
      after: push.after,
      ...globs,
    });
    expect(result.via).toBe('tree');
    expect(result.files.map((f) => f.path)).toEqual(['a.md', 'b.md']);
  });
});
