// The whole product on one machine for end-to-end tests: the web server (startServer, in-process), a real
// Redis (the shared one with a random prefix, or a throwaway redis-server), the simulator over HTTP as the
// model endpoint, and the fake GitHub over HTTP, with Probot authenticating against it as in production.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { keyPatterns } from '../../src/jobs/keys.js';
import { SIM_MODEL_ID } from '../../src/model/sim-server.js';
import {
  createWebhookPayloadValidator,
  type WebhookPayloadValidator,
} from '../../src/github/webhook-payload.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { WorkerTuning } from '../../src/worker.js';
import { countValidation } from '../support/contract-stats.js';
import { FakeGitHub, type FakeGitHubOptions } from '../support/fake-github/index.js';
import { startTestSimServer, type TestSimServer } from '../support/sim-server.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

let keyPair: string | undefined;
/** A throwaway RSA key for the app (Probot signs its JWTs with it; the fake accepts any well-formed JWT). */
export function testPrivateKey(): string {
  keyPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  return keyPair;
}

export const testRedisUrl = (): string => process.env.DOCS_FIX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const testPrefix = (): string => `df-test-ops-${randomUUID().slice(0, 8)}`;
export const silentLog = (): Logger => pino({ level: process.env.DOCS_FIX_TEST_LOG ?? 'silent' });

/** The operator environment of a web or worker process pointed at the test doubles. */
export function stackEnv(input: {
  fake: FakeGitHub;
  sim: TestSimServer;
  redisUrl: string;
  prefix: string;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    APP_ID: String(input.fake.app.id),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    GITHUB_API_URL: input.fake.baseUrl,
    REDIS_URL: input.redisUrl,
    DOCS_FIX_REDIS_PREFIX: input.prefix,
    DOCS_FIX_PROVIDER: 'openai',
    OPENAI_BASE_URL: input.sim.baseURL,
    OPENAI_API_KEY: 'sk-test-0123456789',
    DOCS_FIX_MODEL: SIM_MODEL_ID,
    WORKER_CONCURRENCY: '2',
    LOG_LEVEL: process.env.DOCS_FIX_TEST_LOG ?? 'silent',
    ...input.extra,
  };
}

/**
 * A Probot like production's (createProbotFromEnv) but without client-side throttling and retries, which
 * space writes a second apart and would make every test slow; faults then reach the job's own retries.
 */
export function fastProbot(fake: FakeGitHub, log: Logger): Probot {
  return new Probot({
    appId: fake.app.id,
    privateKey: testPrivateKey(),
    secret: WEBHOOK_SECRET,
    baseUrl: fake.baseUrl,
    log,
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
}

export interface Stack {
  readonly fake: FakeGitHub;
  readonly sim: TestSimServer;
  readonly server: RunningServer;
  readonly env: Record<string, string>;
  readonly prefix: string;
  readonly redisUrl: string;
  /** Sends a signed webhook; answers the HTTP status and body. */
  deliver(
    event: string,
    payload: unknown,
    opts?: { deliveryId?: string; secret?: string; rawBody?: string },
  ): Promise<{ status: number; body: string }>;
  get(path: string, timeoutMs?: number): Promise<{ status: number; body: string; ms: number }>;
  close(): Promise<void>;
}

export async function startStack(
  options: {
    redisUrl?: string;
    /** More environment, or a function of the fake GitHub's URL (which is known only once it listens). */
    extraEnv?: Record<string, string> | ((fakeBaseUrl: string) => Record<string, string>);
    /** `production`: Probot from the environment, with throttling and retries (slower). */
    probot?: 'fast' | 'production';
    queueBackoffMs?: number;
    workerTuning?: WorkerTuning;
    /** The process logger, given the environment (default: silent). */
    logFor?: (env: Record<string, string>) => Logger;
    /** The Probot, given the fake and the logger (default: fastProbot, or production's with `probot`). */
    probotFor?: (fake: FakeGitHub, log: Logger) => Probot;
    /** Options of the fake GitHub (e.g. `pathPrefix: '/api/v3'` to serve it as GitHub Enterprise Server does). */
    fake?: FakeGitHubOptions;
    /** Before the server starts (faults on the app's identity lookup, say). */
    beforeStart?: (fake: FakeGitHub) => void;
    identityRetry?: { initialMs?: number; maxMs?: number };
  } = {},
): Promise<Stack> {
  const fake = await FakeGitHub.start(options.fake);
  options.beforeStart?.(fake);
  const sim = await startTestSimServer({ flipRate: 0 });
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const prefix = testPrefix();
  const extra = typeof options.extraEnv === 'function' ? options.extraEnv(fake.baseUrl) : options.extraEnv;
  const env = stackEnv({ fake, sim, redisUrl, prefix, extra });
  const log = options.logFor ? options.logFor(env) : silentLog();
  const server = await startServer({
    env,
    log,
    port: 0,
    host: '127.0.0.1',
    probot: options.probotFor
      ? options.probotFor(fake, log)
      : options.probot === 'production'
        ? undefined
        : fastProbot(fake, log),
    queueBackoffMs: options.queueBackoffMs ?? 200,
    workerTuning: options.workerTuning,
    payloads: countedPayloads(),
    identityRetry: options.identityRetry,
  });
  const webhooks = `${server.url}/api/github/webhooks`;
  return {
    fake,
    sim,
    server,
    env,
    prefix,
    redisUrl,
    async deliver(event, payload, opts = {}) {
      const body = opts.rawBody ?? JSON.stringify(payload);
      const res = await fetch(webhooks, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': opts.deliveryId ?? randomUUID(),
          'x-hub-signature-256': await sign(opts.secret ?? WEBHOOK_SECRET, body),
        },
        body,
      });
      return { status: res.status, body: await res.text() };
    },
    async get(path, timeoutMs = 10_000) {
      const started = performance.now();
      const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text();
      return { status: res.status, body, ms: performance.now() - started };
    },
    async close() {
      await server.close();
      await fake.close();
      await sim.close();
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
      try {
        await redis.connect();
        for (const pattern of keyPatterns(prefix)) {
          let cursor = '0';
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) await redis.unlink(...keys);
          } while (cursor !== '0');
        }
      } catch {
        // A test that stopped its own Redis has nothing left to clean.
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** The server's payload validator, counted in the run's contract figures. */
export function countedPayloads(): WebhookPayloadValidator {
  const inner = createWebhookPayloadValidator();
  return {
    async validate(event, payload) {
      const verdict = await inner.validate(event, payload);
      if (!verdict.ok || verdict.checked) countValidation('webhookPayloads');
      return verdict;
    },
  };
}

/** Polls `check` until it answers a truthy value. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A prometheus text exposition's sample value (sum over label sets matching `labels`). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries(
      [...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (!Object.entries(labels).every(([k, v]) => got[k] === v)) continue;
    sum += Number(m[4]);
    found = true;
  }
  return found ? sum : Number.NaN;
}
