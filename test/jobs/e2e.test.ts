// Issue 7 end to end through BullMQ with the fake GitHub: the web server enqueues, `docs-fix worker`
// PROCESSES (src/cli.ts run by vite-node, exactly the code under review) do the work; and the per-repository
// scheduler follows installation events and the repository config.
import type { ChildProcess } from 'node:child_process';
import { startWorker } from '../support/worker-process.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { openStore } from '../../src/cache/index.js';
import { schedulerIdFor } from '../../src/jobs/index.js';
import { openRedis } from '../../src/jobs/connection.js';
import { aggregateShadowRun, createShadowReportStore, startShadowRun } from '../../src/jobs/shadow.js';
import { endOfLifePassed } from '../../src/runtime.js';
import { startStack, waitFor, type Stack } from '../server/stack.js';
import { runCli } from '../support/cli.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const viteNode = createRequire(import.meta.url).resolve('vite-node/vite-node.mjs');
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

let stack: Stack | undefined;
const children: ChildProcess[] = [];
// A 3-master, 3-replica cluster for the cluster variant, started when first needed.
let cluster: Promise<RedisCluster> | undefined;
const clusterOnce = (): Promise<RedisCluster> => (cluster ??= startRedisCluster());
afterAll(async () => {
  await (await cluster)?.stop();
});
/** The environment that points the stack and its workers at the target (the cluster: REDIS_CLUSTER_NODES). */
async function redisEnv(target: 'redis' | 'redis cluster'): Promise<Record<string, string>> {
  return target === 'redis cluster' ? { REDIS_CLUSTER_NODES: (await clusterOnce()).seeds } : {};
}
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
  await stack?.close();
  stack = undefined;
});

function startWorkerProcess(env: Record<string, string>): { proc: ChildProcess; ready: Promise<string> } {
  const worker = startWorker([viteNode, cli, 'worker', '--concurrency', '2'], {
    ...process.env,
    ...env,
    LOG_LEVEL: 'info',
    DOCS_FIX_GITHUB_THROTTLE: 'off',
  });
  children.push(worker.proc);
  return worker;
}

