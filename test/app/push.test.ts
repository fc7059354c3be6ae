// The push sequence against the stateful fake GitHub, through Probot and the job handler.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BranchMovedError, GitHubApiError } from '../../src/github/index.js';
import type { JobSpec } from '../../src/jobs/types.js';
import { pullsOf, startApp as startOnRedis, webhookExample, type AppHarness } from '../support/app.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
// The push story also runs with its line cache on a 3-master, 3-replica cluster (below).
let cluster: Promise<RedisCluster> | undefined;
afterAll(async () => {
  await (await cluster)?.stop();
});
let target: 'redis' | 'redis cluster' = 'redis';
const startApp: typeof startOnRedis = async (opts = {}) =>
  startOnRedis({
    ...opts,
    ...(target === 'redis cluster'
      ? { redis: { clusterNodes: (await (cluster ??= startRedisCluster())).clusterNodes } }
      : {}),
  });

const CONFIG = { '.github/docs-fix.yml': 'labels: [documentation]\n' };
const open = (app: AppHarness) => pullsOf(app.fake, app.fullName).filter((p) => p.state === 'open');

describe.each(['redis', 'redis cluster'] as const)('push → bot pull request (cache on %s)', (where) => {
  beforeEach(() => {
    target = where;
  });
  afterEach(() => {
    target = 'redis';
  });

  it('opens one pull request docs-fix/main with one commit, a summary body, labels and a check run', async () => {
    const app = (h = await startApp({ files: { 'README.md': '# Docs\n', 'src/x.ts': 'x\n' } }));
    await app.push({ 'docs/a.md': '# A\n\nThis is teh guide.\n', 'docs/b.md': '# B\n\nWe recieve it.\n' });

    expect(app.jobs.map((j) => j.error)).toEqual([undefined]);
    const pulls = open(app);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    expect(pull.head.ref).toBe('docs-fix/main');
    expect(pull.base.ref).toBe('main');
    expect(pull.commits).toBe(1);
    expect(pull.labels.map((l) => l.name)).toEqual(['documentation']);
    expect(pull.body).toContain('| Lines changed | 2 |');
    expect(pull.body).toContain('<details><summary>Proposed changes</summary>');
    expect(pull.body).toContain('-This is teh guide.');
    expect(pull.body).toContain('Comment `/docs-fix`');
    expect(app.fake.readFile(app.fullName, 'docs-fix/main', 'docs/a.md')).toBe('# A\n\nThis is the guide.\n');
    expect(app.fake.readFile(app.fullName, 'docs-fix/main', 'docs/b.md')).toBe('# B\n\nWe receive it.\n');
    expect(app.fake.readFile(app.fullName, 'docs-fix/main', 'src/x.ts')).toBe('x\n');

    const checks = app.fake.checkRuns(app.fullName);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({
      name: 'docs-fix',
      head_sha: app.fake.branchSha(app.fullName, 'main'),
      status: 'completed',
      conclusion: 'neutral',
    });
    expect(checks[0]!.annotations).toHaveLength(2);
    expect(checks[0]!.annotations[0]).toMatchObject({ path: 'docs/a.md', start_line: 3 });
  });

  it('second push updates the same pull request in place, rebuilt on the new base with the files of both', async () => {
    const app = (h = await startApp());
    await app.push({ 'a.md': 'Teh first.\n' });
    const first = open(app)[0]!;
    await app.push({ 'b.md': 'Teh second.\n' });

    expect(app.jobs.map((j) => j.error)).toEqual([undefined, undefined]);
    expect(app.fake.pulls(app.fullName)).toHaveLength(1);
    const pull = open(app)[0]!;
    expect(pull.number).toBe(first.number);
    expect(pull.commits).toBe(1);
    const main = app.fake.branchSha(app.fullName, 'main');
    expect(pull.base.sha).toBe(main);
    expect(app.fake.files(app.fullName, 'docs-fix/main').get('a.md')).toBe('The first.\n');
    expect(app.fake.files(app.fullName, 'docs-fix/main').get('b.md')).toBe('The second.\n');
    expect(pull.body).toContain('b.md');
    expect(pull.body).toContain('a.md');
  });

  it('bot pull request merged → branch deleted on pull_request.closed, no pull request reopened on the next push', async () => {
    const app = (h = await startApp());
    await app.push({ 'a.md': 'Teh first.\n' });
    const number = open(app)[0]!.number as number;
    app.fake.mergePullRequest(app.fullName, number, 'squash');
    await app.receive('pull_request', app.pullRequestClosedEvent(number));
    expect(app.lastJobs()).toMatchObject([{ spec: { kind: 'pr-closed', pull: number } }]);
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();

    await app.push({ 'a.md': 'The first.\n\nAnd a clean second line.\n' });
    expect(app.jobs.at(-1)?.error).toBeUndefined();
    expect(open(app)).toHaveLength(0);
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();
  });

  it('fixes made upstream (not by merging) → the bot pull request is closed with a comment and its branch deleted', async () => {
    const app = (h = await startApp());
    await app.push({ 'a.md': 'Teh first.\n' });
    const number = open(app)[0]!.number as number;
    await app.push({ 'a.md': 'The first.\n' }, { author: 'alice' });

    expect(app.jobs.at(-1)).toMatchObject({ outcome: { summary: `nothing left to fix: closed #${number}` } });
    expect(open(app)).toHaveLength(0);
    expect(app.fake.comments(app.fullName, number).map((c) => c.body)).toEqual([
      expect.stringContaining('Nothing is left to fix'),
    ]);
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();
  });

  it('pull_request.closed on a bot pull request (not merged) deletes the branch only the app committed to', async () => {
    const app = (h = await startApp());
    await app.push({ 'a.md': 'Teh first.\n' });
    const number = open(app)[0]!.number as number;
    app.fake.closePullRequest(app.fullName, number);
    await app.receive('pull_request', app.pullRequestClosedEvent(number));
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();
    // Not a bot pull request: nothing queued.
    app.fake.pushCommit(app.fullName, { branch: 'feature', files: { 'f.md': 'x\n' } });
    const other = app.fake.openPullRequest(app.fullName, { head: 'feature' });
    app.fake.closePullRequest(app.fullName, other);
    await app.receive('pull_request', app.pullRequestClosedEvent(other));
    expect(app.lastJobs()).toEqual([]);
  });
});

