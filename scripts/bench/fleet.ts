// npm run bench:fleet: docs-fix as a fleet on this machine. Push jobs per second with 1, 2 and 4
// `docs-fix worker` processes on one Redis and on a 3-master, 3-replica Redis Cluster (every node AOF,
// appendfsync everysec, as the README recommends), with the CPU the whole machine spent meanwhile (workers,
// Redis, and this process's web server, fake GitHub and simulator) to tell how CPU-bound the figure is; per
// push: Redis commands, model requests and lines; cache lookups per second through the cluster against raw MGET
// to the same nodes; Redis memory per entry summed over the cluster's masters.
// Env: BENCH_FLEET_JOBS (push jobs per run, default 96), BENCH_FLEET_REPOS (default: one per push job), BENCH_LOOKUP_KEYS (100,000),
// BENCH_FLEET_MEMORY_ENTRIES (300,000), BENCH_ROUNDS (5). BENCH_REPORT_ONLY=1 only regenerates the README's
// blocks from bench/fleet.json.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { Redis, type Cluster } from 'ioredis';
import { pino } from 'pino';
import {
  RedisStore,
  lineKey,
  openRedisClient,
  redisLineKey,
  type RedisTarget,
  type StoreWrite,
} from '../../src/cache/index.js';
import { startSimServer } from '../../src/model/sim-server.js';
import { startServer } from '../../src/server.js';
import { FakeGitHub } from '../../test/support/fake-github/index.js';
import { startRedisCluster } from '../../test/support/redis-cluster.js';
import { startRedisServer } from '../../test/support/redis.js';
import { WEBHOOK_SECRET } from '../../test/server/stack.js';
import { startWorker } from '../../test/support/worker-process.js';
import { fleetMarkdown, fleetSizing, type CorpusFigures, type FleetReport } from './fleet-report.js';
import { appEnv, deliverPush, packageRoot, workerCommand } from './app-stack.js';
import { round, storeAgainstMget } from './lib.js';
import { replaceBlock } from '../readme-blocks.js';

