// The app end to end in one process: the stateful fake GitHub, Probot 14 wired to it with `createApp`, and an
// in-process dispatcher that runs `createJobHandler` for each enqueued job (awaited, so tests are deterministic).
// The line cache is a real RedisStore under a random prefix; the model is the offline simulator (no flips).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { createApp } from '../../src/app.js';
import { openStore, type MaintainedLineStore, type RedisTarget } from '../../src/cache/index.js';
import { createJobHandler, type InstallationClient } from '../../src/jobs/handler.js';
import { jobIdFor } from '../../src/jobs/keys.js';
import type { JobOutcome, JobSpec, RepoRef } from '../../src/jobs/types.js';
import { createFixer } from '../../src/model/index.js';
import { createAppIdentity, type AppIdentity } from '../../src/github/app-identity.js';
import { createWebhookPayloadValidator } from '../../src/github/webhook-payload.js';
import { countValidation } from './contract-stats.js';
import { FakeGitHub, type FakeGitHubOptions, type FileSpec } from './fake-github/index.js';
import { randomPrefix, type RandomPrefix } from './redis.js';

const require = createRequire(import.meta.url);

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

/** One job the dispatcher ran (or skipped as a duplicate id, as BullMQ ignores a second `add`). */
export interface DispatchedJob {
  readonly id: string;
  readonly spec: JobSpec;
  readonly duplicate: boolean;
  readonly outcome?: JobOutcome;
  readonly error?: unknown;
}

/** The fields of a pull request (as the fake shapes it) that tests look at. */
export interface PullView {
  readonly number: number;
  readonly state: 'open' | 'closed';
  readonly title: string;
  readonly body: string;
  readonly draft: boolean;
  readonly merged: boolean;
  /** Commits on the head that the base lacks. */
  readonly commits: number;
  readonly labels: readonly { name: string }[];
  readonly head: { ref: string; sha: string };
  readonly base: { ref: string; sha: string };
}

/** Pull requests of a repository of the fake, typed for assertions. */
export function pullsOf(fake: FakeGitHub, fullName: string): PullView[] {
  return fake.pulls(fullName) as unknown as PullView[];
}

export interface AppHarness {
  readonly fake: FakeGitHub;
  readonly probot: Probot;
  readonly store: MaintainedLineStore;
  /** `octo/docs`, installed. */
  readonly fullName: string;
  readonly repo: { owner: string; repo: string };
  readonly installationId: number;
  /** Every `enqueue` in order. */
  readonly jobs: DispatchedJob[];
  readonly schedules: { upserted: RepoRef[]; removed: RepoRef[] };
  /** The app's identity as production learns it (GET /app with the app's JWT), known before the first event. */
  readonly identity: AppIdentity;
  /**
   * Delivers a webhook through Probot (`probot.receive`) with a fresh delivery id, after checking it against
   * @octokit/webhooks-schemas as the server does (a payload the server would refuse throws).
   */
  receive(name: string, payload: Record<string, unknown>): Promise<void>;
  /** Jobs enqueued by the last `receive`. */
  lastJobs(): DispatchedJob[];
  /** Runs a job directly (as a BullMQ retry would), bypassing dedupe. */
  runJob(spec: JobSpec): Promise<JobOutcome>;
  /** Requests on repository routes (leaves out `/app/…`: the JWT lookups Probot and the worker cache). */
  repoRequests(): number;
  /** A push of `files` to `branch` (default main), as the push webhook GitHub sends. */
  push(files: FileSpec, opts?: { branch?: string; author?: string; message?: string }): Promise<void>;
  /** `issue_comment.created` from @octokit/webhooks-examples, adapted; the comment is created in the fake too. */
  commentEvent(number: number, body: string, user: string): Record<string, unknown>;
  /**
   * `pull_request.closed` from @octokit/webhooks-examples, adapted to the fake's pull request (close it in
   * the fake first); `sender` is who closed it (default the owner, a person).
   */
  pullRequestClosedEvent(number: number, sender?: string): Record<string, unknown>;
  /** `pull_request.reopened` from @octokit/webhooks-examples, adapted to the fake's pull request. */
  pullRequestReopenedEvent(number: number, sender: string): Record<string, unknown>;
  close(): Promise<void>;
}

interface WebhookExample {
  name: string;
  examples: Record<string, unknown>[];
}

/** A payload from @octokit/webhooks-examples: event `name`, first example with `action` (and `pick`). */
export function webhookExample(
  name: string,
  action?: string,
  pick: (e: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const all = require('@octokit/webhooks-examples') as WebhookExample[];
  const found = all
    .find((d) => d.name === name)
    ?.examples.find((e) => (action === undefined || e['action'] === action) && pick(e));
  if (!found) throw new Error(`no @octokit/webhooks-examples payload ${name}.${action ?? ''}`);
  return structuredClone(found);
}

export function probotFor(fake: FakeGitHub): Probot {
  return new Probot({
    appId: fake.app.id,
    privateKey,
    baseUrl: fake.baseUrl,
    log: pino({ level: 'silent' }),
    // The function form runs last, so Probot's own retry/throttle options do not override the test's.
    Octokit: ProbotOctokit.defaults((options: object) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    })),
  });
}