describe('pushes that are not for docs-fix', () => {
  it('a push that touches no markdown makes no request and queues no job', async () => {
    const app = (h = await startApp({ files: { 'README.md': '# Docs\n', 'src/x.ts': 'x\n' } }));
    app.fake.clearLog();
    await app.push({ 'src/x.ts': 'teh\n' });
    expect(app.jobs).toEqual([]);
    expect(app.fake.count()).toBe(0);
  });

  it('ignores pushes to bot branches, tags, branch deletions and the app’s own pushes', async () => {
    const app = (h = await startApp());
    app.fake.clearLog();
    const toBot = app.fake.pushCommit(app.fullName, { branch: 'docs-fix/main', files: { 'a.md': 'teh\n' } });
    await app.receive('push', app.fake.pushEvent(toBot));
    const tag = app.fake.pushEvent(app.fake.pushCommit(app.fullName, { files: { 'b.md': 'teh\n' } }));
    await app.receive('push', { ...tag, ref: 'refs/tags/v1.0.0' });
    app.fake.pushCommit(app.fullName, { branch: 'gone', files: { 'c.md': 'teh\n' } });
    await app.receive('push', app.fake.pushEvent(app.fake.deleteBranch(app.fullName, 'gone')));
    const own = app.fake.pushEvent(app.fake.pushCommit(app.fullName, { files: { 'd.md': 'teh\n' } }));
    await app.receive('push', { ...own, sender: app.fake.userShape(app.fake.botLogin) });
    expect(app.jobs).toEqual([]);
    // The app's identity was learned before the first event: no delivery costs a request for it.
    expect(app.fake.count()).toBe(0);
  });

  it('a redelivered push (same payload, new delivery id) makes no second pull request or commit', async () => {
    const app = (h = await startApp());
    const payload = app.fake.pushEvent(app.fake.pushCommit(app.fullName, { files: { 'a.md': 'Teh.\n' } }));
    await app.receive('push', payload);
    const head = app.fake.branchSha(app.fullName, 'docs-fix/main');
    app.fake.clearLog();
    await app.receive('push', structuredClone(payload));
    expect(app.lastJobs()).toMatchObject([{ duplicate: true }]);
    expect(app.repoRequests()).toBe(0);
    expect(app.fake.pulls(app.fullName)).toHaveLength(1);
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBe(head);
  });
});

