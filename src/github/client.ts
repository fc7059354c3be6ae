import type { Octokit } from '@octokit/rest';

/**
 * What the GitHub layer needs from an Octokit: REST methods under `.rest` (Probot 14 exposes them there only)
 * and `.paginate`. Both `context.octokit` (Probot) and `new Octokit()` from `@octokit/rest` satisfy it.
 */
export type GitHubClient = Pick<Octokit, 'rest' | 'paginate'>;

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** A GitHub request failed: the status, the route and GitHub's message (with its `errors[]` texts). */
export class GitHubApiError extends Error {
  readonly code = 'GITHUB_API';
  constructor(
    readonly operation: string,
    readonly status: number | undefined,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: GitHub answered ${status ?? 'no status'}: ${detail}`, options);
    this.name = 'GitHubApiError';
  }

  static from(operation: string, error: unknown): GitHubApiError {
    if (error instanceof GitHubApiError) return error;
    return new GitHubApiError(operation, statusOf(error), errorText(error), { cause: error });
  }
}

/** The branch no longer points where the caller expected: refetch, rebuild and retry. */
export class BranchMovedError extends Error {
  readonly code = 'BRANCH_MOVED';
  constructor(
    readonly branch: string,
    readonly expected: string | null,
    readonly actual: string | null,
    options?: { cause?: unknown },
  ) {
    super(
      `branch ${branch} moved: expected ${expected ?? 'no branch'}, found ${actual ?? 'no branch'}; refetch it and retry`,
      options,
    );
    this.name = 'BranchMovedError';
  }
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's message plus the texts of its `errors[]` (where 422 details such as "already exists" live). */
export function errorText(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data as
    { message?: unknown; errors?: unknown } | undefined;
  const parts: string[] = [];
  if (data && typeof data.message === 'string') parts.push(data.message);
  if (data && Array.isArray(data.errors)) {
    for (const e of data.errors) {
      if (typeof e === 'string') parts.push(e);
      else if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
        parts.push((e as { message: string }).message);
      } else if (e && typeof e === 'object') parts.push(JSON.stringify(e));
    }
  }
  if (parts.length === 0) parts.push(error instanceof Error ? error.message : String(error));
  return parts.join('; ');
}

/** True when the request failed with `status` and (if given) a message containing `text`. */
export function isGitHubError(error: unknown, status: number, text?: string): boolean {
  if (statusOf(error) !== status) return false;
  return text === undefined || errorText(error).toLowerCase().includes(text.toLowerCase());
}
