// A master of the Redis Cluster is SIGKILLed while pushes are being worked on: its replica is promoted, jobs
// in flight fail closed and retry, nothing is committed twice, no fixpoint a run relied on is lost, and after
// recovery every repository is at a fixpoint (a re-run asks the model nothing and commits nothing).
import { afterEach, describe, expect, it } from 'vitest';
import { clusterSlot } from '../../src/cache/index.js';
import { queuePrefix } from '../../src/jobs/keys.js';
import { metricValue, startStack, waitFor, type Stack } from '../server/stack.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

let stack: Stack | undefined;
let cluster: RedisCluster | undefined;
afterEach(async () => {
  try {
    await stack?.close();
  } finally {
    stack = undefined;
    await cluster?.stop();
    cluster = undefined;
  }
});

const REPOS = 8;
const text = (i: number, round: number): string =>
  `# Round ${round}\n\nTeh text of repo ${i} round ${round}.\n`;
const fixed = (i: number, round: number): string =>
  `# Round ${round}\n\nThe text of repo ${i} round ${round}.\n`;

describe('failover of a Redis Cluster master during a run of pushes', () => {
  it(
    'promotes the replica; jobs retry, nothing is committed twice, no fixpoint is lost, and the runs converge',
    { timeout: 180_000 },
    async () => {
      // AOF (appendfsync everysec) on every node, as the README recommends; 1 s node timeout for a quick failover.
      cluster = await startRedisCluster({ nodeTimeoutMs: 1000 });
      stack = await startStack({
        extraEnv: { REDIS_CLUSTER_NODES: cluster.seeds, WORKER_CONCURRENCY: '3' },
        queueBackoffMs: 300,
        // Short locks, so that a job whose completion the failover lost is found stalled within seconds.
        workerTuning: {
          jobWorker: { lockTtlMs: 3000, busyDelayMs: 200, jobLockMs: 3000, stalledIntervalMs: 1000 },
        },
      });
      const { fake, sim } = stack;
      const queue = stack.server.queue.queue;
      // The master of the job queue's slot: BullMQ's state is what a failover of it can lose.
      const victim = await cluster.masterOf(clusterSlot(queuePrefix(stack.prefix)));
      const repos = Array.from({ length: REPOS }, (_, i) => `org/docs-${i}`);
      for (const name of repos)
        // No markdown before the rounds: every markdown line the final check reads went through a push job.
        fake.createRepo(name, { files: { 'src/x.ts': 'x\n' }, installed: true });
      expect((await stack.get('/healthz')).status).toBe(200);

      const pushRound = async (round: number): Promise<void> => {
        const deliveries = repos.map((name, i) => {
          const push = fake.pushCommit(name, { files: { [`docs/r${round}.md`]: text(i, round) } });
          return stack!.deliver('push', fake.pushEvent(push));
        });
        expect((await Promise.all(deliveries)).map((d) => d.status)).toEqual(repos.map(() => 200));
      };
      const pushJobs = async () => (await queue.getJobs()).filter((j) => j.name === 'push');
      const completed = async (): Promise<number> => {
        const states = await Promise.all((await pushJobs()).map((j) => j.getState()));
        return states.filter((s) => s === 'completed').length;
      };

      // Round 1, with a slow model so that jobs are in flight; the kill comes once some have completed.
      sim.setDelay(400);
      await pushRound(1);
      await waitFor('3 push jobs to complete', async () => (await completed()) >= 3, 60_000);
      // Jobs are in flight (each waits 400 ms on the model) when the master goes.
      expect(await queue.getActiveCount()).toBeGreaterThan(0);
      // The completed jobs' cache writes were acknowledged by a replica (WAIT), as DOCS_FIX_REDIS_REPLICA_ACKS=auto
      // says. Counted now, while every master lives: all repositories share one installation, so the cache is
      // one slot, and when that slot's master is the victim its counts die with it. (Writes after the failover
      // do not wait while the shard has no replica, nor until the workers' client sees the returned one: it
      // refreshes the slot map every 2 s.)
      let waits = 0;
      for (const port of await cluster.masters()) {
        const stats = await cluster.node(port).info('commandstats');
        waits += Number(/cmdstat_wait:calls=(\d+)/.exec(stats)?.[1] ?? 0);
      }
      expect(waits).toBeGreaterThan(0);
      await cluster.kill(victim, 'SIGKILL');
      // Unhealthy while the master is gone: /healthz asks every master.
      await waitFor(
        '/healthz to report the dead master',
        async () => (await stack!.get('/healthz')).status === 503,
        20_000,
      );
      const promoted = await cluster.waitForPromotion(victim);
      expect(promoted).not.toBe(victim);
      await waitFor('/healthz to recover', async () => (await stack!.get('/healthz')).status === 200, 30_000);
      sim.setDelay(0);
      await waitFor(
        `all ${REPOS} push jobs of round 1 to complete`,
        async () => (await completed()) === REPOS,
        120_000,
      );

      // The killed node comes back (from its AOF) and rejoins as a replica; round 2 runs on the healed cluster.
      await cluster.restart(victim);
      await cluster.waitHealthy();
      await pushRound(2);
      await waitFor(
        `all ${2 * REPOS} push jobs to complete`,
        async () => (await completed()) === 2 * REPOS,
        120_000,
      );

      for (const [i, name] of repos.entries()) {
        const pulls = fake.pulls(name);
        expect(pulls, name).toHaveLength(1);
        for (const round of [1, 2]) {
          expect(fake.readFile(name, 'docs-fix/main', `docs/r${round}.md`), name).toBe(fixed(i, round));
        }
        // One bot commit per round: a job that ran again after the failover found its work done.
        const [owner, repo] = name.split('/');
        expect(
          fake.count({ method: 'POST', path: `/repos/${owner}/${repo}/git/commits` }),
          `${name}: bot commits`,
        ).toBe(2);
      }

      // Converged: a scheduled check of every repository asks the model nothing and commits nothing.
      const modelRequests = sim.requests.length;
      fake.clearLog();
      const checks: string[] = [];
      for (const name of repos) {
        const [owner, repo] = name.split('/') as [string, string];
        const { jobId } = await stack.server.queue.enqueue({
          kind: 'scheduled-check',
          installationId: fake.installationId(name),
          owner,
          repo,
        });
        checks.push(jobId);
      }
      await waitFor(
        'the scheduled checks',
        async () => {
          const states = await Promise.all(checks.map((id) => queue.getJobState(id)));
          return states.every((s) => s === 'completed');
        },
        60_000,
      );
      expect(sim.requests.length - modelRequests).toBe(0);
      expect(fake.count({ method: 'POST', route: 'POST /repos/{owner}/{repo}/git/commits' })).toBe(0);

      const metrics = await stack.get('/metrics');
      expect(metricValue(metrics.body, 'docs_fix_queue_jobs', { state: 'completed' })).toBe(3 * REPOS);
    },
  );
});