describe('repository config', () => {
  it('an invalid .github/docs-fix.yml → a failing check run naming the field and what was expected, nothing else', async () => {
    const app = (h = await startApp({ files: { '.github/docs-fix.yml': 'commentAction: merge\n' } }));
    app.fake.clearLog();
    await app.push({ 'a.md': 'Teh.\n' });
    const checks = app.fake.checkRuns(app.fullName);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: 'docs-fix', conclusion: 'failure' });
    expect(checks[0]!.output).toMatchObject({ title: '.github/docs-fix.yml is invalid' });
    const summary = (checks[0]!.output as { summary: string }).summary;
    expect(summary).toContain('`commentAction`');
    expect(summary).toMatch(/commit.*pr/);
    expect(app.fake.count({ method: 'POST' })).toBe(2); // token + check run
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();
  });

  it('a config that is not YAML → a failing check run, no retry loop', async () => {
    const app = (h = await startApp({ files: { '.github/docs-fix.yml': 'labels: [a\n' } }));
    await app.push({ 'a.md': 'Teh.\n' });
    expect(app.jobs[0]?.error).toBeUndefined();
    expect(app.fake.checkRuns(app.fullName)[0]).toMatchObject({ conclusion: 'failure' });
    expect(app.fake.pulls(app.fullName)).toHaveLength(0);
  });

  it('dryRun: true → a check run only', async () => {
    const app = (h = await startApp({ files: { '.github/docs-fix.yml': 'dryRun: true\n' } }));
    await app.push({ 'a.md': 'Teh.\n' });
    expect(app.fake.pulls(app.fullName)).toHaveLength(0);
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();
    const checks = app.fake.checkRuns(app.fullName);
    expect(checks).toHaveLength(1);
    expect((checks[0]!.output as { summary: string }).summary).toContain('Dry run');
    expect(checks[0]!.annotations).toHaveLength(1);
  });

  it('branches: [...] is respected', async () => {
    const app = (h = await startApp({ files: { '.github/docs-fix.yml': 'branches: [release]\n' } }));
    await app.push({ 'a.md': 'Teh.\n' });
    expect(app.jobs[0]?.outcome?.summary).toBe('branch main is not watched');
    expect(app.fake.checkRuns(app.fullName)).toHaveLength(0);
    await app.push({ 'b.md': 'Teh.\n' }, { branch: 'release' });
    expect(pullsOf(app.fake, app.fullName).map((p) => p.head.ref)).toEqual(['docs-fix/release']);
    expect(pullsOf(app.fake, app.fullName).map((p) => p.base.ref)).toEqual(['release']);
  });

  it('_extends reads the config from the owner’s .github repository; a missing file falls back to it', async () => {
    const app = (h = await startApp({
      files: { '.github/docs-fix.yml': '_extends: .github\ndraft: true\n' },
    }));
    app.fake.createRepo('octo/.github', {
      files: { '.github/docs-fix.yml': 'labels: [org-docs]\ndraft: false\n' },
      installed: true,
    });
    await app.push({ 'a.md': 'Teh.\n' });
    const pull = open(app)[0]!;
    expect(pull.labels.map((l) => l.name)).toEqual(['org-docs']);
    expect(pull.draft).toBe(true); // the repository's own value wins over the extended one

    app.fake.createRepo('octo/plain', { files: { 'README.md': '# x\n' }, installed: true });
    const push = app.fake.pushCommit('octo/plain', { files: { 'a.md': 'Teh.\n' } });
    await app.receive('push', app.fake.pushEvent(push));
    expect(pullsOf(app.fake, 'octo/plain').map((p) => p.labels.map((l) => l.name))).toEqual([['org-docs']]);
  });
});

