import { afterEach, describe, expect, it } from 'vitest';
import { BranchMovedError, commitFiles } from '../../src/github/index.js';
import { startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');

describe('commitFiles', () => {
  it('makes one commit with inline content on base_tree: 3 requests with the base tree known', async () => {
    h = await startHarness({ 'a.md': 'a\n', 'docs/b.md': 'b\n', 'keep.txt': 'k\n' });
    const main = h.fake.branchSha(h.fullName, 'main')!;
    const baseTreeSha = h.fake.state.git.commit(main)!.tree;
    h.fake.clearLog();
    const result = await commitFiles(h.octokit, h.repo, {
      branch: 'docs-fix/main',
      parentSha: main,
      baseTreeSha,
      files: [
        { path: 'a.md', bytes: bytes('A\n') },
        { path: 'docs/b.md', bytes: bytes('B\n') },
      ],
      message: 'docs: copy-edit',
    });
    expect(result).toMatchObject({ committed: true, createdBranch: true });
    // update heads/docs-fix/main answers "does not exist", then create refs/heads/docs-fix/main
    expect(h.fake.requests.map((r) => `${r.route} ${r.status}`)).toEqual([
      'POST /repos/{owner}/{repo}/git/trees 201',
      'POST /repos/{owner}/{repo}/git/commits 201',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref} 422',
      'POST /repos/{owner}/{repo}/git/refs 201',
    ]);
    expect(Object.fromEntries(h.fake.files(h.fullName, 'docs-fix/main'))).toEqual({
      'a.md': 'A\n',
      'docs/b.md': 'B\n',
      'keep.txt': 'k\n',
    });
    const commit = h.fake.state.git.commit(result.commitSha)!;
    expect(commit.parents).toEqual([main]);
    expect(commit.authorLogin).toBe('docs-fix[bot]');
  });

  it('creates a branch expected to be new with 3 requests, and reads the parent tree when not given (+1)', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    const main = h.fake.branchSha(h.fullName, 'main')!;
    h.fake.clearLog();
    await commitFiles(h.octokit, h.repo, {
      branch: 'docs-fix/main',
      parentSha: main,
      expectedHeadSha: null,
      files: [{ path: 'a.md', bytes: bytes('A\n') }],
      message: 'm',
    });
    expect(h.fake.requests.map((r) => r.route)).toEqual([
      'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'POST /repos/{owner}/{repo}/git/refs',
    ]);
  });

  it('sends a blob for non-UTF-8 bytes, deletes with sha null, keeps bytes exact', async () => {
    h = await startHarness({ 'a.md': 'a\n', 'gone.md': 'g\n' });
    const main = h.fake.branchSha(h.fullName, 'main')!;
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]);
    h.fake.clearLog();
    await commitFiles(h.octokit, h.repo, {
      branch: 'main',
      parentSha: main,
      expectedHeadSha: main,
      files: [
        { path: 'a.md', bytes: latin1 },
        { path: 'gone.md', bytes: null },
      ],
      message: 'm',
    });
    expect(h.fake.count({ route: 'POST /repos/{owner}/{repo}/git/blobs' })).toBe(1);
    const head = h.fake.branchSha(h.fullName, 'main')!;
    const flat = h.fake.state.flatTreeOf(head);
    expect([...flat.keys()]).toEqual(['a.md']);
    expect(Buffer.from(h.fake.state.git.blob(flat.get('a.md')!.sha)!.bytes)).toEqual(latin1);
  });

  it('does nothing when the files already have this content', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    const main = h.fake.branchSha(h.fullName, 'main')!;
    const result = await commitFiles(h.octokit, h.repo, {
      branch: 'main',
      parentSha: main,
      files: [{ path: 'a.md', bytes: bytes('a\n') }],
      message: 'm',
    });
    expect(result.committed).toBe(false);
    expect(h.fake.branchSha(h.fullName, 'main')).toBe(main);
  });

  it('throws BranchMovedError when the head moved (fast-forward guard, atomic on GitHub)', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    h.fake.pushCommit(h.fullName, { branch: 'feature', files: { 'f.md': 'f\n' } });
    const seen = h.fake.branchSha(h.fullName, 'feature')!;
    h.fake.pushCommit(h.fullName, {
      branch: 'feature',
      files: { 'f.md': 'someone else\n' },
      author: 'alice',
    });
    const attempt = commitFiles(h.octokit, h.repo, {
      branch: 'feature',
      parentSha: seen,
      expectedHeadSha: seen,
      files: [{ path: 'f.md', bytes: bytes('F\n') }],
      message: 'm',
    });
    await expect(attempt).rejects.toBeInstanceOf(BranchMovedError);
    expect(h.fake.readFile(h.fullName, 'feature', 'f.md')).toBe('someone else\n');
  });

  it('force-moves the bot branch only when it is where the caller expected', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    const main = h.fake.branchSha(h.fullName, 'main')!;
    const first = await commitFiles(h.octokit, h.repo, {
      branch: 'docs-fix/main',
      parentSha: main,
      expectedHeadSha: null,
      files: [{ path: 'a.md', bytes: bytes('A\n') }],
      message: 'm',
    });
    h.fake.pushCommit(h.fullName, { files: { 'b.md': 'b\n' } });
    const newMain = h.fake.branchSha(h.fullName, 'main')!;
    const second = await commitFiles(h.octokit, h.repo, {
      branch: 'docs-fix/main',
      parentSha: newMain,
      expectedHeadSha: first.commitSha,
      force: true,
      files: [{ path: 'a.md', bytes: bytes('A!\n') }],
      message: 'm',
    });
    expect(h.fake.state.git.commit(second.commitSha)!.parents).toEqual([newMain]);
    const stale = commitFiles(h.octokit, h.repo, {
      branch: 'docs-fix/main',
      parentSha: newMain,
      expectedHeadSha: first.commitSha,
      force: true,
      files: [{ path: 'a.md', bytes: bytes('A?\n') }],
      message: 'm',
    });
    await expect(stale).rejects.toMatchObject({
      name: 'BranchMovedError',
      expected: first.commitSha,
      actual: second.commitSha,
    });
  });
});
