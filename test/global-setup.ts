// Makes sure the tests have a real Redis: the one on 127.0.0.1:6379 when it answers, else a throwaway
// redis-server started here (on a free port, no persistence) and stopped after the run. Also brings the
// build up to date, once, before any test file runs: tests of the built bin (test/support/bin.ts) and of
// the package must never run a stale dist/.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from './support/bin.js';
import { formatCounts, sumCounts } from './support/contract-stats.js';

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

let child: ChildProcess | undefined;
let dir: string | undefined;
let contractDir: string | undefined;

export async function setup(): Promise<void> {
  await ensureBuilt();
  // Test files append their GitHub contract counts here (test/support/contract-stats.ts); summed at teardown.
  contractDir = mkdtempSync(join(tmpdir(), 'docs-fix-contract-'));
  process.env.DOCS_FIX_CONTRACT_DIR = contractDir;
  if (process.env.DOCS_FIX_TEST_REDIS_URL) return;
  if (await answersPing(6379)) {
    process.env.DOCS_FIX_TEST_REDIS_URL = 'redis://127.0.0.1:6379';
    return;
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'The tests need a Redis server: none answers on 127.0.0.1:6379 and `redis-server` is not installed (Debian: apt-get install redis-server).',
    );
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'docs-fix-test-redis-'));
  child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100 && !(await answersPing(port)); i += 1) await new Promise((r) => setTimeout(r, 50));
  process.env.DOCS_FIX_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (contractDir) {
    const total = sumCounts(contractDir);
    if (total) process.stdout.write(`\n${formatCounts(total, contractSource())}\n`);
    rmSync(contractDir, { recursive: true, force: true });
  }
}

/** The description the checks used, as the committed extract records it. */
function contractSource(): string {
  const extract = JSON.parse(
    readFileSync(new URL('./fixtures/github-openapi.json', import.meta.url), 'utf8'),
  ) as { source: { package: string; version: string; plans: string[] } };
  return `${extract.source.package} ${extract.source.version}: ${extract.source.plans.join(' and ')}; @octokit/webhooks-schemas`;
}
