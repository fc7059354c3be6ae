// `/docs-fix` comments on pull requests, through Probot and the job handler, against the stateful fake.
import { afterEach, describe, expect, it } from 'vitest';
import { BranchMovedError } from '../../src/github/index.js';
import { pullsOf, startApp, webhookExample, type AppHarness } from '../support/app.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const TYPOS = { 'docs/guide.md': '# Guide\n\nThis is teh guide.\n\nWe recieve it.\n' };

/** A same-repository pull request `feature` → main with markdown typos. */
async function withFeaturePull(
  files: Record<string, string> = {},
): Promise<{ app: AppHarness; pull: number }> {
  const app = (h = await startApp({ files: { 'README.md': '# Docs\n', ...files } }));
  app.fake.pushCommit(app.fullName, { branch: 'feature', files: TYPOS, author: 'alice' });
  const pull = app.fake.openPullRequest(app.fullName, { head: 'feature', user: 'alice' });
  app.fake.setPermission(app.fullName, 'maya', 'maintain');
  app.fake.setPermission(app.fullName, 'rita', 'read');
  return { app, pull };
}

const bodies = (app: AppHarness, n: number): string[] =>
  app.fake.comments(app.fullName, n).map((c) => c.body as string);

describe('/docs-fix on a same-repository pull request', () => {
  it('by a reader → a polite refusal, nothing committed', async () => {
    const { app, pull } = await withFeaturePull();
    const head = app.fake.branchSha(app.fullName, 'feature');
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', 'rita'));
    expect(app.lastJobs()).toMatchObject([{ spec: { kind: 'command', commenter: 'rita' } }]);
    expect(app.fake.branchSha(app.fullName, 'feature')).toBe(head);
    const said = bodies(app, pull).slice(1);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^Thanks, @rita! .* needs write, maintain or admin permission/);
    expect(app.fake.count({ method: 'POST', route: /git\/(trees|commits|refs)/ })).toBe(0);
  });

  it('by a maintainer → 👀, one commit on the branch guarded by its head SHA, and a reply', async () => {
    const { app, pull } = await withFeaturePull();
    const head = app.fake.branchSha(app.fullName, 'feature')!;
    const payload = app.commentEvent(pull, '/docs-fix', 'maya');
    await app.receive('issue_comment', payload);

    expect(app.lastJobs()[0]?.error).toBeUndefined();
    const comment = app.fake.comments(app.fullName, pull)[0] as { reactions: { eyes: number } };
    expect(comment.reactions.eyes).toBe(1);
    const after = app.fake.branchSha(app.fullName, 'feature')!;
    expect(after).not.toBe(head);
    expect(app.fake.state.git.commit(after)?.parents).toEqual([head]);
    expect(app.fake.readFile(app.fullName, 'feature', 'docs/guide.md')).toBe(
      '# Guide\n\nThis is the guide.\n\nWe receive it.\n',
    );
    expect(bodies(app, pull).at(-1)).toMatch(/^Committed 2 copy edits in 1 files as [0-9a-f]{7}\./);

    // Redelivered (new delivery id): the same job id, no second commit.
    await app.receive('issue_comment', structuredClone(payload));
    expect(app.lastJobs()).toMatchObject([{ duplicate: true }]);
    expect(app.fake.branchSha(app.fullName, 'feature')).toBe(after);
  });

  it('a head that moves while fixing → BranchMovedError (the job retries on the new head)', async () => {
    const { app, pull } = await withFeaturePull();
    app.fake.beforeNext('PATCH /repos/{owner}/{repo}/git/refs/{ref}', () =>
      app.fake.pushCommit(app.fullName, { branch: 'feature', files: { 'other.md': 'x\n' }, author: 'alice' }),
    );
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', 'maya'));
    expect(app.lastJobs()[0]?.error).toBeInstanceOf(BranchMovedError);
    const moved = app.fake.branchSha(app.fullName, 'feature');
    expect(app.fake.readFile(app.fullName, 'feature', 'docs/guide.md')).toContain('teh');

    await app.runJob(app.lastJobs()[0]!.spec);
    expect(app.fake.state.git.commit(app.fake.branchSha(app.fullName, 'feature')!)?.parents).toEqual([moved]);
    expect(app.fake.readFile(app.fullName, 'feature', 'docs/guide.md')).toContain('the guide');
  });

  it('commentAction: pr → a pull request into that branch instead of a commit', async () => {
    const { app, pull } = await withFeaturePull({ '.github/docs-fix.yml': 'commentAction: pr\n' });
    const head = app.fake.branchSha(app.fullName, 'feature');
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', 'maya'));
    expect(app.lastJobs()[0]?.error).toBeUndefined();
    expect(app.fake.branchSha(app.fullName, 'feature')).toBe(head);
    const bot = pullsOf(app.fake, app.fullName).find((p) => p.head.ref === 'docs-fix/feature');
    expect(bot).toMatchObject({ state: 'open', base: { ref: 'feature' }, commits: 1 });
    expect(bodies(app, pull).at(-1)).toContain(`pull request #${bot!.number} created`);
  });

  it('/docs-fix check → report only: check run docs-fix / convergence and a reply', async () => {
    const { app, pull } = await withFeaturePull();
    const head = app.fake.branchSha(app.fullName, 'feature');
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix check', 'maya'));
    expect(app.fake.branchSha(app.fullName, 'feature')).toBe(head);
    const checks = app.fake.checkRuns(app.fullName);
    expect(checks).toMatchObject([{ name: 'docs-fix / convergence', head_sha: head, conclusion: 'neutral' }]);
    expect(checks[0]!.annotations).toHaveLength(2);
    expect(bodies(app, pull).at(-1)).toMatch(/^2 lines would change\. Comment `\/docs-fix` to apply them\./);
  });

  it('commands: false → says so, does nothing', async () => {
    const { app, pull } = await withFeaturePull({ '.github/docs-fix.yml': 'commands: false\n' });
    const head = app.fake.branchSha(app.fullName, 'feature');
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', 'maya'));
    expect(bodies(app, pull).at(-1)).toContain('`commands: false`');
    expect(app.fake.branchSha(app.fullName, 'feature')).toBe(head);
  });

  it('an invalid config → a reply naming the field, nothing committed', async () => {
    const { app, pull } = await withFeaturePull({ '.github/docs-fix.yml': 'draft: maybe\n' });
    const head = app.fake.branchSha(app.fullName, 'feature');
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', 'maya'));
    expect(bodies(app, pull).at(-1)).toMatch(/^docs-fix did nothing: .*`draft`/);
    expect(app.fake.branchSha(app.fullName, 'feature')).toBe(head);
  });
});