describe('GitHub API requests per push', () => {
  it('≤ changed markdown files + 10 for a new pull request (+1 without a config file), + 9 for an update, 0 without markdown', async () => {
    const app = (h = await startApp({ files: { ...CONFIG, 'README.md': '# Docs\n', 'src/x.ts': 'x\n' } }));
    const counts: Record<string, number> = {};

    app.fake.clearLog();
    await app.push({ 'docs/a.md': 'Teh a.\n', 'docs/b.md': 'Teh b.\n', 'docs/c.md': 'Teh c.\n' });
    counts['new pull request, 3 files'] = app.repoRequests();
    // Without a bot branch, one request reads the branch head (a late job must not build on an older base);
    // one lists the repository root for the word lists it keeps (Vale, cspell).
    expect(app.repoRequests()).toBeLessThanOrEqual(3 + 10);

    app.fake.clearLog();
    await app.push({ 'docs/d.md': 'Teh d.\n' });
    // The run also re-reads the 3 files already in the pull request, which it rebuilds on the new base.
    counts['update, 1 file + 3 in the pull request'] = app.repoRequests();
    expect(app.repoRequests()).toBeLessThanOrEqual(1 + 3 + 9);

    app.fake.clearLog();
    await app.push({ 'src/x.ts': 'y\n' });
    counts['no markdown'] = app.fake.count();
    expect(app.fake.count()).toBe(0);

    const bare = await startApp({ files: { 'README.md': '# Docs\n' } });
    try {
      bare.fake.clearLog();
      await bare.push({ 'docs/a.md': 'Teh a.\n', 'docs/b.md': 'Teh b.\n', 'docs/c.md': 'Teh c.\n' });
      counts['new pull request, 3 files, no config file'] = bare.repoRequests();
      expect(bare.repoRequests()).toBeLessThanOrEqual(3 + 11);
    } finally {
      await bare.close();
    }
    console.log(`requests per push: ${JSON.stringify(counts)}`);
    expect(open(app)).toHaveLength(1);
  });
});

