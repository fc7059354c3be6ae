// Issue 8 through the whole stack (signed webhook → BullMQ → worker → fake GitHub, simulator as the model):
// GitHub faults, bad input and operator limits, tenant isolation, and what a repository cannot do.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from '../server/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

type CheckRun = Record<string, unknown> & { output: { title: string; summary: string } };

async function checkRunOf(s: Stack, name: string, sha: string): Promise<CheckRun> {
  return (await waitFor(`the check run of ${name}@${sha.slice(0, 7)}`, () =>
    s.fake
      .checkRuns(name)
      .find((c) => c['head_sha'] === sha && c['status'] === 'completed' && c['name'] === 'docs-fix'),
  )) as unknown as CheckRun;
}

async function pushJobsSettled(s: Stack, count: number): Promise<void> {
  await waitFor(`${count} push jobs to settle`, async () => {
    const jobs = (await s.server.queue.queue.getJobs()).filter((j) => j.name === 'push');
    const states = await Promise.all(jobs.map((j) => j.getState()));
    return jobs.length === count && states.every((st) => st === 'completed' || st === 'failed');
  });
}

describe('GitHub faults', () => {
  it('5xx, secondary rate limits and 409/422 on ref updates: retried, no duplicate commits or pull requests', async () => {
    stack = await startStack({ queueBackoffMs: 100 });
    const { fake } = stack;
    const name = 'octo/docs';
    fake.createRepo(name, { files: { 'README.md': '# Docs\n' }, installed: true });

    fake.injectFault({
      route: 'POST /repos/{owner}/{repo}/git/trees',
      kind: 'secondary-rate-limit',
      retryAfter: 1,
    });
    fake.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', status: 502 });
    fake.injectFault({ route: 'POST /repos/{owner}/{repo}/git/commits', status: 500 });
    const first = fake.pushCommit(name, { files: { 'docs/a.md': '# A\n\nTeh first.\n' } });
    await stack.deliver('push', fake.pushEvent(first));
    await pushJobsSettled(stack, 1);
    expect(fake.pulls(name)).toHaveLength(1);

    // The second push updates the bot branch: its ref update fails with 409, then 422, then works.
    fake.injectFault({
      route: /git\/refs/,
      method: 'PATCH',
      status: 409,
      message: 'Reference update failed',
    });
    fake.injectFault({
      route: /git\/refs/,
      method: 'PATCH',
      status: 422,
      message: 'Update is not a fast forward',
    });
    const second = fake.pushCommit(name, { files: { 'docs/b.md': '# B\n\nTeh second.\n' } });
    await stack.deliver('push', fake.pushEvent(second));
    await pushJobsSettled(stack, 2);

    // Every injected fault was met.
    for (const status of [403, 502, 500, 409, 422])
      expect(
        fake.count((r) => r.status === status),
        String(status),
      ).toBe(1);
    const jobs = (await stack.server.queue.queue.getJobs()).filter((j) => j.name === 'push');
    expect(await Promise.all(jobs.map((j) => j.getState()))).toEqual(['completed', 'completed']);
    expect(jobs.reduce((n, j) => n + j.attemptsMade, 0)).toBeGreaterThan(2);
    const pulls = fake.pulls(name);
    expect(pulls).toHaveLength(1);
    expect(fake.count((r) => r.route === 'POST /repos/{owner}/{repo}/pulls' && r.status === 201)).toBe(1);
    // Exactly one bot commit on top of the user's branch, holding both fixes.
    const head = fake.branchSha(name, 'docs-fix/main')!;
    const commit = fake.state.git.commit(head);
    expect(commit?.parents).toEqual([second.after]);
    expect(fake.readFile(name, 'docs-fix/main', 'docs/a.md')).toBe('# A\n\nThe first.\n');
    expect(fake.readFile(name, 'docs-fix/main', 'docs/b.md')).toBe('# B\n\nThe second.\n');
  });
});

