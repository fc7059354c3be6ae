/**
 * A stateful in-memory GitHub REST API served over real HTTP, for tests of docs-fix's GitHub layer and app.
 * Octokit (`@octokit/rest` or Probot's, with `baseUrl: fake.baseUrl`) talks to it as to api.github.com.
 * It follows /work/shared/GITHUB-NOTES.md: where it is lenient, production code would be wrong.
 *
 * Start and stop:
 *   const fake = await FakeGitHub.start();            // 127.0.0.1, free port; fake.baseUrl
 *   FakeGitHub.start({ pathPrefix: '/api/v3' })        // served as GitHub Enterprise Server serves it
 *   await fake.close();
 *
 * Seed state:
 *   fake.createRepo('octo/docs', { files: { 'README.md': '# Hi\n' }, defaultBranch: 'main', installed: true })
 *   fake.pushCommit('octo/docs', { files: { 'a.md': 'x\n', 'old.md': null }, message, author: 'alice', branch })
 *       → PushDescriptor { ref, before, after, created, commits[], ... }; fake.pushEvent(descriptor) → webhook payload
 *   fake.pushCommits(repo, { branch, commits: [{ files, message, author }] })   // several commits, one push
 *   fake.forkRepo('octo/docs', 'mallory'); fake.deleteBranch(repo, branch)
 *   fake.openPullRequest(repo, { head: 'feature' | 'mallory:feature', base?, title?, body?, user? }) → number
 *   fake.mergePullRequest(repo, number, 'merge' | 'squash' | 'rebase', login?)
 *   fake.closePullRequest(repo, number); fake.reopenPullRequest(repo, number)   // as PATCH state does
 *   fake.restoreBranch(repo, number)   // the pull request page's "Restore branch": its head ref back at its head
 *   fake.setPermission(repo, 'bob', 'maintain' | 'write' | 'triage' | 'read' | 'admin' | customName, base?)
 *   fake.addIssueComment(repo, number, body, user) → comment id
 *
 * Authentication (every route needs a token; the app JWT only works on /app routes and /repos/{o}/{r}/installation):
 *   fake.installationId(repo)          → id of the app installation covering the repository (createRepo installed: true)
 *   fake.installationToken(id)         → `ghs_…` token acting as `${fake.app.slug}[bot]` (fake.botLogin)
 *   fake.userToken('alice')            → a personal token acting as alice (the CLI's case)
 *   fake.appJwt()                      → a JWT accepted as the app; Probot's own JWTs (any well-formed JWT) are accepted too
 *   POST /app/installations/{id}/access_tokens works as on GitHub, so Probot authenticates by itself.
 *
 * Observe:
 *   fake.requests                      → [{ method, route: 'POST /repos/{owner}/{repo}/git/trees', path, status, actor }]
 *   fake.count({ method?, route?, path? } | predicate) ; fake.clearLog()
 *   fake.readFile(repo, ref, path), fake.branchSha(repo, branch), fake.pulls(repo), fake.comments(repo, n),
 *   fake.reviews(repo, n), fake.checkRuns(repo), fake.state (everything)
 *
 * Faults (the next `times` requests matching answer the fault instead; they are logged):
 *   fake.injectFault({ route: 'POST /repos/{owner}/{repo}/pulls', status: 502 })
 *   fake.injectFault({ route: /git\/refs/, status: 409, message: 'Git Repository is empty.', times: 2 })
 *   fake.injectFault({ route: 'POST /repos/{owner}/{repo}/git/trees', kind: 'secondary-rate-limit', retryAfter: 1 })
 *   fake.clearFaults()
 *   fake.setRateLimit(remaining) → `x-ratelimit-remaining` (and a 403 primary limit once it reaches 0)
 *   fake.beforeNext('POST /repos/{owner}/{repo}/pulls', () => fake.openPullRequest(…))   // stage a race
 *
 * Webhook shapes: fake.repositoryShape(repo), fake.userShape(login), fake.pullShape(repo, n), fake.commentShape(id)
 *
 * Limits (constructor options, GitHub's values by default): contentsInlineLimit 1 MB, compareFileLimit 300,
 * compareCommitLimit 250, treeEntryLimit 100,000.
 *
 * GitHub's contract (./contract.ts, on unless `contract: false`): every request is checked against GitHub's
 * OpenAPI description (a documented operation of api.github.com and of the oldest supported GitHub
 * Enterprise Server, parameters and JSON body valid) and every response the fake sends against the
 * operation's response schema. A request GitHub would refuse gets GitHub's answer (404, 422 "Invalid
 * request"); every problem, including unknown query parameters GitHub silently ignores, is a violation that
 * fails the test that caused it (test/support/contract-setup.ts). A test that sends a bad request on
 * purpose says so first: fake.expectContractViolation(/per_page/).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { ZERO_SHA, type FlatTree } from './git.js';
import { HttpError, matchRoute, readBody, type Reply, type Route } from './http.js';
import { createPull, mergePull, setRef, signatureFor } from './ops.js';
import { buildRoutes, type RouteOptions } from './routes.js';
import { registerViolationSource, type ViolationSource } from '../contract-stats.js';
import { GitHubContract } from './contract.js';
import { Shapes } from './shapes.js';
import { FakeState, type Identity, type PullState, type RepoState, type Role } from './state.js';

export { ZERO_SHA } from './git.js';
export type { FakeState, Identity, RepoState, Role } from './state.js';

export interface FakeGitHubOptions extends Partial<RouteOptions> {
  readonly app?: { id: number; slug: string; name: string };
  /** Check requests and responses against GitHub's OpenAPI description (default true; benchmarks turn it off). */
  readonly contract?: boolean;
  /** Serve the API under a path, as GitHub Enterprise Server does under `/api/v3`. */
  readonly pathPrefix?: string;
}