const JOBS = Number(process.env.BENCH_FLEET_JOBS ?? 96);
// One push per repository by default: pushes to one repository wait for each other (the per-repository lock
// delays them by seconds), which would measure the lock's backoff rather than the fleet.
const REPOS = Number(process.env.BENCH_FLEET_REPOS ?? JOBS);
const LOOKUP_KEYS = Number(process.env.BENCH_LOOKUP_KEYS ?? 100_000);
const MEMORY_ENTRIES = Number(process.env.BENCH_FLEET_MEMORY_ENTRIES ?? 300_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 500;
const PROCESSES = [1, 2, 4] as const;
const CORES = cpus().length;
const CLOCK_TICKS = 100;

export interface FleetRun {
  readonly target: 'redis' | 'cluster';
  readonly processes: number;
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  /** CPU seconds of the whole fleet on this machine (workers, Redis nodes, web + fake GitHub + simulator). */
  readonly cpuSeconds: number;
  /** cpuSeconds / (seconds x cores): 1 means the fleet kept every core busy the whole run. */
  readonly cpuShare: number;
  /** How busy the machine's cores were meanwhile, with everyone's work (the machine is shared): 1 = saturated. */
  readonly machineBusyShare: number;
  readonly workerCpuSecondsPerJob: number;
  readonly redisCommandsPerJob: number;
  /** Share of those commands the busiest master ran (the job queue's slot lives on one master). */
  readonly busiestMasterShare: number;
  readonly modelRequestsPerJob: number;
  readonly modelLinesPerJob: number;
  /** Distinct markdown lines each push's files hold (what its lookups cover). */
  readonly linesPerJob: number;
}

export interface FleetResult {
  readonly cores: number;
  readonly runs: readonly FleetRun[];
  readonly lookups: {
    readonly keys: number;
    readonly scopes: number;
    readonly batch: number;
    readonly storeLookupsPerSecond: number;
    readonly rawMgetLookupsPerSecond: number;
    readonly ratio: number;
  };
  readonly memory: {
    readonly masters: number;
    readonly fixpoints: number;
    readonly bytesPerFixpoint: number;
    readonly rewrites: number;
    readonly bytesPerRewrite: number;
    readonly rewriteValueBytes: number;
  };
}

/** Busy and total CPU time of the whole machine so far (/proc/stat, every process, others' too). */
function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

interface Nodes {
  /** Clients to every node (masters and replicas). */
  readonly all: Redis[];
  masters(): Promise<Redis[]>;
}

/** Commands each node has run so far (INFO commandstats). */
async function commandCalls(nodes: readonly Redis[]): Promise<number[]> {
  return Promise.all(
    nodes.map(async (node) => {
      let sum = 0;
      for (const m of (await node.info('commandstats')).matchAll(/calls=(\d+)/g)) sum += Number(m[1]);
      return sum;
    }),
  );
}

async function nodePids(nodes: readonly Redis[]): Promise<number[]> {
  return Promise.all(nodes.map(async (n) => Number(/process_id:(\d+)/.exec(await n.info('server'))![1])));
}

async function usedMemory(nodes: readonly Redis[]): Promise<number> {
  // Let incremental rehashing finish so that no dict is counted twice.
  await new Promise((r) => setTimeout(r, 500));
  let sum = 0;
  for (const n of nodes) sum += Number(/^used_memory:(\d+)/m.exec(await n.info('memory'))![1]);
  return sum;
}

async function throughput(target: 'redis' | 'cluster', redis: RedisTarget, nodes: Nodes): Promise<FleetRun[]> {
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const prefix = `df-bench-fleet-${randomUUID().slice(0, 8)}`;
  // The contract checks (the test suite's) would spend this process's CPU beside the workers it measures.
  const fake = await FakeGitHub.start({ contract: false });
  const sim = await startSimServer({ port: 0, host: '127.0.0.1', sim: { flipRate: 0 } });
  const env = appEnv({
    fake,
    modelBaseUrl: sim.baseURL,
    redis: redis.clusterNodes
      ? { REDIS_CLUSTER_NODES: redis.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',') }
      : { REDIS_URL: redis.url },
    prefix,
  });
  const server = await startServer({ env, log: pino({ level: 'warn' }), port: 0, host: '127.0.0.1' });
  const url = `${server.url}/api/github/webhooks`;
  const workers: ChildProcess[] = [];
  let repoCounter = 0;
  const linesPerPush = 5;

  async function deliverPushes(count: number): Promise<void> {
    const repos = Math.min(REPOS, count);
    const names = Array.from({ length: repos }, () => `fleet/docs-${(repoCounter += 1)}`);
    for (const name of names) fake.createRepo(name, { files: { 'src/x.ts': 'x\n' }, installed: true });
    const bodies: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const name = names[i % repos]!;
      const n = repoCounter * 1000 + i;
      const push = fake.pushCommit(name, {
        files: {
          [`docs/page-${i}.md`]:
            `# Page ${n}\n\nThis is teh page number ${n} in order to test.\n\n` +
            `- It lists item ${n}.\n- And recieves item ${n + 1}.\n`,
        },
      });
      bodies.push(JSON.stringify(fake.pushEvent(push)));
    }
    await Promise.all(
      bodies.map(async (body) => {
        const status = await deliverPush(url, body, await sign(WEBHOOK_SECRET, body));
        if (status !== 200) throw new Error(`push delivery answered ${status}`);
      }),
    );
  }

  async function waitCompleted(target: number): Promise<void> {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const c = await server.queue.counts();
      if (c.completed >= target) return;
      if (c.failed > 0) throw new Error(`${c.failed} jobs failed during the run`);
      if (Date.now() > deadline) throw new Error('the run did not finish within 10 minutes');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const runs: FleetRun[] = [];
  try {
    const redisPids = await nodePids(nodes.all);
    for (const processes of PROCESSES) {
      const started = Array.from({ length: processes }, () =>
        startWorker(workerCommand(), { ...env, WORKER_CONCURRENCY: '2', LOG_LEVEL: 'info' }),
      );
      workers.push(...started.map((w) => w.proc));
      await Promise.all(started.map((w) => w.ready));
      // Warm-up (JIT, installation tokens, the bot login), not measured.
      let done = (await server.queue.counts()).completed;
      await deliverPushes(2 * processes);
      await waitCompleted(done + 2 * processes);
      done = (await server.queue.counts()).completed;

      const masters = await nodes.masters();
      const commandsBefore = await commandCalls(masters);
      const requestsBefore = sim.requests.length;
      const linesBefore = sim.requests.reduce((n, r) => n + (r.units ?? []).reduce((k, u) => k + u.lines.length, 0), 0);
      const workerPids = started.map((w) => w.proc.pid!);
      const cpuOf = (): { workers: number; all: number } => {
        const w = workerPids.reduce((n, pid) => n + processCpuSeconds(pid), 0);
        const r = redisPids.reduce((n, pid) => n + processCpuSeconds(pid), 0);
        const self = process.cpuUsage();
        return { workers: w, all: w + r + (self.user + self.system) / 1e6 };
      };
      const cpu0 = cpuOf();
      const machine0 = machineCpu();
      const t0 = performance.now();
      await deliverPushes(JOBS);
      await waitCompleted(done + JOBS);
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = cpuOf();
      const machine1 = machineCpu();
      // Commands the measurement itself sent (INFO) are a handful; left in.
      const perMaster = (await commandCalls(masters)).map((n, i) => n - commandsBefore[i]!);
      const commands = perMaster.reduce((a, b) => a + b, 0);
      const lines = sim.requests.reduce((n, r) => n + (r.units ?? []).reduce((k, u) => k + u.lines.length, 0), 0) - linesBefore;
      const cpuSeconds = cpu1.all - cpu0.all;
      const run: FleetRun = {
        target,
        processes,
        jobs: JOBS,
        seconds: round(seconds, 2),
        jobsPerSecond: round(JOBS / seconds, 2),
        cpuSeconds: round(cpuSeconds, 2),
        cpuShare: round(cpuSeconds / (seconds * CORES), 2),
        machineBusyShare: round((machine1.busy - machine0.busy) / (machine1.total - machine0.total), 2),
        workerCpuSecondsPerJob: round((cpu1.workers - cpu0.workers) / JOBS, 4),
        redisCommandsPerJob: round(commands / JOBS, 1),
        busiestMasterShare: round(Math.max(...perMaster) / commands, 2),
        modelRequestsPerJob: round((sim.requests.length - requestsBefore) / JOBS, 2),
        modelLinesPerJob: round(lines / JOBS, 2),
        linesPerJob: linesPerPush,
      };
      runs.push(run);
      say(
        `${target}: ${processes} worker process(es) x concurrency 2: ${JOBS} push jobs in ${run.seconds} s = ${run.jobsPerSecond} jobs/s; CPU ${run.cpuSeconds} s (${Math.round(run.cpuShare * 100)}% of ${CORES} cores; machine ${Math.round(run.machineBusyShare * 100)}% busy), workers ${run.workerCpuSecondsPerJob} CPU s/job; ${run.redisCommandsPerJob} Redis commands (${Math.round(run.busiestMasterShare * 100)}% on the busiest master), ${run.modelRequestsPerJob} model requests, ${run.modelLinesPerJob} model lines per job`,
      );
      for (const w of started) {
        const exited = new Promise((r) => w.proc.once('exit', r));
        w.proc.kill('SIGTERM');
        await exited;
      }
    }
    return runs;
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await server.close();
    await fake.close();
    await sim.close();
  }
}

