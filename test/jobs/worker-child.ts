// A worker process for the multi-process tests, run with vite-node (TypeScript, no build needed):
//   node node_modules/vite-node/vite-node.mjs test/jobs/worker-child.ts
// Environment: DOCS_FIX_TEST_REDIS_URL, CHILD_PREFIX, CHILD_MODE (record | hang-first | slow), CHILD_CONCURRENCY,
// CHILD_LOCK_TTL_MS.
// It records what its handler does under `<prefix>:test:*` (see recordKeys in helpers.ts) for the test to check.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createJobWorker, installShutdown, type JobHandler } from '../../src/jobs/index.js';
import { recordKeys } from './helpers.js';

const url = process.env.DOCS_FIX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.CHILD_PREFIX;
if (!prefix) throw new Error('CHILD_PREFIX is required');
const mode = process.env.CHILD_MODE ?? 'record';
const keys = recordKeys(prefix);
const log = pino({ level: process.env.DOCS_FIX_TEST_LOG ?? 'warn' }, pino.destination(2));
const redis = new Redis(url);

const handler: JobHandler = async (spec, ctx) => {
  const repo = `${spec.owner}/${spec.repo}`;
  const start = Date.now();
  const run = await redis.hincrby(keys.runs, ctx.jobId, 1);
  await redis.hset(keys.startedBy, ctx.jobId, String(process.pid));
  if ((await redis.hincrby(keys.running, repo, 1)) > 1) await redis.rpush(keys.violations, repo);
  try {
    if (mode === 'hang-first' && run === 1) {
      // Never finishes on its own: the test kills this process.
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    } else if (mode === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, 2500)); // deliberately ignores the signal
    } else {
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
    }
  } finally {
    await redis.hincrby(keys.running, repo, -1);
  }
  await redis.rpush(
    keys.intervals,
    JSON.stringify({ jobId: ctx.jobId, repo, pid: process.pid, start, end: Date.now() }),
  );
  return { summary: `${mode} ${repo}` };
};

const jobWorker = createJobWorker({
  connection: url,
  prefix,
  concurrency: Number(process.env.CHILD_CONCURRENCY ?? 2),
  handler,
  log,
  lockTtlMs: Number(process.env.CHILD_LOCK_TTL_MS ?? 3000),
  busyDelayMs: 100,
  jobLockMs: 5000,
  stalledIntervalMs: 1000,
  shutdownGraceMs: 30_000,
});
installShutdown([jobWorker, { close: async () => void (await redis.quit()) }], log);
await jobWorker.worker.waitUntilReady();
process.stdout.write('ready\n');