describe('docs-fix worker processes', () => {
  it.each(['redis', 'redis cluster'] as const)(
    'a worker process with DOCS_FIX_SHADOW_* set runs shadow jobs on %s: report in Redis, GitHub and live cache untouched',
    async (target) => {
      stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0', ...(await redisEnv(target)) } });
      const { fake } = stack;
      const name = 'octo/shadowed';
      fake.createRepo(name, {
        files: { 'docs/a.md': '# A\n\nYou do not need a plugin. It is not hard.\n' },
        installed: true,
      });
      const worker = startWorkerProcess({
        ...stack.env,
        // The live model is the simulator served over HTTP; the candidate is the in-process one with a rule more.
        DOCS_FIX_SHADOW_PROVIDER: 'sim',
        DOCS_FIX_SHADOW_SIM_RULES: 'spelling,wordy,doubled,contractions',
        DOCS_FIX_SHADOW_SIM_FLIP_RATE: '0',
      });
      const started = await worker.ready;
      // On a Node line past its end of life the worker says so once, at start; on a supported line it does not.
      const eol = endOfLifePassed(process.versions.node, new Date());
      expect(started.includes('end of life')).toBe(eol !== undefined);
      if (eol)
        expect(started).toContain(`Node.js ${process.versions.node} reached its end of life on ${eol}`);
      const redis = openRedis(
        target === 'redis cluster'
          ? { clusterNodes: (await clusterOnce()).clusterNodes }
          : stack.env.REDIS_URL!,
        'queue',
      );
      try {
        const reports = createShadowReportStore(redis, stack.env.DOCS_FIX_REDIS_PREFIX!);
        const [owner, repo] = name.split('/') as [string, string];
        const ref = { installationId: fake.installationId(name), owner, repo };
        // The live configuration settles the branch first: its lines become live fixpoints (nothing to fix).
        await stack.server.queue.enqueue({ kind: 'scheduled-check', ...ref });
        await waitFor(
          'the scheduled check',
          async () => fake.checkRuns(name).some((c) => c.status === 'completed'),
          20_000,
        );
        fake.clearLog();
        await startShadowRun({ queue: stack.server.queue, reports, runId: 'e2e', repositories: [ref] });
        await waitFor('the shadow report', async () => (await reports.records('e2e')).length === 1, 20_000);
        const aggregate = aggregateShadowRun('e2e', await reports.run('e2e'), await reports.records('e2e'));
        expect(aggregate.pending).toEqual([]);
        // The candidate contracts "do not" and "is not" on one of the two lines the live configuration holds as correct.
        expect(aggregate.report?.counts).toMatchObject({ waveUnits: 1, waveFiles: 1, currentFixpoints: 2 });
        expect(fake.count((r) => r.method !== 'GET' && !r.route.includes('/app/'))).toBe(0);
        expect(fake.pulls(name)).toEqual([]);
        // The operator's report command reads the same reports, from the same Redis (or cluster).
        const report = await runCli(['shadow-app', 'report', 'e2e', '--json'], {
          env: { ...stack.env, ...(await redisEnv(target)) },
        });
        expect(report.code, report.stderr).toBe(0);
        expect(JSON.parse(report.stdout)).toMatchObject({
          runId: 'e2e',
          report: { counts: { waveUnits: 1 } },
        });
      } finally {
        await redis.quit();
      }
    },
  );

  it.each(['redis', 'redis cluster'] as const)(
    'three processes handle pushes over 10 repositories on %s: each job once, one bot pull request per repository',
    async (target) => {
      stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0', ...(await redisEnv(target)) } });
      const { fake } = stack;
      const workers = [0, 1, 2].map(() => startWorkerProcess(stack!.env));
      await Promise.all(workers.map((w) => w.ready));

      const repos = Array.from({ length: 10 }, (_, i) => `org${i % 2}/docs-${i}`);
      for (const name of repos)
        fake.createRepo(name, { files: { 'README.md': '# Docs\n' }, installed: true });
      const deliveries: Promise<{ status: number }>[] = [];
      for (let round = 0; round < 3; round += 1) {
        for (const [i, name] of repos.entries()) {
          const push = fake.pushCommit(name, {
            files: { [`docs/r${round}.md`]: `# Round ${round}\n\nTeh text of repo ${i} round ${round}.\n` },
          });
          const payload = fake.pushEvent(push);
          deliveries.push(stack.deliver('push', payload));
          // Every fifth push is delivered twice (a redelivery with a new delivery id).
          if ((round * 10 + i) % 5 === 0) deliveries.push(stack.deliver('push', payload));
        }
      }
      expect((await Promise.all(deliveries)).every((d) => d.status === 200)).toBe(true);

      const pushJobs = async () =>
        (await stack!.server.queue.queue.getJobs()).filter((j) => j.name === 'push');
      await waitFor(
        '30 push jobs to complete',
        async () => {
          const jobs = await pushJobs();
          const states = await Promise.all(jobs.map((j) => j.getState()));
          return jobs.length === 30 && states.every((s) => s === 'completed');
        },
        150_000,
      );
      const jobs = await pushJobs();
      expect(jobs).toHaveLength(30);
      expect(jobs.every((j) => j.attemptsMade === 1)).toBe(true);
      for (const [i, name] of repos.entries()) {
        const pulls = fake.pulls(name);
        expect(pulls, name).toHaveLength(1);
        expect(pulls[0]!['state']).toBe('open');
        // The bot branch holds the fixes of all three rounds (later runs kept what the open PR held).
        for (let round = 0; round < 3; round += 1) {
          expect(fake.readFile(name, 'docs-fix/main', `docs/r${round}.md`)).toBe(
            `# Round ${round}\n\nThe text of repo ${i} round ${round}.\n`,
          );
        }
      }
      expect(fake.count({ route: 'POST /repos/{owner}/{repo}/pulls' })).toBe(10);
      // Work was spread over the processes: each fetched installation tokens of its own.
      expect(
        fake.count({ route: 'POST /app/installations/{installation_id}/access_tokens' }),
      ).toBeGreaterThanOrEqual(3);
      // Everything lived where the operator said: on the cluster, nothing on the single Redis of REDIS_URL.
      const prefix = stack.env.DOCS_FIX_REDIS_PREFIX!;
      const single = new Redis(stack.env.REDIS_URL!);
      try {
        const onSingle =
          (await single.keys(`${prefix}:*`)).length + (await single.keys(`{${prefix}}:*`)).length;
        if (target === 'redis cluster') {
          expect(onSingle).toBe(0);
          const store = await openStore({
            kind: 'redis',
            redisTarget: { clusterNodes: (await clusterOnce()).clusterNodes },
            prefix,
          });
          expect((await store.stats()).fixpoints).toBeGreaterThan(0);
          await store.close();
        } else {
          expect(onSingle).toBeGreaterThan(0);
        }
      } finally {
        single.disconnect();
      }
    },
  );
});