const keyOf = (scope: string, text: string): string =>
  lineKey({ scope, modelId: 'bench', promptVersion: 'v1', kind: 'paragraph', text });

/** RedisStore.get through the cluster against raw MGET of the same keys through the same cluster client. */
async function lookups(redis: RedisTarget): Promise<FleetResult['lookups']> {
  const store = await new RedisStore({ redis, prefix: 'dfl' }).connect();
  const raw = openRedisClient(redis) as Cluster;
  const scopes = 100;
  try {
    const batches: string[][] = [];
    for (let s = 0; s < scopes; s++) {
      const keys = Array.from({ length: LOOKUP_KEYS / scopes }, (_, i) => keyOf(`installation:${s}`, `line ${i}`));
      await store.write(keys.map((key): StoreWrite => ({ op: 'fixpoint', key })));
      for (let i = 0; i < keys.length; i += BATCH) batches.push(keys.slice(i, i + BATCH));
    }
    const rawBatches = batches.map((b) => b.map((k) => redisLineKey(store.prefix, k)));
    // Both sides must find every key, or the comparison measures nothing.
    const found = (await store.get(batches[0]!)).filter((v) => v?.type === 'fixpoint').length;
    const rawFound = (await raw.mget(rawBatches[0]!)).filter((v) => v === '1').length;
    if (found !== BATCH || rawFound !== BATCH) throw new Error(`lookups: found ${found} and ${rawFound} of ${BATCH}`);
    const { keys, served: _served, ...rates } = await storeAgainstMget(
      batches,
      rawBatches,
      ROUNDS,
      (batch) => store.get(batch),
      (batch) => raw.mget(batch),
    );
    return { keys, scopes, batch: BATCH, ...rates };
  } finally {
    await store.close();
    raw.disconnect();
  }
}

