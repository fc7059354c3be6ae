import { pathFilter } from '../engine/files.js';
import { GitHubApiError, isGitHubError, type GitHubClient, type RepoRef } from './client.js';

const ZERO_SHA = /^0{40}$/;

/** GitHub's compare lists at most this many files; a list this long may be cut. */
export const COMPARE_FILE_LIMIT = 300;

export interface ChangedFile {
  readonly path: string;
  /** Blob SHA at `after`: read it with the blob API without looking the path up again. */
  readonly sha: string;
}

export interface ChangedFiles {
  /** Added, modified, renamed or copied files matching the globs, sorted by path. Removed files are left out. */
  readonly files: readonly ChangedFile[];
  /** Tree of `after` when it came for free (for `commitFiles`'s `baseTreeSha`). */
  readonly afterTreeSha: string | undefined;
  readonly via: 'compare' | 'tree';
}

/** Include/exclude globs as the repository config states them; dot files match. */
export function pathMatcher(
  include: readonly string[],
  exclude: readonly string[],
): (path: string) => boolean {
  return pathFilter({ include, exclude });
}

/**
 * Markdown files a push changed (`before...after`), through one compare request. Falls back to diffing the
 * recursive trees of both commits when compare cannot answer whole: a new branch (all-zero `before`, or any
 * 404) or a list cut at 300 files.
 */
export async function changedMarkdownFiles(
  octokit: GitHubClient,
  repo: RepoRef,
  opts: { before: string; after: string; include: readonly string[]; exclude: readonly string[] },
): Promise<ChangedFiles> {
  const matches = pathMatcher(opts.include, opts.exclude);
  if (!ZERO_SHA.test(opts.before)) {
    try {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: `${opts.before}...${opts.after}`,
      });
      const files = data.files ?? [];
      if (files.length < COMPARE_FILE_LIMIT) {
        const last = data.commits[data.commits.length - 1];
        const complete = data.commits.length === data.total_commits && last?.sha === opts.after;
        return {
          files: sortFiles(
            files
              .filter(
                (f) => f.status !== 'removed' && f.status !== 'unchanged' && f.sha && matches(f.filename),
              )
              .map((f) => ({ path: f.filename, sha: f.sha! })),
          ),
          afterTreeSha: complete ? last.commit.tree.sha : undefined,
          via: 'compare',
        };
      }
    } catch (error) {
      if (!isGitHubError(error, 404)) throw GitHubApiError.from('compare', error);
    }
  }
  return changedByTrees(octokit, repo, opts.before, opts.after, matches);
}

type Entries = Map<string, string>;

async function changedByTrees(
  octokit: GitHubClient,
  repo: RepoRef,
  before: string,
  after: string,
  matches: (path: string) => boolean,
): Promise<ChangedFiles> {
  const afterTree = await recursiveTree(octokit, repo, after);
  if (!afterTree) throw new GitHubApiError('tree of pushed commit', 404, `no tree for ${after}`);
  const beforeTree = ZERO_SHA.test(before) ? undefined : await recursiveTree(octokit, repo, before);
  const files: ChangedFile[] = [];
  for (const [path, sha] of afterTree.blobs) {
    if (beforeTree?.blobs.get(path) === sha || !matches(path)) continue;
    files.push({ path, sha });
  }
  return { files: sortFiles(files), afterTreeSha: afterTree.sha, via: 'tree' };
}

/** Blobs of a commit's tree by path; walks directory by directory when the recursive listing is truncated. */
export async function recursiveTree(
  octokit: GitHubClient,
  repo: RepoRef,
  treeish: string,
): Promise<{ sha: string; blobs: Entries } | undefined> {
  let data;
  try {
    ({ data } = await octokit.rest.git.getTree({ ...repo, tree_sha: treeish, recursive: 'true' }));
  } catch (error) {
    if (isGitHubError(error, 404) || isGitHubError(error, 422)) return undefined;
    throw GitHubApiError.from('get tree', error);
  }
  const blobs: Entries = new Map();
  if (!data.truncated) {
    for (const e of data.tree) if (e.type === 'blob' && e.path && e.sha) blobs.set(e.path, e.sha);
    return { sha: data.sha, blobs };
  }
  const walk = async (sha: string, prefix: string): Promise<void> => {
    const { data: level } = await octokit.rest.git.getTree({ ...repo, tree_sha: sha });
    for (const e of level.tree) {
      if (!e.path || !e.sha) continue;
      if (e.type === 'blob') blobs.set(prefix + e.path, e.sha);
      else if (e.type === 'tree') await walk(e.sha, `${prefix}${e.path}/`);
    }
  };
  await walk(data.sha, '');
  return { sha: data.sha, blobs };
}

function sortFiles(files: ChangedFile[]): ChangedFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The parts of a push webhook payload that list its files (`@octokit/webhooks` push event). */
export interface PushPayloadFiles {
  readonly before: string;
  readonly after: string;
  readonly created: boolean;
  readonly deleted: boolean;
  readonly forced: boolean;
  readonly commits: readonly {
    readonly added?: readonly string[];
    readonly modified?: readonly string[];
    readonly removed?: readonly string[];
  }[];
  readonly head_commit: { readonly id: string; readonly tree_id: string } | null;
}

/** Pushes with this many commits or more may have had their list cut: ask compare instead. */
const PAYLOAD_COMMIT_LIMIT = 20;

/**
 * Markdown files a push added or modified, from the webhook payload alone (no request), or undefined when the
 * payload cannot be trusted for it: a new, deleted or force-pushed branch, or a long commit list. Files are
 * replayed commit by commit, so a file added then removed in one push is left out. Read them with
 * `readFiles(…, after, paths)`; `afterTreeSha` is the head commit's tree.
 */
export function changedMarkdownFilesFromPush(
  push: PushPayloadFiles,
  opts: { include: readonly string[]; exclude: readonly string[] },
): { files: string[]; afterTreeSha: string } | undefined {
  if (push.created || push.deleted || push.forced || ZERO_SHA.test(push.before)) return undefined;
  if (push.commits.length === 0 || push.commits.length >= PAYLOAD_COMMIT_LIMIT) return undefined;
  if (!push.head_commit || push.head_commit.id !== push.after) return undefined;
  const matches = pathMatcher(opts.include, opts.exclude);
  const present = new Set<string>();
  for (const c of push.commits) {
    for (const p of [...(c.added ?? []), ...(c.modified ?? [])]) present.add(p);
    for (const p of c.removed ?? []) present.delete(p);
  }
  return { files: [...present].filter(matches).sort(), afterTreeSha: push.head_commit.tree_id };
}
