import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createJobQueue,
  createJobWorker,
  cronPatternFor,
  PermanentJobError,
  ScheduleError,
  type JobHandler,
  type JobQueue,
  type JobSpec,
  type JobWorker,
} from '../../src/jobs/index.js';
import { deleteKeys, pushSpec, randomPrefix, redisUrl, silentLog, sleep, waitFor } from './helpers.js';

let prefix: string;
let redis: Redis;
let queue: JobQueue;
const workers: JobWorker[] = [];

function startWorker(handler: JobHandler): JobWorker {
  const w = createJobWorker({
    connection: redisUrl(),
    prefix,
    concurrency: 2,
    handler,
    log: silentLog(),
    busyDelayMs: 50,
  });
  workers.push(w);
  return w;
}

beforeEach(() => {
  prefix = randomPrefix();
  redis = new Redis(redisUrl());
  queue = createJobQueue({ connection: redisUrl(), prefix, log: silentLog(), backoffMs: 50 });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 0 })));
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('enqueue', () => {
  it('runs a redelivered event once: before, during and after the job', async () => {
    const calls: string[] = [];
    const spec = pushSpec(1, 1);
    const first = await queue.enqueue(spec);
    // A redelivery carries the same payload under a new delivery id; the spec is what reaches us.
    const again = await queue.enqueue({ ...spec });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ jobId: first.jobId, duplicate: true, rerun: false });

    startWorker(async (s, ctx) => {
      calls.push(`${ctx.jobId} ${s.kind}`);
      return { summary: 'ok' };
    });
    await waitFor('the job to complete', async () => (await queue.counts()).completed === 1);
    const late = await queue.enqueue(spec);
    expect(late.duplicate).toBe(true);
    await sleep(500);
    expect(calls).toEqual([`${first.jobId} push`]);
    expect((await queue.counts()).completed).toBe(1);
  });

  it('lets exactly one of concurrent enqueues of the same event create the job', async () => {
    const spec = pushSpec(2, 7);
    const results = await Promise.all(Array.from({ length: 8 }, () => queue.enqueue(spec)));
    expect(new Set(results.map((r) => r.jobId)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await queue.counts()).waiting).toBe(1);
  });

  it('runs again an event whose job failed, with the newer spec', async () => {
    const seen: JobSpec[] = [];
    const attempts: number[] = [];
    const spec: JobSpec = {
      kind: 'command',
      installationId: 1,
      owner: 'octo',
      repo: 'docs',
      command: 'fix',
      pull: 3,
      commentId: 1,
      commenter: 'mona',
      headSha: 'c'.repeat(40),
    };
    startWorker(async (s, ctx) => {
      seen.push(s);
      attempts.push(ctx.attempt);
      if (seen.length === 1) throw new PermanentJobError('docs-fix.yml: include is empty');
      return { summary: 'fixed' };
    });
    const { jobId } = await queue.enqueue(spec);
    await waitFor('the job to fail', async () => (await queue.counts()).failed === 1);

    const repeated = await queue.enqueue({ ...spec, commentId: 2 });
    expect(repeated).toEqual({ jobId, duplicate: false, rerun: true });
    await waitFor('the job to complete', async () => (await queue.counts()).completed === 1);
    expect(seen.map((s) => (s.kind === 'command' ? s.commentId : 0))).toEqual([1, 2]);
    expect(attempts).toEqual([1, 1]); // the re-run starts with all its attempts
    expect((await queue.counts()).failed).toBe(0);
  });
});

describe('schedules', () => {
  const repo = { installationId: 5, owner: 'Octo', repo: 'Docs' };
  const other = { installationId: 5, owner: 'octo', repo: 'handbook' };

  it('creates, updates and removes one scheduler per repository', async () => {
    const created = await queue.upsertSchedule(repo, 'weekly');
    expect(created?.pattern).toBe(cronPatternFor(repo, 'weekly'));
    let list = await queue.schedules();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ repository: 'Octo/Docs', installationId: 5, pattern: created?.pattern });
    expect(list[0]?.next?.getTime()).toBeGreaterThan(Date.now());

    await queue.upsertSchedule(repo, '15 6 * * 1', { tz: 'Europe/Berlin' });
    list = await queue.schedules();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ pattern: '15 6 * * 1', tz: 'Europe/Berlin' });

    await queue.upsertSchedule(other, 'daily');
    expect(await queue.schedules()).toHaveLength(2);

    expect(await queue.upsertSchedule(repo, 'off')).toBeNull();
    list = await queue.schedules();
    expect(list.map((s) => s.repository)).toEqual(['octo/handbook']);

    expect(await queue.removeSchedule(other)).toBe(true);
    expect(await queue.removeSchedule(other)).toBe(false);
    expect(await queue.schedules()).toEqual([]);
    expect((await queue.counts()).delayed).toBe(0);
  });

  it('rejects a schedule that is not a cron pattern, and leaves the existing one', async () => {
    await queue.upsertSchedule(repo, 'daily');
    await expect(queue.upsertSchedule(repo, 'every monday')).rejects.toBeInstanceOf(ScheduleError);
    await expect(queue.upsertSchedule(repo, '99 * * * *')).rejects.toBeInstanceOf(ScheduleError);
    expect((await queue.schedules())[0]?.pattern).toBe(cronPatternFor(repo, 'daily'));
  });

  it('hands a scheduled check to the worker with the repository it is for', async () => {
    const seen: JobSpec[] = [];
    startWorker(async (s) => {
      seen.push(s);
      return { summary: 'checked' };
    });
    await queue.upsertSchedule(repo, '* * * * * *'); // every second
    await waitFor('a scheduled check to run', () => seen.length > 0, 20_000);
    expect(seen[0]).toEqual({ kind: 'scheduled-check', installationId: 5, owner: 'Octo', repo: 'Docs' });
    await queue.removeSchedule(repo);
  });
});
