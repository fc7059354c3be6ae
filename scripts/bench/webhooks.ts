// npm run bench:webhooks: webhook acknowledgement latency under a burst, and job throughput with 1, 2 and 3
// worker processes. Everything runs on loopback: a real Redis (the one on $REDIS_URL / 127.0.0.1:6379 when it
// answers, else a throwaway redis-server), the fake GitHub and the simulator over HTTP, and the web server
// (startServer, WORKER_CONCURRENCY=0) in this process; the workers are `docs-fix worker` processes.
// Env: BENCH_WEBHOOKS (burst size, default 200, at most 1000), BENCH_WEBHOOK_CONCURRENCY (deliveries in
// flight, default 16), BENCH_JOBS (jobs per worker configuration, default 60).
// The fake GitHub stands in for api.github.com, so Probot's client-side write throttling (about one write a
// second per process) is turned off in the workers (DOCS_FIX_GITHUB_THROTTLE=off): the figures measure
// docs-fix, the queue and Redis, not a deliberate delay. The last line is JSON.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { keyPatterns } from '../../src/jobs/keys.js';
import { startSimServer } from '../../src/model/sim-server.js';
import { startServer } from '../../src/server.js';
import { FakeGitHub } from '../../test/support/fake-github/index.js';
import { startRedisServer, unlinkMatching, type RedisServer } from '../../test/support/redis.js';
import { WEBHOOK_SECRET } from '../../test/server/stack.js';
import { startWorker } from '../../test/support/worker-process.js';
import { appEnv, deliverPush, workerCommand } from './app-stack.js';

