/** The REST routes of the fake GitHub, each with GitHub's validation and error messages. */
import { randomBytes } from 'node:crypto';
import type { FlatTree } from './git.js';
import {
  HttpError,
  notFound,
  paginate,
  route,
  validationFailed,
  wrappedBase64,
  type Reply,
  type Route,
  type RouteContext,
} from './http.js';
import {
  BODY_LIMIT,
  createPull,
  createRef,
  deleteRef,
  findPull,
  isMode,
  mergePull,
  requireRepo,
  signatureFor,
  updateRef,
} from './ops.js';
import { APP_PERMISSIONS, type Shapes } from './shapes.js';
import type {
  AnnotationState,
  CheckRunState,
  FakeState,
  Identity,
  RepoState,
  ReviewState,
  Role,
} from './state.js';

type Ctx = RouteContext<Identity>;

export interface RouteOptions {
  /** Largest file the contents API returns inline (GitHub: 1 MB). */
  readonly contentsInlineLimit: number;
  /** Most files a compare lists (GitHub: 300). */
  readonly compareFileLimit: number;
  /** Most commits a compare lists without pagination (GitHub: 250). */
  readonly compareCommitLimit: number;
  /** Most entries a recursive tree lists before `truncated` (GitHub: 100,000). */
  readonly treeEntryLimit: number;
}

const SUMMARY_LIMIT = 65_535;
const REACTIONS = new Set(['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes']);

const ok = (data: unknown, status = 200): Reply => ({ status, data });

