// The README's fleet figures and the fleet sizing, generated from bench/fleet.json (bench:fleet) and the
// corpus figures of bench/results.json (bench:engine), so that every number in them was measured or is a
// stated assumption (test/bench/fleet-report.test.ts checks the README against these functions).
import type { FleetResult } from './fleet.js';

export interface FleetReport extends FleetResult {
  readonly date: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly command: string;
  /** `uptime` load averages (1, 5, 15 min) when the run started and ended: the machine is shared. */
  readonly load: { readonly before: readonly number[]; readonly after: readonly number[] };
}

/** Corpus figures from bench:engine (bench/results.json `engine`). */
export interface CorpusFigures {
  readonly files: number;
  /** Distinct prose units (each a cache entry): what a file costs in fixpoints. */
  readonly distinctUnits: number;
  readonly cold: { readonly changedLines: number };
}

/** The fleet the sizing is for, and what this machine cannot measure (stated, not measured). */
export const SIZING = {
  installations: 10_000,
  filesPerInstallation: 1_000,
  pushesPerSecond: 100,
  /** Largest memory one Redis master is given (a common managed node size); a choice, not a limit. */
  bytesPerMaster: 25 * 2 ** 30,
  /** A push job's wall time in production: GitHub API round trips and the model's latency (assumed). */
  jobSeconds: 5,
  /** Jobs one worker process runs at once in production (WORKER_CONCURRENCY; jobs mostly wait on I/O). */
  concurrencyPerWorker: 20,
} as const;

const n = (x: number, digits = 0): string =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const gb = (bytes: number): string => `${n(bytes / 2 ** 30, 1)} GiB`;

export function fleetMarkdown(r: FleetReport): string {
  const lines: string[] = [];
  lines.push(
    `Measured ${r.date.slice(0, 10)} on ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.machine.node}, with \`${r.command}\`; load average ${r.load.before.join(', ')} before and ${r.load.after.join(', ')} after (the machine is shared: figures move with it). Redis: one \`redis-server\`, and a 3-master, 3-replica cluster on loopback (every node AOF, \`appendfsync everysec\`; cache writes wait for a replica). GitHub is the fake, the model the simulator over HTTP (not a language model); figures are in \`bench/fleet.json\`.`,
    '',
    '| Redis | worker processes (× 2 jobs) | push jobs/s | fleet CPU (of all cores) | machine busy | worker CPU s per job | Redis commands per job (busiest master) | model requests / lines per job |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const run of r.runs) {
    lines.push(
      `| ${run.target === 'cluster' ? 'cluster (3 + 3)' : 'one Redis'} | ${run.processes} | ${n(run.jobsPerSecond, 2)} | ${n(run.cpuSeconds, 1)} s (${n(run.cpuShare * 100)}%) | ${n(run.machineBusyShare * 100)}% | ${n(run.workerCpuSecondsPerJob, 3)} | ${n(run.redisCommandsPerJob, 1)}${run.target === 'cluster' ? ` (${n(run.busiestMasterShare * 100)}%)` : ''} | ${n(run.modelRequestsPerJob, 2)} / ${n(run.modelLinesPerJob, 2)} |`,
    );
  }
  const l = r.lookups;
  const m = r.memory;
  lines.push(
    '',
    `| figure | measured | reference (same run) | ratio |`,
    '| --- | --- | --- | --- |',
    `| RedisStore.get through the cluster (${n(l.keys)} keys over ${l.scopes} scopes, batches of ${l.batch}) | ${n(l.storeLookupsPerSecond)} lookups/s | raw MGET, same keys, same cluster client: ${n(l.rawMgetLookupsPerSecond)}/s | ${n(l.ratio, 2)}× |`,
    `| Redis memory per entry, summed over the ${m.masters} masters (${n(m.fixpoints)} fixpoints, ${n(m.rewrites)} rewrites, 1,000 scopes) | ${n(m.bytesPerFixpoint, 1)} B per fixpoint, ${n(m.bytesPerRewrite, 1)} B per rewrite | rewrite value ${m.rewriteValueBytes} B | — |`,
  );
  return lines.join('\n');
}

