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

/**
 * The repository is not there for this installation: deleted, renamed, made inaccessible or removed from the
 * installation. Retrying does not help.
 */
export class RepositoryNotAccessibleError extends Error {
  readonly code = 'REPOSITORY_NOT_ACCESSIBLE';
  constructor(
    readonly repository: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `repository ${repository} is not accessible (GitHub answered 404: ${detail}): it was deleted, renamed or removed from the installation`,
      options,
    );
    this.name = 'RepositoryNotAccessibleError';
  }
}

/**
 * GitHub does not know the installation (the app was uninstalled, or the event was meant for another app):
 * its token request answered 404. Octokit asks for the token on the installation's first request, so this
 * surfaces from whatever request came first, and some callers read a 404 as "no such file".
 */
export class InstallationNotFoundError extends Error {
  readonly code = 'INSTALLATION_NOT_FOUND';
  constructor(
    readonly installationId: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `installation ${installationId ?? '(unknown id)'} is not an installation of this app (GitHub answered 404 to its token request): the app was uninstalled, or the event was meant for another app`,
      options,
    );
    this.name = 'InstallationNotFoundError';
  }
}

/** The installation id when `error` is GitHub's 404 to an installation token request. */
export function installationTokenNotFound(error: unknown): number | undefined {
  if (statusOf(error) !== 404) return undefined;
  const url = (error as { request?: { url?: unknown } } | null)?.request?.url;
  const m = typeof url === 'string' ? /\/app\/installations\/(\d+)\/access_tokens(?:\?|$)/.exec(url) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * Throws RepositoryNotAccessibleError when GitHub answers 404 for the repository itself (or
 * InstallationNotFoundError when it does not know the installation): for a caller that got a 404 elsewhere
 * (a branch, a file) and must tell "not there" from "no access at all".
 */
export async function assertRepositoryAccessible(octokit: GitHubClient, repo: RepoRef): Promise<void> {
  try {
    await octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo });
  } catch (error) {
    const installation = installationTokenNotFound(error);
    if (installation !== undefined) throw new InstallationNotFoundError(installation, { cause: error });
    if (statusOf(error) === 404) {
      throw new RepositoryNotAccessibleError(`${repo.owner}/${repo.repo}`, errorText(error), {
        cause: error,
      });
    }
    throw GitHubApiError.from(`read repository ${repo.owner}/${repo.repo}`, error);
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
