import { structuredPatch } from 'diff';
import type { FilePatch } from '../engine/types.js';
import { GitHubApiError, isGitHubError, type GitHubClient, type RepoRef } from './client.js';
import { pullRequestFiles } from './pull-request.js';
import { BODY_LIMIT, clip } from './render.js';

/** Roles allowed to run `/docs-fix`. Custom roles are unknown here and refused (their name says nothing). */
const WRITE_ROLES = new Set(['admin', 'maintain', 'write']);

/**
 * Whether a user may run `/docs-fix`: write, maintain or admin, read from `role_name` (the legacy `permission`
 * field reads `maintain` as `write` and `triage` as `read`). One request.
 */
export async function hasWritePermission(
  octokit: GitHubClient,
  repo: RepoRef,
  username: string,
): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    return WRITE_ROLES.has(data.role_name);
  } catch (error) {
    if (isGitHubError(error, 404)) return false;
    throw GitHubApiError.from(`permission of ${username}`, error);
  }
}

/** Posts a comment on an issue or pull request (cut to 65,536 characters). One request. */
export async function replyToComment(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  body: string,
): Promise<number> {
  try {
    const { data } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: issueNumber,
      body: clip(body, BODY_LIMIT),
    });
    return data.id;
  } catch (error) {
    throw GitHubApiError.from(`comment on #${issueNumber}`, error);
  }
}

/** Edits a comment the app posted earlier. One request. */
export async function updateComment(
  octokit: GitHubClient,
  repo: RepoRef,
  commentId: number,
  body: string,
): Promise<void> {
  try {
    await octokit.rest.issues.updateComment({ ...repo, comment_id: commentId, body: clip(body, BODY_LIMIT) });
  } catch (error) {
    throw GitHubApiError.from(`update comment ${commentId}`, error);
  }
}

/** 👀 on the `/docs-fix` comment: seen, working on it. One request. */
export async function reactEyes(octokit: GitHubClient, repo: RepoRef, commentId: number): Promise<void> {
  try {
    await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content: 'eyes' });
  } catch (error) {
    throw GitHubApiError.from(`react to comment ${commentId}`, error);
  }
}

/**
 * Posts `body` unless a comment already carries `marker` (to say something once, e.g. "a human committed").
 * Requests: ceil(comments / 100) + 1 when posting.
 */
export async function commentOnce(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  marker: string,
  body: string,
): Promise<boolean> {
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: issueNumber,
      per_page: 100,
    });
    if (comments.some((c) => c.body?.includes(marker))) return false;
  } catch (error) {
    throw GitHubApiError.from(`list comments of #${issueNumber}`, error);
  }
  await replyToComment(octokit, repo, issueNumber, `${marker}\n${body}`);
  return true;
}

/** Right-side line numbers inside the hunks of a pull request file's `patch` (where review comments may go). */
export function diffLines(patch: string | undefined): Set<number> {
  const lines = new Set<number>();
  if (!patch) return lines;
  let next = 0;
  for (const line of patch.split('\n')) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      next = Number(hunk[1]);
      continue;
    }
    if (line.startsWith('-') || line.startsWith('\\')) continue;
    if (line.startsWith('+') || line.startsWith(' ') || line === '') lines.add(next++);
  }
  return lines;
}

export interface Suggestion {
  readonly path: string;
  /** First and last line replaced, on the pull request head (RIGHT side). */
  readonly startLine: number;
  readonly line: number;
  readonly replacement: string;
}

