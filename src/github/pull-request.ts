import { gitBlobSha } from '../cache/key.js';
import { GitHubApiError, isGitHubError, type GitHubClient, type RepoRef } from './client.js';
import { deleteBranch } from './commit.js';
import { BODY_LIMIT, clip, parseBotMarker } from './render.js';

export const BOT_BRANCH_PREFIX = 'docs-fix/';

/** The bot's branch for a base branch: one per base. */
export function botBranch(base: string): string {
  return `${BOT_BRANCH_PREFIX}${base}`;
}

export function isBotBranch(branch: string): boolean {
  return branch.startsWith(BOT_BRANCH_PREFIX);
}

export interface BotPullRequest {
  readonly number: number;
  readonly url: string;
  readonly headSha: string;
  readonly title: string;
  readonly body: string;
}

/**
 * The open bot pull request for `base`, if any. `pulls.list` filters by head only with `owner:branch`; a bare
 * branch is silently ignored, so the owner is always given. One request.
 */
export async function findBotPullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  base: string,
): Promise<BotPullRequest | undefined> {
  const branch = botBranch(base);
  let data;
  try {
    ({ data } = await octokit.rest.pulls.list({
      ...repo,
      state: 'open',
      head: `${repo.owner}:${branch}`,
      base,
    }));
  } catch (error) {
    throw GitHubApiError.from('list bot pull requests', error);
  }
  const pull = data.find(
    (p) => p.head.ref === branch && p.base.ref === base && p.head.repo?.owner.login === repo.owner,
  );
  if (!pull) return undefined;
  return {
    number: pull.number,
    url: pull.html_url,
    headSha: pull.head.sha,
    title: pull.title,
    body: pull.body ?? '',
  };
}

export interface UpsertInput {
  readonly base: string;
  readonly title: string;
  readonly body: string;
  readonly draft?: boolean;
  readonly labels?: readonly string[];
  /** The open bot pull request found earlier (saves the lookup). */
  readonly existing?: BotPullRequest;
}

export type UpsertResult =
  | { readonly outcome: 'created' | 'updated' | 'unchanged'; readonly number: number; readonly url: string }
  /** The bot branch has nothing its base lacks: the caller should close its pull request. */
  | { readonly outcome: 'no-commits' };

/**
 * Creates the bot pull request from `docs-fix/<base>`, or updates the open one in place. A concurrent creation
 * (redelivery, race) answers 422 "already exists": then the open one is listed and updated.
 * Requests: update 1 (0 when unchanged); create 1, +1 with labels.
 */
export async function upsertBotPullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  input: UpsertInput,
): Promise<UpsertResult> {
  const body = clip(input.body, BODY_LIMIT);
  if (input.existing) return updateInPlace(octokit, repo, input.existing, input.title, body);
  let created;
  try {
    ({ data: created } = await octokit.rest.pulls.create({
      ...repo,
      base: input.base,
      head: botBranch(input.base),
      title: input.title,
      body,
      draft: input.draft ?? false,
      maintainer_can_modify: false,
    }));
  } catch (error) {
    if (isGitHubError(error, 422, 'No commits between')) return { outcome: 'no-commits' };
    if (!isGitHubError(error, 422, 'already exists'))
      throw GitHubApiError.from('create bot pull request', error);
    const existing = await findBotPullRequest(octokit, repo, input.base);
    if (!existing) throw GitHubApiError.from('create bot pull request', error);
    return updateInPlace(octokit, repo, existing, input.title, body);
  }
  if (input.labels && input.labels.length > 0) {
    try {
      await octokit.rest.issues.addLabels({
        ...repo,
        issue_number: created.number,
        labels: [...input.labels],
      });
    } catch (error) {
      throw GitHubApiError.from('label bot pull request', error);
    }
  }
  return { outcome: 'created', number: created.number, url: created.html_url };
}

async function updateInPlace(
  octokit: GitHubClient,
  repo: RepoRef,
  existing: BotPullRequest,
  title: string,
  body: string,
): Promise<UpsertResult> {
  if (existing.title === title && existing.body === body) {
    return { outcome: 'unchanged', number: existing.number, url: existing.url };
  }
  try {
    await octokit.rest.pulls.update({ ...repo, pull_number: existing.number, title, body });
  } catch (error) {
    throw GitHubApiError.from(`update pull request #${existing.number}`, error);
  }
  return { outcome: 'updated', number: existing.number, url: existing.url };
}

/**
 * Closes the bot pull request with a short comment and deletes its branch. Deleting the head branch closes the
 * pull request on GitHub (for good); the explicit close comes first so the timeline says who closed it.
 * Requests: 3 (comment, close, delete).
 */
export async function closeBotPullRequest(
  octokit: GitHubClient,
  repo: RepoRef,
  input: { readonly number: number; readonly base: string; readonly comment: string },
): Promise<void> {
  try {
    await octokit.rest.issues.createComment({
      ...repo,
      issue_number: input.number,
      body: clip(input.comment, BODY_LIMIT),
    });
    await octokit.rest.pulls.update({ ...repo, pull_number: input.number, state: 'closed' });
  } catch (error) {
    throw GitHubApiError.from(`close pull request #${input.number}`, error);
  }
  await deleteBranch(octokit, repo, botBranch(input.base));
}

export interface BranchCommit {
  readonly sha: string;
  readonly author: string | null;
  readonly committer: string | null;
  readonly message: string;
  /** Parent SHAs (two or more: a merge). */
  readonly parents: readonly string[];
  /** When it was authored (ISO 8601), when GitHub says. */
  readonly date?: string;
}

