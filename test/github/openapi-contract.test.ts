// The contract the fake GitHub is held to: the committed extract of GitHub's OpenAPI description is current
// against the pinned @octokit/openapi, every route the fake serves is a documented operation, and the checks
// catch what they are there to catch (an undocumented route, a bad body, an ignored query parameter, a
// response missing a field).
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildExtract,
  EXTRACT_PATH,
  OPENAPI_PACKAGE,
  OPENAPI_VERSION,
  PLANS,
  serializeExtract,
} from '../../scripts/github-openapi/extract.js';
import { GitHubContract } from '../support/fake-github/contract.js';
import { FakeGitHub } from '../support/fake-github/index.js';
import { quiet } from './setup.js';

const root = new URL('../../', import.meta.url);

describe('the extract of GitHub OpenAPI description', () => {
  it('is what npm run openapi:extract makes from the installed, pinned package', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies[OPENAPI_PACKAGE]).toBe(OPENAPI_VERSION);
    const committed = readFileSync(new URL(EXTRACT_PATH, root), 'utf8');
    // Stale when the package, the operation list or the extraction changed without regenerating.
    expect(committed === serializeExtract(buildExtract()), 'run npm run openapi:extract').toBe(true);
  });

  it('holds every route the fake serves, on every plan docs-fix supports', async () => {
    const fake = await FakeGitHub.start();
    try {
      const contract = GitHubContract.load();
      for (const route of fake.routeTemplates) {
        const [method, template] = route.split(' ') as [string, string];
        // A concrete path for the template: each parameter a plausible value.
        const path = template.replace(/\{(\w+)\}/g, (_m, name: string) =>
          name.endsWith('number') || name.endsWith('_id') ? '7' : name === 'basehead' ? 'main...topic' : 'x',
        );
        const matched = contract.match(method, path);
        expect(matched, route).toBeDefined();
        for (const plan of PLANS)
          expect(contract.operation(plan, matched!.operationId), `${route} on ${plan}`).toBeDefined();
      }
    } finally {
      await fake.close();
    }
  });
});

describe('the contract checks', () => {
  let fake: FakeGitHub | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function harness(): Promise<{ fake: FakeGitHub; octokit: Octokit }> {
    fake = await FakeGitHub.start();
    fake.createRepo('octo/docs', { installed: true });
    const octokit = new Octokit({
      baseUrl: fake.baseUrl,
      auth: fake.installationToken(fake.installationId('octo/docs')),
      log: quiet,
      request: { retries: 0 },
    });
    return { fake, octokit };
  }

  const statusOf = (p: Promise<unknown>): Promise<number> =>
    p.then(
      () => 200,
      (e: { status?: number }) => e.status ?? 0,
    );

  it('answer an undocumented route 404 and fail the test that sent it', async () => {
    const { fake, octokit } = await harness();
    const seen = fake.expectContractViolation(/not a documented operation/);
    expect(
      await statusOf(
        octokit.request('GET /repos/{owner}/{repo}/docs-fix-settings', { owner: 'octo', repo: 'docs' }),
      ),
    ).toBe(404);
    expect(seen.seen).toEqual([
      'GET /repos/octo/docs/docs-fix-settings: GET /repos/octo/docs/docs-fix-settings is not a documented operation of api.github.com (@octokit/openapi 23.0.2)',
    ]);
  });

  it('answer a body that does not validate 422, naming the field, as GitHub does', async () => {
    const { fake, octokit } = await harness();
    const seen = fake.expectContractViolation(/request body of git\/create-tree/);
    const err = (await octokit.rest.git
      .createTree({
        owner: 'octo',
        repo: 'docs',
        tree: [{ path: 'a.md', mode: '100645' as '100644', type: 'blob', content: 'x' }],
      })
      .catch((e: unknown) => e)) as { status: number; message: string };
    expect(err.status).toBe(422);
    expect(err.message).toContain('/tree/0/mode must be one of');
    expect(seen.seen).toHaveLength(1);
    expect(seen.seen[0]).toContain('(api.github.com, ghes-3.17)');
  });

  it('flag a query parameter GitHub would silently ignore, and still answer', async () => {
    const { fake, octokit } = await harness();
    const seen = fake.expectContractViolation(/query parameter 'heads'/);
    // A typo Octokit passes through to the query string; GitHub then lists every pull request.
    const res = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
      owner: 'octo',
      repo: 'docs',
      heads: 'octo:x',
    });
    expect(res.status).toBe(200);
    expect(seen.seen).toHaveLength(1);
  });

  it('fail a test whose violation nobody expected', async () => {
    const { fake, octokit } = await harness();
    await octokit
      .request('GET /repos/{owner}/{repo}/pulls', {
        owner: 'octo',
        repo: 'docs',
        per_page: 'many' as unknown as number,
      })
      .catch(() => undefined);
    // What test/support/contract-setup.ts would throw after this test: taken here so that this test passes.
    const violations = fake.takeContractViolations();
    expect(violations).toEqual([
      expect.stringContaining(
        'parameters of pulls/list: query parameter per_page must be integer (api.github.com, ghes-3.17)',
      ),
    ]);
  });

  it('check responses: a missing field, a wrong type and an undocumented status are violations', () => {
    const contract = GitHubContract.load();
    expect(
      contract.checkResponse(
        'git/get-ref',
        200,
        { ref: 'refs/heads/main', node_id: 'x', url: 'https://api.github.com/x' },
        true,
      ),
    ).toEqual(["response 200 of git/get-ref: (root) misses required property 'object'"]);
    expect(
      contract.checkResponse('git/create-blob', 201, { url: 'https://api.github.com/x', sha: 42 }, true),
    ).toEqual(['response 201 of git/create-blob: /sha must be string']);
    expect(contract.checkResponse('git/delete-ref', 200, undefined, true)).toEqual([
      'git/delete-ref answered 200, which api.github.com does not document (documented: 204, 409, 422)',
    ]);
    // Errors GitHub sends on any route (rate limits, outages) are checked as its basic error.
    expect(contract.checkResponse('git/delete-ref', 502, { message: 'Server Error' }, true)).toEqual([]);
    expect(contract.checkResponse('git/delete-ref', 502, { message: 7 }, true)).toEqual([
      'response 502 of git/delete-ref: /message must be string',
    ]);
  });
});
