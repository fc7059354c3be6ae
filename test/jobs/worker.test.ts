import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createJobQueue,
  createJobWorker,
  PermanentJobError,
  registerJobMetrics,
  RepoLockLostError,
  type JobHandler,
  type JobMetrics,
  type JobQueue,
  type JobWorker,
  type JobWorkerOptions,
} from '../../src/jobs/index.js';
import { repoLockKey } from '../../src/jobs/keys.js';
import { deleteKeys, pushSpec, randomPrefix, redisUrl, silentLog, sleep, waitFor } from './helpers.js';

let prefix: string;
let redis: Redis;
let queue: JobQueue;
const workers: JobWorker[] = [];

function startWorker(handler: JobHandler, opts: Partial<JobWorkerOptions> = {}): JobWorker {
  const w = createJobWorker({
    connection: redisUrl(),
    prefix,
    concurrency: 4,
    handler,
    log: silentLog(),
    busyDelayMs: 50,
    ...opts,
  });
  workers.push(w);
  return w;
}

const jobOf = async (jobId: string) => {
  const job = await queue.queue.getJob(jobId);
  if (!job) throw new Error(`job ${jobId} is gone`);
  return job;
};

beforeEach(() => {
  prefix = randomPrefix();
  redis = new Redis(redisUrl());
  queue = createJobQueue({ connection: redisUrl(), prefix, log: silentLog(), attempts: 3, backoffMs: 200 });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 0 })));
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('retries', () => {
  it('retries a transient failure with growing backoff until it succeeds', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    startWorker(async (_spec, ctx) => {
      attempts.push({ attempt: ctx.attempt, at: Date.now() });
      if (ctx.attempt < 3) throw new Error('GitHub answered 502');
      return { summary: 'done on the third attempt' };
    });
    const { jobId } = await queue.enqueue(pushSpec(1, 1));
    await waitFor('the job to complete', async () => (await jobOf(jobId)).finishedOn);
    const job = await jobOf(jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ summary: 'done on the third attempt' });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Exponential backoff with 50 % jitter: at least 100 ms, then at least 200 ms.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(100);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(200);
  });

  it('fails a permanent error at once and keeps its reason', async () => {
    let calls = 0;
    startWorker(async () => {
      calls += 1;
      throw new PermanentJobError('the app lacks contents: write on octo-org/docs-1');
    });
    const { jobId } = await queue.enqueue(pushSpec(1, 1));
    await waitFor('the job to fail', async () => (await jobOf(jobId)).finishedOn);
    const job = await jobOf(jobId);
    expect(await job.getState()).toBe('failed');
    expect(job.failedReason).toBe('the app lacks contents: write on octo-org/docs-1');
    expect(job.attemptsMade).toBe(1);
    expect(calls).toBe(1);
  });

  it('fails a transient error once the attempts are used up, with the last reason', async () => {
    startWorker(async (_spec, ctx) => {
      throw new Error(`model timed out (attempt ${ctx.attempt})`);
    });
    const { jobId } = await queue.enqueue(pushSpec(1, 1));
    await waitFor('the job to fail', async () => (await jobOf(jobId)).finishedOn, 20_000);
    const job = await jobOf(jobId);
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toBe('model timed out (attempt 3)');
  });
});

