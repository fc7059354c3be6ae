// Every name docs-fix gives to a job, a job scheduler or a Redis key of its own in src/jobs is built here.
import { createHash } from 'node:crypto';
import type { JobSpec, RepoRef } from './types.js';

/** The one BullMQ queue every job kind goes through (the job name is the kind). */
export const QUEUE_NAME = 'docs-fix';

/** `owner/repo`, lowercased: GitHub names are case-insensitive, and a redelivery may differ in case. */
export function repoSlug(repo: Pick<RepoRef, 'owner' | 'repo'>): string {
  return `${repo.owner}/${repo.repo}`.toLowerCase();
}

function digest(parts: readonly (string | number)[]): string {
  // NUL cannot occur in any part (names, SHAs, numbers), so the join is unambiguous.
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}

/** Ad-hoc scheduled checks (not from a scheduler) are deduplicated within this bucket. */
export const SCHEDULED_CHECK_BUCKET_MS = 60 * 60 * 1000;

/**
 * The job id: a hash of what the job is about, never of the delivery, so that a redelivered webhook or a
 * repeated event maps to the same id and BullMQ ignores the second `add` while the first job is kept.
 * - push: repository, branch, `after` SHA
 * - command: repository, pull request, command, and the head SHA when the event carried it, else the comment
 *   id (a redelivered comment is one job; a repeated comment on the same head is skipped by the worker)
 * - pr-closed: repository, pull request, head branch, and when it was closed when the event says
 * - pr-reopened: repository, pull request, and when it was reopened
 * - scheduled-check: repository, branch, and the hour (`now`) it was asked for
 * - shadow: repository and shadow run id (a run examines each repository once)
 * - shadow-sample: the time asked (its scheduler's jobs carry BullMQ's ids instead)
 * The result has the shape `<kind>-<32 hex>`: no `:` (BullMQ refuses it in custom ids) and not an integer.
 */
export function jobIdFor(spec: JobSpec, now: number = Date.now()): string {
  // Only its scheduler adds it, under BullMQ's own id (see scheduledTimeOf); this id is for a manual add.
  if (spec.kind === 'shadow-sample') return `shadow-sample-${digest(['shadow-sample', now])}`;
  const slug = repoSlug(spec);
  switch (spec.kind) {
    case 'push':
      return `push-${digest(['push', slug, spec.branch, spec.after.toLowerCase()])}`;
    case 'command':
      return `command-${digest(['command', slug, spec.pull, spec.command, spec.headSha ? spec.headSha.toLowerCase() : `comment:${spec.commentId}`])}`;
    case 'pr-closed':
      return `pr-closed-${digest(['pr-closed', slug, spec.pull, spec.branch, ...(spec.closedAt ? [spec.closedAt] : [])])}`;
    case 'pr-reopened':
      return `pr-reopened-${digest(['pr-reopened', slug, spec.pull, spec.reopenedAt])}`;
    case 'scheduled-check':
      return `scheduled-check-${digest(['scheduled-check', slug, spec.branch ?? '', Math.floor(now / SCHEDULED_CHECK_BUCKET_MS)])}`;
    case 'shadow':
      return `shadow-${digest(['shadow', slug, spec.runId])}`;
  }
}

/**
 * What a `shadow-sample` job carries as its repository: none (installation 0, an owner GitHub does not
 * allow), so that the worker's per-repository lock and logs treat it like any job.
 */
export const SHADOW_SAMPLE_SUBJECT = {
  installationId: 0,
  owner: '-docs-fix',
  repo: 'shadow-sample',
} as const;

/** The id of the job scheduler of scheduled shadow runs (one per queue; no `/`, unlike repositories'). */
export const SHADOW_SCHEDULER_ID = 'shadow-sample';

/**
 * The time (ms) a job scheduler's job was scheduled for, from the id BullMQ gives it
 * (`repeat:<schedulerId>:<millis>`), or undefined for a job added otherwise.
 */
export function scheduledTimeOf(jobId: string, schedulerId: string): number | undefined {
  const head = `repeat:${schedulerId}:`;
  if (!jobId.startsWith(head)) return undefined;
  const millis = Number(jobId.slice(head.length));
  return Number.isSafeInteger(millis) && millis > 0 ? millis : undefined;
}

/** The id of a repository's job scheduler (one per repository). */
export function schedulerIdFor(repo: Pick<RepoRef, 'owner' | 'repo'>): string {
  return `check/${repoSlug(repo)}`;
}

/**
 * BullMQ's key prefix: the operator's prefix as a Redis Cluster hash tag (`{df}`), so that every key of the
 * queue (BullMQ's scripts touch several at once) is in one slot; on a single Redis it is just a prefix.
 */
export function queuePrefix(prefix: string): string {
  return `{${prefix}}`;
}

/** Glob patterns that cover every key docs-fix writes under a prefix (line cache, locks, queue, reports). */
export function keyPatterns(prefix: string): string[] {
  return [`${prefix}:*`, `${queuePrefix(prefix)}:*`];
}

/** The Redis key of the lock that lets one job at a time work on a repository, across all processes. */
export function repoLockKey(prefix: string, repo: Pick<RepoRef, 'owner' | 'repo'>): string {
  return `${prefix}:jobs:repo-lock:${repoSlug(repo)}`;
}

/** A stable unsigned 32-bit number per repository, used to spread scheduled checks over the clock. */
export function repoHash(repo: Pick<RepoRef, 'owner' | 'repo'>): number {
  return createHash('sha256').update(repoSlug(repo)).digest().readUInt32BE(0);
}

/** How long shadow reports are kept in Redis. */
export const SHADOW_REPORT_TTL_SECONDS = 30 * 24 * 60 * 60;

// Shadow reports share the queue's hash tag: a run's meta and the index of runs are written in one MULTI,
// which a cluster accepts only for keys of one slot.

/** A hash of one shadow run: field `repoSlug` -> JSON record of that repository's report (or failure). */
export function shadowReportsKey(prefix: string, runId: string): string {
  return `${queuePrefix(prefix)}:shadow:run:${runId}:reports`;
}

/** A JSON string: what a shadow run was asked to do (repositories, warm, when). */
export function shadowRunKey(prefix: string, runId: string): string {
  return `${queuePrefix(prefix)}:shadow:run:${runId}:meta`;
}

/** A sorted set of shadow run ids by start time (ms), to find the latest. */
export function shadowRunsKey(prefix: string): string {
  return `${queuePrefix(prefix)}:shadow:runs`;
}
