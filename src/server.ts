// `npm start`: the web process (webhooks, /healthz, /metrics) and, unless WORKER_CONCURRENCY=0, workers in-process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createNodeMiddleware, createProbot, type Probot } from 'probot';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { readOperatorEnv, type OperatorEnv } from './config/index.js';
import { createJobQueue, installShutdown, registerJobMetrics, type JobQueue } from './jobs/index.js';
import { createLogger, secretValues } from './log.js';
import { createRegistry, registerRunMetrics } from './metrics.js';
import { appBotLogin, startWorkers, type WorkerRuntime } from './worker.js';

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly queue: JobQueue;
  readonly workers?: WorkerRuntime;
  readonly probot: Probot;
  readonly log: Logger;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  /** Overrides (tests): a Probot built by the caller, e.g. pointed at a fake GitHub. */
  readonly probot?: Probot;
  readonly port?: number;
  readonly host?: string;
}

const WEBHOOK_PATH = '/api/github/webhooks';

/** Health: Redis answers and the queue answers. */
async function health(redis: Redis, queue: JobQueue): Promise<{ ok: boolean; redis: string; queue: string }> {
  const result = { ok: true, redis: 'ok', queue: 'ok' };
  try {
    await redis.ping();
  } catch (err) {
    result.ok = false;
    result.redis = (err as Error).message;
  }
  try {
    await queue.counts();
  } catch (err) {
    result.ok = false;
    result.queue = (err as Error).message;
  }
  return result;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const operator: OperatorEnv = readOperatorEnv(env);
  const log = options.log ?? createLogger({ secrets: secretValues(env) });
  const registry = createRegistry();
  const runMetrics = registerRunMetrics(registry);
  const queue = createJobQueue({
    connection: operator.REDIS_URL,
    prefix: operator.DOCS_FIX_REDIS_PREFIX,
    log,
  });
  const jobMetrics = registerJobMetrics(registry, { counts: () => queue.counts() });
  // A separate short-timeout connection for health checks, so /healthz answers even when Redis hangs.
  const healthRedis = new Redis(operator.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
  });
  await healthRedis.connect().catch(() => undefined);

  const probot = options.probot ?? createProbot({ env, overrides: { log: log.child({ name: 'probot' }) } });
  const appFn = createApp({
    enqueue: (spec) => queue.enqueue(spec),
    upsertSchedule: async (repo) => {
      await queue.upsertSchedule(repo, 'weekly');
    },
    removeSchedule: async (repo) => {
      await queue.removeSchedule(repo);
    },
    botLogin: appBotLogin(probot),
  });
  const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: WEBHOOK_PATH });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') {
      void health(healthRedis, queue).then((h) => {
        res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(h));
      });
      return;
    }
    if (req.method === 'GET' && path === '/metrics') {
      void registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        },
      );
      return;
    }
    void middleware(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    });
  });

  const host = options.host ?? env.HOST ?? '127.0.0.1';
  const port = options.port ?? Number(env.PORT ?? 3000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, webhooks: `${url}${WEBHOOK_PATH}` }, 'docs-fix listening');

  const workers =
    operator.WORKER_CONCURRENCY > 0
      ? await startWorkers({ env, operator, log, probot, runMetrics, jobMetrics, queue })
      : undefined;

  return {
    url,
    server,
    queue,
    workers,
    probot,
    log,
    async close() {
      await workers?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await queue.close();
      healthRedis.disconnect();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await startServer();
  installShutdown([running], running.log);
}
