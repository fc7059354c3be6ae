// Real Redis for tests (and benchmarks): throwaway redis-server processes, and random key prefixes on the
// shared server with SCAN + UNLINK cleanup. No test framework imports, so scripts can use it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** The shared server tests may use with a random prefix. */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Working directory (RDB/AOF files); removed by `stop()`. */
  readonly dir: string;
  /** `SHUTDOWN` semantics: SIGTERM, wait for exit, remove the directory. */
  stop(): Promise<void>;
  /** Sends a signal and waits for the process to exit (`SIGKILL` simulates a crash). Keeps the directory. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port, directory and arguments (after `kill`). */
  restart(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Answers true once the server replies to PING (`-NOAUTH` counts: it is up, and wants a password). */
function ping(port: number, tls = false): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

async function waitUntilUp(
  port: number,
  child: ChildProcess,
  output: () => string,
  tls = false,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output()}`);
    if (await ping(port, tls)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer within 10 s: ${output()}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `redis-server` on a free port with a temporary directory and no persistence unless `extraArgs`
 * say otherwise (e.g. `['--appendonly', 'yes', '--appendfsync', 'everysec']` or
 * `['--maxmemory', '2mb', '--maxmemory-policy', 'volatile-lru']`; later arguments win).
 */
export async function startRedisServer(
  extraArgs: readonly string[] = [],
  options: { readonly tls?: boolean } = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'docs-fix-redis-'));
  const tls = options.tls === true;
  // With `tls`, the port is the TLS port and the plain one is closed (pass the --tls-* files in extraArgs).
  const args = [
    ...(tls ? ['--port', '0', '--tls-port'] : ['--port']),
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  args.push(...extraArgs);
  let child: ChildProcess;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    await waitUntilUp(port, child, () => output, tls);
  };
  await launch();

  const kill = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const done = exited(child);
    child.kill(signal);
    await done;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    restart: launch,
    stop: async () => {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RandomPrefix {
  /** A fresh prefix, e.g. `dft-1a2b3c4d`; use it as the store prefix. */
  readonly prefix: string;
  readonly url: string;
  /** SCAN + UNLINK every key under the prefix; returns how many were removed. */
  cleanup(): Promise<number>;
}

/** A random key prefix on the shared server (or `url`), cleaned up by `cleanup()`. */
export function randomPrefix(url: string = SHARED_REDIS_URL): RandomPrefix {
  const prefix = `dft-${randomBytes(4).toString('hex')}`;
  return {
    prefix,
    url,
    cleanup: async () => {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        // `prefix...` (line cache, locks) and `{prefix}...` (the job queue's hash tag).
        return (await unlinkMatching(client, `${prefix}*`)) + (await unlinkMatching(client, `{${prefix}}*`));
      } finally {
        client.disconnect();
      }
    },
  };
}

/** Batched SCAN + UNLINK of every key matching a glob pattern. */
export async function unlinkMatching(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await client.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next.toString();
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}
