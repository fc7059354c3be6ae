import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { ZERO_SHA } from '../support/fake-github/index.js';
import { quiet, startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

async function status(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
    return { status: 200, message: '' };
  } catch (e) {
    const err = e as { status: number; message: string };
    return { status: err.status, message: err.message };
  }
}

describe('fake GitHub: git data', () => {
  it('hashes blobs as git does and wraps contents base64 at 60 characters', async () => {
    h = await startHarness({ 'README.md': 'hello\n', 'big.md': 'x'.repeat(200) });
    const { data } = await h.octokit.rest.repos.getContent({ ...h.repo, path: 'README.md' });
    // `git hash-object` of "hello\n"
    expect(!Array.isArray(data) && data.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
    const { data: big } = await h.octokit.rest.repos.getContent({ ...h.repo, path: 'big.md' });
    if (Array.isArray(big) || big.type !== 'file') throw new Error('expected a file');
    expect(big.content.split('\n')[0]).toHaveLength(60);
    expect(Buffer.from(big.content, 'base64').toString()).toBe('x'.repeat(200));
  });

  it('answers files over the inline limit without content, encoding none', async () => {
    h = await startHarness({ 'huge.md': 'y'.repeat(5000) }, { contentsInlineLimit: 1000 });
    const { data } = await h.octokit.rest.repos.getContent({ ...h.repo, path: 'huge.md' });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(data.encoding).toBe('none');
    expect(data.content).toBe('');
  });

  it('getRef takes heads/<b>; refs/heads/<b> does not exist', async () => {
    h = await startHarness();
    const ok = await h.octokit.rest.git.getRef({ ...h.repo, ref: 'heads/main' });
    expect(ok.data.ref).toBe('refs/heads/main');
    expect((await status(h.octokit.rest.git.getRef({ ...h.repo, ref: 'refs/heads/main' }))).status).toBe(404);
    const upd = await status(
      h.octokit.rest.git.updateRef({ ...h.repo, ref: 'refs/heads/main', sha: ok.data.object.sha }),
    );
    expect(upd).toMatchObject({ status: 422, message: expect.stringContaining('Reference does not exist') });
  });

  it('refuses non-fast-forward updates without force and existing refs on create', async () => {
    h = await startHarness();
    const first = h.fake.branchSha(h.fullName, 'main')!;
    h.fake.pushCommit(h.fullName, { files: { 'a.md': 'a\n' } });
    const second = h.fake.branchSha(h.fullName, 'main')!;
    const back = await status(h.octokit.rest.git.updateRef({ ...h.repo, ref: 'heads/main', sha: first }));
    expect(back).toMatchObject({
      status: 422,
      message: expect.stringContaining('Update is not a fast forward'),
    });
    await h.octokit.rest.git.updateRef({ ...h.repo, ref: 'heads/main', sha: first, force: true });
    expect(h.fake.branchSha(h.fullName, 'main')).toBe(first);
    const dup = await status(
      h.octokit.rest.git.createRef({ ...h.repo, ref: 'refs/heads/main', sha: second }),
    );
    expect(dup).toMatchObject({ status: 422, message: expect.stringContaining('Reference already exists') });
  });

  it('trees: sha null deletes, an entry with neither sha nor content is a 422, recursive= recurses for any value', async () => {
    h = await startHarness({ 'a.md': 'a\n', 'dir/b.md': 'b\n' });
    const head = h.fake.branchSha(h.fullName, 'main')!;
    const { data: commit } = await h.octokit.rest.git.getCommit({ ...h.repo, commit_sha: head });
    const { data: tree } = await h.octokit.rest.git.createTree({
      ...h.repo,
      base_tree: commit.tree.sha,
      tree: [
        { path: 'a.md', mode: '100644', type: 'blob', sha: null },
        { path: 'dir/c.md', mode: '100644', type: 'blob', content: 'c\n' },
      ],
    });
    const { data: listed } = await h.octokit.rest.git.getTree({
      ...h.repo,
      tree_sha: tree.sha,
      recursive: 'false',
    });
    expect(listed.tree.filter((e) => e.type === 'blob').map((e) => e.path)).toEqual(['dir/b.md', 'dir/c.md']);
    const bad = await status(
      h.octokit.request('POST /repos/{owner}/{repo}/git/trees', {
        ...h.repo,
        base_tree: commit.tree.sha,
        tree: [{ path: 'a.md', mode: '100644', type: 'blob' }],
      }),
    );
    expect(bad.status).toBe(422);
    const dir = await status(
      h.octokit.rest.git.createTree({
        ...h.repo,
        base_tree: commit.tree.sha,
        tree: [{ path: 'dir', mode: '100644', type: 'blob', sha: null }],
      }),
    );
    expect(dir.status).toBe(422);
  });

  it('compare: 404 for an all-zero before; caps files at 300', async () => {
    h = await startHarness();
    const push = h.fake.pushCommit(h.fullName, {
      files: Object.fromEntries(Array.from({ length: 320 }, (_, i) => [`f${i}.md`, `${i}\n`])),
    });
    expect(
      (
        await status(
          h.octokit.rest.repos.compareCommitsWithBasehead({
            ...h.repo,
            basehead: `${ZERO_SHA}...${push.after}`,
          }),
        )
      ).status,
    ).toBe(404);
    const { data } = await h.octokit.rest.repos.compareCommitsWithBasehead({
      ...h.repo,
      basehead: `${push.before}...${push.after}`,
    });
    expect(data.files).toHaveLength(300);
    expect(data.status).toBe('ahead');
    expect(data.total_commits).toBe(1);
  });

  it('repos.getCommit on an unknown SHA answers 422', async () => {
    h = await startHarness();
    const r = await status(h.octokit.rest.repos.getCommit({ ...h.repo, ref: 'f'.repeat(40) }));
    expect(r).toMatchObject({ status: 422, message: expect.stringContaining('No commit found for SHA') });
  });
});

describe('fake GitHub: pull requests', () => {
  it('pulls.list ignores a bare head and filters owner:branch', async () => {
    h = await startHarness();
    h.fake.pushCommit(h.fullName, { branch: 'one', files: { 'one.md': '1\n' } });
    h.fake.pushCommit(h.fullName, { branch: 'two', files: { 'two.md': '2\n' } });
    h.fake.openPullRequest(h.fullName, { head: 'one' });
    h.fake.openPullRequest(h.fullName, { head: 'two' });
    const bare = await h.octokit.rest.pulls.list({ ...h.repo, head: 'one' });
    expect(bare.data).toHaveLength(2);
    const owned = await h.octokit.rest.pulls.list({ ...h.repo, head: 'octo:one' });
    expect(owned.data.map((p) => p.head.ref)).toEqual(['one']);
  });

  it('refuses duplicates, empty pull requests and long bodies; deleting the head closes it for good', async () => {
    h = await startHarness();
    h.fake.pushCommit(h.fullName, { branch: 'feature', files: { 'x.md': 'x\n' } });
    const { data: pr } = await h.octokit.rest.pulls.create({
      ...h.repo,
      head: 'feature',
      base: 'main',
      title: 'T',
    });
    const dup = await status(
      h.octokit.rest.pulls.create({ ...h.repo, head: 'feature', base: 'main', title: 'T' }),
    );
    expect(dup).toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists for octo:feature'),
    });
    h.fake.pushCommit(h.fullName, { branch: 'same', files: {}, from: 'main' });
    await h.octokit.rest.git.updateRef({
      ...h.repo,
      ref: 'heads/same',
      sha: h.fake.branchSha(h.fullName, 'main')!,
      force: true,
    });
    const empty = await status(
      h.octokit.rest.pulls.create({ ...h.repo, head: 'same', base: 'main', title: 'T' }),
    );
    expect(empty).toMatchObject({ status: 422, message: expect.stringContaining('No commits between') });
    const long = await status(
      h.octokit.rest.pulls.update({ ...h.repo, pull_number: pr.number, body: 'x'.repeat(65_537) }),
    );
    expect(long.status).toBe(422);
    await h.octokit.rest.git.deleteRef({ ...h.repo, ref: 'heads/feature' });
    expect((await h.octokit.rest.pulls.get({ ...h.repo, pull_number: pr.number })).data.state).toBe('closed');
    const reopen = await status(
      h.octokit.rest.pulls.update({ ...h.repo, pull_number: pr.number, state: 'open' }),
    );
    expect(reopen.status).toBe(422);
  });

  it('reviews without event stay PENDING; comments off the diff are refused; a bot cannot approve its own', async () => {
    h = await startHarness({
      'doc.md': Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n',
    });
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    lines[19] = 'line twenty';
    h.fake.pushCommit(h.fullName, { branch: 'edit', files: { 'doc.md': lines.join('\n') + '\n' } });
    const { data: pr } = await h.octokit.rest.pulls.create({
      ...h.repo,
      head: 'edit',
      base: 'main',
      title: 'edit',
    });
    const pending = await h.octokit.rest.pulls.createReview({
      ...h.repo,
      pull_number: pr.number,
      body: 'hm',
    });
    expect(pending.data.state).toBe('PENDING');
    const off = await status(
      h.octokit.rest.pulls.createReview({
        ...h.repo,
        pull_number: pr.number,
        event: 'COMMENT',
        comments: [{ path: 'doc.md', line: 2, body: 'x' }],
      }),
    );
    expect(off).toMatchObject({ status: 422, message: expect.stringContaining('part of the diff') });
    const own = await status(
      h.octokit.rest.pulls.createReview({ ...h.repo, pull_number: pr.number, event: 'APPROVE' }),
    );
    // The bot opened this pull request: it cannot approve it.
    expect(own).toMatchObject({
      status: 422,
      message: expect.stringContaining('Can not approve your own pull request'),
    });
    const on = await h.octokit.rest.pulls.createReview({
      ...h.repo,
      pull_number: pr.number,
      event: 'COMMENT',
      comments: [{ path: 'doc.md', line: 20, body: 'x' }],
    });
    expect(on.data.state).toBe('COMMENTED');
  });
});

