// Worker PROCESSES sharing one Redis: each is test/jobs/worker-child.ts run by vite-node (TypeScript
// straight from src/, no build needed), so the test exercises exactly the code under review.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobQueue, type JobQueue } from '../../src/jobs/index.js';
import { repoLockKey } from '../../src/jobs/keys.js';
import { deleteKeys, pushSpec, randomPrefix, recordKeys, redisUrl, silentLog, waitFor } from './helpers.js';

const viteNode = createRequire(import.meta.url).resolve('vite-node/vite-node.mjs');
const childScript = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;
  stderr: string;
}

let prefix: string;
let redis: Redis;
let queue: JobQueue;
const children: Child[] = [];

function startChild(mode: 'record' | 'hang-first' | 'slow', env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [viteNode, childScript], {
    env: {
      ...process.env,
      ...env,
      DOCS_FIX_TEST_REDIS_URL: redisUrl(),
      CHILD_PREFIX: prefix,
      CHILD_MODE: mode,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    proc,
    stderr: '',
    ready: new Promise((resolve, reject) => {
      proc.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      proc.once('exit', (code) =>
        reject(new Error(`worker child exited (${code}) before ready: ${child.stderr}`)),
      );
    }),
    exited: new Promise((resolve) => proc.once('exit', (code) => resolve(code))),
  };
  proc.stderr!.on('data', (d: Buffer) => (child.stderr += d.toString()));
  children.push(child);
  return child;
}

const alive = (c: Child): boolean => c.proc.exitCode === null && c.proc.signalCode === null;

beforeEach(() => {
  prefix = randomPrefix();
  redis = new Redis(redisUrl());
  queue = createJobQueue({ connection: redisUrl(), prefix, log: silentLog(), backoffMs: 100 });
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (!alive(c)) continue;
    c.proc.kill('SIGKILL');
    await c.exited;
  }
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

interface Interval {
  jobId: string;
  repo: string;
  pid: number;
  start: number;
  end: number;
}

const intervals = async (): Promise<Interval[]> =>
  (await redis.lrange(recordKeys(prefix).intervals, 0, -1)).map((s) => JSON.parse(s) as Interval);

describe('three worker processes', () => {
  it('process 100 jobs over 10 repositories once each, one at a time per repository', async () => {
    const workers = [startChild('record'), startChild('record'), startChild('record')];
    await Promise.all(workers.map((w) => w.ready));

    const ids = new Set<string>();
    for (let n = 0; n < 10; n += 1) {
      for (let r = 0; r < 10; r += 1) ids.add((await queue.enqueue(pushSpec(r, n))).jobId);
    }
    expect(ids.size).toBe(100);
    await waitFor('100 jobs to complete', async () => (await queue.counts()).completed === 100, 120_000);

    const done = await intervals();
    const keys = recordKeys(prefix);
    // Each job ran exactly once.
    expect(done).toHaveLength(100);
    expect(new Set(done.map((i) => i.jobId))).toEqual(ids);
    const runs = await redis.hgetall(keys.runs);
    expect(Object.values(runs).every((n) => n === '1')).toBe(true);
    // Never two at once for one repository: no handler saw another running, and the intervals agree.
    expect(await redis.llen(keys.violations)).toBe(0);
    const byRepo = new Map<string, Interval[]>();
    for (const i of done) byRepo.set(i.repo, [...(byRepo.get(i.repo) ?? []), i]);
    expect(byRepo.size).toBe(10);
    for (const list of byRepo.values()) {
      list.sort((a, b) => a.start - b.start);
      for (let k = 1; k < list.length; k += 1)
        expect(list[k]!.start).toBeGreaterThanOrEqual(list[k - 1]!.end);
    }
    // Other repositories proceeded in parallel, and every process took part.
    const overlapsAcrossRepos = done.some((a) =>
      done.some((b) => a.repo !== b.repo && a.start < b.end && b.start < a.end),
    );
    expect(overlapsAcrossRepos).toBe(true);
    expect(new Set(done.map((i) => i.pid)).size).toBe(3);
    expect((await queue.counts()).failed).toBe(0);
  });

  it('retry a job whose worker was killed mid-job on another worker, once the dead lock lapses', async () => {
    // The repository lock outlives BullMQ's job lock (5 s), so the survivor gets the job while the dead
    // worker's repository lock still stands and must wait for it to lapse.
    const env = { CHILD_LOCK_TTL_MS: '8000' };
    const workers = [startChild('hang-first', env), startChild('hang-first', env)];
    await Promise.all(workers.map((w) => w.ready));
    const keys = recordKeys(prefix);
    const { jobId } = await queue.enqueue(pushSpec(1, 0));

    const pid = Number(await waitFor('the job to start', () => redis.hget(keys.startedBy, jobId)));
    const victim = workers.find((w) => w.proc.pid === pid);
    expect(victim).toBeDefined();
    victim!.proc.kill('SIGKILL');
    await victim!.exited;
    // The dead worker's repository lock is still there, and nobody renews it any more.
    const lockTtl = await redis.pttl(repoLockKey(prefix, pushSpec(1, 0)));
    expect(lockTtl).toBeGreaterThan(0);
    const lapsesAt = Date.now() + lockTtl;

    // BullMQ's stalled-job check hands the job to the survivor; it waits (delayed) until the dead worker's
    // repository lock expires, then runs the job to completion.
    await waitFor('the job to complete', async () => (await queue.counts()).completed === 1, 60_000);
    const done = await intervals();
    expect(done).toHaveLength(1);
    expect(done[0]!.pid).not.toBe(pid);
    expect(await redis.hget(keys.runs, jobId)).toBe('2');
    // The retry did not start while the dead worker's lock stood (its `running` mark is left over, so the
    // violations list cannot be used here).
    expect(done[0]!.start).toBeGreaterThanOrEqual(lapsesAt - 50);
  });

  it('finish the running job on SIGTERM before exiting', async () => {
    const worker = startChild('slow');
    await worker.ready;
    const keys = recordKeys(prefix);
    const { jobId } = await queue.enqueue(pushSpec(1, 0));
    await waitFor('the job to start', () => redis.hget(keys.startedBy, jobId));
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const job = await queue.queue.getJob(jobId);
    expect(await job?.getState()).toBe('completed');
    expect(await redis.hget(keys.runs, jobId)).toBe('1');
  });
});
