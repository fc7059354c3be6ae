/**
 * Maintainers' decisions on docs-fix's pull requests, read from the pull requests themselves (not from a
 * cache entry, which may have expired or been written by another configuration):
 * - what docs-fix proposed: each of its own commits in the pull request against its parent, unit by unit
 *   (its commits keep every line in place, so the units align);
 * - what a person did to it: each of their commits against its parent; a unit written back to the text a
 *   rewrite started from is a revert, any other unit they wrote is their own text.
 * Rejections go to the store under `rejectionKey` (installation scope, repository, unit); forgetting them
 * re-derives the same keys from the same pull request.
 */
import { rejectionKey } from '../cache/key.js';
import type { LineStore, Rejection, RejectionHow, StoreWrite } from '../cache/types.js';
import { edits, personDecisions, rewrites, type UnitRewrite, type UnitText } from '../engine/unit-edits.js';
import { split } from '../markdown/index.js';
import type { LineKind, MarkdownDocument } from '../markdown/types.js';
import { GitHubApiError, type GitHubClient, type RepoRef } from './client.js';
import { branchCommit, isBotCommit, type BranchCommit } from './pull-request.js';
import { readFiles } from './read-files.js';

const MARKDOWN = /\.(md|mdx|markdown)$/i;
/** Lookups and writes go to the store in chunks of this many keys. */
const STORE_CHUNK = 2000;

/** A rewrite docs-fix proposed in a pull request, and where. */
export interface ProposedRewrite extends UnitRewrite {
  readonly path: string;
  /** docs-fix's commit that made it. */
  readonly commit: string;
}

/** A person's commit and what it decided. */
export interface PersonCommitDecisions {
  readonly commit: BranchCommit;
  /** docs-fix's rewrites it put back: rejected. */
  readonly reverted: ProposedRewrite[];
  /** docs-fix's rewrites whose text it replaced with the person's own: rejected too. */
  readonly rewritten: ProposedRewrite[];
  /** Units it wrote otherwise: the person's text is final. */
  readonly written: UnitText[];
}

/** The commits of a pull request (GitHub lists at most 250), oldest first. */
export async function pullRequestCommits(
  octokit: GitHubClient,
  repo: RepoRef,
  pull: number,
): Promise<BranchCommit[]> {
  try {
    const commits = await octokit.paginate(octokit.rest.pulls.listCommits, {
      ...repo,
      pull_number: pull,
      per_page: 100,
    });
    return commits.map(branchCommit);
  } catch (error) {
    throw GitHubApiError.from(`list commits of #${pull}`, error);
  }
}

/** The markdown files a commit modified, with their blob SHAs after it. One request. */
async function markdownChanges(
  octokit: GitHubClient,
  repo: RepoRef,
  sha: string,
): Promise<{ path: string; sha: string; status: string }[]> {
  try {
    const { data } = await octokit.rest.repos.getCommit({ ...repo, ref: sha });
    return (data.files ?? [])
      .filter((f) => MARKDOWN.test(f.filename) && (f.status === 'modified' || f.status === 'changed'))
      .map((f) => ({ path: f.filename, sha: f.sha ?? '', status: f.status }));
  } catch (error) {
    throw GitHubApiError.from(`read commit ${sha}`, error);
  }
}

/** The two versions of each markdown file a (non-merge) commit modified, split. */
async function commitVersions(
  octokit: GitHubClient,
  repo: RepoRef,
  commit: BranchCommit,
): Promise<{ path: string; before: MarkdownDocument; after: MarkdownDocument }[]> {
  const changes = await markdownChanges(octokit, repo, commit.sha);
  if (changes.length === 0) return [];
  const [before, after] = await Promise.all([
    readFiles(
      octokit,
      repo,
      commit.parents[0],
      changes.map((c) => c.path),
    ),
    readFiles(
      octokit,
      repo,
      commit.sha,
      changes.map((c) => (c.sha ? { path: c.path, sha: c.sha } : c.path)),
    ),
  ]);
  return changes.flatMap((c) => {
    const a = before.find((f) => f.path === c.path);
    const b = after.find((f) => f.path === c.path);
    if (!a || !b) return [];
    return [
      { path: c.path, before: split(a.bytes, { path: c.path }), after: split(b.bytes, { path: c.path }) },
    ];
  });
}