export interface BotBranchState {
  /** Where the bot branch points. */
  readonly headSha: string;
  /** Commits on the branch (not on `base`) that the app did not author and commit. */
  readonly humanCommits: readonly BranchCommit[];
  /** Files the branch changes against its merge base with `base` (removed files left out). */
  readonly files: readonly string[];
  /** The compare was cut (300 files / 250 commits): `files` may be incomplete, use `botPullRequestFiles`. */
  readonly truncated: boolean;
  /** The commit the branch forked from `base` at (null when GitHub did not say). */
  readonly mergeBaseSha: string | null;
  /** Where `base` itself points now (the compare's base commit). */
  readonly baseHeadSha: string;
  /** The tree of `baseHeadSha`. */
  readonly baseHeadTreeSha: string;
  /** Blob SHA of each file the branch changes (removed files map to null). */
  readonly blobs: ReadonlyMap<string, string | null>;
}

/** GitHub's commit object (a compare's or a pull request's commit list) as the fields a run uses. */
export function branchCommit(c: {
  readonly sha: string;
  readonly author: { readonly login?: string } | null;
  readonly committer: { readonly login?: string } | null;
  readonly commit: { readonly message: string; readonly author: { readonly date?: string } | null };
  readonly parents: readonly { readonly sha: string }[];
}): BranchCommit {
  return {
    sha: c.sha,
    author: c.author?.login ?? null,
    committer: c.committer?.login ?? null,
    message: c.commit.message,
    parents: c.parents.map((p) => p.sha),
    ...(c.commit.author?.date ? { date: c.commit.author.date } : {}),
  };
}

/** GitHub's web editor commits as `web-flow`; the author is the person. */
const WEB_FLOW = 'web-flow';

/** Whether the app authored and committed a commit (through the API, or GitHub's web flow on its behalf). */
export function isBotCommit(c: Pick<BranchCommit, 'author' | 'committer'>, botLogin: string): boolean {
  return c.author === botLogin && (c.committer === botLogin || c.committer === WEB_FLOW);
}

/**
 * One compare `base...docs-fix/<base>` tells what the bot branch holds: its head, the commits not written by the
 * app (a human pushed: stop updating it), and the files it changes (the files already in the pull request).
 * Returns undefined when the branch does not exist. One request.
 */
export async function inspectBotBranch(
  octokit: GitHubClient,
  repo: RepoRef,
  input: { readonly base: string; readonly botLogin: string },
): Promise<BotBranchState | undefined> {
  let data;
  try {
    ({ data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${input.base}...${botBranch(input.base)}`,
    }));
  } catch (error) {
    if (isGitHubError(error, 404)) return undefined;
    throw GitHubApiError.from('compare bot branch', error);
  }
  const commits = data.commits.map(branchCommit);
  const isBot = (c: BranchCommit): boolean => isBotCommit(c, input.botLogin);
  const files = (data.files ?? []).filter((f) => f.status !== 'removed').map((f) => f.filename);
  const last = data.commits[data.commits.length - 1];
  const blobs = new Map(
    (data.files ?? []).map((f) => [f.filename, f.status === 'removed' ? null : (f.sha ?? null)] as const),
  );
  return {
    headSha: last?.sha ?? data.merge_base_commit.sha,
    humanCommits: commits.filter((c) => !isBot(c)),
    files,
    truncated: (data.files?.length ?? 0) >= 300 || data.commits.length < data.total_commits,
    mergeBaseSha: (data.merge_base_commit as { sha?: string } | null)?.sha ?? null,
    baseHeadSha: data.base_commit.sha,
    baseHeadTreeSha: data.base_commit.commit.tree.sha,
    blobs,
  };
}

/** Files of a pull request (paginated, 100 a page; GitHub lists at most 3,000), removed files left out. */
export async function pullRequestFiles(
  octokit: GitHubClient,
  repo: RepoRef,
  pullNumber: number,
): Promise<{ path: string; sha: string; patch?: string; status: string }[]> {
  try {
    const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
      ...repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    return files
      .filter((f) => f.status !== 'removed')
      .map((f) => ({
        path: f.filename,
        sha: f.sha ?? '',
        status: f.status,
        ...(f.patch !== undefined ? { patch: f.patch } : {}),
      }));
  } catch (error) {
    throw GitHubApiError.from(`list files of #${pullNumber}`, error);
  }
}

/** Whether a pull request body carries the bot marker for `base`. */
export function isBotPullRequestBody(body: string | null | undefined, base?: string): boolean {
  const found = parseBotMarker(body);
  return found !== undefined && (base === undefined || found === base);
}

/**
 * Whether the bot branch already holds exactly `files` on top of `baseSha`: forked at `baseSha`, changing
 * exactly these paths to exactly these bytes (compared by git blob SHA). Then a new commit would only be a
 * force-push of the same content, which notifies every watcher of the pull request for nothing.
 */
export function botBranchHolds(
  state: BotBranchState,
  baseSha: string,
  files: readonly { readonly path: string; readonly bytes: Uint8Array }[],
): boolean {
  if (state.truncated || state.mergeBaseSha !== baseSha || state.humanCommits.length > 0) return false;
  if (state.blobs.size !== files.length) return false;
  return files.every((f) => state.blobs.get(f.path) === gitBlobSha(f.bytes));
}
