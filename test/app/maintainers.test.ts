// Maintainers stay in charge, end to end against the stateful fake GitHub: a bot pull request closed
// unmerged by a person, `/docs-fix forget`, reopening, and people's commits on the bot branch.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { rejectionKey, type CacheValue } from '../../src/cache/index.js';
import { pullsOf, startApp, type AppHarness } from '../support/app.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const open = (app: AppHarness) => pullsOf(app.fake, app.fullName).filter((p) => p.state === 'open');
const comments = (app: AppHarness, n: number): string[] =>
  app.fake.comments(app.fullName, n).map((c) => c.body as string);
const onBranch = (app: AppHarness, path: string): string | undefined =>
  app.fake.readFile(app.fullName, 'docs-fix/main', path);
async function rejectionOf(app: AppHarness, text: string): Promise<CacheValue | undefined> {
  const key = rejectionKey({
    scope: `installation:${app.installationId}`,
    repository: 'octo/docs',
    kind: 'paragraph',
    text,
  });
  return (await app.store.get([key]))[0];
}

const A = '# A\n\nThis is teh guide.\n\nWe recieve it.\n';

describe('a bot pull request closed without merging by a person', () => {
  it('its edits are not proposed again, a new typo elsewhere is; said once; /docs-fix forget brings them back', async () => {
    const app = (h = await startApp());
    await app.push({ 'docs/a.md': A });
    const first = open(app)[0]!.number;
    expect(onBranch(app, 'docs/a.md')).toBe('# A\n\nThis is the guide.\n\nWe receive it.\n');

    app.fake.closePullRequest(app.fullName, first);
    await app.receive('pull_request', app.pullRequestClosedEvent(first, 'alice'));
    expect(app.lastJobs()).toMatchObject([{ spec: { kind: 'pr-closed', closedBy: 'alice', merged: false } }]);
    expect(app.lastJobs()[0]!.error).toBeUndefined();
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBeUndefined();
    const said = comments(app, first);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('@alice closed this pull request without merging it');
    expect(said[0]).toContain('will not propose its 2 edits again');
    expect(said[0]).toContain('`/docs-fix forget`');
    expect(await rejectionOf(app, 'This is teh guide.')).toEqual({
      type: 'rejected',
      rejection: expect.objectContaining({
        pullRequest: first,
        how: 'closed',
        by: 'alice',
        proposed: 'This is the guide.',
      }),
    });
    // A redelivery of the same event is the same job: nothing said twice.
    await app.receive('pull_request', app.pullRequestClosedEvent(first, 'alice'));
    expect(app.lastJobs()).toMatchObject([{ duplicate: true }]);

    // The next push touches the same file and adds a typo elsewhere: a pull request for the new typo only.
    await app.push({
      'docs/a.md': `${A}\nA clean new paragraph.\n`,
      'docs/b.md': 'Another typo: teh end.\n',
    });
    expect(app.jobs.at(-1)?.error).toBeUndefined();
    const second = open(app);
    expect(second).toHaveLength(1);
    expect(second[0]!.number).not.toBe(first);
    expect(onBranch(app, 'docs/b.md')).toBe('Another typo: the end.\n');
    expect(onBranch(app, 'docs/a.md')).toBe(`${A}\nA clean new paragraph.\n`);
    const check = app.fake.checkRuns(app.fullName).at(-1)!;
    expect((check.output as { summary: string }).summary).toContain(
      '| Paragraphs and headings left as they are (a maintainer rejected the edit) | 2 |',
    );
    expect(check.annotations.map((a) => (a as { path: string }).path)).toEqual(['docs/b.md']);

    // Only someone with write access may forget.
    await app.receive('issue_comment', app.commentEvent(first, '/docs-fix forget', 'mallory'));
    expect(comments(app, first).at(-1)).toContain('needs write, maintain or admin permission');
    expect((await rejectionOf(app, 'This is teh guide.'))?.type).toBe('rejected');
    app.fake.setPermission(app.fullName, 'bob', 'write');
    await app.receive('issue_comment', app.commentEvent(first, '/docs-fix forget', 'bob'));
    expect(app.lastJobs()[0]!.error).toBeUndefined();
    expect(comments(app, first).at(-1)).toContain('forgot the 2 edits');
    expect(await rejectionOf(app, 'This is teh guide.')).toBeUndefined();

    // The next push touching a.md proposes its edits again, in the open pull request.
    await app.push({ 'docs/a.md': `${A}\nA clean new paragraph.\n\nAnd one more.\n` });
    expect(onBranch(app, 'docs/a.md')).toBe(
      '# A\n\nThis is the guide.\n\nWe receive it.\n\nA clean new paragraph.\n\nAnd one more.\n',
    );
    expect(open(app).map((p) => p.number)).toEqual([second[0]!.number]);
  });

  it('reopening it (after restoring its branch) forgets what closing it recorded', async () => {
    const app = (h = await startApp());
    await app.push({ 'docs/a.md': A });
    const number = open(app)[0]!.number;
    app.fake.closePullRequest(app.fullName, number);
    await app.receive('pull_request', app.pullRequestClosedEvent(number, 'alice'));
    expect((await rejectionOf(app, 'We recieve it.'))?.type).toBe('rejected');

    app.fake.restoreBranch(app.fullName, number);
    app.fake.reopenPullRequest(app.fullName, number);
    await app.receive('pull_request', app.pullRequestReopenedEvent(number, 'alice'));
    expect(app.lastJobs()).toMatchObject([{ spec: { kind: 'pr-reopened', reopenedBy: 'alice' } }]);
    expect(app.lastJobs()[0]!.error).toBeUndefined();
    expect(await rejectionOf(app, 'We recieve it.')).toBeUndefined();
    expect(comments(app, number).at(-1)).toContain(
      'reopened this pull request, so docs-fix forgot the 2 edits',
    );

    // It is docs-fix's pull request again: the next push updates it in place.
    await app.push({ 'docs/c.md': 'Teh third.\n' });
    expect(open(app).map((p) => p.number)).toEqual([number]);
    expect(onBranch(app, 'docs/a.md')).toBe('# A\n\nThis is the guide.\n\nWe receive it.\n');
    expect(onBranch(app, 'docs/c.md')).toBe('The third.\n');
  });

  it('closed by docs-fix itself (fixed upstream) or merged: nothing is recorded', async () => {
    const app = (h = await startApp());
    await app.push({ 'docs/a.md': 'Teh first.\n' });
    const number = open(app)[0]!.number;
    await app.push({ 'docs/a.md': 'The first.\n' }, { author: 'alice' });
    expect(open(app)).toHaveLength(0);
    await app.receive('pull_request', app.pullRequestClosedEvent(number, app.fake.botLogin));
    expect(app.lastJobs()[0]!.spec).not.toHaveProperty('closedBy');
    expect(await rejectionOf(app, 'Teh first.')).toBeUndefined();
    // The typo comes back: proposed again.
    await app.push({ 'docs/a.md': 'Teh first.\n' }, { author: 'alice' });
    expect(onBranch(app, 'docs/a.md')).toBe('The first.\n');

    const merged = open(app)[0]!.number;
    app.fake.mergePullRequest(app.fullName, merged, 'squash', 'alice');
    await app.receive('pull_request', app.pullRequestClosedEvent(merged, 'alice'));
    expect(app.lastJobs()).toMatchObject([{ spec: { merged: true } }]);
    expect(app.lastJobs()[0]!.spec).not.toHaveProperty('closedBy');
    expect(await rejectionOf(app, 'Teh first.')).toBeUndefined();
  });
});

