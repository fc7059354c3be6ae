import { afterEach, describe, expect, it } from 'vitest';
import {
  commentOnce,
  diffLines,
  hasWritePermission,
  postSuggestionReview,
  reactEyes,
  replyToComment,
} from '../../src/github/index.js';
import { patchOf, startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

const doc = (edit: (lines: string[]) => void): string => {
  const lines = Array.from({ length: 60 }, (_, i) => `Line number ${i + 1}.`);
  edit(lines);
  return `${lines.join('\n')}\n`;
};

describe('permissions', () => {
  it('allows admin, maintain and write by role_name; refuses triage, read, custom roles and strangers', async () => {
    h = await startHarness();
    const roles = { ada: 'admin', max: 'maintain', wes: 'write', tia: 'triage', rea: 'read' };
    for (const [user, role] of Object.entries(roles)) h.fake.setPermission(h.fullName, user, role);
    h.fake.setPermission(h.fullName, 'cus', 'docs-editor', 'write');
    h.fake.state.ensureUser('stranger');
    const answers: Record<string, boolean> = {};
    for (const user of [...Object.keys(roles), 'cus', 'stranger', 'octo', 'nobody-at-all']) {
      answers[user] = await hasWritePermission(h.octokit, h.repo, user);
    }
    expect(answers).toEqual({
      ada: true,
      max: true,
      wes: true,
      tia: false,
      rea: false,
      cus: false,
      stranger: false,
      octo: true,
      'nobody-at-all': false,
    });
  });
});

describe('comments and reactions', () => {
  it('replies, reacts with eyes, and says a thing only once', async () => {
    h = await startHarness();
    h.fake.pushCommit(h.fullName, { branch: 'f', files: { 'x.md': 'x\n' } });
    const n = h.fake.openPullRequest(h.fullName, { head: 'f' });
    const commentId = h.fake.addIssueComment(h.fullName, n, '/docs-fix', 'alice');
    await reactEyes(h.octokit, h.repo, commentId);
    await replyToComment(h.octokit, h.repo, n, 'x'.repeat(70_000));
    expect(await commentOnce(h.octokit, h.repo, n, '<!-- docs-fix:human -->', 'Stopping.')).toBe(true);
    expect(await commentOnce(h.octokit, h.repo, n, '<!-- docs-fix:human -->', 'Stopping.')).toBe(false);
    const comments = h.fake.comments(h.fullName, n);
    expect(comments[0]!.reactions).toMatchObject({ eyes: 1 });
    expect((comments[1]!.body as string).length).toBeLessThanOrEqual(65_536);
    expect(comments.filter((c) => (c.body as string).includes('docs-fix:human'))).toHaveLength(1);
  });
});

describe('suggestion reviews on fork pull requests', () => {
  it('parses the right-side lines of a patch', () => {
    expect([...diffLines('@@ -1,3 +1,4 @@\n a\n-b\n+B\n+C\n c')]).toEqual([1, 2, 3, 4]);
    expect([...diffLines('@@ -10,2 +12,2 @@ heading\n x\n+y')]).toEqual([12, 13]);
  });

  it('posts suggestions only on lines inside the diff, capped, the rest summarised, as a COMMENT review', async () => {
    h = await startHarness({ 'guide.md': doc(() => {}) });
    h.fake.forkRepo(h.fullName, 'mallory');
    // The contributor edits lines 5 and 40; the diff holds lines 2–8 and 37–43 (3 lines of context).
    const theirs = doc((l) => {
      l[4] = 'Line nmuber 5 teh edit.';
      l[39] = 'Line nmuber 40 teh edit.';
    });
    h.fake.pushCommit('mallory/docs', { branch: 'typo', files: { 'guide.md': theirs }, author: 'mallory' });
    const n = h.fake.openPullRequest(h.fullName, { head: 'mallory:typo', user: 'mallory' });
    const head = h.fake.pulls(h.fullName)[0]!.head as { sha: string };
    // docs-fix fixes lines 5, 6 (context), 20 (outside the diff) and 40.
    const fixed = doc((l) => {
      l[4] = 'Line number 5 the edit.';
      l[5] = 'Line number 6!';
      l[19] = 'Line number 20!';
      l[39] = 'Line number 40 the edit.';
    });
    h.fake.clearLog();
    const result = await postSuggestionReview(h.octokit, h.repo, {
      pullNumber: n,
      commitId: head.sha,
      patches: [patchOf('guide.md', theirs, fixed)],
      intro: 'docs-fix suggests:',
      cap: 1,
    });
    expect(h.fake.count()).toBe(2); // files + review
    expect(result).toMatchObject({ posted: 1, summarised: 2 });
    const [review] = h.fake.reviews(h.fullName, n);
    expect(review).toMatchObject({ state: 'COMMENTED' });
    expect(review!.comments).toEqual([
      expect.objectContaining({
        path: 'guide.md',
        start_line: 5,
        line: 6,
        body: '```suggestion\nLine number 5 the edit.\nLine number 6!\n```',
      }),
    ]);
    expect(review!.body).toContain('`guide.md` line 20');
    expect(review!.body).toContain('`guide.md` line 40');

    const all = await postSuggestionReview(h.octokit, h.repo, {
      pullNumber: n,
      commitId: head.sha,
      patches: [patchOf('guide.md', theirs, fixed)],
      intro: 'again',
    });
    expect(all).toMatchObject({ posted: 2, summarised: 1 });
  });
});

describe('suggestionsFromPatches', () => {
  it('turns insertions into replacements of a neighbouring line', async () => {
    const { suggestionsFromPatches } = await import('../../src/github/index.js');
    const s = suggestionsFromPatches([patchOf('a.md', 'one\ntwo\n', 'zero\none\ntwo\nthree\n')]);
    expect(s).toEqual([
      { path: 'a.md', startLine: 1, line: 1, replacement: 'zero\none' },
      { path: 'a.md', startLine: 2, line: 2, replacement: 'two\nthree' },
    ]);
  });
});