export interface RequestLogEntry {
  readonly method: string;
  /** Octokit's route, e.g. `GET /repos/{owner}/{repo}/git/ref/{ref}`; the raw path when no route matched. */
  readonly route: string;
  readonly path: string;
  readonly status: number;
  /** `app`, `anonymous`, or the login acting. */
  readonly actor: string;
}

export interface Fault {
  readonly method?: string;
  /** A route as logged (`POST /repos/{owner}/{repo}/pulls`), or a RegExp tested against route and path. */
  readonly route?: string | RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  readonly status?: number;
  readonly message?: string;
  readonly kind?: 'secondary-rate-limit';
  /** Seconds, sent as `retry-after`. */
  readonly retryAfter?: number;
}

export type FileSpec = Record<string, string | Uint8Array | null>;

export interface PushCommitSpec {
  /** path → new content; null deletes the file. */
  readonly files: FileSpec;
  readonly message?: string;
  /** Login of the author (and committer); a GitHub user is created if needed. Default: the repository owner. */
  readonly author?: string;
}

export interface PushDescriptor {
  readonly repo: string;
  readonly ref: string;
  readonly branch: string;
  readonly before: string;
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  readonly forced: boolean;
  readonly pusher: string;
  readonly installationId: number | undefined;
  readonly commits: {
    id: string;
    tree_id: string;
    message: string;
    timestamp: string;
    author: { name: string; email: string; username: string };
    committer: { name: string; email: string; username: string };
    added: string[];
    modified: string[];
    removed: string[];
  }[];
}

const require = createRequire(import.meta.url);

export class FakeGitHub implements ViolationSource {
  readonly state: FakeState;
  /** Contract violations not yet handed to the test (see takeContractViolations). */
  readonly contractViolations: string[] = [];
  /** Violations a test provokes on purpose, and the ones it provoked. */
  private readonly expectedViolations: { pattern: RegExp; seen: string[] }[] = [];
  private readonly contract: GitHubContract | undefined;
  private readonly pathPrefix: string;
  closed = false;
  readonly requests: RequestLogEntry[] = [];
  private readonly shapes: Shapes;
  private readonly routes: Route<Identity>[];
  private readonly faults: Fault[] = [];
  private readonly hooks: { route: string | RegExp; action: () => void }[] = [];
  private rateRemaining = 5000;
  private url = '';