describe('schedules', () => {
  it.each(['redis', 'redis cluster'] as const)(
    'are created, changed and removed on %s with installation events and config changes',
    async (target) => {
      stack = await startStack({ extraEnv: await redisEnv(target) });
      const { fake } = stack;
      const queue = stack.server.queue;
      fake.createRepo('octo/docs', { files: { 'README.md': '# Docs\n' }, installed: true });
      fake.createRepo('octo/other', { files: { 'README.md': '# Other\n' }, installed: true });
      const installation = { id: fake.installationId('octo/docs'), account: { login: 'octo', type: 'User' } };
      const sender = { login: 'octo', type: 'User' };
      const patternOf = async (name: string) =>
        (await queue.schedules()).find((s) => s.schedulerId === schedulerIdFor({ owner: 'octo', repo: name }))
          ?.pattern;

      expect(
        (
          await stack.deliver('installation', {
            action: 'created',
            installation,
            repositories: [{ full_name: 'octo/docs' }, { full_name: 'octo/other' }],
            sender,
          })
        ).status,
      ).toBe(200);
      const weekly = await patternOf('docs');
      expect(weekly).toMatch(/^\d+ \d+ \* \* \d$/);
      expect(await patternOf('other')).toMatch(/^\d+ \d+ \* \* \d$/);

      // A push that changes the config's schedule updates the repository's scheduler.
      const daily = fake.pushCommit('octo/docs', {
        files: { '.github/docs-fix.yml': 'schedule: daily\n', 'docs/a.md': '# A\n\nTeh a.\n' },
      });
      await stack.deliver('push', fake.pushEvent(daily));
      await waitFor('the daily schedule', async () =>
        /^\d+ \d+ \* \* \*$/.test((await patternOf('docs')) ?? ''),
      );
      const cron = fake.pushCommit('octo/docs', {
        files: { '.github/docs-fix.yml': "schedule: '0 6 * * 1'\n" },
      });
      await stack.deliver('push', fake.pushEvent(cron));
      await waitFor('the cron schedule', async () => (await patternOf('docs')) === '0 6 * * 1');
      const off = fake.pushCommit('octo/docs', { files: { '.github/docs-fix.yml': 'schedule: off\n' } });
      await stack.deliver('push', fake.pushEvent(off));
      await waitFor('the schedule to be removed', async () => (await patternOf('docs')) === undefined);
      expect(await patternOf('other')).toBeDefined();

      // Repository removed from the installation, then the app uninstalled.
      await stack.deliver('installation_repositories', {
        action: 'removed',
        installation,
        repository_selection: 'selected',
        repositories_added: [],
        repositories_removed: [{ full_name: 'octo/other' }],
        sender,
      });
      expect(await patternOf('other')).toBeUndefined();
      await stack.deliver('installation_repositories', {
        action: 'added',
        installation,
        repository_selection: 'selected',
        repositories_added: [{ full_name: 'octo/other' }],
        repositories_removed: [],
        sender,
      });
      expect(await patternOf('other')).toBeDefined();
      await stack.deliver('installation', {
        action: 'deleted',
        installation,
        repositories: [{ full_name: 'octo/docs' }, { full_name: 'octo/other' }],
        sender,
      });
      expect(await queue.schedules()).toEqual([]);
    },
  );
});