describe('one job per repository', () => {
  it('runs the jobs of one repository one after the other, and other repositories alongside', async () => {
    const intervals: { repo: string; start: number; end: number }[] = [];
    startWorker(async (spec) => {
      const start = Date.now();
      await sleep(300);
      intervals.push({ repo: spec.repo, start, end: Date.now() });
      return { summary: 'ok' };
    });
    for (let n = 0; n < 3; n += 1) await queue.enqueue(pushSpec(1, n));
    await queue.enqueue(pushSpec(2, 0));
    await waitFor('four jobs to complete', async () => (await queue.counts()).completed === 4, 30_000);

    const same = intervals.filter((i) => i.repo === 'docs-1').sort((a, b) => a.start - b.start);
    for (let k = 1; k < same.length; k += 1) expect(same[k]!.start).toBeGreaterThanOrEqual(same[k - 1]!.end);
    const other = intervals.find((i) => i.repo === 'docs-2')!;
    expect(same.some((i) => i.start < other.end && other.start < i.end)).toBe(true);
  });

  it('delays a job whose repository is locked, without using an attempt, until the lock lapses', async () => {
    // A lock left by a worker that died: nobody renews it, so it lapses after its TTL.
    const lockedAt = Date.now();
    await redis.set(repoLockKey(prefix, pushSpec(1, 0)), 'dead-worker', 'PX', 1500);
    const registry = new Registry();
    const metrics = registerJobMetrics(registry);
    const seen: { attempt: number; at: number }[] = [];
    startWorker(
      async (_spec, ctx) => {
        seen.push({ attempt: ctx.attempt, at: Date.now() });
        return { summary: 'ok' };
      },
      { metrics },
    );
    const { jobId } = await queue.enqueue(pushSpec(1, 0));
    await waitFor('the job to complete', async () => (await jobOf(jobId)).finishedOn);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.attempt).toBe(1);
    expect(seen[0]!.at - lockedAt).toBeGreaterThanOrEqual(1400);
    expect(await registry.getSingleMetricAsString('docs_fix_job_busy_delays_total')).toMatch(
      /docs_fix_job_busy_delays_total\{kind="push"\} [1-9]/,
    );
  });

  it('aborts the handler when the repository lock is lost, and retries the job', async () => {
    const reasons: unknown[] = [];
    const spec = pushSpec(3, 0);
    startWorker(
      async (_spec, ctx) => {
        if (ctx.attempt > 1) return { summary: 'ok' };
        // Someone else takes the lock (as if ours had lapsed during a long pause).
        await redis.set(repoLockKey(prefix, spec), 'intruder', 'PX', 300);
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        reasons.push(ctx.signal.reason);
        throw ctx.signal.reason;
      },
      { lockTtlMs: 600 },
    );
    const { jobId } = await queue.enqueue(spec);
    await waitFor('the job to complete', async () => (await jobOf(jobId)).finishedOn, 20_000);
    expect(await (await jobOf(jobId)).getState()).toBe('completed');
    expect(reasons[0]).toBeInstanceOf(RepoLockLostError);
  });
});

describe('graceful shutdown', () => {
  it('lets the running job finish before close() resolves', async () => {
    let finished = false;
    const w = startWorker(async () => {
      await sleep(800); // ignores the signal: it is short enough to finish
      finished = true;
      return { summary: 'finished during shutdown' };
    });
    const { jobId } = await queue.enqueue(pushSpec(1, 0));
    await waitFor('the job to start', async () => (await queue.counts()).active === 1);
    await w.close();
    expect(finished).toBe(true);
    const job = await jobOf(jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ summary: 'finished during shutdown' });
  });

  it('hands back a job that stops when its signal aborts, and another worker completes it', async () => {
    const attempts: number[] = [];
    const w = startWorker(async (_spec, ctx) => {
      attempts.push(ctx.attempt);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      throw ctx.signal.reason;
    });
    const { jobId } = await queue.enqueue(pushSpec(1, 0));
    await waitFor('the job to start', async () => (await queue.counts()).active === 1);
    await w.close({ graceMs: 100 });
    const handedBack = await jobOf(jobId);
    expect(['delayed', 'waiting']).toContain(await handedBack.getState());
    expect(handedBack.attemptsMade).toBe(0);
    // The repository lock was released on the way out, so the next worker starts at once.
    expect(await redis.exists(repoLockKey(prefix, pushSpec(1, 0)))).toBe(0);

    startWorker(async (_spec, ctx) => {
      attempts.push(ctx.attempt);
      return { summary: 'ok' };
    });
    await waitFor('the job to complete', async () => (await jobOf(jobId)).finishedOn);
    expect(attempts).toEqual([1, 1]);
  });
});

describe('metrics', () => {
  it('reports queue depth on scrape and job durations by kind and outcome', async () => {
    const registry = new Registry();
    const metrics: JobMetrics = registerJobMetrics(registry, { counts: () => queue.counts() });
    startWorker(
      async (spec) => {
        if (spec.repo === 'docs-2') throw new PermanentJobError('no permission');
        return { summary: 'ok' };
      },
      { metrics },
    );
    await queue.enqueue(pushSpec(1, 0));
    await queue.enqueue(pushSpec(2, 0));
    await waitFor('both jobs to finish', async () => {
      const c = await queue.counts();
      return c.completed === 1 && c.failed === 1;
    });
    const text = await registry.metrics();
    expect(text).toContain('docs_fix_queue_jobs{state="completed"} 1');
    expect(text).toContain('docs_fix_queue_jobs{state="failed"} 1');
    expect(text).toContain('docs_fix_queue_jobs{state="waiting"} 0');
    expect(text).toContain('docs_fix_job_duration_seconds_count{kind="push",outcome="completed"} 1');
    expect(text).toContain('docs_fix_job_runs_total{kind="push",outcome="failed"} 1');
  });
});
