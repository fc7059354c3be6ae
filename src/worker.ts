// Workers: in the web process (`npm start`, WORKER_CONCURRENCY > 0) or alone (`docs-fix worker`).
// Each process obtains its own installation tokens through Probot; the line cache is the shared Redis.
import { createProbot, ProbotOctokit, type Probot } from 'probot';
import type { Logger } from 'pino';
import { CacheError, CacheFullError, openStore } from './cache/index.js';
import { createAppIdentity, type AppIdentity } from './github/app-identity.js';
import { completeCheckRun } from './github/check-run.js';
import { redisTargetFromEnv, type OperatorEnv } from './config/index.js';
import { createJobHandler } from './jobs/handler.js';
import {
  createJobWorker,
  type JobHandler,
  type JobMetrics,
  type JobQueue,
  type JobWorkerOptions,
} from './jobs/index.js';
import type { RunMetrics } from './metrics.js';
import { createFixer } from './model/index.js';
import { createParsePool } from './engine/parse-pool.js';
import { openRedis } from './jobs/connection.js';
import { shadowCandidateFromEnv, shadowJobDepsFromEnv, syncShadowSchedule } from './jobs/shadow.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface WorkerRuntime {
  close(): Promise<void>;
}

export interface WorkerOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly operator: OperatorEnv;
  readonly log: Logger;
  readonly probot?: Probot;
  readonly runMetrics?: RunMetrics;
  readonly jobMetrics?: JobMetrics;
  /** Used to keep schedules in step with repository config. */
  readonly queue: JobQueue;
  /** The app's identity, shared with the web process's handlers (default: its own, from the environment). */
  readonly identity?: AppIdentity;
  readonly concurrency?: number;
  /** Timings (tests shorten them; production uses the defaults). */
  readonly tuning?: WorkerTuning;
}

export interface WorkerTuning {
  readonly jobWorker?: Partial<
    Pick<
      JobWorkerOptions,
      'lockTtlMs' | 'busyDelayMs' | 'jobLockMs' | 'stalledIntervalMs' | 'shutdownGraceMs'
    >
  >;
  /** Model client: per-request timeout and retries. */
  readonly model?: { readonly timeoutMs?: number; readonly maxRetries?: number };
}

/**
 * The Probot of a web or worker process, from the operator's environment. `GITHUB_API_URL` points it at
 * another API root (a GitHub Enterprise Server's `https://host/api/v3`, or a test double); Probot's own
 * `GHE_HOST` still works. `REDIS_URL` is deliberately not handed to Probot: with it, Probot would fetch
 * ioredis through npx at start-up and cluster its request throttling over Redis; docs-fix throttles per
 * process and retries rate-limited jobs through the queue instead.
 */
export function createProbotFromEnv(env: NodeJS.ProcessEnv, log: Logger): Probot {
  const baseUrl = env.GITHUB_API_URL?.trim() ? env.GITHUB_API_URL.trim().replace(/\/+$/, '') : undefined;
  // `DOCS_FIX_GITHUB_THROTTLE=off` drops Probot's client-side spacing of writes (about one a second per
  // process): for test doubles and benchmarks only; against GitHub it invites secondary rate limits.
  const unthrottled = env.DOCS_FIX_GITHUB_THROTTLE?.trim().toLowerCase() === 'off';
  return createProbot({
    env: { ...env, REDIS_URL: '' },
    overrides: {
      log: log.child({ name: 'probot' }),
      ...(baseUrl ? { baseUrl } : {}),
      ...(unthrottled
        ? {
            Octokit: ProbotOctokit.defaults((options: object) => ({
              ...options,
              throttle: { enabled: false },
            })),
          }
        : {}),
    },
  });
}

/**
 * The app's identity for a web or worker process: `APP_SLUG` when set, else learned from GitHub with the
 * app's JWT (`GET /app`), which `start()` retries in the background.
 */
export function appIdentityFromEnv(
  env: NodeJS.ProcessEnv,
  operator: Pick<OperatorEnv, 'APP_SLUG'>,
  probot: Probot,
  log: Logger,
  retry?: { initialMs?: number; maxMs?: number },
): AppIdentity {
  const appId = Number(env.APP_ID);
  return createAppIdentity({
    appId: Number.isSafeInteger(appId) && appId > 0 ? appId : undefined,
    slug: operator.APP_SLUG,
    log: log.child({ name: 'app-identity' }),
    retry,
    fetchSlug: async () => {
      const octokit = await probot.auth();
      const { data } = await octokit.rest.apps.getAuthenticated();
      if (!data?.slug) throw new Error("GitHub answered GET /app without the app's slug");
      return data.slug;
    },
  });
}

