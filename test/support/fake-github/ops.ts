/** Operations shared by the REST routes and the seeding helpers, with GitHub's validation and error messages. */
import { ZERO_SHA, type FlatTree, type Mode, type Signature } from './git.js';
import { HttpError, notFound, validationFailed } from './http.js';
import type { FakeState, PullState, RepoState } from './state.js';

export const BODY_LIMIT = 65_536;

export function requireRepo(state: FakeState, owner: string, name: string): RepoState {
  const repo = state.repo(owner, name);
  if (!repo) throw notFound();
  return repo;
}

export function signatureFor(state: FakeState, login: string, date: string): Signature {
  const user = state.ensureUser(login);
  return { name: user.name, email: user.email, date };
}

/** Sets a ref as the API would, then lets pull requests react (merge detection, head deletion). */
export function setRef(state: FakeState, repo: RepoState, ref: string, sha: string | undefined): void {
  if (sha === undefined) repo.refs.delete(ref);
  else repo.refs.set(ref, sha);
  state.onRefChanged(repo, ref, sha);
}

export function createRef(state: FakeState, repo: RepoState, ref: unknown, sha: unknown): void {
  if (typeof ref !== 'string' || !ref.startsWith('refs/') || ref.split('/').length < 3) {
    throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
  }
  if (typeof sha !== 'string' || !state.git.has(sha)) throw new HttpError(422, 'Object does not exist');
  if (repo.refs.has(ref)) throw new HttpError(422, 'Reference already exists');
  setRef(state, repo, ref, sha);
}

/** `ref` is `heads/<branch>` as the update and delete routes take it; `refs/heads/<b>` does not exist. */
export function updateRef(
  state: FakeState,
  repo: RepoState,
  ref: string,
  sha: unknown,
  force: boolean,
): string {
  const full = `refs/${ref}`;
  const current = repo.refs.get(full);
  if (!current) throw new HttpError(422, 'Reference does not exist');
  if (typeof sha !== 'string' || !state.git.commit(sha)) throw new HttpError(422, 'Object does not exist');
  if (!force && !state.git.isAncestor(current, sha)) throw new HttpError(422, 'Update is not a fast forward');
  setRef(state, repo, full, sha);
  return full;
}

export function deleteRef(state: FakeState, repo: RepoState, ref: string): void {
  const full = `refs/${ref}`;
  if (!repo.refs.has(full)) throw new HttpError(422, 'Reference does not exist');
  setRef(state, repo, full, undefined);
}

/** Resolves `owner:branch` (any repository of the fork network) or a bare branch of `repo`. */
export function resolveHead(
  state: FakeState,
  repo: RepoState,
  head: string,
): { repo: RepoState; ref: string } | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return { repo, ref: head };
  const owner = head.slice(0, colon).toLowerCase();
  const headRepo = state.network(repo).find((r) => r.owner.toLowerCase() === owner);
  return headRepo ? { repo: headRepo, ref: head.slice(colon + 1) } : undefined;
}

export interface CreatePullInput {
  title?: unknown;
  body?: unknown;
  head?: unknown;
  base?: unknown;
  draft?: unknown;
}

