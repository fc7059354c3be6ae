// `npm start`: the web process (webhooks, /healthz, /metrics) and, unless WORKER_CONCURRENCY=0, workers in-process.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import type { Probot } from 'probot';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { openRedisClient, probeRedis, type RedisClient } from './cache/connection.js';
import { readOperatorEnv, redisTargetFromEnv, type OperatorEnv } from './config/index.js';
import type { AppIdentity } from './github/app-identity.js';
import { createWebhookPayloadValidator, type WebhookPayloadValidator } from './github/webhook-payload.js';
import { createJobQueue, installShutdown, registerJobMetrics, type JobQueue } from './jobs/index.js';
import { createLogger, secretValues } from './log.js';
import { createRegistry, registerRunMetrics } from './metrics.js';
import { warnIfEndOfLife } from './runtime.js';
import {
  appIdentityFromEnv,
  createProbotFromEnv,
  startWorkers,
  type WorkerRuntime,
  type WorkerTuning,
} from './worker.js';

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly queue: JobQueue;
  readonly workers?: WorkerRuntime;
  readonly probot: Probot;
  readonly log: Logger;
  /** Who the app is (its bot's login once learned). */
  readonly identity: AppIdentity;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: Logger;
  /** Overrides (tests): a Probot built by the caller, e.g. pointed at a fake GitHub. */
  readonly probot?: Probot;
  readonly port?: number;
  readonly host?: string;
  /** First retry delay of jobs this process enqueues (default: the queue's, 10 s); tests shorten it. */
  readonly queueBackoffMs?: number;
  /** Timings of the in-process workers (tests shorten them). */
  readonly workerTuning?: WorkerTuning;
  /** Checks payloads before the handlers read them (default: against @octokit/webhooks-schemas). */
  readonly payloads?: WebhookPayloadValidator;
  /** Retries of the background lookup of the app's identity (tests shorten them). */
  readonly identityRetry?: { readonly initialMs?: number; readonly maxMs?: number };
}

const WEBHOOK_PATH = '/api/github/webhooks';

/** Health and metrics must answer while Redis is away; the queue's own connection waits for it to return. */
const PROBE_TIMEOUT_MS = 1500;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Health: Redis (every master and `cluster_state:ok` on a cluster) and the queue answer within PROBE_TIMEOUT_MS. */
async function health(
  redis: RedisClient,
  queue: JobQueue,
): Promise<{ ok: boolean; redis: string; queue: string }> {
  const [probe, counts] = await Promise.all([
    probeRedis(redis, PROBE_TIMEOUT_MS),
    withTimeout(queue.counts(), PROBE_TIMEOUT_MS, 'queue').then(
      () => 'ok',
      (err: Error) => err.message,
    ),
  ]);
  return { ok: probe.ok && counts === 'ok', redis: probe.ok ? 'ok' : probe.detail, queue: counts };
}

/** GitHub sends at most 25 MB per delivery. */
const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;
/** GitHub gives up on a delivery after 10 s; answer 202 before that if the handler is still running. */
const ACK_TIMEOUT_MS = 9000;