/**
 * Every rewrite docs-fix's own commits in the pull request proposed (merges left out). Requests: 1 for
 * the commits, then per docs-fix commit 1 + 2 per markdown file it changed.
 */
export async function proposedRewrites(
  octokit: GitHubClient,
  repo: RepoRef,
  input: { readonly pull: number; readonly botLogin: string; readonly commits?: readonly BranchCommit[] },
): Promise<ProposedRewrite[]> {
  const commits = input.commits ?? (await pullRequestCommits(octokit, repo, input.pull));
  const out: ProposedRewrite[] = [];
  for (const commit of commits) {
    if (!isBotCommit(commit, input.botLogin) || commit.parents.length !== 1) continue;
    for (const file of await commitVersions(octokit, repo, commit)) {
      for (const r of rewrites(file.before, file.after) ?? [])
        out.push({ ...r, path: file.path, commit: commit.sha });
    }
  }
  return out;
}

/** What each person's commit (merges left out) did to docs-fix's `proposed` rewrites. */
export async function personCommitDecisions(
  octokit: GitHubClient,
  repo: RepoRef,
  commits: readonly BranchCommit[],
  proposed: readonly ProposedRewrite[],
): Promise<PersonCommitDecisions[]> {
  const out: PersonCommitDecisions[] = [];
  for (const commit of commits) {
    if (commit.parents.length !== 1) continue;
    const reverted: ProposedRewrite[] = [];
    const rewritten: ProposedRewrite[] = [];
    const written: UnitText[] = [];
    for (const file of await commitVersions(octokit, repo, commit)) {
      const mine = proposed.filter((p) => p.path === file.path);
      const decided = personDecisions(edits(file.before, file.after), mine);
      reverted.push(...decided.reverted);
      rewritten.push(...decided.rewritten);
      written.push(...decided.written);
    }
    out.push({ commit, reverted, rewritten, written });
  }
  return out;
}

interface RejectionScope {
  readonly store: LineStore;
  readonly scope: string;
  /** `owner/name`. */
  readonly repository: string;
}

const keyOf = (s: RejectionScope, kind: LineKind, text: string): string =>
  rejectionKey({ scope: s.scope, repository: s.repository, kind, text });

/** Stores one rejection per rewrite (keyed by the text it started from). Returns how many distinct units. */
export async function recordRejections(
  s: RejectionScope,
  rejected: readonly { readonly rewrite: UnitRewrite; readonly rejection: Omit<Rejection, 'proposed'> }[],
): Promise<number> {
  const writes = new Map<string, StoreWrite>();
  for (const { rewrite, rejection } of rejected) {
    const key = keyOf(s, rewrite.kind, rewrite.before);
    writes.set(key, { op: 'reject', key, rejection: { ...rejection, proposed: rewrite.after } });
  }
  await writeChunked(s.store, [...writes.values()]);
  return writes.size;
}

/**
 * Forgets what `pull` recorded (only `how`, when given) for these rewrites: rejections of the same units
 * recorded from other pull requests stay. Returns how many of them were rejected before (one lookup).
 */
export async function forgetRejections(
  s: RejectionScope,
  rewrites_: readonly UnitRewrite[],
  pull: number,
  how?: RejectionHow,
): Promise<number> {
  const keys = [...new Set(rewrites_.map((r) => keyOf(s, r.kind, r.before)))];
  let recorded = 0;
  for (let i = 0; i < keys.length; i += STORE_CHUNK) {
    const chunk = keys.slice(i, i + STORE_CHUNK);
    const values = await s.store.get(chunk);
    recorded += values.filter(
      (v) =>
        v?.type === 'rejected' &&
        v.rejection.pullRequest === pull &&
        (how === undefined || v.rejection.how === how),
    ).length;
  }
  await writeChunked(
    s.store,
    keys.map((key) => ({ op: 'forget' as const, key, pullRequest: pull, ...(how ? { how } : {}) })),
  );
  return recorded;
}

async function writeChunked(store: LineStore, writes: readonly StoreWrite[]): Promise<void> {
  for (let i = 0; i < writes.length; i += STORE_CHUNK) await store.write(writes.slice(i, i + STORE_CHUNK));
}
