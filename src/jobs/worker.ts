// The consumer side: runs a JobHandler for each job, one job per repository at a time across all processes.
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { openRedis, type RedisConnection } from './connection.js';
import { QUEUE_NAME, queuePrefix, repoSlug } from './keys.js';
import type { JobMetrics } from './metrics.js';
import { createRepoLocks } from './repo-lock.js';
import { PermanentJobError, type JobData, type JobHandler, type JobOutcome } from './types.js';

export interface JobWorkerOptions {
  connection: RedisConnection;
  /** The operator's prefix; must match the queue's. */
  prefix: string;
  /** Jobs this process runs at once (on different repositories). */
  concurrency: number;
  handler: JobHandler;
  log: Logger;
  /** Time to live of a repository lock; renewed every third of it, so a dead worker's lock lapses within it (default 30 s). */
  lockTtlMs?: number;
  /** How long a job whose repository is busy waits before it is tried again, ±25 % (default 5 s). */
  busyDelayMs?: number;
  /** BullMQ's job lock; a worker that stops renewing it for this long is considered dead (default 30 s). */
  jobLockMs?: number;
  /** How often BullMQ looks for jobs of dead workers (default 30 s). */
  stalledIntervalMs?: number;
  /** On `close()`, how long a running job may take to finish before its signal aborts (default 20 s). */
  shutdownGraceMs?: number;
  metrics?: JobMetrics;
}

export interface JobWorker {
  /**
   * Stops taking jobs and waits for the running ones. After `graceMs` their signal aborts; a job that then
   * throws is handed back to the queue without using an attempt.
   */
  close(opts?: { graceMs?: number }): Promise<void>;
  readonly worker: Worker<JobData, JobOutcome>;
}

/** Thrown into the handler's signal when the repository lock could not be renewed. */
export class RepoLockLostError extends Error {
  readonly code = 'JOB_REPO_LOCK_LOST';
  constructor(readonly repository: string) {
    super(`lost the lock of ${repository}: another job may be working on it; giving up this attempt`);
    this.name = 'RepoLockLostError';
  }
}

/** Thrown into the handler's signal when the worker shuts down. */
export class WorkerShutdownError extends Error {
  readonly code = 'JOB_SHUTDOWN';
  constructor() {
    super('worker is shutting down; the job goes back to the queue');
    this.name = 'WorkerShutdownError';
  }
}

function isPermanent(err: unknown): err is Error {
  return (
    err instanceof PermanentJobError ||
    (err instanceof Error && (err as { code?: unknown }).code === 'JOB_PERMANENT')
  );
}

export function createJobWorker(options: JobWorkerOptions): JobWorker {
  const { prefix, handler, log, metrics } = options;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const busyDelayMs = options.busyDelayMs ?? 5_000;
  const defaultGraceMs = options.shutdownGraceMs ?? 20_000;
  const redis = openRedis(options.connection, 'worker');
  const locks = createRepoLocks(redis, prefix, lockTtlMs);
  const running = new Set<AbortController>();
  let shuttingDown = false;

  async function processJob(job: Job<JobData, JobOutcome>, token?: string): Promise<JobOutcome> {
    const { spec } = job.data;
    const jobId = job.id ?? '';
    const repository = repoSlug(spec);
    const jobLog = log.child({
      job: jobId,
      kind: spec.kind,
      repo: repository,
      attempt: job.attemptsMade + 1,
    });

    const lock = await locks.tryAcquire(spec, `${jobId}/${randomUUID()}`);
    if (!lock) {
      // moveToDelayed does not count an attempt; DelayedError tells BullMQ the job was moved, not failed.
      const delay = Math.round(busyDelayMs * (0.75 + Math.random() * 0.5));
      jobLog.debug({ delay }, 'repository busy: job delayed');
      metrics?.busy(spec.kind);
      await job.moveToDelayed(Date.now() + delay, token);
      throw new DelayedError();
    }

    const controller = new AbortController();
    running.add(controller);
    const renewal = setInterval(
      () => {
        lock.renew().then(
          (held) => {
            if (held || controller.signal.aborted) return;
            jobLog.warn('repository lock lost');
            controller.abort(new RepoLockLostError(repository));
          },
          (err: unknown) => jobLog.warn({ err }, 'repository lock renewal failed; trying again'),
        );
      },
      Math.max(100, Math.floor(lockTtlMs / 3)),
    );
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      jobLog.info('job started');
      const outcome = await handler(spec, {
        jobId,
        attempt: job.attemptsMade + 1,
        signal: controller.signal,
      });
      jobLog.info({ summary: outcome.summary, seconds: seconds() }, 'job completed');
      metrics?.finished(spec.kind, 'completed', seconds());
      return outcome;
    } catch (err) {
      if (shuttingDown && controller.signal.aborted) {
        jobLog.warn({ err }, 'job stopped by shutdown: handed back to the queue');
        metrics?.finished(spec.kind, 'handed-back', seconds());
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (isPermanent(err)) {
        jobLog.error({ err }, 'job failed permanently');
        metrics?.finished(spec.kind, 'failed', seconds());
        throw new UnrecoverableError(err.message);
      }
      const retry = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
      jobLog.warn({ err, retry }, retry ? 'job failed: will retry' : 'job failed: no attempts left');
      metrics?.finished(spec.kind, retry ? 'retry' : 'failed', seconds());
      throw err;
    } finally {
      clearInterval(renewal);
      running.delete(controller);
      await lock.release().catch((err: unknown) => jobLog.warn({ err }, 'repository lock release failed'));
    }
  }

  const worker = new Worker<JobData, JobOutcome>(QUEUE_NAME, processJob, {
    connection: redis,
    prefix: queuePrefix(prefix),
    concurrency: options.concurrency,
    lockDuration: options.jobLockMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A job whose worker died twice (a hard-killed rolling deploy) still gets a third run.
    maxStalledCount: 2,
  });
  worker.on('error', (err) => log.error({ err }, 'job worker: redis error'));

  let closing: Promise<void> | undefined;
  function close(opts: { graceMs?: number } = {}): Promise<void> {
    closing ??= (async () => {
      shuttingDown = true;
      const graceMs = opts.graceMs ?? defaultGraceMs;
      const timer = setTimeout(() => {
        for (const controller of running) controller.abort(new WorkerShutdownError());
      }, graceMs);
      try {
        await worker.close();
      } finally {
        clearTimeout(timer);
        await redis.quit().catch(() => redis.disconnect());
      }
    })();
    return closing;
  }

  return { close, worker };
}