describe('races and failures', () => {
  const pushSpec = (app: AppHarness, after: string, before = '0'.repeat(40)): JobSpec => ({
    kind: 'push',
    installationId: app.installationId,
    owner: 'octo',
    repo: 'docs',
    branch: 'main',
    before,
    after,
    defaultBranch: 'main',
  });

  it('pushes handled out of order: the late job of an older push fixes the branch head, never an older base', async () => {
    for (const existing of [false, true]) {
      const app = await startApp(existing ? {} : { files: { 'README.md': '# Docs\n' } });
      try {
        // With `existing`, a bot pull request is open before the two pushes (the state comes from its compare).
        if (existing) await app.push({ 'r0.md': 'Teh zero.\n' });
        const first = app.fake.pushCommit(app.fullName, { files: { 'r1.md': 'Teh one.\n' } });
        const second = app.fake.pushCommit(app.fullName, { files: { 'r2.md': 'Teh two.\n' } });
        const spec = (p: typeof first): JobSpec => pushSpec(app, p.after, p.before);
        await app.runJob(spec(second));
        const late = await app.runJob(spec(first));
        expect(late.summary, `existing ${existing}`).not.toMatch(/error/i);
        const pull = open(app)[0]!;
        expect(pull.base.sha).toBe(second.after);
        expect(app.fake.readFile(app.fullName, 'docs-fix/main', 'r1.md')).toBe('The one.\n');
        expect(app.fake.readFile(app.fullName, 'docs-fix/main', 'r2.md')).toBe('The two.\n');
        if (existing) expect(app.fake.readFile(app.fullName, 'docs-fix/main', 'r0.md')).toBe('The zero.\n');
        // The bot branch is built on the head, with the head's files.
        expect(app.fake.files(app.fullName, 'docs-fix/main').has('r2.md')).toBe(true);
      } finally {
        await app.close();
      }
    }
  });

  it('422 "A pull request already exists" (another run created it) → the open one is updated', async () => {
    const app = (h = await startApp());
    const push = app.fake.pushCommit(app.fullName, { files: { 'a.md': 'Teh.\n' } });
    app.fake.beforeNext('POST /repos/{owner}/{repo}/pulls', () =>
      app.fake.openPullRequest(app.fullName, {
        head: 'docs-fix/main',
        title: 'raced',
        user: app.fake.botLogin,
      }),
    );
    await app.receive('push', app.fake.pushEvent(push));
    expect(app.jobs[0]?.error).toBeUndefined();
    expect(app.fake.pulls(app.fullName)).toHaveLength(1);
    expect(open(app)[0]).toMatchObject({ title: 'docs: copy edits for main' });
    expect(app.fake.count({ route: 'POST /repos/{owner}/{repo}/pulls' })).toBe(1);
  });

  it('a bot branch created meanwhile (422 "Reference already exists") or moved (409/422) → BranchMovedError, the job retries', async () => {
    const app = (h = await startApp());
    const push = app.fake.pushCommit(app.fullName, { files: { 'a.md': 'Teh.\n' } });
    app.fake.beforeNext('POST /repos/{owner}/{repo}/git/refs', () =>
      app.fake.pushCommit(app.fullName, { branch: 'docs-fix/main', files: { 'z.md': 'z\n' } }),
    );
    await expect(app.runJob(pushSpec(app, push.after))).rejects.toBeInstanceOf(BranchMovedError);
    app.fake.deleteBranch(app.fullName, 'docs-fix/main');
    await app.runJob(pushSpec(app, push.after));
    expect(open(app)).toHaveLength(1);

    for (const status of [409, 422]) {
      app.fake.injectFault({
        route: 'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
        status,
        message: status === 422 ? 'Update is not a fast forward' : 'Reference update failed',
      });
      const next = app.fake.pushCommit(app.fullName, { files: { 'b.md': `Teh ${status}.\n` } });
      await expect(app.runJob(pushSpec(app, next.after))).rejects.toBeInstanceOf(BranchMovedError);
    }
  });

  it('a 5xx once → the job throws (BullMQ retries it) and the retry succeeds', async () => {
    const app = (h = await startApp());
    app.fake.injectFault({ route: 'POST /repos/{owner}/{repo}/git/trees', status: 502 });
    await app.push({ 'a.md': 'Teh.\n' });
    const failed = app.jobs[0]!;
    expect(failed.error).toBeInstanceOf(GitHubApiError);
    expect((failed.error as GitHubApiError).status).toBe(502);
    expect(app.fake.pulls(app.fullName)).toHaveLength(0);
    await app.runJob(failed.spec);
    expect(open(app)).toHaveLength(1);
  });
});

describe('installation events', () => {
  it('installation.created and installation_repositories.added/removed record the repositories', async () => {
    const app = (h = await startApp());
    const installation = {
      ...(webhookExample('installation', 'created')['installation'] as object),
      id: app.installationId,
    };
    await app.receive('installation', {
      ...webhookExample('installation', 'created'),
      installation,
      repositories: [{ id: 1, name: 'docs', full_name: 'octo/docs', private: false, node_id: 'R_1' }],
    });
    const added = webhookExample('installation_repositories', 'added');
    await app.receive('installation_repositories', {
      ...added,
      installation,
      repositories_added: [{ id: 2, name: 'more', full_name: 'octo/more', private: false, node_id: 'R_2' }],
      repositories_removed: [],
    });
    const removed = webhookExample('installation_repositories', 'removed');
    await app.receive('installation_repositories', {
      ...removed,
      installation,
      repositories_added: [],
      repositories_removed: [{ id: 1, name: 'docs', full_name: 'octo/docs', private: false, node_id: 'R_1' }],
    });
    const ref = (repo: string) => ({ installationId: app.installationId, owner: 'octo', repo });
    expect(app.schedules.upserted).toEqual([ref('docs'), ref('more')]);
    expect(app.schedules.removed).toEqual([ref('docs')]);
  });
});