  private constructor(
    private readonly server: Server,
    options: FakeGitHubOptions,
  ) {
    const app = options.app ?? { id: 12345, slug: 'docs-fix', name: 'docs-fix' };
    this.state = new FakeState(app, `${app.slug}[bot]`);
    this.state.ensureUser(this.state.botLogin, 'Bot');
    this.shapes = new Shapes(this.state, () => this.url);
    this.contract = options.contract === false ? undefined : GitHubContract.load();
    if (this.contract) registerViolationSource(this);
    this.pathPrefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
    this.routes = buildRoutes(this.state, this.shapes, {
      contentsInlineLimit: options.contentsInlineLimit ?? 1024 * 1024,
      compareFileLimit: options.compareFileLimit ?? 300,
      compareCommitLimit: options.compareCommitLimit ?? 250,
      treeEntryLimit: options.treeEntryLimit ?? 100_000,
    });
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const holder: { fake?: FakeGitHub } = {};
    const server = createServer((req, res) => void holder.fake!.handle(req, res));
    const fake = (holder.fake = new FakeGitHub(server, options));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${fake.pathPrefix}`;
    return fake;
  }

  get baseUrl(): string {
    return this.url;
  }

  get app(): { id: number; slug: string; name: string } {
    return this.state.app;
  }

  get botLogin(): string {
    return this.state.botLogin;
  }

  /** The routes the fake serves, as `METHOD /template` (Octokit's templates). */
  get routeTemplates(): string[] {
    return this.routes.map((r) => `${r.method} ${r.template}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── GitHub's contract ─────────────────────────────────────────────────────────

  /**
   * The next violations matching `pattern` are expected (a test of bad input); each one matching is kept in
   * the returned list instead of failing the test.
   */
  expectContractViolation(pattern: RegExp): { readonly seen: readonly string[] } {
    const entry = { pattern, seen: [] as string[] };
    this.expectedViolations.push(entry);
    return entry;
  }

  takeContractViolations(): string[] {
    return this.contractViolations.splice(0);
  }

  private violate(message: string): void {
    const expected = this.expectedViolations.find((e) => e.pattern.test(message));
    if (expected) {
      expected.seen.push(message);
      return;
    }
    this.contractViolations.push(message);
  }

  // ── Auth ──────────────────────────────────────────────────────────────────────

  installationToken(installationId: number): string {
    if (!this.state.installations.has(installationId))
      throw new Error(`fake-github: no installation ${installationId}`);
    const token = `ghs_test_${installationId}_${this.state.nextId()}`;
    this.state.tokens.set(token, { kind: 'installation', installationId, login: this.botLogin });
    return token;
  }

  userToken(login: string): string {
    this.state.ensureUser(login);
    const token = `ghp_test_${login}_${this.state.nextId()}`;
    this.state.tokens.set(token, { kind: 'user', login });
    return token;
  }

  /** An unsigned JWT the fake accepts as the app (it does not verify signatures). */
  appJwt(): string {
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc({ iat: now - 60, exp: now + 540, iss: this.app.id })}.c2ln`;
  }

  /** An installation of the app on `account`; `id` to match a payload's (e.g. an example's) installation. */
  createInstallation(
    account: string,
    repositories: 'all' | string[] = 'all',
    id = this.state.nextId(),
  ): number {
    if (this.state.installations.has(id)) throw new Error(`fake-github: installation ${id} exists`);
    this.state.ensureUser(account);
    this.state.installations.set(id, {
      id,
      account,
      repositories: repositories === 'all' ? 'all' : new Set(repositories.map((r) => r.toLowerCase())),
    });
    return id;
  }

  installationId(fullName: string): number {
    const inst = this.state.installationFor(this.state.repoByFullName(fullName));
    if (!inst) throw new Error(`fake-github: ${fullName} has no installation`);
    return inst.id;
  }

  // ── Seeding ───────────────────────────────────────────────────────────────────

  createRepo(
    fullName: string,
    opts: {
      files?: FileSpec;
      defaultBranch?: string;
      private?: boolean;
      installed?: boolean;
      author?: string;
    } = {},
  ): RepoState {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`fake-github: bad repository name ${fullName}`);
    if (this.state.repo(owner, name)) throw new Error(`fake-github: ${fullName} exists`);
    this.state.ensureUser(owner);
    const repo: RepoState = {
      id: this.state.nextId(),
      owner,
      name,
      defaultBranch: opts.defaultBranch ?? 'main',
      private: opts.private ?? false,
      refs: new Map(),
      roles: new Map(),
      labels: new Map(),
      nextNumber: 1,
    };
    this.state.repos.set(fullName.toLowerCase(), repo);
    if (opts.installed) {
      const existing = [...this.state.installations.values()].find(
        (i) => i.account.toLowerCase() === owner.toLowerCase(),
      );
      if (!existing) this.createInstallation(owner, 'all');
      else if (existing.repositories !== 'all') existing.repositories.add(fullName.toLowerCase());
    }
    this.pushCommit(fullName, {
      files: opts.files ?? { 'README.md': `# ${name}\n` },
      message: 'Initial commit',
      author: opts.author,
    });
    return repo;
  }

  forkRepo(source: string, newOwner: string): RepoState {
    const parent = this.state.repoByFullName(source);
    this.state.ensureUser(newOwner);
    const repo: RepoState = {
      id: this.state.nextId(),
      owner: newOwner,
      name: parent.name,
      defaultBranch: parent.defaultBranch,
      private: parent.private,
      parent,
      refs: new Map([...parent.refs].filter(([r]) => r.startsWith('refs/heads/'))),
      roles: new Map(),
      labels: new Map(),
      nextNumber: 1,
    };
    this.state.repos.set(`${newOwner}/${parent.name}`.toLowerCase(), repo);
    return repo;
  }

  /** One commit on a branch (created from `from`, default the default branch, when missing), as `git push` would. */
  pushCommit(fullName: string, spec: PushCommitSpec & { branch?: string; from?: string }): PushDescriptor {
    return this.pushCommits(fullName, { branch: spec.branch, from: spec.from, commits: [spec] });
  }

  pushCommits(
    fullName: string,
    spec: { branch?: string; from?: string; commits: PushCommitSpec[] },
  ): PushDescriptor {
    const repo = this.state.repoByFullName(fullName);
    const branch = spec.branch ?? repo.defaultBranch;
    const ref = `refs/heads/${branch}`;
    const existing = repo.refs.get(ref);
    const start =
      existing ??
      (spec.from
        ? this.state.resolveCommitish(repo, spec.from)
        : repo.refs.get(`refs/heads/${repo.defaultBranch}`));
    let head = start;
    const commits: PushDescriptor['commits'] = [];
    let pusher = repo.owner;
    for (const c of spec.commits) {
      const login = c.author ?? repo.owner;
      pusher = login;
      const before: FlatTree = head ? this.state.flatTreeOf(head) : new Map();
      const after: FlatTree = new Map(before);
      const added: string[] = [];
      const modified: string[] = [];
      const removed: string[] = [];
      for (const [path, content] of Object.entries(c.files)) {
        if (content === null) {
          if (after.delete(path)) removed.push(path);
          continue;
        }
        const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
        (after.has(path) ? modified : added).push(path);
        after.set(path, { mode: after.get(path)?.mode ?? '100644', sha: this.state.git.putBlob(bytes) });
      }
      const tree = this.state.git.build(after);
      const sig = signatureFor(this.state, login, this.state.now());
      const message = c.message ?? `Update ${Object.keys(c.files).join(', ')}`;
      head = this.state.git.putCommit({
        tree,
        parents: head ? [head] : [],
        author: sig,
        committer: sig,
        message,
        authorLogin: login,
        committerLogin: login,
      });
      const person = { name: sig.name, email: sig.email, username: login };
      commits.push({
        id: head,
        tree_id: tree,
        message,
        timestamp: sig.date,
        author: person,
        committer: person,
        added,
        modified,
        removed,
      });
    }
    if (!head) throw new Error('fake-github: pushCommits needs at least one commit');
    setRef(this.state, repo, ref, head);
    return {
      repo: `${repo.owner}/${repo.name}`,
      ref,
      branch,
      before: existing ?? ZERO_SHA,
      after: head,
      created: !existing,
      deleted: false,
      forced: false,
      pusher,
      installationId: this.state.installationFor(repo)?.id,
      commits,
    };
  }

  deleteBranch(fullName: string, branch: string): PushDescriptor {
    const repo = this.state.repoByFullName(fullName);
    const ref = `refs/heads/${branch}`;
    const before = repo.refs.get(ref);
    if (!before) throw new Error(`fake-github: no branch ${branch}`);
    setRef(this.state, repo, ref, undefined);
    return {
      repo: fullName,
      ref,
      branch,
      before,
      after: ZERO_SHA,
      created: false,
      deleted: true,
      forced: false,
      pusher: repo.owner,
      installationId: this.state.installationFor(repo)?.id,
      commits: [],
    };
  }

  /** Opens a pull request with the API's validation; `head` is a branch of the repository or `owner:branch` of a fork. */
  openPullRequest(
    fullName: string,
    opts: { head: string; base?: string; title?: string; body?: string; user?: string; draft?: boolean },
  ): number {
    const repo = this.state.repoByFullName(fullName);
    const user = opts.user ?? (opts.head.includes(':') ? opts.head.split(':')[0]! : repo.owner);
    const pull = createPull(
      this.state,
      repo,
      {
        title: opts.title ?? `Changes from ${opts.head}`,
        body: opts.body ?? '',
        head: opts.head,
        base: opts.base ?? repo.defaultBranch,
        draft: opts.draft,
      },
      user,
    );
    return pull.number;
  }

  mergePullRequest(
    fullName: string,
    number: number,
    method: 'merge' | 'squash' | 'rebase' = 'merge',
    login?: string,
  ): string {
    const repo = this.state.repoByFullName(fullName);
    const pull = this.state.pulls.find((p) => p.repo === repo && p.number === number);
    if (!pull) throw new Error(`fake-github: no pull request #${number}`);
    return mergePull(this.state, pull, login ?? repo.owner, { method }).sha;
  }

  /** Closes an open pull request without merging, as `PATCH …/pulls/{n}` with `state: closed` does. */
  closePullRequest(fullName: string, number: number): void {
    const pull = this.pullOf(fullName, number);
    if (pull.state !== 'open') throw new Error(`fake-github: #${number} is not open`);
    pull.closedBaseSha = pull.repo.refs.get(`refs/heads/${pull.base}`);
    pull.state = 'closed';
    pull.closedAt = pull.updatedAt = this.state.now();
  }

  /** Reopens a closed pull request, as `PATCH …/pulls/{n}` with `state: open` does (not once merged or headless). */
  reopenPullRequest(fullName: string, number: number): void {
    const pull = this.pullOf(fullName, number);
    if (pull.merged || pull.headDeleted) throw new Error(`fake-github: #${number} cannot be reopened`);
    pull.closedBaseSha = undefined;
    pull.closedAt = null;
    pull.state = 'open';
    pull.updatedAt = this.state.now();
  }

  /** "Restore branch" on a closed pull request whose head branch was deleted: the branch back at its head. */
  restoreBranch(fullName: string, number: number): void {
    const pull = this.pullOf(fullName, number);
    if (!pull.headDeleted) throw new Error(`fake-github: the head of #${number} was not deleted`);
    setRef(this.state, pull.headRepo, `refs/heads/${pull.headRef}`, pull.headSha);
    pull.headDeleted = false;
  }

  private pullOf(fullName: string, number: number): PullState {
    const repo = this.state.repoByFullName(fullName);
    const pull = this.state.pulls.find((p) => p.repo === repo && p.number === number);
    if (!pull) throw new Error(`fake-github: no pull request #${number}`);
    return pull;
  }

  setPermission(fullName: string, login: string, role: string, base?: Role): void {
    const repo = this.state.repoByFullName(fullName);
    this.state.ensureUser(login);
    const builtIn = ['admin', 'maintain', 'write', 'triage', 'read', 'none'].includes(role);
    repo.roles.set(login.toLowerCase(), {
      roleName: role,
      base: builtIn ? (role as Role) : (base ?? 'none'),
    });
  }

  addIssueComment(fullName: string, number: number, body: string, user: string): number {
    const repo = this.state.repoByFullName(fullName);
    this.state.ensureUser(user);
    const now = this.state.now();
    const id = this.state.nextId();
    this.state.comments.set(id, {
      id,
      repo,
      issueNumber: number,
      body,
      user,
      createdAt: now,
      updatedAt: now,
      reactions: [],
    });
    return id;
  }

  /** A push webhook payload with the shape of `@octokit/webhooks-examples` (push, example with a commit). */
  pushEvent(push: PushDescriptor): Record<string, unknown> {
    const examples = require('@octokit/webhooks-examples') as {
      name: string;
      examples: Record<string, unknown>[];
    }[];
    const example = examples
      .find((d) => d.name === 'push')!
      .examples.find((e) => (e['commits'] as unknown[]).length > 0)!;
    const repo = this.state.repoByFullName(push.repo);
    const sender = this.shapes.user(push.pusher);
    const pusher = this.state.ensureUser(push.pusher);
    const commits = push.commits.map((c) => ({
      ...c,
      distinct: true,
      url: `https://github.com/${push.repo}/commit/${c.id}`,
    }));
    return {
      ...structuredClone(example),
      ref: push.ref,
      before: push.before,
      after: push.after,
      created: push.created,
      deleted: push.deleted,
      forced: push.forced,
      base_ref: null,
      compare: `https://github.com/${push.repo}/compare/${push.before.slice(0, 12)}...${push.after.slice(0, 12)}`,
      commits,
      head_commit: commits[commits.length - 1] ?? null,
      repository: {
        ...(example['repository'] as object),
        ...this.shapes.repo(repo),
        master_branch: repo.defaultBranch,
      },
      pusher: { name: pusher.login, email: pusher.email },
      sender,
      ...(push.installationId !== undefined
        ? { installation: { id: push.installationId, node_id: `I_${push.installationId}` } }
        : {}),
    };
  }

  /** The `repository` object of a webhook payload for `fullName` (as the REST API shapes it). */
  repositoryShape(fullName: string): Record<string, unknown> {
    return this.shapes.repo(this.state.repoByFullName(fullName));
  }

  /** The `sender` / `user` object of a webhook payload for `login`. */
  userShape(login: string): Record<string, unknown> {
    return this.shapes.user(login);
  }

  /** A pull request as `GET /repos/{o}/{r}/pulls/{n}` returns it (for `pull_request` webhook payloads). */
  pullShape(fullName: string, number: number): Record<string, unknown> {
    const repo = this.state.repoByFullName(fullName);
    const pull = this.state.pulls.find((p) => p.repo === repo && p.number === number);
    if (!pull) throw new Error(`fake-github: no pull request #${number}`);
    return this.shapes.pull(pull, true);
  }

  /** A comment as the REST API returns it (for `issue_comment` webhook payloads). */
  commentShape(id: number): Record<string, unknown> {
    const comment = this.state.comments.get(id);
    if (!comment) throw new Error(`fake-github: no comment ${id}`);
    return this.shapes.comment(comment);
  }

  // ── Inspection ────────────────────────────────────────────────────────────────

  branchSha(fullName: string, branch: string): string | undefined {
    return this.state.repoByFullName(fullName).refs.get(`refs/heads/${branch}`);
  }

  readFile(fullName: string, ref: string, path: string): string | undefined {
    const repo = this.state.repoByFullName(fullName);
    const sha = this.state.resolveCommitish(repo, ref);
    const entry = sha ? this.state.flatTreeOf(sha).get(path) : undefined;
    return entry ? Buffer.from(this.state.git.blob(entry.sha)!.bytes).toString('utf8') : undefined;
  }

  /** Files of a commit: path → content. */
  files(fullName: string, ref: string): Map<string, string> {
    const repo = this.state.repoByFullName(fullName);
    const sha = this.state.resolveCommitish(repo, ref);
    if (!sha) throw new Error(`fake-github: no ref ${ref}`);
    const out = new Map<string, string>();
    for (const [path, e] of this.state.flatTreeOf(sha))
      out.set(path, Buffer.from(this.state.git.blob(e.sha)!.bytes).toString('utf8'));
    return out;
  }

  pulls(fullName: string): ReturnType<Shapes['pull']>[] {
    const repo = this.state.repoByFullName(fullName);
    return this.state.pulls.filter((p) => p.repo === repo).map((p) => this.shapes.pull(p, true));
  }

  comments(fullName: string, number: number): ReturnType<Shapes['comment']>[] {
    const repo = this.state.repoByFullName(fullName);
    return [...this.state.comments.values()]
      .filter((c) => c.repo === repo && c.issueNumber === number)
      .map((c) => this.shapes.comment(c));
  }

  reviews(
    fullName: string,
    number: number,
  ): (ReturnType<Shapes['review']> & { comments: ReturnType<Shapes['reviewComment']>[] })[] {
    const repo = this.state.repoByFullName(fullName);
    return this.state.reviews
      .filter((r) => r.repo === repo && r.pullNumber === number)
      .map((r) => ({
        ...this.shapes.review(r),
        comments: r.comments.map((c) => this.shapes.reviewComment(r, c)),
      }));
  }

  checkRuns(
    fullName: string,
  ): (ReturnType<Shapes['checkRun']> & { annotations: unknown[]; writes: number })[] {
    const repo = this.state.repoByFullName(fullName);
    return [...this.state.checkRuns.values()]
      .filter((c) => c.repo === repo)
      .map((c) => ({ ...this.shapes.checkRun(c), annotations: [...c.annotations], writes: c.writes }));
  }

  count(
    filter?:
      | { method?: string; route?: string | RegExp; path?: string | RegExp }
      | ((r: RequestLogEntry) => boolean),
  ): number {
    if (!filter) return this.requests.length;
    if (typeof filter === 'function') return this.requests.filter(filter).length;
    return this.requests.filter(
      (r) =>
        (!filter.method || r.method === filter.method.toUpperCase()) &&
        (!filter.route ||
          (typeof filter.route === 'string' ? r.route === filter.route : filter.route.test(r.route))) &&
        (!filter.path ||
          (typeof filter.path === 'string' ? r.path.startsWith(filter.path) : filter.path.test(r.path))),
    ).length;
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  injectFault(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Drops the faults not yet used up. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * Runs `action` once, just before the next request matching `route` (as logged, or a RegExp) is handled:
   * a deterministic way to stage a race (another run creating the pull request, a human pushing).
   */
  beforeNext(route: string | RegExp, action: () => void): void {
    this.hooks.push({ route, action });
  }

  setRateLimit(remaining: number): void {
    this.rateRemaining = remaining;
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────

  private identify(req: IncomingMessage): Identity | undefined {
    const header = req.headers['authorization'];
    if (!header) return { kind: 'anonymous' };
    const [, token] = /^(?:token|bearer)\s+(.+)$/i.exec(header) ?? [];
    if (!token) return undefined;
    const known = this.state.tokens.get(token);
    if (known) return known;
    const parts = token.split('.');
    if (parts.length === 3) {
      try {
        const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { iss?: unknown };
        if (String(payload.iss) === String(this.app.id) || typeof payload.iss === 'string')
          return { kind: 'app' };
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    // GitHub Enterprise Server serves the API under /api/v3; anything outside the prefix is not the API.
    const pathname = url.pathname.startsWith(`${this.pathPrefix}/`)
      ? url.pathname.slice(this.pathPrefix.length)
      : `/outside-the-api${url.pathname}`;
    const match = matchRoute(this.routes, method, pathname);
    const routeName = `${method} ${match?.route.template ?? pathname}`;
    const identity = this.identify(req);
    const actor = !identity
      ? 'invalid'
      : identity.kind === 'installation' || identity.kind === 'user'
        ? identity.login
        : identity.kind;
    let reply: Reply;
    let operationId: string | undefined;
    try {
      const body = await readBody(req);
      if (this.contract) {
        const verdict = this.contract.checkRequest({ method, pathname, query: url.searchParams, body });
        operationId = verdict.operationId;
        const request = `${method} ${pathname}${url.search}`;
        for (const note of verdict.notes) this.violate(`${request}: ${note}`);
        if (!verdict.ok) {
          for (const problem of verdict.problems) this.violate(`${request}: ${problem}`);
          // What GitHub answers: no such route, or its schema validation of the body and parameters.
          throw verdict.status === 404
            ? new HttpError(404, 'Not Found')
            : new HttpError(422, `Invalid request.\n\n${verdict.problems.join('\n')}`);
        }
      }
      const hook = this.hooks.findIndex((h) =>
        typeof h.route === 'string' ? h.route === routeName : h.route.test(routeName),
      );
      if (hook >= 0) this.hooks.splice(hook, 1)[0]!.action();
      const fault = this.faults.find(
        (f) =>
          (f.times ?? 1) > 0 &&
          (!f.method || f.method.toUpperCase() === method) &&
          (!f.route ||
            (typeof f.route === 'string'
              ? f.route === routeName
              : f.route.test(routeName) || f.route.test(url.pathname))),
      );
      if (fault) {
        fault.times = (fault.times ?? 1) - 1;
        if (fault.kind === 'secondary-rate-limit') {
          throw new HttpError(
            403,
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            undefined,
            { 'retry-after': String(fault.retryAfter ?? 60) },
          );
        }
        throw new HttpError(
          fault.status ?? 500,
          fault.message ?? 'Server Error',
          undefined,
          fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
        );
      }
      if (!identity) throw new HttpError(401, 'Bad credentials');
      if (identity.kind === 'anonymous') throw new HttpError(401, 'Requires authentication');
      if (identity.kind === 'app' && pathname.startsWith('/repos/') && !pathname.endsWith('/installation')) {
        // GitHub refuses the app's JWT on repository routes: a worker needs an installation token.
        throw new HttpError(401, 'A JSON web token could not be decoded');
      }
      if (identity.kind !== 'app') {
        if (this.rateRemaining <= 0)
          throw new HttpError(403, 'API rate limit exceeded for installation.', undefined, {
            'x-ratelimit-remaining': '0',
          });
        this.rateRemaining--;
      }
      if (!match) throw new HttpError(404, 'Not Found');
      reply = await match.route.handler({
        method,
        params: match.params,
        query: url.searchParams,
        body,
        identity,
        headers: req.headers,
        url: new URL(url.pathname, url.origin),
      });
    } catch (err) {
      if (!(err instanceof HttpError)) {
        reply = { status: 500, data: { message: `fake-github: ${(err as Error).stack ?? String(err)}` } };
      } else {
        reply = {
          status: err.status,
          data: {
            message: err.message,
            ...(err.errors ? { errors: err.errors } : {}),
            documentation_url: 'https://docs.github.com/rest',
            status: String(err.status),
          },
          headers: err.headers,
        };
      }
    }
    this.requests.push({
      method,
      route: routeName,
      path: pathname + url.search,
      status: reply.status,
      actor,
    });
    if (this.contract && operationId) {
      const body = reply.status === 204 ? undefined : reply.data;
      for (const problem of this.contract.checkResponse(operationId, reply.status, body, !reply.raw))
        this.violate(`the fake's answer to ${method} ${pathname}${url.search}: ${problem}`);
    }
    const headers: Record<string, string> = {
      'x-github-request-id': `FAKE:${this.requests.length}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, this.rateRemaining)),
      'x-ratelimit-used': String(5000 - Math.max(0, this.rateRemaining)),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    if (reply.raw) {
      res.writeHead(reply.status, {
        ...headers,
        'content-type': reply.raw.contentType,
        'content-length': String(reply.raw.body.length),
      });
      res.end(reply.raw.body);
      return;
    }
    if (reply.status === 204 || reply.data === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(reply.data);
    res.writeHead(reply.status, {
      ...headers,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }
}
