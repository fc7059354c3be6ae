// An operator on GitHub Enterprise Server: the API lives under https://<host>/api/v3. The fake GitHub serves it
// there (and nothing at /), and the whole product runs a push to a pull request with the API root set the
// two ways an operator can: Probot's GHE_HOST (+ GHE_PROTOCOL), or GITHUB_API_URL. Every request is checked
// against GHES 3.17's description as well as api.github.com's (test/support/fake-github/contract.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function pushToPullRequest(s: Stack): Promise<void> {
  const { fake } = s;
  fake.createRepo('octo/docs', { files: { 'README.md': '# Docs\n\nTeh docs.\n' }, installed: true });
  const push = fake.pushCommit('octo/docs', {
    files: { 'docs/a.md': '# A\n\nRecieve it.\n' },
    author: 'alice',
  });
  expect((await s.deliver('push', fake.pushEvent(push))).status).toBe(200);
  await waitFor('the pull request', () => fake.pulls('octo/docs').length === 1);
  expect(fake.readFile('octo/docs', 'docs-fix/main', 'docs/a.md')).toBe('# A\n\nReceive it.\n');
  // Everything went to /api/v3: the fake answers nothing outside it.
  expect(fake.requests.filter((r) => r.route.startsWith(`${r.method} /outside-the-api`))).toEqual([]);
  expect(fake.count({ route: 'POST /app/installations/{installation_id}/access_tokens' })).toBeGreaterThan(0);
}

describe('GitHub Enterprise Server', () => {
  it('runs a push to a pull request with GHE_HOST and GHE_PROTOCOL (Probot’s own settings)', async () => {
    stack = await startStack({
      fake: { pathPrefix: '/api/v3' },
      probot: 'production',
      extraEnv: (fakeUrl) => ({
        GITHUB_API_URL: '',
        GHE_HOST: new URL(fakeUrl).host,
        GHE_PROTOCOL: 'http',
        DOCS_FIX_GITHUB_THROTTLE: 'off',
      }),
    });
    expect(stack.fake.baseUrl).toMatch(/\/api\/v3$/);
    await pushToPullRequest(stack);
  });

  it('runs a push to a pull request with GITHUB_API_URL set to the /api/v3 root (a trailing slash too)', async () => {
    stack = await startStack({
      fake: { pathPrefix: '/api/v3' },
      probot: 'production',
      extraEnv: (fakeUrl) => ({ GITHUB_API_URL: `${fakeUrl}/`, DOCS_FIX_GITHUB_THROTTLE: 'off' }),
    });
    await pushToPullRequest(stack);
  });
});
