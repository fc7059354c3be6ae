import { GitHubApiError, type GitHubClient, type RepoRef } from './client.js';

/** GitHub's compare lists at most this many files; beyond it a merge cannot be computed from it. */
const COMPARE_FILE_LIMIT = 300;

export type MergeOnto =
  | { readonly merged: true; readonly sha: string; readonly treeSha: string }
  /** Both sides changed these files (or the compare was cut): a content merge would be needed. */
  | { readonly merged: false; readonly conflicts: readonly string[] };

/**
 * Brings a base branch's new commits into a branch that people committed to, as GitHub's "Update branch"
 * does, with a merge commit: its tree is the base's with the branch's own changes on top, its parents the
 * branch head and the base head. Made through the git data API; no ref moves (the caller moves the branch,
 * guarded, once its own commit is on top). When both sides changed the same file no merge is made: that
 * needs a person. Requests: 1 (compare) + 2 (tree, commit) when it merges.
 */
export async function mergeCommitOnto(
  octokit: GitHubClient,
  repo: RepoRef,
  input: {
    readonly branchHead: string;
    readonly baseHead: string;
    readonly baseTreeSha: string;
    readonly mergeBase: string;
    /** Files the branch changes against the merge base, with their blob SHA on the branch (null: removed). */
    readonly branchFiles: ReadonlyMap<string, string | null>;
    readonly message: string;
  },
): Promise<MergeOnto> {
  let baseFiles: string[];
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${input.mergeBase}...${input.baseHead}`,
    });
    const files = data.files ?? [];
    if (files.length >= COMPARE_FILE_LIMIT) return { merged: false, conflicts: ['(over 300 files changed)'] };
    baseFiles = files.flatMap((f) => [f.filename, ...(f.previous_filename ? [f.previous_filename] : [])]);
  } catch (error) {
    throw GitHubApiError.from('compare the base since the branch forked', error);
  }
  const conflicts = baseFiles.filter((path) => input.branchFiles.has(path));
  if (conflicts.length > 0) return { merged: false, conflicts: [...new Set(conflicts)].sort() };

  type TreeEntry = NonNullable<Parameters<GitHubClient['rest']['git']['createTree']>[0]>['tree'][number];
  const tree: TreeEntry[] = [...input.branchFiles].map(([path, sha]) => ({
    path,
    mode: '100644' as const,
    type: 'blob' as const,
    sha,
  }));
  try {
    const { data: merged } = await octokit.rest.git.createTree({
      ...repo,
      base_tree: input.baseTreeSha,
      tree,
    });
    const { data: commit } = await octokit.rest.git.createCommit({
      ...repo,
      message: input.message,
      tree: merged.sha,
      parents: [input.branchHead, input.baseHead],
    });
    return { merged: true, sha: commit.sha, treeSha: merged.sha };
  } catch (error) {
    throw GitHubApiError.from('create the merge commit', error);
  }
}
