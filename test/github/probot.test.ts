import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, describe, expect, it } from 'vitest';
import {
  botBranch,
  botMarker,
  changedMarkdownFiles,
  changedMarkdownFilesFromPush,
  commitFiles,
  completeCheckRun,
  findBotPullRequest,
  inspectBotBranch,
  readFiles,
  upsertBotPullRequest,
  type GitHubClient,
  type PushPayloadFiles,
} from '../../src/github/index.js';
import { FakeGitHub, type PushDescriptor } from '../support/fake-github/index.js';

let fake: FakeGitHub;
/** Requests on repositories: leaves out the installation token Probot fetches lazily once an hour. */
const repoRoutes = (r: { route: string }): boolean => !r.route.startsWith('POST /app/');
afterEach(async () => fake?.close());

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

function probotFor(f: FakeGitHub): Probot {
  return new Probot({
    appId: f.app.id,
    privateKey,
    baseUrl: f.baseUrl,
    log: pino({ level: 'silent' }),
    // The function form runs last, so Probot's own throttle options do not override the test's.
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
}

/**
 * What the app will do on a push, with this module's functions, to measure the requests it costs.
 * `viaPayload`: the file list and tree come from the webhook payload; otherwise from compare.
 */
async function runPush(
  octokit: GitHubClient,
  repo: { owner: string; repo: string },
  push: PushDescriptor,
  fix: (s: string) => string,
  viaPayload: boolean,
) {
  const base = push.branch;
  const globs = { include: ['**/*.md'], exclude: [] };
  const payload = viaPayload
    ? changedMarkdownFilesFromPush(fake.pushEvent(push) as unknown as PushPayloadFiles, globs)
    : undefined;
  const changed = payload
    ? { files: payload.files.map((path) => ({ path })), afterTreeSha: payload.afterTreeSha }
    : await changedMarkdownFiles(octokit, repo, { before: push.before, after: push.after, ...globs });
  if (changed.files.length === 0) return;
  // No bot branch means no open bot pull request (deleting the head branch closes it): one request answers both.
  const branch = await inspectBotBranch(octokit, repo, { base, botLogin: 'docs-fix[bot]' });
  const existing = branch ? await findBotPullRequest(octokit, repo, base) : undefined;
  const extra = (branch?.files ?? []).filter((p) => !changed.files.some((f) => f.path === p));
  const files = await readFiles(octokit, repo, push.after, [...changed.files, ...extra]);
  const fixed = files.map((f) => ({
    path: f.path,
    bytes: Buffer.from(fix(Buffer.from(f.bytes).toString('utf8'))),
  }));
  await commitFiles(octokit, repo, {
    branch: botBranch(base),
    parentSha: push.after,
    baseTreeSha: changed.afterTreeSha,
    files: fixed,
    message: 'docs: copy-edit',
    // The branch head was read just now by inspectBotBranch: force without a second read.
    expectedHeadSha: branch ? undefined : null,
    force: true,
  });
  await upsertBotPullRequest(octokit, repo, {
    base,
    title: 'docs-fix: copy-edits',
    body: `${botMarker(base)}\n${push.after}`,
    labels: ['documentation'],
    ...(existing ? { existing } : {}),
  });
  await completeCheckRun(octokit, repo, {
    headSha: push.after,
    conclusion: 'neutral',
    output: { title: 't', summary: 's' },
  });
}

describe('with Probot 14', () => {
  it('authenticates as the installation through the fake and its octokit fits GitHubClient', async () => {
    fake = await FakeGitHub.start();
    fake.createRepo('octo/docs', { files: { 'a.md': 'teh\n' }, installed: true });
    const probot = probotFor(fake);
    const octokit = await probot.auth(fake.installationId('octo/docs'));
    const client: GitHubClient = octokit; // compile-time: Probot's octokit satisfies the structural type
    const push = fake.pushCommit('octo/docs', { files: { 'b.md': 'teh b\n' } });
    const changed = await changedMarkdownFiles(
      client,
      { owner: 'octo', repo: 'docs' },
      { before: push.before, after: push.after, include: ['**/*.md'], exclude: [] },
    );
    expect(changed.files.map((f) => f.path)).toEqual(['b.md']);
    expect(
      fake.requests.find((r) => r.route === 'POST /app/installations/{installation_id}/access_tokens'),
    ).toMatchObject({ status: 201, actor: 'app' });
    expect(fake.requests.at(-1)).toMatchObject({ actor: 'docs-fix[bot]' });
  });

  it('reads .github/docs-fix.yml through context.config-style raw contents (one request on a hit, two on a miss)', async () => {
    fake = await FakeGitHub.start();
    fake.createRepo('octo/docs', { files: { '.github/docs-fix.yml': 'draft: true\n' }, installed: true });
    fake.createRepo('octo/other', { files: { 'a.md': 'a\n' }, installed: true });
    const octokit = await probotFor(fake).auth(fake.installationId('octo/docs'));
    fake.clearLog();
    const hit = await octokit.config.get({ owner: 'octo', repo: 'docs', path: '.github/docs-fix.yml' });
    expect(hit.config).toEqual({ draft: true });
    expect(fake.count(repoRoutes)).toBe(1);
    fake.clearLog();
    const miss = await octokit.config.get({ owner: 'octo', repo: 'other', path: '.github/docs-fix.yml' });
    expect(miss.config).toEqual({});
    expect(fake.count(repoRoutes)).toBe(2); // the repository, then octo/.github
  });

  for (const viaPayload of [false, true]) {
    it(`a markdown push costs changed files + ${viaPayload ? '7' : '8'} requests (files from ${viaPayload ? 'the payload' : 'compare'})`, async () => {
      fake = await FakeGitHub.start();
      fake.createRepo('octo/docs', {
        files: { 'a.md': 'teh a\n', 'b.md': 'teh b\n', 'src/x.ts': 'x\n' },
        installed: true,
      });
      const octokit = await probotFor(fake).auth(fake.installationId('octo/docs'));
      const repo = { owner: 'octo', repo: 'docs' };
      const fix = (s: string): string => s.replaceAll('teh', 'the');
      const extra = viaPayload ? 0 : 1; // the compare of the push

      const first = fake.pushCommit('octo/docs', { files: { 'a.md': 'teh a, again\n', 'c.md': 'teh c\n' } });
      fake.clearLog();
      await runPush(octokit, repo, first, fix, viaPayload);
      // [compare], bot branch compare (404), 2 reads, tree, commit, create ref, create pull, labels, check run
      expect(fake.count(repoRoutes)).toBe(2 + 7 + extra);

      const second = fake.pushCommit('octo/docs', { files: { 'b.md': 'teh b, again\n' } });
      fake.clearLog();
      await runPush(octokit, repo, second, fix, viaPayload);
      // [compare], bot branch compare, list pulls, 1 read + 2 reads of files already in the pull request,
      // tree, commit, update ref, update pull, check run
      expect(fake.count(repoRoutes)).toBe(3 + 7 + extra);
      expect(fake.pulls('octo/docs')).toHaveLength(1);
      expect(Object.fromEntries(fake.files('octo/docs', botBranch('main')))).toMatchObject({
        'a.md': 'the a, again\n',
        'b.md': 'the b, again\n',
        'c.md': 'the c\n',
        'src/x.ts': 'x\n',
      });

      fake.clearLog();
      const code = fake.pushCommit('octo/docs', { files: { 'src/x.ts': 'y\n' } });
      await runPush(octokit, repo, code, fix, viaPayload);
      expect(fake.count(repoRoutes)).toBe(extra); // no markdown: nothing, or the compare that says so
    });
  }
});
