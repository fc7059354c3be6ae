// A real Redis Cluster for tests and benchmarks: `redis-server --cluster-enabled yes` processes on free
// loopback ports in temporary directories, joined with `redis-cli --cluster create ... --cluster-replicas`,
// and torn down whatever happens (a failed start, a failed test, a runner that exits). No test framework
// imports, so scripts can use it too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis.js';

export interface ClusterNode {
  readonly port: number;
  /** The cluster bus port (`cluster-port`), chosen free as well rather than port + 10000. */
  readonly busPort: number;
  readonly dir: string;
  /** Whether its process is running. */
  readonly alive: boolean;
}

export interface RedisCluster {
  /** Every node, masters and replicas as created (roles change on failover). */
  readonly nodes: readonly ClusterNode[];
  /** `127.0.0.1:p1,127.0.0.1:p2,...`: the value of `REDIS_CLUSTER_NODES` / `--redis-cluster-nodes`. */
  readonly seeds: string;
  /** The seed nodes as a RedisTarget's `clusterNodes`. */
  readonly clusterNodes: readonly { host: string; port: number }[];
  /** Ports of the live masters that serve slots, from a live node's `CLUSTER NODES`. */
  masters(): Promise<number[]>;
  /** The port of the master serving a hash slot. */
  masterOf(slot: number): Promise<number>;
  /** The port of the replica of a master. */
  replicaOf(masterPort: number): Promise<number>;
  /** Sends a signal to a node and waits for its process to exit (`SIGKILL` is a crash). */
  kill(port: number, signal?: NodeJS.Signals): Promise<void>;
  /** Stops (`SIGSTOP`) or resumes (`SIGCONT`) a node without ending it. */
  pause(port: number): void;
  resume(port: number): void;
  /** Starts a killed node again with its directory (its nodes.conf and AOF); it rejoins the cluster. */
  restart(port: number): Promise<void>;
  /**
   * Polls until the dead master's slots are served by another master (its replica, promoted) and every
   * live node reports `cluster_state:ok`; answers the new master's port.
   */
  waitForPromotion(deadPort: number, timeoutMs?: number): Promise<number>;
  /** Polls until every live node reports `cluster_state:ok` and every master's replicas are in sync. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** A raw client to one node (closed by `stop()`). */
  node(port: number): Redis;
  /** Kills every node and removes their directories; safe to call twice. */
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /** How long a node may be unreachable before it is failed over (`cluster-node-timeout`; default 1000). */
  readonly nodeTimeoutMs?: number;
  /** Extra `redis-server` arguments for every node (later ones win). */
  readonly extraArgs?: readonly string[];
  /**
   * TLS only (clients, replication and the cluster bus), with these PEM files; the nodes' certificate must
   * be valid for 127.0.0.1. Clients need no certificate of their own.
   */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** `requirepass` (and `masterauth`) on every node. */
  readonly password?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Every node process started by this module, killed if this process ends without `stop()`: on exit, and on
 * SIGTERM/SIGINT (a test runner ending a worker), after which the signal is raised again as if unhandled.
 */
const everyChild = new Set<ChildProcess>();
/** Their directories, removed (best effort) with them. */
const everyDir = new Set<string>();
let exitHookInstalled = false;
function killEveryChild(): void {
  for (const c of everyChild) c.kill('SIGKILL');
  for (const dir of everyDir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
function onSignal(signal: NodeJS.Signals): void {
  killEveryChild();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  // Nobody else listening: end as the default handler would.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
function trackChild(child: ChildProcess): void {
  everyChild.add(child);
  child.once('exit', () => everyChild.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killEveryChild);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/** Whether `redis-server` and `redis-cli` (Debian: redis-server, which depends on redis-tools) are here. */
export function redisClusterAvailable(): boolean {
  return !spawnSync('redis-server', ['--version']).error && !spawnSync('redis-cli', ['--version']).error;
}

interface NodeLine {
  readonly id: string;
  readonly port: number;
  readonly flags: readonly string[];
  readonly masterId: string;
  readonly slots: readonly [number, number][];
}

function parseClusterNodes(text: string): NodeLine[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.trim().split(' ');
      const port = Number(/:(\d+)@/.exec(address!)?.[1]);
      return {
        id: id!,
        port,
        flags: flags!.split(','),
        masterId: masterId!,
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [a, b] = s.split('-').map(Number);
            return [a!, b ?? a!] as [number, number];
          }),
      };
    });
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const count = masters * (1 + replicas);
  const nodeTimeout = options.nodeTimeoutMs ?? 1000;
  const tls = options.tls;
  // How this module's own clients (probes, topology, test access) reach a node.
  const clientOptions = {
    ...(tls ? { tls: { ca: readFileSync(tls.caFile) } } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  };
  const cliAuth = [
    ...(tls ? ['--tls', '--cacert', tls.caFile] : []),
    ...(options.password !== undefined ? ['-a', options.password, '--no-auth-warning'] : []),
  ];
  const state = new Map<
    number,
    { busPort: number; dir: string; args: string[]; child?: ChildProcess; output: string }
  >();
  const clients = new Map<number, Redis>();
  let stopped = false;

  const launch = async (port: number): Promise<void> => {
    const s = state.get(port)!;
    s.output = '';
    const child = spawn('redis-server', s.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    s.child = child;
    const keep = (d: Buffer): void => void (s.output = (s.output + d.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server :${port} exited: ${s.output}`);
      const probe = new Redis({
        ...clientOptions,
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      const up = await probe
        .connect()
        .then(() => probe.ping())
        .then(
          () => true,
          () => false,
        );
      probe.disconnect();
      if (up) return;
      if (Date.now() > deadline)
        throw new Error(`redis-server :${port} did not answer within 10 s: ${s.output}`);
      await sleep(25);
    }
  };

  const node = (port: number): Redis => {
    let client = clients.get(port);
    if (!client) {
      client = new Redis({
        ...clientOptions,
        port,
        host: '127.0.0.1',
        maxRetriesPerRequest: 1,
        retryStrategy: () => 200,
      });
      client.on('error', () => undefined);
      clients.set(port, client);
    }
    return client;
  };

  const alive = (port: number): boolean => {
    const child = state.get(port)?.child;
    return !!child && child.exitCode === null && child.signalCode === null;
  };

  const topology = async (): Promise<NodeLine[]> => {
    let last: unknown;
    for (const port of state.keys()) {
      if (!alive(port)) continue;
      try {
        return parseClusterNodes((await node(port).cluster('NODES')) as string);
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`no live node answers CLUSTER NODES: ${String(last)}`);
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const client of clients.values()) client.disconnect();
    await Promise.all(
      [...state.values()].map(async (s) => {
        const child = s.child;
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        }
        rmSync(s.dir, { recursive: true, force: true });
        everyDir.delete(s.dir);
      }),
    );
  };

  try {
    const used = new Set<number>();
    const pick = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (!used.has(port)) {
          used.add(port);
          return port;
        }
      }
    };
    for (let i = 0; i < count; i++) {
      const port = await pick();
      const busPort = await pick();
      const dir = mkdtempSync(join(tmpdir(), 'docs-fix-cluster-'));
      everyDir.add(dir);
      const args = [
        ...(tls
          ? [
              '--port',
              '0',
              '--tls-port',
              String(port),
              '--tls-cluster',
              'yes',
              '--tls-replication',
              'yes',
              '--tls-auth-clients',
              'no',
              '--tls-cert-file',
              tls.certFile,
              '--tls-key-file',
              tls.keyFile,
              '--tls-ca-cert-file',
              tls.caFile,
            ]
          : ['--port', String(port)]),
        ...(options.password !== undefined
          ? ['--requirepass', options.password, '--masterauth', options.password]
          : []),
        '--cluster-port',
        String(busPort),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeout),
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--repl-ping-replica-period',
        '1',
        // Redis 7 waits 5 s before a diskless full sync, to batch replicas; one replica per master needs no wait.
        '--repl-diskless-sync-delay',
        '0',
        ...(options.extraArgs ?? []),
      ];
      state.set(port, { busPort, dir, args, output: '' });
    }
    await Promise.all([...state.keys()].map(launch));
    const create = spawnSync(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...[...state.keys()].map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
        ...cliAuth,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (create.status !== 0 || !/All 16384 slots covered/.test(create.stdout)) {
      throw new Error(
        `redis-cli --cluster create failed (${create.status}): ${create.stdout}\n${create.stderr}`,
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }

  const waitHealthy = async (timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let why = '';
    for (;;) {
      why = await (async () => {
        const live = [...state.keys()].filter(alive);
        for (const port of live) {
          const info = (await node(port).cluster('INFO')) as string;
          if (!/cluster_state:ok/.test(info)) return `:${port} not ok`;
        }
        // Every live node must see the same picture (gossip takes a moment): `masters` masters with slots, and
        // every other live node as a replica, none of them failing or in handshake.
        const replicasLive = live.length - masters;
        for (const port of live) {
          const seen = parseClusterNodes((await node(port).cluster('NODES')) as string).filter((n) =>
            alive(n.port),
          );
          if (seen.some((n) => n.flags.some((f) => /fail|handshake|noaddr/.test(f))))
            return `:${port} sees a failing node`;
          if (seen.filter((n) => n.flags.includes('master') && n.slots.length > 0).length !== masters)
            return `:${port} does not see ${masters} masters`;
          if (seen.filter((n) => n.flags.includes('slave')).length !== replicasLive)
            return `:${port} does not see ${replicasLive} replicas`;
        }
        // CLUSTER SLOTS lists a replica only once its replication offset is not 0 (clients such as ioredis
        // learn replicas from it); the masters' pings (repl-ping-replica-period 1) move the offsets.
        for (const port of live) {
          const ranges = (await node(port).cluster('SLOTS')) as unknown[][];
          const listed = ranges.filter((r) => r.length - 2 === 1 + replicas).length;
          if (replicasLive === masters * replicas && listed !== ranges.length)
            return `:${port} lists replicas for ${listed} of ${ranges.length} slot ranges`;
        }
        const nodes = await topology();
        for (const port of live) {
          const info = await node(port).info('replication');
          if (/role:slave/.test(info) && !/master_link_status:up/.test(info))
            return `:${port} replica link down`;
          if (/role:master/.test(info)) {
            const mine = nodes.find((n) => n.port === port);
            const expected = nodes.filter(
              (n) => n.masterId === mine?.id && !n.flags.some((f) => f.startsWith('fail')) && alive(n.port),
            ).length;
            const online = (info.match(/state=online/g) ?? []).length;
            if (online < expected) return `:${port} has ${online} of ${expected} replicas online`;
          }
        }
        return '';
      })().catch((err: unknown) => String(err));
      if (why === '') return;
      if (Date.now() > deadline) throw new Error(`cluster not healthy within ${timeoutMs} ms: ${why}`);
      await sleep(50);
    }
  };

  try {
    await waitHealthy();
  } catch (err) {
    await stop();
    throw err;
  }

  const ports = [...state.keys()];
  const cluster: RedisCluster = {
    get nodes() {
      return ports.map((port) => ({
        port,
        busPort: state.get(port)!.busPort,
        dir: state.get(port)!.dir,
        alive: alive(port),
      }));
    },
    seeds: ports.map((p) => `127.0.0.1:${p}`).join(','),
    clusterNodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async masters() {
      return (await topology())
        .filter((n) => n.flags.includes('master') && n.slots.length > 0 && alive(n.port))
        .map((n) => n.port);
    },
    async masterOf(slot) {
      const found = (await topology()).find(
        (n) => n.flags.includes('master') && n.slots.some(([a, b]) => slot >= a && slot <= b),
      );
      if (!found) throw new Error(`no master serves slot ${slot}`);
      return found.port;
    },
    async replicaOf(masterPort) {
      const nodes = await topology();
      const master = nodes.find((n) => n.port === masterPort);
      const replica = nodes.find((n) => n.masterId === master?.id && alive(n.port));
      if (!replica) throw new Error(`:${masterPort} has no live replica`);
      return replica.port;
    },
    async kill(port, signal = 'SIGKILL') {
      const child = state.get(port)?.child;
      if (!child || !alive(port)) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
      clients.get(port)?.disconnect();
      clients.delete(port);
    },
    pause(port) {
      state.get(port)?.child?.kill('SIGSTOP');
    },
    resume(port) {
      state.get(port)?.child?.kill('SIGCONT');
    },
    async restart(port) {
      if (alive(port)) throw new Error(`:${port} is running`);
      await launch(port);
    },
    async waitForPromotion(deadPort, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const before = (await topology()).find((n) => n.port === deadPort);
      const slot = before?.slots[0]?.[0];
      for (;;) {
        const found = await (async () => {
          if (slot === undefined) return undefined;
          const owner = await cluster.masterOf(slot);
          if (owner === deadPort) return undefined;
          for (const port of ports.filter(alive)) {
            if (!/cluster_state:ok/.test((await node(port).cluster('INFO')) as string)) return undefined;
          }
          return owner;
        })().catch(() => undefined);
        if (found !== undefined) return found;
        if (Date.now() > deadline)
          throw new Error(`no replica of :${deadPort} was promoted within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    waitHealthy,
    node,
    stop,
  };
  return cluster;
}
