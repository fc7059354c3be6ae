import { afterEach, describe, expect, it } from 'vitest';
import { changedMarkdownFiles, readFiles } from '../../src/github/index.js';
import { startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

describe('readFiles', () => {
  it('reads known SHAs with one blob request each, exact bytes', async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]); // "café\n" in Latin-1: not UTF-8
    h = await startHarness({ 'a.md': 'a\n' });
    const push = h.fake.pushCommit(h.fullName, { files: { 'a.md': 'é\r\n', 'b.md': latin1 } });
    const changed = await changedMarkdownFiles(h.octokit, h.repo, {
      before: push.before,
      after: push.after,
      include: ['**/*.md'],
      exclude: [],
    });
    h.fake.clearLog();
    const files = await readFiles(h.octokit, h.repo, push.after, changed.files);
    expect(h.fake.count({ route: 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}' })).toBe(2);
    expect(h.fake.count()).toBe(2);
    expect(files.map((f) => f.path)).toEqual(['a.md', 'b.md']);
    expect(Buffer.from(files[0]!.bytes).toString('utf8')).toBe('é\r\n');
    expect(Buffer.from(files[1]!.bytes)).toEqual(latin1);
  });

  it('reads paths through contents, and the blob API for files over the inline limit; missing paths are left out', async () => {
    h = await startHarness(
      { 'small.md': 's\n', 'large.md': 'L'.repeat(3000) },
      { contentsInlineLimit: 1000 },
    );
    h.fake.clearLog();
    const files = await readFiles(h.octokit, h.repo, 'main', ['small.md', 'large.md', 'missing.md']);
    expect(files.map((f) => [f.path, f.bytes.length])).toEqual([
      ['small.md', 2],
      ['large.md', 3000],
    ]);
    expect(h.fake.count({ route: 'GET /repos/{owner}/{repo}/contents/{path}' })).toBe(3);
    expect(h.fake.count({ route: 'GET /repos/{owner}/{repo}/git/blobs/{file_sha}' })).toBe(1);
  });
});