export async function startWorkers(options: WorkerOptions): Promise<WorkerRuntime> {
  const { operator, log } = options;
  const probot = options.probot ?? createProbotFromEnv(options.env, log);
  // A worker asks for the identity when a job needs it (a job that cannot learn it fails and retries).
  const identity = options.identity ?? appIdentityFromEnv(options.env, operator, probot, log);
  const readText = (path: string): string => readFileSync(path, 'utf8');
  const redis = redisTargetFromEnv(operator, readText);
  const store = await openStore({
    kind: 'redis',
    redisTarget: redis,
    prefix: operator.DOCS_FIX_REDIS_PREFIX,
    rewriteTtlSeconds: operator.DOCS_FIX_REWRITE_TTL_DAYS * 86_400,
    replicaAcks: operator.DOCS_FIX_REDIS_REPLICA_ACKS,
  });
  const octokitFor = async (installationId: number) => {
    const octokit = await probot.auth(installationId);
    if (options.runMetrics) {
      const metrics = options.runMetrics;
      octokit.hook.after('request', (response, request) => {
        const remaining = Number(response.headers['x-ratelimit-remaining']);
        metrics.recordGitHub(
          `${request.method} ${request.url}`,
          response.status,
          Number.isFinite(remaining) ? remaining : undefined,
        );
      });
      octokit.hook.error('request', (error, request) => {
        metrics.recordGitHub(
          `${request.method} ${request.url}`,
          (error as { status?: number }).status ?? 0,
          undefined,
        );
        throw error;
      });
    }
    return octokit;
  };
  // One thread pool per process, shared by its jobs; a shadow candidate only when DOCS_FIX_SHADOW_* asks.
  const parser = createParsePool({ threads: operator.DOCS_FIX_PARSE_THREADS || availableParallelism() });
  const shadowRedis = shadowCandidateFromEnv(operator, readText) ? openRedis(redis, 'queue') : undefined;
  const shadow = shadowRedis ? shadowJobDepsFromEnv(operator, shadowRedis, readText) : undefined;
  // Workers are what know the candidate, and start up after each deploy of the operator's environment.
  await syncShadowSchedule(options.queue, shadow ? operator.DOCS_FIX_SHADOW_SCHEDULE : undefined, log);
  const handler = createJobHandler({
    octokitFor,
    parser,
    ...(shadow
      ? { shadow, shadowSample: { queue: options.queue, sample: operator.DOCS_FIX_SHADOW_SAMPLE } }
      : {}),
    botLogin: () => identity.resolve(),
    store,
    fixerFor: (styleGuide, vocabulary) =>
      createFixer({
        provider: operator.DOCS_FIX_PROVIDER,
        model: operator.DOCS_FIX_MODEL,
        baseURL: operator.OPENAI_BASE_URL,
        apiKey: operator.OPENAI_API_KEY,
        styleGuide,
        vocabulary,
        batchSize: operator.DOCS_FIX_BATCH_SIZE,
        concurrency: operator.DOCS_FIX_MODEL_CONCURRENCY,
        timeoutMs: options.tuning?.model?.timeoutMs,
        maxRetries: options.tuning?.model?.maxRetries,
      }),
    limits: {
      maxLines: operator.DOCS_FIX_MAX_LINES_PER_RUN,
      maxTokens: operator.DOCS_FIX_MAX_TOKENS_PER_RUN,
      maxFiles: operator.DOCS_FIX_MAX_FILES,
      maxBytes: operator.DOCS_FIX_MAX_BYTES,
    },
    schedules: options.queue,
    recordRun: options.runMetrics ? (s) => options.runMetrics!.recordRun(s) : undefined,
    log,
  });
  const worker = createJobWorker({
    connection: redis,
    prefix: operator.DOCS_FIX_REDIS_PREFIX,
    concurrency: options.concurrency ?? Math.max(1, operator.WORKER_CONCURRENCY),
    handler: reportingCacheErrors(handler, octokitFor, log),
    log,
    metrics: options.jobMetrics,
    ...options.tuning?.jobWorker,
  });
  log.info({ concurrency: options.concurrency ?? operator.WORKER_CONCURRENCY }, 'docs-fix workers started');
  return {
    async close() {
      await worker.close();
      await parser.close();
      await shadowRedis?.quit();
      await store.close();
    },
  };
}

/**
 * A push run that failed closed because the line cache could not be trusted (Redis away or full) says so on
 * the commit's check run, so that the repository sees why nothing came and operators see what to fix; the
 * job then retries as usual. A later successful attempt completes a newer check run, which GitHub shows.
 */
function reportingCacheErrors(
  handler: JobHandler,
  octokitFor: (installationId: number) => Promise<Parameters<typeof completeCheckRun>[0]>,
  log: Logger,
): JobHandler {
  return async (spec, ctx) => {
    try {
      return await handler(spec, ctx);
    } catch (err) {
      if (err instanceof CacheError && spec.kind === 'push') {
        const full = err instanceof CacheFullError;
        await octokitFor(spec.installationId)
          .then((octokit) =>
            completeCheckRun(
              octokit,
              { owner: spec.owner, repo: spec.repo },
              {
                headSha: spec.after,
                conclusion: full ? 'failure' : 'neutral',
                output: {
                  title: full
                    ? 'docs-fix could not run: its line cache is full'
                    : 'docs-fix could not run: its line cache is unavailable',
                  summary: `${err.message}\n\nNothing was committed and no pull request was opened or changed. The run is retried automatically (attempt ${ctx.attempt}).`,
                },
              },
            ),
          )
          .catch((reportErr: unknown) =>
            log.warn({ err: reportErr, job: ctx.jobId }, 'could not report the cache error on a check run'),
          );
      }
      throw err;
    }
  };
}