describe("people's commits on the bot branch", () => {
  it('a revert rejects that edit, a rewrite is kept as written, and docs-fix keeps updating the rest on top', async () => {
    const app = (h = await startApp());
    await app.push({ 'docs/a.md': A, 'docs/c.md': 'Teh third.\n' });
    const number = open(app)[0]!.number;
    // Alice puts one edit back and writes the other paragraph her own way.
    app.fake.pushCommit(app.fullName, {
      branch: 'docs-fix/main',
      files: { 'docs/a.md': '# A\n\nThis is teh guide.\n\nWe do receive it.\n' },
      author: 'alice',
    });
    const human = app.fake.branchSha(app.fullName, 'docs-fix/main')!;

    await app.push({ 'docs/d.md': 'Teh fourth.\n' });
    expect(app.jobs.at(-1)?.error).toBeUndefined();
    expect(app.jobs.at(-1)?.outcome?.summary).toBe(
      `pull request #${number} updated on top of people's commits`,
    );
    const head = app.fake.branchSha(app.fullName, 'docs-fix/main')!;
    expect(app.fake.state.git.isAncestor(human, head)).toBe(true);
    expect(onBranch(app, 'docs/a.md')).toBe('# A\n\nThis is teh guide.\n\nWe do receive it.\n');
    expect(onBranch(app, 'docs/c.md')).toBe('The third.\n');
    expect(onBranch(app, 'docs/d.md')).toBe('The fourth.\n');
    expect(open(app).map((p) => p.number)).toEqual([number]);
    expect(await rejectionOf(app, 'This is teh guide.')).toEqual({
      type: 'rejected',
      rejection: expect.objectContaining({
        pullRequest: number,
        how: 'reverted',
        by: 'alice',
        commit: human,
      }),
    });
    // Main's check run already leaves both of a.md's units (reverted; written otherwise), not c.md's fix.
    const check = app.fake.checkRuns(app.fullName).at(-1)!;
    expect(check.annotations.map((a) => (a as { path: string }).path).sort()).toEqual([
      'docs/c.md',
      'docs/d.md',
    ]);
    expect((await rejectionOf(app, 'We recieve it.'))?.type).toBe('rejected');
    const said = comments(app, number);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('never touches what people changed here');
    expect(said[0]).toContain('(2 so far; comment `/docs-fix forget` to undo)');
    expect(said[0]).toContain('kept as written (1 so far)');

    // Later pushes go on the same way, said once; a push that changes nothing leaves the branch.
    await app.push({ 'docs/e.md': 'Teh fifth.\n' });
    expect(onBranch(app, 'docs/e.md')).toBe('The fifth.\n');
    expect(onBranch(app, 'docs/a.md')).toBe('# A\n\nThis is teh guide.\n\nWe do receive it.\n');
    expect(comments(app, number)).toHaveLength(1);
    const settled = app.fake.branchSha(app.fullName, 'docs-fix/main');
    await app.runJob({
      kind: 'scheduled-check',
      installationId: app.installationId,
      owner: 'octo',
      repo: 'docs',
    });
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBe(settled);
  });

  it('when the base changed a file the pull request changes too, docs-fix says so once and leaves the branch', async () => {
    const app = (h = await startApp());
    await app.push({ 'docs/a.md': A });
    const number = open(app)[0]!.number;
    app.fake.pushCommit(app.fullName, {
      branch: 'docs-fix/main',
      files: { 'docs/a.md': '# A\n\nThis is teh guide.\n\nWe receive it.\n' },
      author: 'alice',
    });
    const human = app.fake.branchSha(app.fullName, 'docs-fix/main');
    await app.push({ 'docs/a.md': `${A}\nTeh new end.\n` });
    expect(app.jobs.at(-1)?.outcome?.summary).toBe('docs-fix/main conflicts with main: left as it is');
    expect(app.fake.branchSha(app.fullName, 'docs-fix/main')).toBe(human);
    expect(
      comments(app, number).some((c) =>
        c.includes('changed files this pull request also changes (`docs/a.md`)'),
      ),
    ).toBe(true);
  });
});