export function createPull(
  state: FakeState,
  repo: RepoState,
  input: CreatePullInput,
  user: string,
): PullState {
  if (typeof input.title !== 'string' || input.title === '')
    throw validationFailed('PullRequest', 'title is missing', 'title');
  if (typeof input.head !== 'string') throw validationFailed('PullRequest', 'head is missing', 'head');
  if (typeof input.base !== 'string') throw validationFailed('PullRequest', 'base is missing', 'base');
  const body = input.body === undefined || input.body === null ? null : String(input.body);
  if (body !== null && body.length > BODY_LIMIT) {
    throw validationFailed('PullRequest', `body is too long (maximum is ${BODY_LIMIT} characters)`, 'body');
  }
  const baseSha = repo.refs.get(`refs/heads/${input.base}`);
  if (!baseSha)
    throw new HttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', field: 'base', code: 'invalid' },
    ]);
  const head = resolveHead(state, repo, input.head);
  const headSha = head?.repo.refs.get(`refs/heads/${head.ref}`);
  if (!head || !headSha) {
    throw new HttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', field: 'head', code: 'invalid' },
    ]);
  }
  const duplicate = state.pulls.find(
    (p) =>
      p.repo === repo &&
      p.state === 'open' &&
      p.headRepo === head.repo &&
      p.headRef === head.ref &&
      p.base === input.base,
  );
  if (duplicate) {
    throw validationFailed(
      'PullRequest',
      `A pull request already exists for ${head.repo.owner}:${head.ref}.`,
    );
  }
  if (state.git.isAncestor(headSha, baseSha)) {
    throw validationFailed('PullRequest', `No commits between ${input.base} and ${input.head}`);
  }
  const now = state.now();
  const pull: PullState = {
    number: repo.nextNumber++,
    id: state.nextId(),
    repo,
    title: input.title,
    body,
    state: 'open',
    draft: input.draft === true,
    user,
    base: input.base,
    headRepo: head.repo,
    headRef: head.ref,
    headSha,
    headDeleted: false,
    merged: false,
    mergedAt: null,
    mergedBy: null,
    mergeCommitSha: null,
    closedAt: null,
    createdAt: now,
    updatedAt: now,
    labels: [],
  };
  state.pulls.push(pull);
  return pull;
}

export function findPull(state: FakeState, repo: RepoState, number: number): PullState {
  const pull = state.pulls.find((p) => p.repo === repo && p.number === number);
  if (!pull) throw notFound();
  return pull;
}

/** Writes a pull request into its base: `merge` (two parents), `squash` or `rebase` (one commit on the base). */
export function mergePull(
  state: FakeState,
  pull: PullState,
  login: string,
  opts: { method?: unknown; sha?: unknown; title?: unknown; message?: unknown },
): { sha: string } {
  if (pull.state !== 'open') throw new HttpError(405, 'Pull Request is not mergeable');
  const headSha = state.pullHeadSha(pull);
  if (typeof opts.sha === 'string' && opts.sha !== headSha) {
    throw new HttpError(409, 'Head branch was modified. Review and try the merge again.');
  }
  const method = opts.method ?? 'merge';
  if (method !== 'merge' && method !== 'squash' && method !== 'rebase') {
    throw validationFailed('PullRequest', 'merge_method is invalid', 'merge_method');
  }
  const baseRef = `refs/heads/${pull.base}`;
  const baseSha = pull.repo.refs.get(baseRef);
  if (!baseSha) throw new HttpError(405, 'Base branch was deleted');
  const mergeBase = state.git.mergeBase(baseSha, headSha);
  const ancestor: FlatTree = mergeBase ? state.flatTreeOf(mergeBase) : new Map();
  const ours = state.flatTreeOf(baseSha);
  const theirs = state.flatTreeOf(headSha);
  const merged: FlatTree = new Map(ours);
  const paths = new Set([...ancestor.keys(), ...theirs.keys()]);
  for (const path of paths) {
    const a = ancestor.get(path)?.sha;
    const t = theirs.get(path)?.sha;
    const o = ours.get(path)?.sha;
    if (a === t) continue;
    if (o !== a && o !== t) throw new HttpError(405, 'Merge conflict');
    const entry = theirs.get(path);
    if (entry) merged.set(path, entry);
    else merged.delete(path);
  }
  const tree = state.git.build(merged);
  const date = state.now();
  const title = typeof opts.title === 'string' ? opts.title : `Merge pull request #${pull.number}`;
  const message = typeof opts.message === 'string' ? `${title}\n\n${opts.message}` : title;
  const sig = signatureFor(state, login, date);
  const sha = state.git.putCommit({
    tree,
    parents: method === 'merge' ? [baseSha, headSha] : [baseSha],
    author: sig,
    committer: sig,
    message,
    authorLogin: login,
    committerLogin: login,
  });
  pull.closedBaseSha = baseSha;
  pull.state = 'closed';
  pull.merged = true;
  pull.mergedBy = login;
  pull.mergedAt = pull.closedAt = pull.updatedAt = date;
  pull.mergeCommitSha = sha;
  setRef(state, pull.repo, baseRef, sha);
  return { sha };
}

export function isMode(value: unknown): value is Mode {
  return (
    value === '100644' || value === '100755' || value === '040000' || value === '160000' || value === '120000'
  );
}

export { ZERO_SHA };