/** used_memory summed over the masters, before and after writing entries over 1,000 scopes. */
async function memory(redis: RedisTarget, nodes: Nodes): Promise<FleetResult['memory']> {
  const text = 'The quick brown fox jumps over the lazy dog, twice.';
  const store = await new RedisStore({ redis, prefix: 'df' }).connect();
  try {
    const masters = await nodes.masters();
    const m0 = await usedMemory(masters);
    const fixpoints: StoreWrite[] = [];
    for (let i = 0; i < MEMORY_ENTRIES; i++) fixpoints.push({ op: 'fixpoint', key: keyOf(`mem:${i % 1000}`, `f ${i}`) });
    for (let i = 0; i < fixpoints.length; i += 5000) await store.write(fixpoints.slice(i, i + 5000));
    const m1 = await usedMemory(masters);
    // Rewrites: A -> B stores A's rewrite and B as a fixpoint; B's fixpoint is counted at the measured rate.
    const rewrites = Math.floor(MEMORY_ENTRIES / 2);
    const writes: StoreWrite[] = [];
    for (let i = 0; i < rewrites; i++) {
      const scope = `mem:${i % 1000}`;
      writes.push({ op: 'rewrite', key: keyOf(scope, `a ${i}`), toKey: keyOf(scope, `b ${i}`), text });
    }
    for (let i = 0; i < writes.length; i += 5000) await store.write(writes.slice(i, i + 5000));
    const m2 = await usedMemory(masters);
    const perFixpoint = (m1 - m0) / MEMORY_ENTRIES;
    return {
      masters: masters.length,
      fixpoints: MEMORY_ENTRIES,
      bytesPerFixpoint: round(perFixpoint, 1),
      rewrites,
      bytesPerRewrite: round((m2 - m1) / rewrites - perFixpoint, 1),
      rewriteValueBytes: Buffer.byteLength(text) + 1,
    };
  } finally {
    await store.close();
  }
}

export async function runFleetBench(): Promise<FleetResult> {
  const runs: FleetRun[] = [];
  // One Redis: its own server with the same persistence as the cluster's nodes.
  const single = await startRedisServer(['--appendonly', 'yes', '--appendfsync', 'everysec']);
  const singleClient = new Redis(single.url);
  try {
    const nodes: Nodes = { all: [singleClient], masters: async () => [singleClient] };
    runs.push(...(await throughput('redis', { url: single.url }, nodes)));
  } finally {
    singleClient.disconnect();
    await single.stop();
  }
  const cluster = await startRedisCluster();
  try {
    const nodes: Nodes = {
      all: cluster.nodes.map((n) => cluster.node(n.port)),
      masters: async () => (await cluster.masters()).map((p) => cluster.node(p)),
    };
    const target: RedisTarget = { clusterNodes: cluster.clusterNodes };
    runs.push(...(await throughput('cluster', target, nodes)));
    const lookup = await lookups(target);
    process.stdout.write(
      `cluster lookups: RedisStore.get ${lookup.storeLookupsPerSecond}/s against raw MGET ${lookup.rawMgetLookupsPerSecond}/s through the same cluster client (${lookup.ratio}x; ${lookup.keys} keys over ${lookup.scopes} scopes, batches of ${lookup.batch})\n`,
    );
    const mem = await memory(target, nodes);
    process.stdout.write(
      `cluster memory: ${mem.bytesPerFixpoint} B per fixpoint, value + ${round(mem.bytesPerRewrite - mem.rewriteValueBytes, 1)} B per rewrite (${mem.fixpoints} fixpoints, ${mem.rewrites} rewrites over ${mem.masters} masters; replicas hold as much again)\n`,
    );
    return { cores: CORES, runs, lookups: lookup, memory: mem };
  } finally {
    await cluster.stop();
  }
}

/** Writes the README's fleet blocks from a report and bench/results.json. */
export function writeFleetReadme(root: string, report: FleetReport): void {
  const results = JSON.parse(readFileSync(join(root, 'bench', 'results.json'), 'utf8')) as {
    engine?: CorpusFigures;
  };
  const readmePath = join(root, 'README.md');
  let readme = replaceBlock(readFileSync(readmePath, 'utf8'), 'fleet', fleetMarkdown(report));
  if (results.engine) readme = replaceBlock(readme, 'fleet-sizing', fleetSizing(report, results.engine));
  writeFileSync(readmePath, readme);
}

if (import.meta.url === `file://${process.argv[1]}` && process.env.BENCH_REPORT_ONLY) {
  // Regenerates the README's blocks from bench/fleet.json without measuring anything.
  const root = packageRoot();
  writeFleetReadme(root, JSON.parse(readFileSync(join(root, 'bench', 'fleet.json'), 'utf8')) as FleetReport);
  process.stdout.write(`regenerated the README's fleet figures and sizing from bench/fleet.json\n`);
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const before = loadavg().map((x) => round(x, 2));
  const result = await runFleetBench();
  const settings = Object.entries(process.env)
    .filter(([k, v]) => v && k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v} `)
    .join('');
  const report: FleetReport = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model.trim() ?? 'unknown', cores: CORES, node: process.version },
    command: `${settings}npm run bench:fleet`,
    load: { before, after: loadavg().map((x) => round(x, 2)) },
    ...result,
  };
  const root = packageRoot();
  writeFileSync(join(root, 'bench', 'fleet.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFleetReadme(root, report);
  process.stdout.write(`wrote bench/fleet.json and the README's fleet figures and sizing\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'fleet', ...result })}\n`);
  process.exit(0);
}