describe("the repository's vocabulary and languages, read through GitHub", () => {
  it('config terms and Vale accept.txt protect their terms; a French page is left; the check run counts both', async () => {
    const french = readFileSync(
      new URL('../fixtures/languages/vue-state-management.fr.md', import.meta.url),
      'utf8',
    );
    const app = (h = await startApp({
      files: {
        '.github/docs-fix.yml': 'vocabulary: [Walla Walla]\n',
        '.vale.ini': 'StylesPath = .github/styles\nVocab = Places\n\n[*.md]\nBasedOnStyles = Vale\n',
        '.github/styles/config/vocabularies/Places/accept.txt': 'Bora Bora\n',
      },
    }));
    await app.push({
      'docs/trips.md':
        '# Trips\n\nWe met in Walla Walla last year.\n\nWe flew to Bora Bora.\n\nRead the the guide.\n',
      'docs/fr/state.md': french,
    });
    expect(app.jobs.at(-1)?.error).toBeUndefined();
    // The simulator's doubled-word rule would make both places one word, and `nous nous` one `nous`.
    expect(onBranch(app, 'docs/trips.md')).toBe(
      '# Trips\n\nWe met in Walla Walla last year.\n\nWe flew to Bora Bora.\n\nRead the guide.\n',
    );
    expect(onBranch(app, 'docs/fr/state.md')).toBe(french);
    const summary = (app.fake.checkRuns(app.fullName).at(-1)!.output as { summary: string }).summary;
    expect(summary).toContain('| Units rejected: vocabulary-changed | 2 |');
    expect(summary).toMatch(/\| Lines frozen: language:fr \| \d+ \|/);
    expect(summary).toContain('languages `en`');
  });
});
