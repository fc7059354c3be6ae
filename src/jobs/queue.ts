// The producer side: webhook handlers and the CLI enqueue jobs and manage per-repository schedules here.
import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import { openRedis, type RedisConnection } from './connection.js';
import { jobIdFor, QUEUE_NAME, queuePrefix, repoSlug, schedulerIdFor } from './keys.js';
import { cronPatternFor, ScheduleError, type ScheduleSetting } from './schedule.js';
import type { JobData, JobSpec, RepoRef } from './types.js';

/** How long finished jobs are kept, which is also how long a redelivery of their event is recognised. */
export const KEEP_COMPLETED = { age: 24 * 60 * 60, count: 10_000 } as const;
/** Failed jobs are kept longer, with their reason, for the check run and for operators. */
export const KEEP_FAILED = { age: 7 * 24 * 60 * 60, count: 10_000 } as const;

export interface JobQueueOptions {
  connection: RedisConnection;
  /** The operator's `DOCS_FIX_REDIS_PREFIX`; BullMQ's keys carry it as a hash tag (keys.ts `queuePrefix`). */
  prefix: string;
  log: Logger;
  /** Attempts per job for transient failures (default 5). */
  attempts?: number;
  /** First retry delay; doubles with each attempt, with jitter (default 10 s). */
  backoffMs?: number;
  /** The clock, for the hour bucket of ad-hoc scheduled checks. */
  now?: () => number;
}

export interface EnqueueResult {
  readonly jobId: string;
  /** True when a job with this id already existed (waiting, running, delayed, or finished within the window). */
  readonly duplicate: boolean;
  /** True when the existing job had failed and was put back to run again with this spec. */
  readonly rerun: boolean;
}

export interface ScheduleInfo {
  readonly schedulerId: string;
  /** `owner/repo` as it was scheduled. */
  readonly repository: string;
  readonly installationId: number | undefined;
  readonly pattern: string | undefined;
  readonly tz: string | undefined;
  /** Next time the scheduler fires. */
  readonly next: Date | undefined;
}

export type JobCounts = Record<
  'waiting' | 'active' | 'delayed' | 'failed' | 'completed' | 'prioritized' | 'paused',
  number
>;

export interface JobQueue {
  enqueue(spec: JobSpec): Promise<EnqueueResult>;
  /** Creates or updates the repository's scheduler; `off` removes it and answers `null`. */
  upsertSchedule(
    repo: RepoRef,
    schedule: ScheduleSetting,
    opts?: { tz?: string },
  ): Promise<{ schedulerId: string; pattern: string } | null>;
  /** True when a scheduler existed. */
  removeSchedule(repo: Pick<RepoRef, 'owner' | 'repo'>): Promise<boolean>;
  schedules(): Promise<ScheduleInfo[]>;
  counts(): Promise<JobCounts>;
  /** The BullMQ queue, for tests and operators' tooling. */
  readonly queue: Queue<JobData>;
  close(): Promise<void>;
}

const STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized', 'paused'] as const;

export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { prefix, log } = options;
  const now = options.now ?? Date.now;
  const redis = openRedis(options.connection, 'queue');
  const jobOptions = {
    attempts: options.attempts ?? 5,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 10_000, jitter: 0.5 },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  } satisfies JobsOptions;
  const queue = new Queue<JobData>(QUEUE_NAME, {
    connection: redis,
    prefix: queuePrefix(prefix),
    defaultJobOptions: jobOptions,
  });
  queue.on('error', (err) => log.error({ err }, 'job queue: redis error'));

  async function enqueue(spec: JobSpec): Promise<EnqueueResult> {
    const jobId = jobIdFor(spec, now());
    const enqueueId = randomUUID();
    // BullMQ answers an `add` with an existing id as if it had added it; the stored enqueueId tells.
    await queue.add(spec.kind, { spec, enqueueId }, { jobId });
    const stored = await queue.getJob(jobId);
    const jobLog = log.child({ job: jobId, kind: spec.kind, repo: repoSlug(spec) });
    if (!stored || stored.data.enqueueId === enqueueId) {
      jobLog.debug('job enqueued');
      return { jobId, duplicate: false, rerun: false };
    }
    if ((await stored.getState()) === 'failed') {
      // A failed job would block its id until KEEP_FAILED expires; asking again (a redelivery by the
      // operator, a repeated command) means "try again", with the newer spec.
      try {
        await stored.updateData({ spec, enqueueId });
        await stored.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        jobLog.info({ previousFailure: stored.failedReason }, 'failed job enqueued again');
        return { jobId, duplicate: false, rerun: true };
      } catch (err) {
        // Another enqueue retried it first.
        jobLog.debug({ err }, 'failed job already re-run by another enqueue');
      }
    }
    jobLog.info('duplicate job ignored');
    return { jobId, duplicate: true, rerun: false };
  }

  async function upsertSchedule(repo: RepoRef, schedule: ScheduleSetting, opts: { tz?: string } = {}) {
    const schedulerId = schedulerIdFor(repo);
    const pattern = cronPatternFor(repo, schedule);
    if (pattern === null) {
      await removeSchedule(repo);
      return null;
    }
    const spec: JobSpec = {
      kind: 'scheduled-check',
      installationId: repo.installationId,
      owner: repo.owner,
      repo: repo.repo,
    };
    try {
      await queue.upsertJobScheduler(
        schedulerId,
        { pattern, ...(opts.tz ? { tz: opts.tz } : {}) },
        { name: spec.kind, data: { spec, enqueueId: `scheduler:${schedulerId}` }, opts: jobOptions },
      );
    } catch (err) {
      if (
        err instanceof Error &&
        /cron|pattern|invalid|constraint|validation|timezone|time zone/i.test(err.message)
      ) {
        throw new ScheduleError(schedule, `schedule "${schedule}": ${err.message}`);
      }
      throw err;
    }
    log.info({ repo: repoSlug(repo), schedulerId, pattern, tz: opts.tz }, 'schedule set');
    return { schedulerId, pattern };
  }

  async function removeSchedule(repo: Pick<RepoRef, 'owner' | 'repo'>): Promise<boolean> {
    const removed = await queue.removeJobScheduler(schedulerIdFor(repo));
    if (removed) log.info({ repo: repoSlug(repo) }, 'schedule removed');
    return removed;
  }

  async function schedules(): Promise<ScheduleInfo[]> {
    // BullMQ lists scheduler ids, then reads each one: a scheduler removed in between comes back undefined.
    const list = (await queue.getJobSchedulers(0, -1, true)).filter((s) => s !== undefined && s !== null);
    return list.map((s) => {
      const data = s.template?.data?.spec;
      // The scheduler of shadow runs is about no repository: listed by its id, without an installation.
      const spec = data?.kind === 'shadow-sample' ? undefined : data;
      return {
        schedulerId: s.key,
        repository: spec ? `${spec.owner}/${spec.repo}` : s.key,
        installationId: spec?.installationId,
        pattern: s.pattern ?? undefined,
        tz: s.tz ?? undefined,
        next: s.next === undefined ? undefined : new Date(s.next),
      };
    });
  }

  async function counts(): Promise<JobCounts> {
    const raw = await queue.getJobCounts(...STATES);
    return Object.fromEntries(STATES.map((s) => [s, raw[s] ?? 0])) as JobCounts;
  }

  async function close(): Promise<void> {
    await queue.close();
    await redis.quit().catch(() => redis.disconnect());
  }

  return { enqueue, upsertSchedule, removeSchedule, schedules, counts, queue, close };
}