export async function startApp(
  opts: {
    files?: FileSpec;
    fake?: FakeGitHubOptions;
    limits?: Partial<{ maxLines: number; maxTokens: number; maxFiles: number; maxBytes: number }>;
    /** Where the line cache lives (default: the shared Redis under a random prefix), e.g. a cluster. */
    redis?: RedisTarget;
  } = {},
): Promise<AppHarness> {
  const fake = await FakeGitHub.start(opts.fake);
  const fullName = 'octo/docs';
  fake.createRepo(fullName, { files: opts.files ?? { 'README.md': '# Docs\n' }, installed: true });
  const installationId = fake.installationId(fullName);
  const prefix: RandomPrefix = randomPrefix(process.env.DOCS_FIX_TEST_REDIS_URL);
  const store = await openStore({
    kind: 'redis',
    redisTarget: opts.redis ?? { url: prefix.url },
    prefix: prefix.prefix,
  });
  const probot = probotFor(fake);
  const log = pino({ level: process.env.DOCS_FIX_TEST_LOG ?? 'silent' });
  const identity = createAppIdentity({
    appId: fake.app.id,
    log,
    fetchSlug: async () => {
      const { data } = await (await probot.auth()).rest.apps.getAuthenticated();
      return data!.slug!;
    },
  });
  await identity.resolve();
  const payloads = createWebhookPayloadValidator();

  const handler = createJobHandler({
    octokitFor: async (id) => (await probot.auth(id)) as unknown as InstallationClient,
    botLogin: async () => fake.botLogin,
    store,
    fixerFor: (styleGuide, vocabulary) =>
      createFixer({ provider: 'sim', model: 'sim', styleGuide, vocabulary, sim: { flipRate: 0 } }),
    limits: {
      maxLines: 5000,
      maxTokens: 2_000_000,
      maxFiles: 5000,
      maxBytes: 50 * 1024 * 1024,
      ...opts.limits,
    },
    log,
  });

  const jobs: DispatchedJob[] = [];
  const done = new Set<string>();
  let mark = 0;
  const schedules = { upserted: [] as RepoRef[], removed: [] as RepoRef[] };
  const ctx = (id: string) => ({ jobId: id, attempt: 1, signal: new AbortController().signal });

  await probot.load(
    createApp({
      enqueue: async (spec) => {
        const id = jobIdFor(spec);
        if (done.has(id)) {
          jobs.push({ id, spec, duplicate: true });
          return { jobId: id, duplicate: true };
        }
        // A failed job can be added again (it is the retry); a completed one is kept and blocks its id.
        try {
          const outcome = await handler(spec, ctx(id));
          done.add(id);
          jobs.push({ id, spec, duplicate: false, outcome });
        } catch (error) {
          jobs.push({ id, spec, duplicate: false, error });
        }
        return { jobId: id, duplicate: false };
      },
      upsertSchedule: async (repo) => {
        schedules.upserted.push(repo);
      },
      removeSchedule: async (repo) => {
        schedules.removed.push(repo);
      },
      identity,
    }),
  );

  const receive = async (name: string, payload: Record<string, unknown>): Promise<void> => {
    const verdict = await payloads.validate(name, payload);
    if (!verdict.ok) throw new Error(`the server would answer 400: ${verdict.reason}`);
    if (verdict.checked) countValidation('webhookPayloads');
    mark = jobs.length;
    await probot.receive({ id: randomUUID(), name, payload } as Parameters<Probot['receive']>[0]);
  };

  const installation = { id: installationId, node_id: `I_${installationId}` };
  /** GitHub's example `pull_request` payload for `action`, made this repository's pull request #number. */
  const pullRequestEvent = (action: 'closed' | 'reopened', number: number, sender: string) => {
    const example = webhookExample('pull_request', action);
    return {
      ...example,
      number,
      pull_request: { ...(example['pull_request'] as object), ...fake.pullShape(fullName, number) },
      repository: { ...(example['repository'] as object), ...fake.repositoryShape(fullName) },
      sender: fake.userShape(sender),
      installation,
    };
  };
  return {
    fake,
    probot,
    store,
    fullName,
    repo: { owner: 'octo', repo: 'docs' },
    installationId,
    jobs,
    schedules,
    identity,
    receive,
    lastJobs: () => jobs.slice(mark),
    runJob: (spec) => handler(spec, ctx(jobIdFor(spec))),
    repoRequests: () =>
      fake.count((r) => !r.route.startsWith('POST /app/') && !r.route.startsWith('GET /app')),
    push: async (files, o = {}) => {
      const push = fake.pushCommit(fullName, { files, ...o });
      await receive('push', fake.pushEvent(push));
    },
    commentEvent: (number, body, user) => {
      const id = fake.addIssueComment(fullName, number, body, user);
      // The examples' comments are on issues; a comment on a pull request carries `issue.pull_request`.
      const example = webhookExample('issue_comment', 'created');
      const issue = example['issue'] as Record<string, unknown>;
      return {
        ...example,
        issue: {
          ...issue,
          number,
          pull_request: {
            url: `${fake.baseUrl}/repos/${fullName}/pulls/${number}`,
            html_url: `https://github.com/${fullName}/pull/${number}`,
            diff_url: `https://github.com/${fullName}/pull/${number}.diff`,
            patch_url: `https://github.com/${fullName}/pull/${number}.patch`,
            merged_at: null,
          },
        },
        comment: { ...(example['comment'] as object), ...fake.commentShape(id) },
        repository: { ...(example['repository'] as object), ...fake.repositoryShape(fullName) },
        sender: fake.userShape(user),
        installation,
      };
    },
    pullRequestClosedEvent: (number, sender = 'octo') => pullRequestEvent('closed', number, sender),
    pullRequestReopenedEvent: (number, sender) => pullRequestEvent('reopened', number, sender),
    close: async () => {
      await store.close();
      await prefix.cleanup();
      await fake.close();
    },
  };
}