describe('fake GitHub: auth, permissions, checks, faults', () => {
  it('refuses the app JWT on repository routes and issues installation tokens', async () => {
    h = await startHarness();
    const app = new Octokit({ baseUrl: h.fake.baseUrl, auth: h.fake.appJwt(), log: quiet });
    expect((await status(app.rest.repos.get(h.repo))).status).toBe(401);
    const { data: inst } = await app.rest.apps.getRepoInstallation(h.repo);
    const { data: token } = await app.rest.apps.createInstallationAccessToken({ installation_id: inst.id });
    const bot = new Octokit({ baseUrl: h.fake.baseUrl, auth: token.token, log: quiet });
    expect((await bot.rest.repos.get(h.repo)).data.default_branch).toBe('main');
    expect(h.fake.requests.at(-1)).toMatchObject({
      route: 'GET /repos/{owner}/{repo}',
      actor: 'docs-fix[bot]',
      status: 200,
    });
  });

  it('collaborator permission: maintain reads as write, triage as read; role_name is exact', async () => {
    h = await startHarness();
    h.fake.setPermission(h.fullName, 'mia', 'maintain');
    h.fake.setPermission(h.fullName, 'tom', 'triage');
    const mia = await h.octokit.rest.repos.getCollaboratorPermissionLevel({ ...h.repo, username: 'mia' });
    expect([mia.data.permission, mia.data.role_name]).toEqual(['write', 'maintain']);
    const tom = await h.octokit.rest.repos.getCollaboratorPermissionLevel({ ...h.repo, username: 'tom' });
    expect([tom.data.permission, tom.data.role_name]).toEqual(['read', 'triage']);
  });

  it('check runs: completed needs a conclusion, 50 annotations per request, 65,535 characters of summary', async () => {
    h = await startHarness();
    const head_sha = h.fake.branchSha(h.fullName, 'main')!;
    expect(
      (await status(h.octokit.rest.checks.create({ ...h.repo, name: 'c', head_sha, status: 'completed' })))
        .status,
    ).toBe(422);
    // Both limits are in GitHub's description of the request body: the contract check sees them first.
    const limits = h.fake.expectContractViolation(
      /checks\/create: \/output\/(annotations|summary) must NOT have more/,
    );
    const ann = {
      path: 'README.md',
      start_line: 1,
      end_line: 1,
      annotation_level: 'notice' as const,
      message: 'm',
    };
    const tooMany = await status(
      h.octokit.rest.checks.create({
        ...h.repo,
        name: 'c',
        head_sha,
        output: { title: 't', summary: 's', annotations: Array(51).fill(ann) },
      }),
    );
    expect(tooMany.status).toBe(422);
    const long = await status(
      h.octokit.rest.checks.create({
        ...h.repo,
        name: 'c',
        head_sha,
        output: { title: 't', summary: 's'.repeat(65_536) },
      }),
    );
    expect(long.status).toBe(422);
    expect(limits.seen).toHaveLength(2);
    const user = h.userOctokit('alice');
    expect((await status(user.rest.checks.create({ ...h.repo, name: 'c', head_sha }))).status).toBe(403);
  });

  it('injects faults on the next matching requests and logs every request', async () => {
    h = await startHarness();
    h.fake.injectFault({ route: 'GET /repos/{owner}/{repo}', status: 502, times: 1 });
    h.fake.injectFault({ route: /pulls$/, kind: 'secondary-rate-limit', retryAfter: 7 });
    expect((await status(h.octokit.rest.repos.get(h.repo))).status).toBe(502);
    expect((await status(h.octokit.rest.repos.get(h.repo))).status).toBe(200);
    const limited = await h.octokit.rest.pulls
      .list(h.repo)
      .catch((e: { status: number; response: { headers: Record<string, string> } }) => e);
    expect(limited).toMatchObject({ status: 403, response: { headers: { 'retry-after': '7' } } });
    expect(h.fake.count({ route: 'GET /repos/{owner}/{repo}' })).toBe(2);
    const { headers } = await h.octokit.rest.repos.get(h.repo);
    expect(Number(headers['x-ratelimit-remaining'])).toBeLessThan(5000);
  });

  it('builds a push webhook payload shaped like @octokit/webhooks-examples', async () => {
    h = await startHarness();
    const push = h.fake.pushCommit(h.fullName, { files: { 'a.md': 'a\n' }, author: 'alice' });
    const event = h.fake.pushEvent(push) as {
      ref: string;
      after: string;
      commits: { added: string[] }[];
      repository: { full_name: string; default_branch: string };
      installation: { id: number };
    };
    expect(event).toMatchObject({
      ref: 'refs/heads/main',
      after: push.after,
      repository: { full_name: 'octo/docs', default_branch: 'main' },
    });
    expect(event.commits[0]!.added).toEqual(['a.md']);
    expect(event.installation.id).toBe(h.fake.installationId(h.fullName));
  });
});