function reply(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${body}\n`);
}

/**
 * The webhook endpoint: verifies the signature over the raw body (401 when it does not match), parses the
 * payload (400 when it is not JSON), checks the fields the handlers read against GitHub's payload schema
 * (400 naming the field when they do not match), hands the event to the Probot app (whose handlers only
 * enqueue) and answers 200, or 500 when a handler failed (e.g. Redis down: GitHub shows the failed delivery,
 * which can be redelivered). Probot's own middleware answers 400 to a wrong signature; GitHub's guidance and
 * our operators' alerts expect 401.
 */
function webhookHandler(probot: Probot, log: Logger, payloads: WebhookPayloadValidator) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return reply(res, 405, 'POST only');
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return reply(res, 415, 'content-type must be application/json');
    }
    const name = req.headers['x-github-event'];
    const id = req.headers['x-github-delivery'];
    const signature = req.headers['x-hub-signature-256'];
    if (typeof signature !== 'string') return reply(res, 401, 'missing x-hub-signature-256');
    if (typeof name !== 'string' || typeof id !== 'string') {
      return reply(res, 400, 'missing x-github-event or x-github-delivery');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        if (size > MAX_PAYLOAD_BYTES) {
          log.warn({ delivery: id, event: name }, 'webhook payload over 25 MB: dropped');
          reply(res, 413, 'payload too large');
          req.destroy();
          return;
        }
        chunks.push(chunk);
      }
    } catch (err) {
      log.warn({ err, delivery: id }, 'webhook body could not be read');
      return reply(res, 400, 'body could not be read');
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const valid = await probot.webhooks.verify(body, signature).catch(() => false);
    if (!valid) {
      log.warn({ delivery: id, event: name }, 'webhook signature does not match: refused');
      return reply(res, 401, 'signature does not match');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch (err) {
      log.warn({ delivery: id, event: name, err }, 'webhook payload is not JSON: dropped');
      return reply(res, 400, 'payload is not JSON');
    }
    if (typeof payload !== 'object' || payload === null) {
      log.warn({ delivery: id, event: name }, 'webhook payload is not an object: dropped');
      return reply(res, 400, 'payload is not a JSON object');
    }
    let verdict: Awaited<ReturnType<WebhookPayloadValidator['validate']>>;
    try {
      verdict = await payloads.validate(name, payload);
    } catch (err) {
      log.error({ err, delivery: id, event: name }, 'webhook payload schema could not be loaded');
      return reply(res, 500, 'payload schema unavailable');
    }
    if (!verdict.ok) {
      log.warn(
        { delivery: id, event: name, reason: verdict.reason },
        'webhook payload does not match its schema: refused',
      );
      return reply(res, 400, verdict.reason);
    }
    const timer = setTimeout(() => reply(res, 202, 'still processing'), ACK_TIMEOUT_MS);
    try {
      await probot.receive({ id, name, payload } as Parameters<Probot['receive']>[0]);
      reply(res, 200, 'ok');
    } catch (err) {
      log.error({ err, delivery: id, event: name }, 'webhook handler failed');
      reply(res, 500, 'handler failed');
    } finally {
      clearTimeout(timer);
    }
  };
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const operator: OperatorEnv = readOperatorEnv(env);
  const log = options.log ?? createLogger({ secrets: secretValues(env) });
  const registry = createRegistry();
  const runMetrics = registerRunMetrics(registry);
  const redisTarget = redisTargetFromEnv(operator, (path) => readFileSync(path, 'utf8'));
  const queue = createJobQueue({
    connection: redisTarget,
    prefix: operator.DOCS_FIX_REDIS_PREFIX,
    log,
    backoffMs: options.queueBackoffMs,
  });
  const jobMetrics = registerJobMetrics(registry, {
    counts: () => withTimeout(queue.counts(), PROBE_TIMEOUT_MS, 'queue'),
  });
  // A separate short-timeout connection for health checks, so /healthz answers even when Redis hangs.
  const healthRedis = openRedisClient(redisTarget, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
  });
  // Its errors show in /healthz; the queue's connection logs Redis errors already.
  healthRedis.on('error', () => undefined);
  await healthRedis.connect().catch(() => undefined);

  const probot = options.probot ?? createProbotFromEnv(env, log);
  // Learned in the background once the server listens; deliveries never wait for it.
  const identity = appIdentityFromEnv(env, operator, probot, log, options.identityRetry);
  const appFn = createApp({
    enqueue: (spec) => queue.enqueue(spec),
    upsertSchedule: async (repo) => {
      await queue.upsertSchedule(repo, 'weekly');
    },
    removeSchedule: async (repo) => {
      await queue.removeSchedule(repo);
    },
    identity,
  });
  await probot.load(appFn);
  const webhooks = webhookHandler(
    probot,
    log.child({ name: 'webhooks' }),
    options.payloads ?? createWebhookPayloadValidator(),
  );

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
    if (path === WEBHOOK_PATH) {
      void webhooks(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
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
  identity.start();

  const workers =
    operator.WORKER_CONCURRENCY > 0
      ? await startWorkers({
          env,
          operator,
          log,
          probot,
          runMetrics,
          jobMetrics,
          queue,
          identity,
          tuning: options.workerTuning,
        })
      : undefined;

  return {
    url,
    server,
    queue,
    workers,
    probot,
    log,
    identity,
    async close() {
      identity.stop();
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
  warnIfEndOfLife(running.log);
  installShutdown([running], running.log);
}
