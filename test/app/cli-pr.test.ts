// `docs-fix pr` through the real CLI entry against the fake GitHub, with a user token (no app installed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FakeGitHub } from '../support/fake-github/index.js';
import { pullsOf } from '../support/app.js';

let fake: FakeGitHub;
let cacheDir: string;
beforeAll(async () => {
  fake = await FakeGitHub.start();
  cacheDir = mkdtempSync(join(tmpdir(), 'docs-fix-pr-cli-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const pr = (repo: string, token: string | undefined, ...extra: string[]) =>
  runCli(
    [
      'pr',
      '--repo',
      repo,
      '--api-url',
      fake.baseUrl,
      '--cache-dir',
      cacheDir,
      '--sim-flip-rate',
      '0',
      ...extra,
    ],
    { env: { GITHUB_TOKEN: token ?? '' } },
  );

describe('docs-fix pr', () => {
  it('opens the bot pull request with a user token, updates it in place, closes it once fixed upstream', async () => {
    fake.createRepo('alice/docs', {
      files: {
        'README.md': '# Docs\n\nThis is teh readme.\n',
        'docs/guide.md': '# Guide\n\nWe recieve it.\n',
        '.github/docs-fix.yml': 'labels: [docs, bot]\n',
      },
    });
    const token = fake.userToken('alice');
    fake.clearLog();
    const first = await pr('alice/docs', token);
    expect(first.stderr).toContain('cache embedded');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^Fixpoint rate .* pull request #1 created\. https:\/\/github\.com\/alice\/docs\/pull\/1\n$/,
    );
    const [pull] = pullsOf(fake, 'alice/docs');
    expect(pull).toMatchObject({
      state: 'open',
      head: { ref: 'docs-fix/main' },
      base: { ref: 'main' },
      commits: 1,
    });
    expect(pull!.labels.map((l) => l.name)).toEqual(['docs', 'bot']);
    expect(fake.readFile('alice/docs', 'docs-fix/main', 'README.md')).toBe('# Docs\n\nThis is the readme.\n');
    expect(fake.count({ route: /check-runs/ })).toBe(0);
    expect(fake.requests.every((r) => r.actor === 'alice')).toBe(true);

    // New typos on main: the same pull request, rebuilt; lines already fixed come from the local cache.
    fake.pushCommit('alice/docs', { files: { 'docs/new.md': 'Teh new page.\n' }, author: 'alice' });
    const second = await pr('alice/docs', token, '--json');
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as { pullRequest: number; summary: { modelLines: number } };
    expect(report.pullRequest).toBe(1);
    expect(pullsOf(fake, 'alice/docs')).toHaveLength(1);
    expect(fake.readFile('alice/docs', 'docs-fix/main', 'docs/new.md')).toBe('The new page.\n');
    expect(fake.readFile('alice/docs', 'docs-fix/main', 'docs/guide.md')).toBe('# Guide\n\nWe receive it.\n');
    expect(report.summary.modelLines).toBe(1); // only the new line went to the model

    fake.pushCommit('alice/docs', {
      files: {
        'README.md': '# Docs\n\nThis is the readme.\n',
        'docs/guide.md': '# Guide\n\nWe receive it.\n',
        'docs/new.md': 'The new page.\n',
      },
      author: 'alice',
    });
    const third = await pr('alice/docs', token);
    expect(third.code).toBe(0);
    expect(third.stdout).toMatch(/^Fixpoint rate 100\.000% .* nothing left to fix: closed #1\.\n$/);
    expect(pullsOf(fake, 'alice/docs')[0]).toMatchObject({ state: 'closed' });
    expect(fake.branchSha('alice/docs', 'docs-fix/main')).toBeUndefined();
  });

  it('--base picks the branch; a missing token is a usage error; a token without push access fails', async () => {
    fake.createRepo('bob/site', { files: { 'index.md': 'Teh site.\n' } });
    fake.pushCommit('bob/site', { branch: 'v2', files: { 'v2.md': 'Teh v2.\n' }, author: 'bob' });
    const onV2 = await pr('bob/site', fake.userToken('bob'), '--base', 'v2');
    expect(onV2.code).toBe(0);
    expect(pullsOf(fake, 'bob/site')).toMatchObject([{ head: { ref: 'docs-fix/v2' }, base: { ref: 'v2' } }]);

    const noToken = await pr('bob/site', undefined);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--token or $GITHUB_TOKEN');

    const stranger = await pr('bob/site', fake.userToken('eve'));
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/docs-fix: .*GitHub answered 40[34]/);
  });

  it('works against GitHub Enterprise Server from GITHUB_API_URL (as Actions sets it on GHES: …/api/v3)', async () => {
    const ghes = await FakeGitHub.start({ pathPrefix: '/api/v3' });
    try {
      ghes.createRepo('alice/docs', { files: { 'README.md': '# Docs\n\nThis is teh readme.\n' } });
      const result = await runCli(
        ['pr', '--repo', 'alice/docs', '--cache-dir', cacheDir, '--sim-flip-rate', '0'],
        // With a trailing slash, as an operator may write it.
        { env: { GITHUB_TOKEN: ghes.userToken('alice'), GITHUB_API_URL: `${ghes.baseUrl}/` } },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(pullsOf(ghes, 'alice/docs')).toHaveLength(1);
      expect(ghes.requests.filter((r) => r.route.includes('/outside-the-api'))).toEqual([]);
    } finally {
      await ghes.close();
    }
  });
});
