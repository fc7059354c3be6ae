import { afterEach, describe, expect, it } from 'vitest';
import {
  botBranch,
  closeBotPullRequest,
  commitFiles,
  findBotPullRequest,
  inspectBotBranch,
  isBotPullRequestBody,
  pullRequestFiles,
  upsertBotPullRequest,
} from '../../src/github/index.js';
import { botMarker } from '../../src/github/render.js';
import { startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

async function botCommit(files: Record<string, string>, expectedHeadSha?: string | null): Promise<string> {
  const main = h.fake.branchSha(h.fullName, 'main')!;
  const r = await commitFiles(h.octokit, h.repo, {
    branch: botBranch('main'),
    parentSha: main,
    files: Object.entries(files).map(([path, c]) => ({ path, bytes: Buffer.from(c) })),
    message: 'docs: copy-edit',
    expectedHeadSha,
    force: true,
  });
  return r.commitSha;
}

describe('bot pull request', () => {
  it('is created once, then updated in place; a redelivery race re-lists instead of duplicating', async () => {
    h = await startHarness({ 'a.md': 'a\n', 'b.md': 'b\n' });
    await botCommit({ 'a.md': 'A\n' });
    expect(await findBotPullRequest(h.octokit, h.repo, 'main')).toBeUndefined();
    const body = `${botMarker('main')}\nfirst`;
    const created = await upsertBotPullRequest(h.octokit, h.repo, {
      base: 'main',
      title: 'docs-fix',
      body,
      labels: ['documentation'],
    });
    expect(created).toMatchObject({ outcome: 'created', number: 1 });

    const found = await findBotPullRequest(h.octokit, h.repo, 'main');
    expect(found).toMatchObject({ number: 1, body });
    expect(isBotPullRequestBody(found!.body, 'main')).toBe(true);
    h.fake.clearLog();
    const updated = await upsertBotPullRequest(h.octokit, h.repo, {
      base: 'main',
      title: 'docs-fix',
      body: `${body}2`,
      existing: found,
    });
    expect(updated).toMatchObject({ outcome: 'updated', number: 1 });
    expect(h.fake.count()).toBe(1);

    // A second delivery that did not see the pull request: create → 422 already exists → list → update.
    const raced = await upsertBotPullRequest(h.octokit, h.repo, {
      base: 'main',
      title: 'docs-fix',
      body: `${body}3`,
    });
    expect(raced).toMatchObject({ outcome: 'updated', number: 1 });
    const pulls = h.fake.pulls(h.fullName);
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({
      body: `${body}3`,
      labels: [expect.objectContaining({ name: 'documentation' })],
    });
  });

  it('reports no-commits when the bot branch has nothing its base lacks', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    h.fake.pushCommit(h.fullName, { branch: botBranch('main'), files: {} });
    const main = h.fake.branchSha(h.fullName, 'main')!;
    await h.octokit.rest.git.updateRef({
      ...h.repo,
      ref: `heads/${botBranch('main')}`,
      sha: main,
      force: true,
    });
    expect(await upsertBotPullRequest(h.octokit, h.repo, { base: 'main', title: 't', body: 'b' })).toEqual({
      outcome: 'no-commits',
    });
  });

  it('closes with a comment and deletes the branch', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    await botCommit({ 'a.md': 'A\n' });
    const { number } = (await upsertBotPullRequest(h.octokit, h.repo, {
      base: 'main',
      title: 't',
      body: 'b',
    })) as { number: number };
    h.fake.clearLog();
    await closeBotPullRequest(h.octokit, h.repo, {
      number,
      base: 'main',
      comment: 'Nothing left to fix: closing.',
    });
    expect(h.fake.count()).toBe(3);
    expect(h.fake.pulls(h.fullName)[0]).toMatchObject({ state: 'closed' });
    expect(h.fake.branchSha(h.fullName, botBranch('main'))).toBeUndefined();
    expect(h.fake.comments(h.fullName, number).map((c) => c.body)).toEqual(['Nothing left to fix: closing.']);
    expect(await findBotPullRequest(h.octokit, h.repo, 'main')).toBeUndefined();
  });

  it('inspects the bot branch in one request: its files, its head, and commits made by people', async () => {
    h = await startHarness({ 'a.md': 'a\n', 'b.md': 'b\n' });
    expect(
      await inspectBotBranch(h.octokit, h.repo, { base: 'main', botLogin: h.fake.botLogin }),
    ).toBeUndefined();
    const bot = await botCommit({ 'a.md': 'A\n', 'b.md': 'B\n' });
    h.fake.clearLog();
    const clean = await inspectBotBranch(h.octokit, h.repo, { base: 'main', botLogin: h.fake.botLogin });
    expect(h.fake.count()).toBe(1);
    expect(clean).toMatchObject({
      headSha: bot,
      humanCommits: [],
      files: ['a.md', 'b.md'],
      truncated: false,
    });

    h.fake.pushCommit(h.fullName, {
      branch: botBranch('main'),
      files: { 'a.md': 'A, by hand\n' },
      author: 'alice',
      message: 'tweak',
    });
    const touched = await inspectBotBranch(h.octokit, h.repo, { base: 'main', botLogin: h.fake.botLogin });
    expect(touched!.humanCommits).toEqual([expect.objectContaining({ author: 'alice', message: 'tweak' })]);
  });

  it('lists pull request files across pages (30 a page by default on GitHub)', async () => {
    h = await startHarness({ 'a.md': 'a\n' });
    const files = Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`d/${i}.md`, `${i}\n`]));
    h.fake.pushCommit(h.fullName, { branch: 'many', files });
    const n = h.fake.openPullRequest(h.fullName, { head: 'many' });
    h.fake.clearLog();
    const listed = await pullRequestFiles(h.octokit, h.repo, n);
    expect(listed).toHaveLength(130);
    expect(h.fake.count()).toBe(2);
  });
});