/** Line-range replacements turning each patch's `before` into its `after`, as suggestion blocks express them. */
export function suggestionsFromPatches(patches: readonly FilePatch[]): Suggestion[] {
  const out: Suggestion[] = [];
  for (const p of patches) {
    const before = Buffer.from(p.before).toString('utf8');
    const after = Buffer.from(p.after).toString('utf8');
    const beforeLines = before.split('\n');
    const { hunks } = structuredPatch(p.path, p.path, before, after, '', '', { context: 0 });
    for (const h of hunks) {
      const added = h.lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1));
      if (h.oldLines > 0) {
        out.push({
          path: p.path,
          startLine: h.oldStart,
          line: h.oldStart + h.oldLines - 1,
          replacement: added.join('\n'),
        });
        continue;
      }
      // A pure insertion before line `oldStart` (jsdiff's numbering): replace the line before it with itself plus
      // the new lines, or, at the top of the file, the first line with the new lines plus itself.
      const anchor = h.oldStart - 1;
      if (anchor >= 1) {
        const kept = beforeLines[anchor - 1] ?? '';
        out.push({ path: p.path, startLine: anchor, line: anchor, replacement: [kept, ...added].join('\n') });
      } else {
        out.push({
          path: p.path,
          startLine: 1,
          line: 1,
          replacement: [...added, beforeLines[0] ?? ''].join('\n'),
        });
      }
    }
  }
  return out;
}

function suggestionBody(replacement: string): string {
  let longest = 2;
  for (const m of replacement.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}suggestion\n${replacement}\n${fence}`;
}

export interface SuggestionReviewResult {
  readonly reviewId: number;
  /** Suggestions posted as review comments. */
  readonly posted: number;
  /** Suggestions only listed in the review body (over the cap, or outside the pull request diff). */
  readonly summarised: number;
}

/**
 * For pull requests from forks (the app cannot push there): one review with ` ```suggestion ` comments, only on
 * lines inside the pull request diff (GitHub refuses others), at most `cap`; the rest are listed in the body.
 * Always `event: 'COMMENT'` (without an event the review stays pending and invisible).
 * Requests: ceil(files / 100) + 1.
 */
export async function postSuggestionReview(
  octokit: GitHubClient,
  repo: RepoRef,
  input: {
    readonly pullNumber: number;
    /** The head commit the patches were computed on. */
    readonly commitId: string;
    readonly patches: readonly FilePatch[];
    readonly intro: string;
    readonly cap?: number;
  },
): Promise<SuggestionReviewResult> {
  const cap = input.cap ?? 20;
  const files = await pullRequestFiles(octokit, repo, input.pullNumber);
  const inDiff = new Map(files.map((f) => [f.path, diffLines(f.patch)]));
  const comments: {
    path: string;
    line: number;
    start_line?: number;
    side: 'RIGHT';
    start_side?: 'RIGHT';
    body: string;
  }[] = [];
  const rest: Suggestion[] = [];
  for (const s of suggestionsFromPatches(input.patches)) {
    const lines = inDiff.get(s.path);
    let inside = lines !== undefined;
    for (let l = s.startLine; inside && l <= s.line; l++) inside = lines!.has(l);
    if (!inside || comments.length >= cap) {
      rest.push(s);
      continue;
    }
    comments.push({
      path: s.path,
      line: s.line,
      side: 'RIGHT',
      ...(s.startLine < s.line ? { start_line: s.startLine, start_side: 'RIGHT' as const } : {}),
      body: suggestionBody(s.replacement),
    });
  }
  const listed = rest
    .slice(0, 200)
    .map(
      (s) => `- \`${s.path}\` line${s.startLine === s.line ? ` ${s.line}` : `s ${s.startLine}–${s.line}`}`,
    );
  const more = rest.length > listed.length ? [`- … and ${rest.length - listed.length} more`] : [];
  const body = clip(
    [
      input.intro,
      ...(rest.length > 0
        ? [
            '',
            `${rest.length} more suggestion${rest.length === 1 ? '' : 's'} could not be posted inline (outside this pull request's diff, or over the limit of ${cap}):`,
            ...listed,
            ...more,
          ]
        : []),
    ].join('\n'),
    BODY_LIMIT,
  );
  try {
    const { data } = await octokit.rest.pulls.createReview({
      ...repo,
      pull_number: input.pullNumber,
      commit_id: input.commitId,
      event: 'COMMENT',
      body,
      comments,
    });
    return { reviewId: data.id, posted: comments.length, summarised: rest.length };
  } catch (error) {
    throw GitHubApiError.from(`review #${input.pullNumber}`, error);
  }
}
