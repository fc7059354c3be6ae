// Issue 8, Redis faults against real processes: a throwaway redis-server killed mid-run, and one that is full
// under noeviction. The whole stack runs: signed webhook → BullMQ → in-process worker → fake GitHub, with the
// simulator over HTTP as the model endpoint (slowed down so the kill lands while the job is in the engine).
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { startStack, waitFor, type Stack } from '../server/stack.js';

let stack: Stack | undefined;
let redis: RedisServer | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  await redis?.stop();
  redis = undefined;
});

const DOCS = { 'README.md': '# Demo\n\nThis is teh readme.\n', 'docs/a.md': '# A\n\nFine.\n' };
const writes = (s: Stack): number =>
  s.fake.count(
    (r) => r.method !== 'GET' && !r.route.startsWith('POST /app/') && !r.route.includes('/check-runs'),
  );

const tuning = {
  jobWorker: { jobLockMs: 4000, stalledIntervalMs: 1000, lockTtlMs: 3000, busyDelayMs: 200 },
};

describe('Redis killed mid-run', () => {
  it('fails closed (no commit, no pull request) and the job succeeds after Redis returns', async () => {
    // AOF with fsync always: the queue survives the crash, as it would on a production Redis with AOF.
    redis = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'always']);
    stack = await startStack({ redisUrl: redis.url, workerTuning: tuning, queueBackoffMs: 500 });
    const { fake, sim } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    const push = fake.pushCommit('octo/docs', {
      files: { 'docs/a.md': '# A\n\nRecieve teh message in order to continue.\n' },
    });
    sim.setDelay(2500);
    expect((await stack.deliver('push', fake.pushEvent(push))).status).toBe(200);
    await waitFor('the job to reach the model', () => sim.requests.length > 0);
    const writesBefore = writes(stack);
    await redis.kill('SIGKILL');

    // The model answers while Redis is gone: the engine cannot store or confirm, so nothing is proposed, and
    // the commit's check run says why.
    await waitFor(
      'the check run reporting the unavailable cache',
      () =>
        fake
          .checkRuns('octo/docs')
          .find((c) => /line cache is unavailable/.test(String((c['output'] as { title?: string }).title))),
      45_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(writes(stack)).toBe(writesBefore);
    expect(fake.pulls('octo/docs')).toHaveLength(0);
    expect(fake.branchSha('octo/docs', 'docs-fix/main')).toBeUndefined();
    expect(fake.count({ route: 'POST /repos/{owner}/{repo}/git/commits' })).toBe(0);

    sim.setDelay(0);
    await redis.restart();
    await waitFor(
      'the bot pull request after Redis returned',
      () => fake.pulls('octo/docs').length === 1,
      90_000,
    );
    expect(fake.readFile('octo/docs', 'docs-fix/main', 'docs/a.md')).toBe(
      '# A\n\nReceive the message to continue.\n',
    );
    expect(fake.count({ route: 'POST /repos/{owner}/{repo}/pulls' })).toBe(1);
    await waitFor('the job to complete', async () => {
      const jobs = (await stack!.server.queue.queue.getJobs(['completed'])).filter((j) => j.name === 'push');
      return jobs.length === 1;
    });
  });
});

describe('Redis full under noeviction', () => {
  it('reports CacheFullError on the check run and writes nothing to GitHub', async () => {
    redis = await startRedisServer(['--maxmemory-policy', 'noeviction']);
    stack = await startStack({ redisUrl: redis.url, workerTuning: tuning, queueBackoffMs: 500 });
    const { fake, sim } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    const many = Array.from(
      { length: 300 },
      (_, i) => `Line ${i} says teh thing in order to be long enough.`,
    );
    const push = fake.pushCommit('octo/docs', { files: { 'docs/a.md': `# A\n\n${many.join('\n\n')}\n` } });
    sim.setDelay(1500);
    const admin = new Redis(redis.url);
    try {
      expect((await stack.deliver('push', fake.pushEvent(push))).status).toBe(200);
      await waitFor('the job to reach the model', () => sim.requests.length > 0);
      // Redis fills up while the model thinks: no room left for the cache's writes.
      const used = /used_memory:(\d+)/.exec(await admin.info('memory'))![1]!;
      await admin.config('SET', 'maxmemory', used);
      const report = await waitFor('a check run saying the cache is full', () =>
        fake
          .checkRuns('octo/docs')
          .find((c) => /line cache is full/.test(String((c['output'] as { title?: string }).title))),
      );
      const output = report['output'] as { summary: string };
      expect(output.summary).toContain('line cache full');
      expect(output.summary).toContain('maxmemory-policy volatile-lru');
      expect(report['conclusion']).toBe('failure');
      expect(fake.pulls('octo/docs')).toHaveLength(0);
      expect(fake.count({ route: 'POST /repos/{owner}/{repo}/git/commits' })).toBe(0);
      expect(fake.branchSha('octo/docs', 'docs-fix/main')).toBeUndefined();
    } finally {
      await admin.config('SET', 'maxmemory', '0').catch(() => undefined);
      admin.disconnect();
    }
  });
});