/** The paper sizing of a large fleet, from the measured per-push and per-entry figures. */
export function fleetSizing(r: FleetReport, corpus: CorpusFigures): string {
  const s = SIZING;
  const files = s.installations * s.filesPerInstallation;
  const d = corpus.distinctUnits / corpus.files;
  const c = corpus.cold.changedLines / corpus.files;
  const fixpointsPerFile = d + c + 1;
  const m = r.memory;
  const perFile = fixpointsPerFile * m.bytesPerFixpoint + c * m.bytesPerRewrite;
  const data = files * perFile;
  const masters = Math.ceil(data / s.bytesPerMaster);
  const cluster = r.runs.filter((x) => x.target === 'cluster');
  const run = cluster.reduce((a, b) => (b.processes > a.processes ? b : a), cluster[0]!);
  const commands = s.pushesPerSecond * run.redisCommandsPerJob;
  const workerCores = s.pushesPerSecond * run.workerCpuSecondsPerJob;
  const inFlight = s.pushesPerSecond * s.jobSeconds;
  const workers = Math.ceil(inFlight / s.concurrencyPerWorker);
  return [
    `For ${n(s.installations)} installations × ${n(s.filesPerInstallation)} markdown files (${n(files)} files) and a storm of ${s.pushesPerSecond} pushes a second, from the figures \`npm run bench:fleet\` measured (see Performance; the cluster with ${run.processes} worker processes) and the corpus (bench:engine: ${n(corpus.files)} files, ${n(corpus.distinctUnits)} distinct prose units, ${n(corpus.cold.changedLines)} lines rewritten on the first run):`,
    '',
    `- **Redis memory.** Per file: ${n(d, 1)} distinct prose units + ${n(c, 2)} rewrite targets + 1 file-level entry = ${n(fixpointsPerFile, 1)} fixpoints × ${n(m.bytesPerFixpoint, 1)} B, and ${n(c, 2)} rewrites × ${n(m.bytesPerRewrite, 1)} B = ${n(perFile)} B. × ${n(files)} files = **${gb(data)}** on the masters, as much again on one replica each (${gb(2 * data)}), before Redis' own headroom (a fork for AOF rewrites copies pages that change meanwhile). At ${gb(s.bytesPerMaster)} per master (a choice): **${masters} masters** (+ ${masters} replicas). Scopes spread over the slots by their hash tag, so the masters fill evenly; each installation is one slot.`,
    `- **Redis commands.** ${s.pushesPerSecond} pushes/s × ${n(run.redisCommandsPerJob, 1)} commands per push job = **${n(commands)} commands/s** for the whole cluster. The job queue (BullMQ) lives in one slot, so its share stays on one master: ${n(run.busiestMasterShare * 100)}% of the commands in the measured run (${n(commands * run.busiestMasterShare)} commands/s at the storm), which one Redis core must serve (measure the nodes with \`redis-benchmark\`); the line cache spreads over all masters.`,
    `- **Workers.** CPU: ${s.pushesPerSecond} pushes/s × ${n(run.workerCpuSecondsPerJob, 4)} worker CPU s per push = **${n(workerCores, 2)} cores**. Jobs in flight (Little's law): ${s.pushesPerSecond}/s × ${s.jobSeconds} s per job in production (assumed: GitHub round trips and the model's latency, which the fakes here do not have) = ${n(inFlight)}, so with \`WORKER_CONCURRENCY=${s.concurrencyPerWorker}\` **${workers} worker processes** (spread over at least ${Math.ceil(workerCores)} cores). The per-repository lock keeps pushes to one repository in order whatever the count.`,
    `- **Model.** ${s.pushesPerSecond} pushes/s × ${n(run.modelRequestsPerJob, 2)} model requests per push (${n(run.modelLinesPerJob, 2)} lines) = **${n(s.pushesPerSecond * run.modelRequestsPerJob)} requests/s, ${n(s.pushesPerSecond * run.modelLinesPerJob)} lines/s** for pushes that each change a few lines of one file, as here; model lines are the lines of the distinct prose units a push changes (bench:scale), so a storm of larger pushes costs proportionally more, in requests of \`DOCS_FIX_BATCH_SIZE\` lines. Scheduled checks of branches at their fixpoint ask the model nothing.`,
  ].join('\n');
}