function obj(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** An issue comment's body as GitHub validates it: a non-empty string within the body limit. */
function commentBody(body: unknown): string {
  const text = obj(body)['body'];
  if (typeof text !== 'string' || text === '')
    throw validationFailed('IssueComment', "body can't be blank", 'body');
  if (text.length > BODY_LIMIT) {
    throw validationFailed('IssueComment', `Body is too long (maximum is ${BODY_LIMIT} characters)`, 'body');
  }
  return text;
}

function loginOf(identity: Identity): string {
  if (identity.kind === 'installation' || identity.kind === 'user') return identity.login;
  throw new HttpError(403, 'Resource not accessible by integration');
}

export function buildRoutes(state: FakeState, shapes: Shapes, options: RouteOptions): Route<Identity>[] {
  const repoOf = (ctx: Ctx): RepoState => {
    const repo = requireRepo(state, ctx.params['owner']!, ctx.params['repo']!);
    if (ctx.identity.kind === 'installation') {
      const inst = state.installationFor(repo);
      if (inst?.id !== ctx.identity.installationId) throw notFound();
    }
    return repo;
  };

  /** Git writes: a user token needs push access (write, maintain, admin); GitHub answers 404 otherwise. */
  const writableRepoOf = (ctx: Ctx): RepoState => {
    const repo = repoOf(ctx);
    if (
      ctx.identity.kind === 'user' &&
      !['admin', 'maintain', 'write'].includes(state.roleOf(repo, ctx.identity.login).base)
    )
      throw notFound();
    return repo;
  };

  const commitOr422 = (repo: RepoState, ref: string): string => {
    const sha = state.resolveCommitish(repo, ref);
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
    return sha;
  };

  const apiCommitIdentity = (
    ctx: Ctx,
    body: Record<string, unknown>,
    key: 'author' | 'committer',
  ): { sig: { name: string; email: string; date: string }; login: string | null } => {
    const given = obj(body[key]);
    const date = typeof given['date'] === 'string' ? given['date'] : state.now();
    if (typeof given['email'] === 'string' && typeof given['name'] === 'string') {
      return {
        sig: { name: given['name'], email: given['email'], date },
        login: state.userByEmail(given['email'])?.login ?? null,
      };
    }
    const login = loginOf(ctx.identity);
    return { sig: signatureFor(state, login, date), login };
  };

  const createAnnotations = (raw: unknown): AnnotationState[] => {
    if (raw === undefined) return [];
    if (!Array.isArray(raw))
      throw validationFailed('CheckRun', 'output.annotations must be an array', 'output');
    if (raw.length > 50) {
      throw validationFailed('CheckRun', 'Only 50 annotations are allowed per request', 'annotations');
    }
    return raw.map((a: unknown) => {
      const x = obj(a);
      const level = x['annotation_level'];
      if (
        typeof x['path'] !== 'string' ||
        typeof x['start_line'] !== 'number' ||
        typeof x['end_line'] !== 'number' ||
        typeof x['message'] !== 'string' ||
        (level !== 'notice' && level !== 'warning' && level !== 'failure')
      ) {
        throw validationFailed(
          'CheckRun',
          'annotations need path, start_line, end_line, annotation_level and message',
        );
      }
      if (x['message'].length > 64 * 1024)
        throw validationFailed('CheckRun', 'annotation message is too long');
      return x as unknown as AnnotationState;
    });
  };

  const applyCheckRun = (run: CheckRunState, body: Record<string, unknown>): void => {
    const output = body['output'] === undefined ? undefined : obj(body['output']);
    if (output) {
      if (typeof output['summary'] !== 'string' || typeof output['title'] !== 'string') {
        throw validationFailed('CheckRun', 'output needs a title and a summary', 'output');
      }
      if (output['summary'].length > SUMMARY_LIMIT) {
        throw validationFailed(
          'CheckRun',
          `output.summary is too long (maximum is ${SUMMARY_LIMIT} characters)`,
          'summary',
        );
      }
      if (typeof output['text'] === 'string' && output['text'].length > SUMMARY_LIMIT) {
        throw validationFailed(
          'CheckRun',
          `output.text is too long (maximum is ${SUMMARY_LIMIT} characters)`,
          'text',
        );
      }
    }
    const annotations = createAnnotations(output?.['annotations']);
    const conclusion = body['conclusion'];
    let status = body['status'] ?? (conclusion !== undefined ? 'completed' : run.status);
    if (conclusion !== undefined) status = 'completed';
    if (status !== 'queued' && status !== 'in_progress' && status !== 'completed') {
      throw validationFailed('CheckRun', 'status is not included in the list', 'status');
    }
    if (status === 'completed' && typeof conclusion !== 'string' && run.conclusion === null) {
      throw validationFailed('CheckRun', "Conclusion can't be blank when status is completed", 'conclusion');
    }
    run.status = status;
    if (typeof conclusion === 'string') run.conclusion = conclusion;
    if (status === 'completed')
      run.completedAt = typeof body['completed_at'] === 'string' ? body['completed_at'] : state.now();
    if (typeof body['name'] === 'string') run.name = body['name'];
    if (typeof body['details_url'] === 'string') run.detailsUrl = body['details_url'];
    if (typeof body['external_id'] === 'string') run.externalId = body['external_id'];
    if (output) {
      run.output.title = output['title'] as string;
      run.output.summary = output['summary'] as string;
      if (typeof output['text'] === 'string') run.output.text = output['text'];
    }
    run.annotations.push(...annotations);
    run.writes++;
  };

  const requireApp = (ctx: Ctx): void => {
    if (ctx.identity.kind !== 'app') {
      throw new HttpError(401, 'A JSON web token could not be decoded');
    }
  };

  return [
    // ── Apps and installations (app JWT) ─────────────────────────────────────────
    route('GET', '/app', (ctx) => {
      requireApp(ctx);
      return ok(shapes.app());
    }),
    route('GET', '/app/installations', (ctx) => {
      requireApp(ctx);
      return paginate(
        [...state.installations.values()].map((i) => shapes.installation(i)),
        ctx.query,
        ctx.url,
      );
    }),
    route('GET', '/app/installations/{installation_id}', (ctx) => {
      requireApp(ctx);
      const inst = state.installations.get(Number(ctx.params['installation_id']));
      if (!inst) throw notFound();
      return ok(shapes.installation(inst));
    }),
    route('POST', '/app/installations/{installation_id}/access_tokens', (ctx) => {
      requireApp(ctx);
      const inst = state.installations.get(Number(ctx.params['installation_id']));
      if (!inst) throw notFound();
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      state.tokens.set(token, { kind: 'installation', installationId: inst.id, login: state.botLogin });
      state.ensureUser(state.botLogin, 'Bot');
      return ok(
        {
          token,
          expires_at: new Date(Date.now() + 3600_000).toISOString(),
          permissions: { ...APP_PERMISSIONS },
          repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
        },
        201,
      );
    }),
    route('GET', '/repos/{owner}/{repo}/installation', (ctx) => {
      requireApp(ctx);
      const repo = requireRepo(state, ctx.params['owner']!, ctx.params['repo']!);
      const inst = state.installationFor(repo);
      if (!inst) throw notFound();
      return ok(shapes.installation(inst));
    }),
    route('GET', '/installation/repositories', (ctx) => {
      if (ctx.identity.kind !== 'installation')
        throw new HttpError(403, 'This endpoint requires an installation token');
      const inst = state.installations.get(ctx.identity.installationId)!;
      const repos = [...state.repos.values()].filter((r) => state.installationFor(r) === inst);
      const page = paginate(
        repos.map((r) => shapes.repo(r)),
        ctx.query,
        ctx.url,
      );
      return {
        ...page,
        data: {
          total_count: repos.length,
          repository_selection: inst.repositories === 'all' ? 'all' : 'selected',
          repositories: page.data,
        },
      };
    }),
    route('GET', '/user', (ctx) => {
      // An installation token (GITHUB_TOKEN in Actions too) is not a user: GitHub answers 403.
      if (ctx.identity.kind !== 'user') throw new HttpError(403, 'Resource not accessible by integration');
      return ok(shapes.authenticatedUser(ctx.identity.login));
    }),
    route('GET', '/rate_limit', () => {
      const reset = Math.floor(Date.now() / 1000) + 3600;
      const core = { limit: 5000, remaining: 5000, reset, used: 0 };
      const search = { limit: 30, remaining: 30, reset, used: 0 };
      return ok({ rate: core, resources: { core, search } });
    }),

    // ── Repositories, contents, commits, compare ─────────────────────────────────
    route('GET', '/repos/{owner}/{repo}', (ctx) => ok(shapes.repo(repoOf(ctx)))),
    route('GET', '/repos/{owner}/{repo}/branches/{branch+}', (ctx) => {
      const repo = repoOf(ctx);
      const sha = repo.refs.get(`refs/heads/${ctx.params['branch']}`);
      if (!sha) throw new HttpError(404, 'Branch not found');
      const api = `${shapes.apiUrl}/repos/${repo.owner}/${repo.name}`;
      return ok({
        name: ctx.params['branch'],
        commit: shapes.repoCommit(repo, state.git.commit(sha)!),
        _links: {
          self: `${api}/branches/${ctx.params['branch']}`,
          html: `https://github.com/${repo.owner}/${repo.name}/tree/${ctx.params['branch']}`,
        },
        protected: false,
        protection: {
          enabled: false,
          required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] },
        },
        protection_url: `${api}/branches/${ctx.params['branch']}/protection`,
      });
    }),
    route('GET', '/repos/{owner}/{repo}/contents/{path+}', (ctx) => {
      const repo = repoOf(ctx);
      const ref = ctx.query.get('ref') ?? repo.defaultBranch;
      const sha = state.resolveCommitish(repo, ref);
      if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
      const flat = state.flatTreeOf(sha);
      const path = ctx.params['path']!.replace(/^\/+|\/+$/g, '');
      const entry = flat.get(path);
      const raw = /application\/vnd\.github(\.v3)?\.raw/.test(String(ctx.headers['accept'] ?? ''));
      if (entry) {
        const blob = state.git.blob(entry.sha)!;
        if (raw) return { status: 200, raw: { body: blob.bytes, contentType: 'text/plain; charset=utf-8' } };
        const tooLarge = blob.bytes.length > options.contentsInlineLimit;
        return ok({
          ...shapes.contentEntry(repo, { type: 'file', path, sha: entry.sha, size: blob.bytes.length }, ref),
          encoding: tooLarge ? 'none' : 'base64',
          content: tooLarge ? '' : wrappedBase64(blob.bytes),
        });
      }
      // A directory: its entries, each as in the tree (directories with their tree's SHA).
      const dirSha =
        path === '' ? state.git.commit(sha)!.tree : state.git.treeAt(state.git.commit(sha)!.tree, path);
      if (!dirSha) throw notFound();
      return ok(
        state.git.tree(dirSha)!.entries.map((e) =>
          shapes.contentEntry(
            repo,
            {
              type: e.type === 'tree' ? 'dir' : 'file',
              path: path === '' ? e.name : `${path}/${e.name}`,
              sha: e.sha,
              size: e.type === 'blob' ? (state.git.blob(e.sha)?.bytes.length ?? 0) : 0,
            },
            ref,
          ),
        ),
      );
    }),
    route('GET', '/repos/{owner}/{repo}/compare/{basehead+}', (ctx) => {
      const repo = repoOf(ctx);
      const [baseName, headName] = ctx.params['basehead']!.split('...');
      if (baseName === undefined || headName === undefined) throw notFound();
      const side = (name: string): string => {
        const colon = name.indexOf(':');
        const r =
          colon < 0
            ? repo
            : state.network(repo).find((x) => x.owner.toLowerCase() === name.slice(0, colon).toLowerCase());
        const sha = r ? state.resolveCommitish(r, colon < 0 ? name : name.slice(colon + 1)) : undefined;
        if (!sha) throw notFound();
        return sha;
      };
      const base = side(baseName);
      const head = side(headName);
      const mergeBase = state.git.mergeBase(base, head);
      if (!mergeBase) throw new HttpError(404, `No common ancestor between ${baseName} and ${headName}.`);
      const ahead = state.git.commitsBetween(base, head);
      const behind = state.git.commitsBetween(head, base);
      const paged = ctx.query.has('per_page') || ctx.query.has('page');
      const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
      const commitShas = paged
        ? ahead.slice(
            (page - 1) * Number(ctx.query.get('per_page') ?? 250),
            page * Number(ctx.query.get('per_page') ?? 250),
          )
        : ahead.slice(0, options.compareCommitLimit);
      const files = page === 1 ? state.filesBetween(base, head).slice(0, options.compareFileLimit) : [];
      const status =
        ahead.length === 0 && behind.length === 0
          ? 'identical'
          : behind.length === 0
            ? 'ahead'
            : ahead.length === 0
              ? 'behind'
              : 'diverged';
      const html = `https://github.com/${repo.owner}/${repo.name}/compare/${baseName}...${headName}`;
      return ok({
        url: ctx.url.toString(),
        html_url: html,
        permalink_url: `https://github.com/${repo.owner}/${repo.name}/compare/${repo.owner}:${base.slice(0, 7)}...${repo.owner}:${head.slice(0, 7)}`,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        base_commit: shapes.repoCommit(repo, state.git.commit(base)!),
        merge_base_commit: shapes.repoCommit(repo, state.git.commit(mergeBase)!),
        commits: commitShas.map((sha) => shapes.repoCommit(repo, state.git.commit(sha)!)),
        files: files.map((f) => shapes.file(repo, f, head)),
      });
    }),
    route('GET', '/repos/{owner}/{repo}/commits', (ctx) => {
      const repo = repoOf(ctx);
      const start = commitOr422(repo, ctx.query.get('sha') ?? repo.defaultBranch);
      const shas = state.git.ancestors(start);
      const page = paginate(shas, ctx.query, ctx.url);
      return {
        ...page,
        data: (page.data as string[]).map((sha) => shapes.repoCommit(repo, state.git.commit(sha)!)),
      };
    }),
    route('GET', '/repos/{owner}/{repo}/commits/{ref+}/check-runs', (ctx) => {
      const repo = repoOf(ctx);
      const sha = commitOr422(repo, ctx.params['ref']!);
      const name = ctx.query.get('check_name');
      const runs = [...state.checkRuns.values()].filter(
        (c) => c.repo === repo && c.headSha === sha && (!name || c.name === name),
      );
      const page = paginate(runs.reverse(), ctx.query, ctx.url);
      return {
        ...page,
        data: {
          total_count: runs.length,
          check_runs: (page.data as CheckRunState[]).map((c) => shapes.checkRun(c)),
        },
      };
    }),
    route('GET', '/repos/{owner}/{repo}/commits/{ref+}', (ctx) => {
      const repo = repoOf(ctx);
      const sha = commitOr422(repo, ctx.params['ref']!);
      const commit = state.git.commit(sha)!;
      const files = state.commitFiles(sha);
      const additions = files.reduce((n, f) => n + f.additions, 0);
      const deletions = files.reduce((n, f) => n + f.deletions, 0);
      return ok({
        ...shapes.repoCommit(repo, commit),
        stats: { total: additions + deletions, additions, deletions },
        files: files.map((f) => shapes.file(repo, f, sha)),
      });
    }),

    // ── Git data ─────────────────────────────────────────────────────────────────
    route('GET', '/repos/{owner}/{repo}/git/blobs/{file_sha}', (ctx) => {
      const repo = repoOf(ctx);
      const blob = state.git.blob(ctx.params['file_sha']!);
      if (!blob) throw notFound();
      return ok({
        sha: blob.sha,
        url: `${shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${blob.sha}`,
        node_id: `B_${blob.sha}`,
        size: blob.bytes.length,
        content: wrappedBase64(blob.bytes),
        encoding: 'base64',
      });
    }),
    route('POST', '/repos/{owner}/{repo}/git/blobs', (ctx) => {
      writableRepoOf(ctx);
      const body = obj(ctx.body);
      if (typeof body['content'] !== 'string')
        throw validationFailed('Blob', 'content is missing', 'content');
      const encoding = body['encoding'] ?? 'utf-8';
      if (encoding !== 'utf-8' && encoding !== 'base64')
        throw validationFailed('Blob', 'encoding is invalid', 'encoding');
      const bytes =
        encoding === 'base64' ? Buffer.from(body['content'], 'base64') : Buffer.from(body['content'], 'utf8');
      const sha = state.git.putBlob(bytes);
      return ok(
        { sha, url: `${shapes.apiUrl}/repos/${ctx.params['owner']}/${ctx.params['repo']}/git/blobs/${sha}` },
        201,
      );
    }),
    route('GET', '/repos/{owner}/{repo}/git/trees/{tree_sha+}', (ctx) => {
      const repo = repoOf(ctx);
      const name = ctx.params['tree_sha']!;
      let treeSha = state.git.tree(name) ? name : undefined;
      if (!treeSha) {
        const commit = state.resolveCommitish(repo, name);
        treeSha = commit ? state.git.commit(commit)!.tree : undefined;
      }
      if (!treeSha) throw notFound();
      const entries: Record<string, unknown>[] = [];
      const walk = (sha: string, prefix: string, recursive: boolean): void => {
        for (const e of state.git.tree(sha)!.entries) {
          const path = prefix + e.name;
          entries.push({
            path,
            mode: e.mode,
            type: e.type,
            sha: e.sha,
            ...(e.type === 'blob' ? { size: state.git.blob(e.sha)?.bytes.length ?? 0 } : {}),
          });
          if (recursive && e.type === 'tree') walk(e.sha, `${path}/`, true);
        }
      };
      // GitHub recurses for any value of `recursive`, even `false` or `0`.
      walk(treeSha, '', ctx.query.has('recursive'));
      const truncated = entries.length > options.treeEntryLimit;
      return ok({
        sha: treeSha,
        url: ctx.url.toString(),
        tree: entries.slice(0, options.treeEntryLimit),
        truncated,
      });
    }),
    route('POST', '/repos/{owner}/{repo}/git/trees', (ctx) => {
      writableRepoOf(ctx);
      const body = obj(ctx.body);
      const entries = body['tree'];
      if (!Array.isArray(entries)) throw new HttpError(422, 'Invalid tree info', ['tree is missing']);
      let flat: FlatTree = new Map();
      if (body['base_tree'] !== undefined) {
        const base = String(body['base_tree']);
        if (!state.git.tree(base)) throw new HttpError(422, 'base_tree is not a valid tree oid');
        flat = state.git.flatten(base);
      }
      for (const raw of entries) {
        const e = obj(raw);
        const path = e['path'];
        if (
          typeof path !== 'string' ||
          path === '' ||
          path.startsWith('/') ||
          path.split('/').includes('..')
        ) {
          throw new HttpError(422, 'tree.path contains a malformed path component');
        }
        const hasSha = 'sha' in e;
        const hasContent = 'content' in e;
        if (hasSha === hasContent) {
          throw new HttpError(
            422,
            'Must supply either tree.sha or tree.content. Request will be rejected if both are present.',
          );
        }
        const mode = e['mode'];
        if (!isMode(mode)) throw new HttpError(422, `tree.mode ${String(mode)} is invalid`);
        if (hasSha && e['sha'] === null) {
          const isDir = [...flat.keys()].some((p) => p.startsWith(`${path}/`));
          if (isDir)
            throw new HttpError(422, 'GitRPC::BadObjectState: cannot delete a directory with sha: null');
          flat.delete(path);
          continue;
        }
        if (hasContent) {
          if (typeof e['content'] !== 'string') throw new HttpError(422, 'tree.content must be a string');
          flat.set(path, { mode, sha: state.git.putBlob(Buffer.from(e['content'], 'utf8')) });
          continue;
        }
        const sha = String(e['sha']);
        if (e['type'] === 'tree' || mode === '040000') {
          if (!state.git.tree(sha)) throw new HttpError(422, `tree.sha ${sha} is not a valid tree`);
          for (const p of [...flat.keys()]) if (p.startsWith(`${path}/`)) flat.delete(p);
          for (const [p, sub] of state.git.flatten(sha)) flat.set(`${path}/${p}`, sub);
          continue;
        }
        if (mode !== '160000' && !state.git.blob(sha))
          throw new HttpError(422, `tree.sha ${sha} is not a valid blob`);
        flat.set(path, { mode, sha });
      }
      const sha = state.git.build(flat);
      const top = state.git
        .tree(sha)!
        .entries.map((e) => ({ path: e.name, mode: e.mode, type: e.type, sha: e.sha }));
      return ok(
        {
          sha,
          url: `${shapes.apiUrl}/repos/${ctx.params['owner']}/${ctx.params['repo']}/git/trees/${sha}`,
          tree: top,
          truncated: false,
        },
        201,
      );
    }),
    route('GET', '/repos/{owner}/{repo}/git/commits/{commit_sha}', (ctx) => {
      const repo = repoOf(ctx);
      const commit = state.git.commit(ctx.params['commit_sha']!);
      if (!commit) throw notFound();
      return ok(shapes.gitCommit(repo, commit));
    }),
    route('POST', '/repos/{owner}/{repo}/git/commits', (ctx) => {
      const repo = writableRepoOf(ctx);
      const body = obj(ctx.body);
      if (typeof body['message'] !== 'string')
        throw validationFailed('Commit', 'message is missing', 'message');
      if (typeof body['tree'] !== 'string' || !state.git.tree(body['tree']))
        throw new HttpError(422, 'Tree SHA does not exist');
      const parents = body['parents'] ?? [];
      if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string' || !state.git.commit(p))) {
        throw new HttpError(422, 'Parent SHA does not exist or is not a commit object');
      }
      const author = apiCommitIdentity(ctx, body, 'author');
      const committer = body['committer'] ? apiCommitIdentity(ctx, body, 'committer') : author;
      const sha = state.git.putCommit({
        tree: body['tree'],
        parents: parents as string[],
        author: author.sig,
        committer: committer.sig,
        message: body['message'],
        authorLogin: author.login,
        committerLogin: committer.login,
      });
      return ok(shapes.gitCommit(repo, state.git.commit(sha)!), 201);
    }),
    route('GET', '/repos/{owner}/{repo}/git/ref/{ref+}', (ctx) => {
      const repo = repoOf(ctx);
      const full = `refs/${ctx.params['ref']}`;
      const sha = repo.refs.get(full);
      if (!sha) throw new HttpError(404, 'Not Found');
      return ok(refShape(repo, full, sha));
    }),
    route('GET', '/repos/{owner}/{repo}/git/matching-refs/{ref+}', (ctx) => {
      const repo = repoOf(ctx);
      const prefix = `refs/${ctx.params['ref']}`;
      return ok(
        [...repo.refs].filter(([r]) => r.startsWith(prefix)).map(([r, sha]) => refShape(repo, r, sha)),
      );
    }),
    route('POST', '/repos/{owner}/{repo}/git/refs', (ctx) => {
      const repo = writableRepoOf(ctx);
      const body = obj(ctx.body);
      createRef(state, repo, body['ref'], body['sha']);
      return ok(refShape(repo, body['ref'] as string, body['sha'] as string), 201);
    }),
    route('PATCH', '/repos/{owner}/{repo}/git/refs/{ref+}', (ctx) => {
      const repo = writableRepoOf(ctx);
      const body = obj(ctx.body);
      const full = updateRef(state, repo, ctx.params['ref']!, body['sha'], body['force'] === true);
      return ok(refShape(repo, full, body['sha'] as string));
    }),
    route('DELETE', '/repos/{owner}/{repo}/git/refs/{ref+}', (ctx) => {
      deleteRef(state, writableRepoOf(ctx), ctx.params['ref']!);
      return { status: 204 };
    }),

    // ── Pull requests and reviews ────────────────────────────────────────────────
    route('GET', '/repos/{owner}/{repo}/pulls', (ctx) => {
      const repo = repoOf(ctx);
      const stateFilter = ctx.query.get('state') ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      let pulls = state.pulls.filter(
        (p) => p.repo === repo && (stateFilter === 'all' || p.state === stateFilter),
      );
      // GitHub ignores a head filter without `owner:` and returns every pull request.
      if (head && head.includes(':')) {
        const [owner, ...branch] = head.split(':');
        pulls = pulls.filter(
          (p) => p.headRepo.owner.toLowerCase() === owner!.toLowerCase() && p.headRef === branch.join(':'),
        );
      }
      if (base) pulls = pulls.filter((p) => p.base === base);
      const asc = ctx.query.get('direction') === 'asc';
      pulls.sort((a, b) => (asc ? a.number - b.number : b.number - a.number));
      const page = paginate(pulls, ctx.query, ctx.url);
      return { ...page, data: (page.data as typeof pulls).map((p) => shapes.pull(p, false)) };
    }),
    route('POST', '/repos/{owner}/{repo}/pulls', (ctx) => {
      const repo = repoOf(ctx);
      const pull = createPull(state, repo, obj(ctx.body), loginOf(ctx.identity));
      return ok(shapes.pull(pull, true), 201);
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx) =>
      ok(shapes.pull(findPull(state, repoOf(ctx), Number(ctx.params['pull_number'])), true)),
    ),
    route('PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}', (ctx) => {
      const pull = findPull(state, repoOf(ctx), Number(ctx.params['pull_number']));
      const body = obj(ctx.body);
      if (body['body'] !== undefined && body['body'] !== null && String(body['body']).length > BODY_LIMIT) {
        throw validationFailed(
          'PullRequest',
          `body is too long (maximum is ${BODY_LIMIT} characters)`,
          'body',
        );
      }
      if (body['state'] === 'open' && pull.state === 'closed') {
        if (pull.merged)
          throw validationFailed('PullRequest', 'state cannot be changed. The pull request has been merged.');
        if (pull.headDeleted)
          throw validationFailed('PullRequest', 'state cannot be changed. The head branch has been deleted.');
        pull.closedBaseSha = undefined;
        pull.closedAt = null;
        pull.state = 'open';
      } else if (body['state'] === 'closed' && pull.state === 'open') {
        pull.closedBaseSha = pull.repo.refs.get(`refs/heads/${pull.base}`);
        pull.state = 'closed';
        pull.closedAt = state.now();
      }
      if (typeof body['title'] === 'string') pull.title = body['title'];
      if (body['body'] !== undefined) pull.body = body['body'] === null ? null : String(body['body']);
      if (typeof body['base'] === 'string') {
        if (!pull.repo.refs.has(`refs/heads/${body['base']}`))
          throw validationFailed('PullRequest', 'base is invalid', 'base');
        pull.base = body['base'];
      }
      pull.updatedAt = state.now();
      return ok(shapes.pull(pull, true));
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/files', (ctx) => {
      const repo = repoOf(ctx);
      const pull = findPull(state, repo, Number(ctx.params['pull_number']));
      const files = state.pullFiles(pull).slice(0, 3000);
      const page = paginate(files, ctx.query, ctx.url);
      const head = state.pullHeadSha(pull);
      return { ...page, data: (page.data as typeof files).map((f) => shapes.file(pull.headRepo, f, head)) };
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/commits', (ctx) => {
      const repo = repoOf(ctx);
      const pull = findPull(state, repo, Number(ctx.params['pull_number']));
      const base = pull.closedBaseSha ?? repo.refs.get(`refs/heads/${pull.base}`) ?? '';
      const shas = state.git.commitsBetween(base, state.pullHeadSha(pull)).slice(0, 250);
      const page = paginate(shas, ctx.query, ctx.url);
      return {
        ...page,
        data: (page.data as string[]).map((sha) => shapes.repoCommit(pull.headRepo, state.git.commit(sha)!)),
      };
    }),
    route('PUT', '/repos/{owner}/{repo}/pulls/{pull_number}/merge', (ctx) => {
      const pull = findPull(state, repoOf(ctx), Number(ctx.params['pull_number']));
      const body = obj(ctx.body);
      const { sha } = mergePull(state, pull, loginOf(ctx.identity), {
        method: body['merge_method'],
        sha: body['sha'],
        title: body['commit_title'],
        message: body['commit_message'],
      });
      return ok({ sha, merged: true, message: 'Pull Request successfully merged' });
    }),
    route('POST', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', (ctx) => {
      const repo = repoOf(ctx);
      const pull = findPull(state, repo, Number(ctx.params['pull_number']));
      const login = loginOf(ctx.identity);
      const body = obj(ctx.body);
      const event = body['event'];
      const text = typeof body['body'] === 'string' ? body['body'] : '';
      if (text.length > BODY_LIMIT)
        throw validationFailed(
          'PullRequestReview',
          `body is too long (maximum is ${BODY_LIMIT} characters)`,
          'body',
        );
      if (event !== undefined && event !== 'APPROVE' && event !== 'REQUEST_CHANGES' && event !== 'COMMENT') {
        throw new HttpError(422, 'Unprocessable Entity', ['event is not included in the list']);
      }
      if (pull.user === login && event === 'APPROVE')
        throw new HttpError(422, 'Unprocessable Entity', ['Can not approve your own pull request']);
      if (pull.user === login && event === 'REQUEST_CHANGES') {
        throw new HttpError(422, 'Unprocessable Entity', [
          'Can not request changes on your own pull request',
        ]);
      }
      if (event === 'REQUEST_CHANGES' && text === '') {
        throw new HttpError(422, 'Unprocessable Entity', [
          'Body is required when using REQUEST_CHANGES or COMMENT events',
        ]);
      }
      const comments = Array.isArray(body['comments']) ? body['comments'].map(obj) : [];
      if (event === 'COMMENT' && text === '' && comments.length === 0) {
        throw new HttpError(422, 'Unprocessable Entity', [
          'Body is required when using REQUEST_CHANGES or COMMENT events',
        ]);
      }
      if (
        event === undefined &&
        state.reviews.some(
          (r) => r.repo === repo && r.pullNumber === pull.number && r.user === login && r.state === 'PENDING',
        )
      ) {
        throw new HttpError(422, 'Unprocessable Entity', [
          'User can only have one pending review per pull request',
        ]);
      }
      const files = new Map(state.pullFiles(pull).map((f) => [f.filename, f]));
      const commitId = typeof body['commit_id'] === 'string' ? body['commit_id'] : state.pullHeadSha(pull);
      const reviewId = state.nextId();
      const stored: ReviewState['comments'] = comments.map((c) => {
        const file = typeof c['path'] === 'string' ? files.get(c['path']) : undefined;
        if (!file || file.patch === undefined)
          throw new HttpError(422, 'Unprocessable Entity', ['Path could not be resolved']);
        const side = c['side'] === 'LEFT' ? 'LEFT' : 'RIGHT';
        const lines = side === 'LEFT' ? file.leftLines : file.rightLines;
        const position = typeof c['position'] === 'number' ? c['position'] : null;
        const line = typeof c['line'] === 'number' ? c['line'] : null;
        const startLine = typeof c['start_line'] === 'number' ? c['start_line'] : null;
        if (position !== null) {
          if (position < 1 || position >= file.patchLines) {
            throw new HttpError(422, 'Unprocessable Entity', [
              'Pull request review thread position is invalid',
            ]);
          }
        } else if (
          line === null ||
          !lines.has(line) ||
          (startLine !== null && (!lines.has(startLine) || startLine > line))
        ) {
          throw new HttpError(422, 'Unprocessable Entity', [
            'Pull request review thread line must be part of the diff',
          ]);
        }
        if (typeof c['body'] !== 'string' || c['body'] === '')
          throw new HttpError(422, 'Unprocessable Entity', ['comment body is missing']);
        return {
          id: state.nextId(),
          reviewId,
          diffHunk: diffHunk(file.patch, side, position, line),
          path: file.filename,
          line,
          startLine,
          side,
          position,
          body: c['body'],
          user: login,
          commitId,
        };
      });
      const review: ReviewState = {
        id: reviewId,
        repo,
        pullNumber: pull.number,
        user: login,
        body: text,
        state:
          event === undefined
            ? 'PENDING'
            : event === 'APPROVE'
              ? 'APPROVED'
              : event === 'REQUEST_CHANGES'
                ? 'CHANGES_REQUESTED'
                : 'COMMENTED',
        commitId,
        submittedAt: event === undefined ? null : state.now(),
        comments: stored,
      };
      state.reviews.push(review);
      return ok(shapes.review(review));
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', (ctx) => {
      const repo = repoOf(ctx);
      const n = Number(ctx.params['pull_number']);
      findPull(state, repo, n);
      const reviews = state.reviews.filter((r) => r.repo === repo && r.pullNumber === n);
      const page = paginate(reviews, ctx.query, ctx.url);
      return { ...page, data: (page.data as ReviewState[]).map((r) => shapes.review(r)) };
    }),
    route('GET', '/repos/{owner}/{repo}/pulls/{pull_number}/comments', (ctx) => {
      const repo = repoOf(ctx);
      const n = Number(ctx.params['pull_number']);
      findPull(state, repo, n);
      // Comments of pending reviews are visible to nobody but their author; the fake hides them from everyone.
      const comments = state.reviews
        .filter((r) => r.repo === repo && r.pullNumber === n && r.state !== 'PENDING')
        .flatMap((r) => r.comments.map((c) => shapes.reviewComment(r, c)));
      return paginate(comments, ctx.query, ctx.url);
    }),

    // ── Issues: comments, reactions, labels ──────────────────────────────────────
    route('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}', (ctx) =>
      ok(shapes.comment(commentOf(ctx))),
    ),
    route('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', (ctx) => {
      const comment = commentOf(ctx);
      const body = commentBody(ctx.body);
      comment.body = body;
      comment.updatedAt = state.now();
      return ok(shapes.comment(comment));
    }),
    route('DELETE', '/repos/{owner}/{repo}/issues/comments/{comment_id}', (ctx) => {
      state.comments.delete(commentOf(ctx).id);
      return { status: 204 };
    }),
    route('POST', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', (ctx) => {
      const comment = commentOf(ctx);
      const content = obj(ctx.body)['content'];
      if (typeof content !== 'string' || !REACTIONS.has(content))
        throw validationFailed('Reaction', 'content is not included in the list', 'content');
      const login = loginOf(ctx.identity);
      const existing = comment.reactions.find((r) => r.user === login && r.content === content);
      const reaction = existing ?? { id: state.nextId(), content, user: login, createdAt: state.now() };
      if (!existing) comment.reactions.push(reaction);
      return ok(shapes.reaction(reaction), existing ? 200 : 201);
    }),
    route('GET', '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', (ctx) => {
      const comment = commentOf(ctx);
      const content = ctx.query.get('content');
      const list = comment.reactions
        .filter((r) => !content || r.content === content)
        .map((r) => shapes.reaction(r));
      return paginate(list, ctx.query, ctx.url);
    }),
    route('GET', '/repos/{owner}/{repo}/issues/{issue_number}', (ctx) => {
      const repo = repoOf(ctx);
      const n = Number(ctx.params['issue_number']);
      const pull = state.pulls.find((p) => p.repo === repo && p.number === n);
      if (pull) return ok(shapes.pullAsIssue(pull));
      const issue = state.issues.find((i) => i.repo === repo && i.number === n);
      if (!issue) throw notFound();
      return ok(shapes.issueFields(repo, issue));
    }),
    route('GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (ctx) => {
      const repo = repoOf(ctx);
      const n = issueNumberOf(ctx, repo);
      const comments = [...state.comments.values()].filter((c) => c.repo === repo && c.issueNumber === n);
      const page = paginate(comments, ctx.query, ctx.url);
      return { ...page, data: (page.data as typeof comments).map((c) => shapes.comment(c)) };
    }),
    route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', (ctx) => {
      const repo = repoOf(ctx);
      const n = issueNumberOf(ctx, repo);
      const body = commentBody(ctx.body);
      const now = state.now();
      const comment = {
        id: state.nextId(),
        repo,
        issueNumber: n,
        body,
        user: loginOf(ctx.identity),
        createdAt: now,
        updatedAt: now,
        reactions: [],
      };
      state.comments.set(comment.id, comment);
      return ok(shapes.comment(comment), 201);
    }),
    route('POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', (ctx) => {
      const repo = repoOf(ctx);
      const n = issueNumberOf(ctx, repo);
      const raw = Array.isArray(ctx.body) ? ctx.body : obj(ctx.body)['labels'];
      if (!Array.isArray(raw)) throw validationFailed('Label', 'labels must be an array', 'labels');
      const names = raw.map((l: unknown) => (typeof l === 'string' ? l : String(obj(l)['name'])));
      const target =
        state.pulls.find((p) => p.repo === repo && p.number === n) ??
        state.issues.find((i) => i.repo === repo && i.number === n)!;
      for (const name of names) {
        if (!repo.labels.has(name.toLowerCase()))
          repo.labels.set(name.toLowerCase(), { id: state.nextId(), name, color: 'ededed' });
        if (!target.labels.some((l) => l.toLowerCase() === name.toLowerCase()))
          target.labels.push(repo.labels.get(name.toLowerCase())!.name);
      }
      return ok(target.labels.map((l) => shapes.label(repo, l)));
    }),

    // ── Check runs ───────────────────────────────────────────────────────────────
    route('POST', '/repos/{owner}/{repo}/check-runs', (ctx) => {
      const repo = repoOf(ctx);
      if (ctx.identity.kind !== 'installation')
        throw new HttpError(403, 'You must authenticate via a GitHub App.');
      const body = obj(ctx.body);
      if (typeof body['name'] !== 'string' || body['name'] === '')
        throw validationFailed('CheckRun', "name can't be blank", 'name');
      if (typeof body['head_sha'] !== 'string' || !state.git.commit(body['head_sha'])) {
        throw new HttpError(422, `No commit found for SHA: ${String(body['head_sha'])}`);
      }
      const run: CheckRunState = {
        id: state.nextId(),
        repo,
        name: body['name'],
        headSha: body['head_sha'],
        status: 'queued',
        conclusion: null,
        startedAt: typeof body['started_at'] === 'string' ? body['started_at'] : state.now(),
        completedAt: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        detailsUrl: null,
        externalId: null,
        writes: 0,
      };
      applyCheckRun(run, body);
      state.checkRuns.set(run.id, run);
      return ok(shapes.checkRun(run), 201);
    }),
    route('PATCH', '/repos/{owner}/{repo}/check-runs/{check_run_id}', (ctx) => {
      if (ctx.identity.kind !== 'installation')
        throw new HttpError(403, 'You must authenticate via a GitHub App.');
      const run = checkRunOf(ctx);
      applyCheckRun(run, obj(ctx.body));
      return ok(shapes.checkRun(run));
    }),
    route('GET', '/repos/{owner}/{repo}/check-runs/{check_run_id}', (ctx) =>
      ok(shapes.checkRun(checkRunOf(ctx))),
    ),
    route('GET', '/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations', (ctx) => {
      const run = checkRunOf(ctx);
      const page = paginate(run.annotations, ctx.query, ctx.url);
      return { ...page, data: (page.data as AnnotationState[]).map((a) => shapes.annotation(run, a)) };
    }),

    // ── Collaborators ────────────────────────────────────────────────────────────
    route('GET', '/repos/{owner}/{repo}/collaborators/{username}/permission', (ctx) => {
      const repo = repoOf(ctx);
      const login = ctx.params['username']!;
      const user = state.users.get(login.toLowerCase());
      if (!user) throw notFound();
      const role = state.roleOf(repo, login);
      // The legacy `permission` field knows only admin, write, read and none.
      const legacy = role.base === 'maintain' ? 'write' : role.base === 'triage' ? 'read' : role.base;
      const can = (r: Role): boolean => ROLE_ORDER.indexOf(role.base) >= ROLE_ORDER.indexOf(r);
      return ok({
        permission: legacy,
        role_name: role.roleName,
        user: {
          ...shapes.user(user),
          role_name: role.roleName,
          permissions: {
            admin: can('admin'),
            maintain: can('maintain'),
            push: can('write'),
            triage: can('triage'),
            pull: can('read'),
          },
        },
      });
    }),
  ];

  function commentOf(ctx: Ctx): ReturnType<FakeState['comments']['get']> & object {
    const repo = repoOf(ctx);
    const c = state.comments.get(Number(ctx.params['comment_id']));
    if (!c || c.repo !== repo) throw notFound();
    return c;
  }

  function checkRunOf(ctx: Ctx): CheckRunState {
    const repo = repoOf(ctx);
    const run = state.checkRuns.get(Number(ctx.params['check_run_id']));
    if (!run || run.repo !== repo) throw notFound();
    return run;
  }

  function issueNumberOf(ctx: Ctx, repo: RepoState): number {
    const n = Number(ctx.params['issue_number']);
    if (
      !state.pulls.some((p) => p.repo === repo && p.number === n) &&
      !state.issues.some((i) => i.repo === repo && i.number === n)
    ) {
      throw notFound();
    }
    return n;
  }

  function refShape(repo: RepoState, full: string, sha: string): Record<string, unknown> {
    const type = state.git.get(sha)?.type ?? 'commit';
    return {
      ref: full,
      node_id: `REF_${full}`,
      url: `${shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/${full}`,
      object: { type, sha, url: `${shapes.apiUrl}/repos/${repo.owner}/${repo.name}/git/${type}s/${sha}` },
    };
  }
}

/** Built-in roles from least to most access. */
const ROLE_ORDER: readonly Role[] = ['none', 'read', 'triage', 'write', 'maintain', 'admin'];

/**
 * The diff hunk GitHub shows with a review comment: the hunk's header and its lines up to the commented one
 * (by `position` in the patch, or by `line` on `side`).
 */
function diffHunk(
  patch: string,
  side: 'LEFT' | 'RIGHT',
  position: number | null,
  line: number | null,
): string {
  const lines = patch.split('\n');
  let header = 0;
  let oldLine = 0;
  let newLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)/.exec(text);
    if (hunk) {
      header = i;
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      continue;
    }
    const onLeft = !text.startsWith('+') && side === 'LEFT' && oldLine === line;
    const onRight = !text.startsWith('-') && side === 'RIGHT' && newLine === line;
    const here = position !== null ? i === position : onLeft || onRight;
    if (here) return lines.slice(header, i + 1).join('\n');
    if (!text.startsWith('+')) oldLine++;
    if (!text.startsWith('-')) newLine++;
  }
  return lines.slice(header).join('\n');
}
