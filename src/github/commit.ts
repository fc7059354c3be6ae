import {
  BranchMovedError,
  GitHubApiError,
  isGitHubError,
  statusOf,
  type GitHubClient,
  type RepoRef,
} from './client.js';

export interface FileChangeToCommit {
  readonly path: string;
  /** New content; null deletes the file. */
  readonly bytes: Uint8Array | null;
  /** Git file mode; default `100644`. */
  readonly mode?: '100644' | '100755';
}

export interface CommitFilesInput {
  /** Branch name without `refs/heads/`. */
  readonly branch: string;
  /** Parent of the new commit; its tree is the base tree. */
  readonly parentSha: string;
  /** Tree of `parentSha` when the caller has it (compare gives it): saves one request. */
  readonly baseTreeSha?: string;
  readonly files: readonly FileChangeToCommit[];
  readonly message: string;
  /**
   * Where the branch must point now: a SHA, `null` for "must not exist yet" (create it), or undefined for
   * no expectation (update it, or create it when missing). A mismatch throws `BranchMovedError`.
   */
  readonly expectedHeadSha?: string | null;
  /**
   * Re-point the branch even when the new commit does not descend from its head (the bot branch, rebuilt on its
   * base each run). With an `expectedHeadSha`, the head is read first to keep the guard (one more request).
   * Without force, GitHub itself refuses a non-fast-forward: the guard is atomic.
   */
  readonly force?: boolean;
  readonly author?: { readonly name: string; readonly email: string };
}

export interface CommitFilesResult {
  /** False when the files already had this content: no commit was made and the branch was not touched. */
  readonly committed: boolean;
  readonly commitSha: string;
  readonly treeSha: string;
  /** The branch did not exist and was created. */
  readonly createdBranch: boolean;
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function asUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = fatalUtf8.decode(bytes);
    // Re-encoding must give the same bytes, or inline content would not round-trip.
    return Buffer.from(text, 'utf8').equals(Buffer.from(bytes)) ? text : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One commit through the git data API: a tree on `base_tree` with inline UTF-8 `content` (a blob request only
 * for files that are not UTF-8), the commit, then the branch (`heads/<b>` update, `refs/heads/<b>` create).
 * Requests: 3 (+1 without `baseTreeSha`, +1 per non-UTF-8 file, +1 for a forced update with a guard, +1 when
 * an unexpectedly missing branch has to be created).
 */
export async function commitFiles(
  octokit: GitHubClient,
  repo: RepoRef,
  input: CommitFilesInput,
): Promise<CommitFilesResult> {
  const { branch, parentSha } = input;
  const baseTree =
    input.baseTreeSha ??
    (await call('read parent commit', () => octokit.rest.git.getCommit({ ...repo, commit_sha: parentSha })))
      .data.tree.sha;

  type TreeEntry = NonNullable<Parameters<GitHubClient['rest']['git']['createTree']>[0]>['tree'][number];
  const tree: TreeEntry[] = [];
  for (const file of input.files) {
    const mode = file.mode ?? '100644';
    if (file.bytes === null) {
      // `sha: null` deletes; it must reach GitHub as null, not be dropped (an entry with neither is a 422).
      tree.push({ path: file.path, mode, type: 'blob' as const, sha: null });
      continue;
    }
    const text = asUtf8(file.bytes);
    if (text !== undefined) {
      tree.push({ path: file.path, mode, type: 'blob' as const, content: text });
      continue;
    }
    const { data: blob } = await call(`create blob ${file.path}`, () =>
      octokit.rest.git.createBlob({
        ...repo,
        content: Buffer.from(file.bytes!).toString('base64'),
        encoding: 'base64',
      }),
    );
    tree.push({ path: file.path, mode, type: 'blob' as const, sha: blob.sha });
  }

  const { data: newTree } = await call('create tree', () =>
    octokit.rest.git.createTree({ ...repo, base_tree: baseTree, tree }),
  );
  if (newTree.sha === baseTree)
    return { committed: false, commitSha: parentSha, treeSha: baseTree, createdBranch: false };

  const { data: commit } = await call('create commit', () =>
    octokit.rest.git.createCommit({
      ...repo,
      message: input.message,
      tree: newTree.sha,
      parents: [parentSha],
      ...(input.author ? { author: input.author } : {}),
    }),
  );

  const createdBranch = await moveBranch(octokit, repo, {
    branch,
    sha: commit.sha,
    expected: input.expectedHeadSha,
    force: input.force ?? false,
  });
  return { committed: true, commitSha: commit.sha, treeSha: newTree.sha, createdBranch };
}

/** Points `branch` at `sha` under the guard described on `CommitFilesInput`; returns true when it created it. */
export async function moveBranch(
  octokit: GitHubClient,
  repo: RepoRef,
  opts: { branch: string; sha: string; expected: string | null | undefined; force: boolean },
): Promise<boolean> {
  const { branch, sha, expected, force } = opts;
  if (expected === null) {
    await createBranch(octokit, repo, branch, sha, null);
    return true;
  }
  if (force && expected !== undefined) {
    const actual = await branchHead(octokit, repo, branch);
    if (actual !== expected) throw new BranchMovedError(branch, expected, actual);
  }
  try {
    await octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force });
    return false;
  } catch (error) {
    // 422 "not a fast forward", or 409 when GitHub saw the ref change under the update: it moved.
    if (isGitHubError(error, 422, 'not a fast forward') || isGitHubError(error, 409)) {
      throw new BranchMovedError(branch, expected ?? null, null, { cause: error });
    }
    if (!isGitHubError(error, 422, 'Reference does not exist'))
      throw GitHubApiError.from(`update heads/${branch}`, error);
    if (expected !== undefined) throw new BranchMovedError(branch, expected, null, { cause: error });
  }
  await createBranch(octokit, repo, branch, sha, expected ?? null);
  return true;
}

async function createBranch(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
  sha: string,
  expected: string | null,
): Promise<void> {
  try {
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
  } catch (error) {
    if (isGitHubError(error, 422, 'Reference already exists')) {
      throw new BranchMovedError(branch, expected, 'unknown', { cause: error });
    }
    throw GitHubApiError.from(`create refs/heads/${branch}`, error);
  }
}

/** The commit a branch points at, or null when it does not exist (`getRef` takes `heads/<b>`). */
export async function branchHead(
  octokit: GitHubClient,
  repo: RepoRef,
  branch: string,
): Promise<string | null> {
  try {
    const { data } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw GitHubApiError.from(`read heads/${branch}`, error);
  }
}

/** Deletes a branch; false when it was already gone. */
export async function deleteBranch(octokit: GitHubClient, repo: RepoRef, branch: string): Promise<boolean> {
  try {
    await octokit.rest.git.deleteRef({ ...repo, ref: `heads/${branch}` });
    return true;
  } catch (error) {
    if (isGitHubError(error, 422, 'Reference does not exist') || statusOf(error) === 404) return false;
    throw GitHubApiError.from(`delete heads/${branch}`, error);
  }
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw GitHubApiError.from(operation, error);
  }
}