describe('/docs-fix on a pull request from a fork', () => {
  it('by a maintainer → a review with suggestion blocks (event COMMENT), nothing pushed', async () => {
    const app = (h = await startApp());
    app.fake.setPermission(app.fullName, 'maya', 'maintain');
    app.fake.forkRepo(app.fullName, 'mallory');
    app.fake.pushCommit('mallory/docs', { branch: 'feature', files: TYPOS, author: 'mallory' });
    const forkHead = app.fake.branchSha('mallory/docs', 'feature');
    const pull = app.fake.openPullRequest(app.fullName, { head: 'mallory:feature' });
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', 'maya'));

    expect(app.lastJobs()[0]?.error).toBeUndefined();
    expect(app.fake.branchSha('mallory/docs', 'feature')).toBe(forkHead);
    const reviews = app.fake.reviews(app.fullName, pull);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ state: 'COMMENTED', user: { login: app.fake.botLogin } });
    expect(reviews[0]!.comments.map((c) => [c.path, c.line, c.body])).toEqual([
      ['docs/guide.md', 3, '```suggestion\nThis is the guide.\n```'],
      ['docs/guide.md', 5, '```suggestion\nWe receive it.\n```'],
    ]);
  });
});

describe('comments that are not commands for docs-fix', () => {
  it('comments on issues, edited comments, other text and the app’s own comments are ignored (no request)', async () => {
    const { app, pull } = await withFeaturePull();
    app.fake.clearLog();
    const onIssue = app.commentEvent(pull, '/docs-fix', 'maya');
    const issue = { ...(onIssue['issue'] as object) } as Record<string, unknown>;
    delete issue['pull_request'];
    await app.receive('issue_comment', { ...onIssue, issue });
    const edited = webhookExample('issue_comment', 'edited');
    await app.receive('issue_comment', {
      ...app.commentEvent(pull, '/docs-fix', 'maya'),
      action: 'edited',
      changes: edited['changes'],
    });
    await app.receive('issue_comment', app.commentEvent(pull, 'LGTM, thanks /docs-fix', 'maya'));
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix', app.fake.botLogin));
    expect(app.jobs).toEqual([]);
    expect(app.fake.count()).toBe(0);
  });

  it('an unknown subcommand gets a short reply, no job', async () => {
    const { app, pull } = await withFeaturePull();
    await app.receive('issue_comment', app.commentEvent(pull, '/docs-fix frobnicate', 'maya'));
    expect(app.jobs).toEqual([]);
    expect(bodies(app, pull).at(-1)).toContain('does not know `frobnicate`');
  });
});