describe('bad input', () => {
  it('applies the operator limits on files and bytes with a clear message', async () => {
    stack = await startStack({ extraEnv: { DOCS_FIX_MAX_FILES: '3', DOCS_FIX_MAX_BYTES: '100000' } });
    const { fake } = stack;
    fake.createRepo('octo/many', { files: { 'README.md': '# Many\n' }, installed: true });
    const files: Record<string, string> = {};
    for (let i = 0; i < 8; i += 1) files[`docs/f${i}.md`] = `# F${i}\n\nTeh file ${i}.\n`;
    const push = fake.pushCommit('octo/many', { files });
    await stack.deliver('push', fake.pushEvent(push));
    const check = await checkRunOf(stack, 'octo/many', push.after);
    expect(check.output.summary).toMatch(/limit of 3 files\b/);
    expect((check.output.summary.match(/: limit \(/g) ?? []).length).toBe(5);
    await waitFor('the pull request', () => fake.pulls('octo/many').length === 1);
    const fixed = Object.keys(files).filter(
      (p) => fake.readFile('octo/many', 'docs-fix/main', p) !== files[p],
    );
    expect(fixed).toHaveLength(3);
  });

  it('skips binary, invalid UTF-8, huge and deeply nested files with reasons, leaving them untouched', async () => {
    stack = await startStack();
    const { fake } = stack;
    fake.createRepo('octo/bad', { files: { 'README.md': '# Bad\n' }, installed: true });
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0x0a]);
    const invalid = Buffer.concat([
      Buffer.from('# Title\n\nTeh caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    const huge = `# Huge\n\n${'Teh line that repeats.\n\n'.repeat(60_000)}`;
    const nested = `${'> '.repeat(1000)}Teh nested quote.\n\n${'- '.repeat(1000)}teh nested list.\n`;
    const push = fake.pushCommit('octo/bad', {
      files: {
        'docs/binary.md': binary,
        'docs/invalid.md': invalid,
        'docs/huge.md': huge,
        'docs/nested.md': nested,
        'docs/good.md': '# Good\n\nTeh good file.\n',
      },
    });
    await stack.deliver('push', fake.pushEvent(push));
    const check = await checkRunOf(stack, 'octo/bad', push.after);
    expect(check.output.summary).toMatch(/`docs\/binary.md`: binary/);
    expect(check.output.summary).toMatch(/`docs\/invalid.md`: invalid-utf8/);
    expect(check.output.summary).toMatch(/`docs\/huge.md`: too-large/);
    await waitFor('the pull request', () => fake.pulls('octo/bad').length === 1);
    expect(fake.readFile('octo/bad', 'docs-fix/main', 'docs/good.md')).toBe('# Good\n\nThe good file.\n');
    const blobOf = (ref: string, path: string) =>
      fake.state
        .flatTreeOf(fake.state.resolveCommitish(fake.state.repoByFullName('octo/bad'), ref)!)
        .get(path)?.sha;
    for (const path of ['docs/binary.md', 'docs/invalid.md', 'docs/huge.md']) {
      expect(blobOf('docs-fix/main', path), path).toBe(blobOf('main', path));
    }
    // Deep nesting: the run completes; the file is either skipped with a reason or edited line by line
    // without touching its structure (its markers stay byte-identical).
    const nestedAfter = fake.readFile('octo/bad', 'docs-fix/main', 'docs/nested.md')!;
    if (/`docs\/nested.md`: /.test(check.output.summary)) expect(nestedAfter).toBe(nested);
    else expect(nestedAfter.replace(/[Tt]he?h?/g, '')).toBe(nested.replace(/[Tt]he?h?/g, ''));
  });
});

describe('tenant isolation', () => {
  it('a line fixed under installation A is a cache miss under installation B', async () => {
    stack = await startStack();
    const { fake, sim } = stack;
    fake.createRepo('alpha/docs', { files: { 'README.md': '# A\n' }, installed: true });
    fake.createRepo('alpha/more', { files: { 'README.md': '# A2\n' }, installed: true });
    fake.createRepo('beta/docs', { files: { 'README.md': '# B\n' }, installed: true });
    expect(fake.installationId('alpha/docs')).not.toBe(fake.installationId('beta/docs'));
    const line = 'Teh shared sentence appears in both tenants.';
    const linesSent = (from: number) =>
      sim.requests.slice(from).flatMap((r) => (r.units ?? []).map((u) => u.lines.join('\n')));

    let mark = sim.requests.length;
    const a = fake.pushCommit('alpha/docs', { files: { 'docs/s.md': `# S\n\n${line}\n` } });
    await stack.deliver('push', fake.pushEvent(a));
    await checkRunOf(stack, 'alpha/docs', a.after);
    expect(linesSent(mark)).toContain(line);

    // Same installation, another repository: served from the cache.
    mark = sim.requests.length;
    const a2 = fake.pushCommit('alpha/more', { files: { 'docs/s.md': `# S\n\n${line}\n` } });
    await stack.deliver('push', fake.pushEvent(a2));
    await checkRunOf(stack, 'alpha/more', a2.after);
    expect(linesSent(mark)).not.toContain(line);

    // Another installation: a miss, asked again.
    mark = sim.requests.length;
    const b = fake.pushCommit('beta/docs', { files: { 'docs/s.md': `# S\n\n${line}\n` } });
    await stack.deliver('push', fake.pushEvent(b));
    await checkRunOf(stack, 'beta/docs', b.after);
    expect(linesSent(mark)).toContain(line);
  });
});

describe('security', () => {
  it("ignores the app's own pushes and pushes to its own branches", async () => {
    stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0' } });
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: { 'README.md': '# Docs\n' }, installed: true });
    const own = fake.pushCommit('octo/docs', { files: { 'docs/a.md': 'Teh.\n' }, author: fake.botLogin });
    expect((await stack.deliver('push', fake.pushEvent(own))).status).toBe(200);
    const onBotBranch = fake.pushCommit('octo/docs', {
      files: { 'docs/b.md': 'Teh.\n' },
      branch: 'docs-fix/main',
    });
    expect((await stack.deliver('push', fake.pushEvent(onBotBranch))).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(0);
  });

  it('a repository config cannot redirect the model endpoint or raise the operator limit on lines', async () => {
    stack = await startStack({ extraEnv: { DOCS_FIX_MAX_LINES_PER_RUN: '2' } });
    const { fake, sim } = stack;
    fake.createRepo('octo/evil', { files: { 'README.md': '# Evil\n' }, installed: true });
    const mark = sim.requests.length;
    const redirect = fake.pushCommit('octo/evil', {
      files: {
        '.github/docs-fix.yml': 'OPENAI_BASE_URL: http://127.0.0.1:9/v1\nmodel: evil\n',
        'docs/a.md': '# A\n\nTeh a.\n',
      },
    });
    await stack.deliver('push', fake.pushEvent(redirect));
    const refused = await checkRunOf(stack, 'octo/evil', redirect.after);
    expect(refused['conclusion']).toBe('failure');
    expect(refused.output.title).toMatch(/docs-fix.yml is invalid/);
    expect(refused.output.summary).toMatch(/OPENAI_BASE_URL|model/);
    expect(sim.requests.length).toBe(mark);
    expect(fake.pulls('octo/evil')).toHaveLength(0);

    const raise = fake.pushCommit('octo/evil', {
      files: {
        '.github/docs-fix.yml': 'maxLinesPerRun: 100000\n',
        'docs/b.md': '# B\n\nTeh one.\n\nTeh two.\n\nTeh three.\n\nTeh four.\n\nTeh five.\n',
      },
    });
    await stack.deliver('push', fake.pushEvent(raise));
    const capped = await checkRunOf(stack, 'octo/evil', raise.after);
    const sent = sim.requests.slice(mark).reduce((n, r) => n + (r.units?.length ?? 0), 0);
    expect(sent).toBe(2);
    expect(capped.output.summary).toMatch(
      /Paragraphs and headings left for a later run \(budget\) \| \d+ \|/,
    );
  });
});