describe.each(['redis', 'redis cluster'] as const)(
  'scheduled convergence check (job, cache on %s)',
  (where) => {
    beforeEach(() => {
      target = where;
    });
    afterEach(() => {
      target = 'redis';
    });

    it('proposes the whole branch on the bot pull request, and closes it once fixed upstream', async () => {
      const app = (h = await startApp({ files: { 'README.md': 'Teh readme.\n', 'docs/a.md': 'Fine.\n' } }));
      const spec: JobSpec = {
        kind: 'scheduled-check',
        installationId: app.installationId,
        owner: 'octo',
        repo: 'docs',
      };
      const first = await app.runJob(spec);
      expect(first.summary).toMatch(/pull request #1 created/);
      expect(app.fake.checkRuns(app.fullName)).toMatchObject([
        { name: 'docs-fix / convergence', conclusion: 'neutral' },
      ]);
      app.fake.pushCommit(app.fullName, { files: { 'README.md': 'The readme.\n' }, author: 'alice' });
      const second = await app.runJob(spec);
      expect(second.summary).toMatch(/^Fixpoint rate 100\.000% .*nothing left to fix: closed #1/);
      expect(open(app)).toHaveLength(0);
    });

    it('a re-run that would produce what the bot branch already holds leaves it alone: no force-push', async () => {
      const app = (h = await startApp({ files: { 'docs/a.md': 'Teh guide.\n', 'docs/b.md': 'Fine.\n' } }));
      const spec: JobSpec = {
        kind: 'scheduled-check',
        installationId: app.installationId,
        owner: 'octo',
        repo: 'docs',
      };
      const first = await app.runJob(spec);
      expect(first.summary).toMatch(/pull request #1 created/);
      const head = app.fake.branchSha(app.fullName, 'docs-fix/main');

      app.fake.clearLog();
      const second = await app.runJob(spec);
      expect(second.summary).toContain('pull request #1 already holds these changes');
      expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBe(head);
      expect(app.fake.count({ method: 'PATCH', route: /git\/refs/ })).toBe(0);
      expect(app.fake.count({ method: 'POST', route: /git\/(commits|trees)/ })).toBe(0);

      // Upstream moves: the branch is rebuilt on the new base as before.
      app.fake.pushCommit(app.fullName, { files: { 'docs/c.md': 'Also fine.\n' }, author: 'alice' });
      const third = await app.runJob(spec);
      expect(third.summary).toMatch(/pull request #1 updated/);
      expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).not.toBe(head);
    });

    it('reads no blob of a branch already at its fixpoint: file-level fixpoints are found by blob SHA', async () => {
      const docs: Record<string, string> = {};
      for (let i = 0; i < 12; i += 1)
        docs[`docs/page-${i}.md`] = `# Page ${i}\n\nThis page is fine as it is.\n`;
      docs['docs/typo.md'] = '# Typo\n\nThis is teh page.\n';
      const app = (h = await startApp({ files: docs }));
      const spec: JobSpec = {
        kind: 'scheduled-check',
        installationId: app.installationId,
        owner: 'octo',
        repo: 'docs',
      };
      const blobReads = (): number => app.fake.count({ method: 'GET', route: /git\/blobs\/\{file_sha\}/ });

      app.fake.clearLog();
      const first = await app.runJob(spec);
      expect(first.summary).toMatch(/pull request #1 created/);
      expect(first.summary).not.toContain('known to be at a fixpoint');
      // README.md from the harness plus the 13 pages.
      const read = blobReads();
      expect(read).toBeGreaterThanOrEqual(13);

      app.fake.clearLog();
      const second = await app.runJob(spec);
      // Only the file with the pending fix is read and split again.
      expect(blobReads()).toBe(1);
      expect(second.summary).toContain(`${read - 1} files were already known to be at a fixpoint`);

      // The bot's fix is merged upstream: the whole branch is at its fixpoint, and the check reads nothing.
      app.fake.pushCommit(app.fullName, {
        files: { 'docs/typo.md': '# Typo\n\nThis is the page.\n' },
        author: 'alice',
      });
      await app.runJob(spec);
      app.fake.clearLog();
      const fourth = await app.runJob(spec);
      expect(blobReads()).toBe(0);
      expect(fourth.summary).toMatch(/^Fixpoint rate 100\.000% \(0 of 0 editable lines unchanged\)/);
      expect(fourth.summary).toContain(`${read} files were already known to be at a fixpoint`);
    });
  },
);