export interface WebhooksBenchResult {
  readonly burst: {
    readonly deliveries: number;
    readonly concurrency: number;
    readonly ackP50Ms: number;
    readonly ackP99Ms: number;
    readonly ackMaxMs: number;
    readonly deliveriesPerSecond: number;
    readonly enqueued: number;
    readonly non200: number;
  };
  readonly workers: { readonly processes: number; readonly jobs: number; readonly seconds: number; readonly jobsPerSecond: number }[];
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

async function redisForBench(): Promise<{ url: string; own?: RedisServer }> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return { url };
  } catch {
    const own = await startRedisServer();
    return { url: own.url, own };
  } finally {
    probe.disconnect();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function runWebhooksBench(
  options: { deliveries?: number; concurrency?: number; jobs?: number; log?: (line: string) => void } = {},
): Promise<WebhooksBenchResult> {
  const say = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const deliveries = Math.min(1000, options.deliveries ?? Number(process.env.BENCH_WEBHOOKS ?? 200));
  const concurrency = options.concurrency ?? Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 16);
  const jobs = options.jobs ?? Number(process.env.BENCH_JOBS ?? 60);
  const redis = await redisForBench();
  const prefix = `df-bench-webhooks-${randomUUID().slice(0, 8)}`;
  // The contract checks (the test suite's) would spend this process's CPU beside the server it measures.
  const fake = await FakeGitHub.start({ contract: false });
  const sim = await startSimServer({ port: 0, host: '127.0.0.1', sim: { flipRate: 0 } });
  const env = appEnv({ fake, modelBaseUrl: sim.baseURL, redis: { REDIS_URL: redis.url }, prefix });
  const server = await startServer({ env, log: pino({ level: 'warn' }), port: 0, host: '127.0.0.1' });
  const url = `${server.url}/api/github/webhooks`;
  const workers: ChildProcess[] = [];

  /** Signed push deliveries for `count` new commits spread over `repos` new repositories. */
  let repoCounter = 0;
  async function pushDeliveries(count: number, repos: number): Promise<{ body: string; signature: string }[]> {
    const names = Array.from({ length: repos }, () => `bench/docs-${(repoCounter += 1)}`);
    for (const name of names) {
      fake.createRepo(name, { files: { 'README.md': '# Bench\n', 'docs/a.md': '# A\n\nFine.\n' }, installed: true });
    }
    const out: { body: string; signature: string }[] = [];
    for (let i = 0; i < count; i += 1) {
      const name = names[i % repos]!;
      const push = fake.pushCommit(name, {
        files: { [`docs/page-${i}.md`]: `# Page ${i}\n\nThis is teh page number ${i} in order to test.\n` },
      });
      const body = JSON.stringify(fake.pushEvent(push));
      out.push({ body, signature: await sign(WEBHOOK_SECRET, body) });
    }
    return out;
  }

  async function deliver(d: { body: string; signature: string }): Promise<{ ms: number; status: number }> {
    const started = performance.now();
    const status = await deliverPush(url, d.body, d.signature);
    return { ms: performance.now() - started, status };
  }

  async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
          const i = next++;
          results[i] = await fn(items[i]!);
        }
      }),
    );
    return results;
  }

  try {
    // Warm-up (JIT, the app's one-time bot login lookup); not measured.
    await inParallel(await pushDeliveries(10, 2), 4, deliver);
    const burstInput = await pushDeliveries(deliveries, 10);
    const before = (await server.queue.counts()).waiting;
    const t0 = performance.now();
    const acks = await inParallel(burstInput, concurrency, deliver);
    const burstSeconds = (performance.now() - t0) / 1000;
    const enqueued = (await server.queue.counts()).waiting - before;
    const sorted = acks.map((a) => a.ms).sort((a, b) => a - b);
    const burst = {
      deliveries,
      concurrency,
      ackP50Ms: round(quantile(sorted, 0.5)),
      ackP99Ms: round(quantile(sorted, 0.99)),
      ackMaxMs: round(sorted.at(-1)!),
      deliveriesPerSecond: round(deliveries / burstSeconds, 1),
      enqueued,
      non200: acks.filter((a) => a.status !== 200).length,
    };
    say(
      `burst: ${deliveries} signed push deliveries, ${concurrency} in flight: ack p50 ${burst.ackP50Ms} ms, p99 ${burst.ackP99Ms} ms, max ${burst.ackMaxMs} ms (${burst.deliveriesPerSecond}/s); ${enqueued} jobs enqueued, ${burst.non200} not 200`,
    );
    // The burst's jobs are not part of the throughput runs.
    await server.queue.queue.obliterate({ force: true });

    const command = workerCommand();
    const throughput: WebhooksBenchResult['workers'] = [];
    for (const processes of [1, 2, 3]) {
      const started = Array.from({ length: processes }, () =>
        // info: the worker says when it is ready ("docs-fix workers started").
        startWorker(command, { ...env, WORKER_CONCURRENCY: '2', LOG_LEVEL: 'info' }),
      );
      workers.push(...started.map((w) => w.proc));
      await withDeadline(Promise.all(started.map((w) => w.ready)), 120_000, 'worker processes to start');
      const batch = await pushDeliveries(jobs, 10);
      const completedBefore = (await server.queue.counts()).completed;
      const t1 = performance.now();
      await inParallel(batch, 8, deliver);
      const deadline = Date.now() + 600_000;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`the throughput run did not finish within 10 minutes`);
        const c = await server.queue.counts();
        if (c.completed - completedBefore >= jobs) break;
        if (c.failed > 0) throw new Error(`a job failed during the throughput run: ${c.failed} failed`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const seconds = (performance.now() - t1) / 1000;
      throughput.push({ processes, jobs, seconds: round(seconds), jobsPerSecond: round(jobs / seconds) });
      say(
        `workers: ${processes} process(es) x concurrency 2: ${jobs} push jobs (10 repositories) in ${round(seconds)} s = ${round(jobs / seconds)} jobs/s`,
      );
      for (const w of started) {
        const exited = new Promise((r) => w.proc.once('exit', r));
        w.proc.kill('SIGTERM');
        await exited;
      }
    }
    return { burst, workers: throughput };
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await server.close();
    await fake.close();
    await sim.close();
    const cleanup = new Redis(redis.url);
    for (const pattern of keyPatterns(prefix)) await unlinkMatching(cleanup, pattern).catch(() => 0);
    cleanup.disconnect();
    await redis.own?.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runWebhooksBench();
  process.stdout.write(`${JSON.stringify({ bench: 'webhooks', ...result })}\n`);
  process.exit(0);
}
