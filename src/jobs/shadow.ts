// Shadow runs in the app: operators sample repositories the app has schedules for (or name them), each one's
// default branch is shadowed by a `shadow` job (read only: nothing is written to GitHub, and the live cache
// only with `warm`, under the candidate's keys), and each report is stored in Redis for the admin command
// to aggregate (`docs-fix shadow-app`).
import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LineStore } from '../cache/types.js';
import { ConfigError } from '../config/errors.js';
import type { OperatorEnv } from '../config/schema.js';
import { keepWithinLimits, pathFilter } from '../engine/files.js';
import {
  mergeShadowCounts,
  sameKeys,
  shadowFiles,
  shadowReport,
  type Prices,
  type ShadowGates,
  type ShadowReport,
} from '../engine/shadow.js';
import { recursiveTree } from '../github/changed-files.js';
import { GitHubApiError, statusOf, type GitHubClient } from '../github/client.js';
import { CONFIG_FILE, loadRepoConfig } from '../github/config.js';
import { readFiles } from '../github/read-files.js';
import type { RunLimits } from '../github/runs.js';
import { createFixer, normaliseSimRules } from '../model/index.js';
import type { UnitFixer } from '../model/types.js';
import {
  repoSlug,
  SHADOW_REPORT_TTL_SECONDS,
  SHADOW_SAMPLE_SUBJECT,
  SHADOW_SCHEDULER_ID,
  shadowReportsKey,
  shadowRunKey,
  shadowRunsKey,
} from './keys.js';
import type { EnqueueResult, JobQueue, ScheduleInfo } from './queue.js';
import { PermanentJobError, type JobOutcome, type JobSpec, type RepoRef } from './types.js';

/** What a worker needs to run `shadow` jobs. */
export interface ShadowJobDeps {
  /** The candidate for a repository's style guide; called once per use (a fresh instance each time). */
  readonly candidateFor: (styleGuide: string, vocabulary?: readonly string[]) => UnitFixer;
  readonly reports: ShadowReportStore;
  readonly prices?: Prices;
  /** `ask` (default) or `unknown`: see engine/shadow. */
  readonly currentMisses?: 'ask' | 'unknown';
}

/** One repository's part of a shadow run, as stored. */
export interface ShadowRepoRecord {
  readonly runId: string;
  /** `owner/repo`. */
  readonly repository: string;
  readonly installationId: number;
  readonly finishedAt: string;
  /** Default branch and commit examined. */
  readonly branch?: string;
  readonly sha?: string;
  readonly report?: ShadowReport;
  /** Why there is no report (an invalid config): the repository is left out of the aggregate. */
  readonly skipped?: string;
}

/** What a shadow run was asked to do. */
export interface ShadowRunMeta {
  readonly runId: string;
  readonly startedAt: string;
  readonly repositories: readonly RepoRef[];
  readonly warm: boolean;
}

const RUN_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId))
    throw new TypeError(`shadow run id "${runId}": expected 1 to 64 letters, digits, ".", "_" or "-"`);
}

/** Reports of shadow runs in Redis (keys from keys.ts); expire after `SHADOW_REPORT_TTL_SECONDS`. */
export interface ShadowReportStore {
  saveRun(meta: ShadowRunMeta): Promise<void>;
  save(record: ShadowRepoRecord): Promise<void>;
  run(runId: string): Promise<ShadowRunMeta | undefined>;
  records(runId: string): Promise<ShadowRepoRecord[]>;
  /** The most recently started run. */
  latestRunId(): Promise<string | undefined>;
}

export function createShadowReportStore(redis: Redis | Cluster, prefix: string): ShadowReportStore {
  const ttl = SHADOW_REPORT_TTL_SECONDS;
  return {
    async saveRun(meta) {
      assertRunId(meta.runId);
      await redis
        .multi()
        .set(shadowRunKey(prefix, meta.runId), JSON.stringify(meta), 'EX', ttl)
        .zadd(shadowRunsKey(prefix), Date.parse(meta.startedAt), meta.runId)
        .zremrangebyscore(shadowRunsKey(prefix), '-inf', Date.parse(meta.startedAt) - ttl * 1000)
        .exec();
    },
    async save(record) {
      assertRunId(record.runId);
      const key = shadowReportsKey(prefix, record.runId);
      await redis
        .multi()
        .hset(key, record.repository.toLowerCase(), JSON.stringify(record))
        .expire(key, ttl)
        .exec();
    },
    async run(runId) {
      const raw = await redis.get(shadowRunKey(prefix, runId));
      return raw ? (JSON.parse(raw) as ShadowRunMeta) : undefined;
    },
    async records(runId) {
      const all = await redis.hgetall(shadowReportsKey(prefix, runId));
      return Object.keys(all)
        .sort()
        .map((k) => JSON.parse(all[k]!) as ShadowRepoRecord);
    },
    async latestRunId() {
      const [id] = await redis.zrange(shadowRunsKey(prefix), -1, -1);
      return id;
    },
  };
}

/** A deterministic sample of `n` repositories for a run: the same run id picks the same repositories. */
export function sampleRepositories(repos: readonly RepoRef[], n: number, seed: string): RepoRef[] {
  const rank = (r: RepoRef): string =>
    createHash('sha256')
      .update(`${seed}\u0000${repoSlug(r)}`)
      .digest('hex');
  const unique = [...new Map(repos.map((r) => [repoSlug(r), r])).values()];
  return unique
    .map((r) => ({ r, k: rank(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .slice(0, n)
    .map((x) => x.r);
}

/** Records the run and enqueues one `shadow` job per repository. */
export async function startShadowRun(opts: {
  readonly queue: { enqueue(spec: JobSpec): Promise<EnqueueResult> };
  readonly reports: ShadowReportStore;
  readonly runId: string;
  readonly repositories: readonly RepoRef[];
  readonly warm?: boolean;
  readonly now?: () => number;
}): Promise<EnqueueResult[]> {
  assertRunId(opts.runId);
  const repositories = opts.repositories.map((r) => ({
    installationId: r.installationId,
    owner: r.owner,
    repo: r.repo,
  }));
  await opts.reports.saveRun({
    runId: opts.runId,
    startedAt: new Date((opts.now ?? Date.now)()).toISOString(),
    repositories,
    warm: opts.warm === true,
  });
  const results: EnqueueResult[] = [];
  for (const r of repositories) {
    results.push(
      await opts.queue.enqueue({
        kind: 'shadow',
        ...r,
        runId: opts.runId,
        ...(opts.warm ? { warm: true } : {}),
      }),
    );
  }
  return results;
}

/** The repositories that have a schedule (what `shadow-app run` and scheduled runs sample from). */
export function scheduledRepositories(list: readonly ScheduleInfo[]): RepoRef[] {
  return list.flatMap((s): RepoRef[] => {
    const [owner, repo] = s.repository.split('/');
    return s.installationId !== undefined && owner && repo
      ? [{ installationId: s.installationId, owner, repo }]
      : [];
  });
}

/** The run id of a scheduled shadow run: the minute it was scheduled for (UTC), e.g. `scheduled-20261123T0600`. */
export function scheduledRunId(scheduledAt: number): string {
  const iso = new Date(scheduledAt).toISOString();
  return `scheduled-${iso.slice(0, 16).replace(/[-:]/g, '')}`;
}

/**
 * Keeps the scheduler of shadow runs in step with `DOCS_FIX_SHADOW_SCHEDULE`: creates or updates it on the
 * pattern, or removes it when there is none. Answers the pattern, or null when removed.
 */
export async function syncShadowSchedule(
  queue: Pick<JobQueue, 'queue'>,
  pattern: string | undefined,
  log: Logger,
): Promise<string | null> {
  if (pattern === undefined) {
    if (await queue.queue.removeJobScheduler(SHADOW_SCHEDULER_ID)) log.info('shadow schedule removed');
    return null;
  }
  await queue.queue.upsertJobScheduler(
    SHADOW_SCHEDULER_ID,
    { pattern },
    {
      name: 'shadow-sample',
      data: {
        spec: { kind: 'shadow-sample', ...SHADOW_SAMPLE_SUBJECT },
        enqueueId: `scheduler:${SHADOW_SCHEDULER_ID}`,
      },
    },
  );
  log.info({ pattern }, 'shadow schedule set');
  return pattern;
}

/**
 * A scheduled shadow run: samples `sample` of the scheduled repositories (seeded by the run id, as
 * `shadow-app run` does) and starts the run. The run id comes from the scheduled time, so a retried job
 * starts the same run with the same job ids, which the queue ignores as duplicates.
 */
export async function runShadowSampleJob(opts: {
  readonly queue: Pick<JobQueue, 'enqueue' | 'schedules'>;
  readonly reports: ShadowReportStore;
  readonly sample: number;
  readonly scheduledAt: number;
  readonly log: Logger;
}): Promise<JobOutcome> {
  const runId = scheduledRunId(opts.scheduledAt);
  const scheduled = scheduledRepositories(await opts.queue.schedules());
  const repositories = sampleRepositories(scheduled, opts.sample, runId);
  if (repositories.length === 0) {
    opts.log.info({ runId }, 'scheduled shadow run: no repository has a schedule');
    return { summary: `shadow ${runId}: no repository has a schedule` };
  }
  const results = await startShadowRun({
    queue: opts.queue,
    reports: opts.reports,
    runId,
    repositories,
    now: () => opts.scheduledAt,
  });
  const fresh = results.filter((r) => !r.duplicate).length;
  opts.log.info({ runId, repositories: repositories.length, fresh }, 'scheduled shadow run started');
  return {
    summary: `shadow ${runId}: ${repositories.length} repositories (${fresh} enqueued now): ${repositories.map((r) => `${r.owner}/${r.repo}`).join(', ')}`,
  };
}

export interface AggregatedShadowRun {
  readonly runId: string;
  readonly meta?: ShadowRunMeta;
  /** The merged report of every repository with one; undefined when none has finished. */
  readonly report?: ShadowReport;
  readonly records: readonly ShadowRepoRecord[];
  /** Repositories asked for that have no record yet. */
  readonly pending: readonly string[];
}

/** Merges the repositories' counts; rates, costs and gates are computed on the sums. */
export function aggregateShadowRun(
  runId: string,
  meta: ShadowRunMeta | undefined,
  records: readonly ShadowRepoRecord[],
  opts: { readonly prices?: Prices; readonly gates?: ShadowGates } = {},
): AggregatedShadowRun {
  const done = new Set(records.map((r) => r.repository.toLowerCase()));
  const pending = (meta?.repositories ?? [])
    .map((r) => `${r.owner}/${r.repo}`)
    .filter((s) => !done.has(s.toLowerCase()));
  const withReport = records.filter((r) => r.report);
  if (withReport.length === 0) return { runId, meta, records, pending };
  const first = withReport[0]!.report!;
  const report = shadowReport(mergeShadowCounts(withReport.map((r) => r.report!.counts)), {
    current: first.current,
    candidate: first.candidate,
    prices: opts.prices ?? first.prices,
    gates: opts.gates,
    warmed: withReport.every((r) => r.report!.warmed),
  });
  return { runId, meta, records, pending, report };
}

/** The parts of a run's dependencies a shadow job uses (github/runs `RunDeps` fits). */
export interface ShadowRunDeps {
  readonly octokit: GitHubClient;
  readonly repo: { readonly owner: string; readonly repo: string };
  readonly scope: string;
  readonly store: LineStore;
  readonly fixerFor: (styleGuide: string, vocabulary?: readonly string[]) => UnitFixer;
  readonly limits: RunLimits;
  readonly readConfig: () => Promise<unknown>;
  readonly log: Logger;
}

/**
 * Shadows the default branch of one repository: every markdown file the config selects, within the
 * operator's limits (file-level fixpoints do not skip any: the report needs every line), then stores the
 * report. Reads only from GitHub; an invalid config is recorded as skipped, not reported on GitHub.
 */
export async function runShadowJob(
  run: ShadowRunDeps,
  spec: Extract<JobSpec, { kind: 'shadow' }>,
  deps: ShadowJobDeps,
  signal?: AbortSignal,
): Promise<JobOutcome> {
  const { octokit, repo, log } = run;
  const base = (await octokit.rest.repos.get({ ...repo })).data.default_branch;
  const { data: branch } = await octokit.rest.repos.getBranch({ ...repo, branch: base });
  const sha = branch.commit.sha;
  const record = {
    runId: spec.runId,
    repository: `${spec.owner}/${spec.repo}`,
    installationId: spec.installationId,
    branch: base,
    sha,
  };
  let raw: unknown;
  let invalid: string | undefined;
  try {
    raw = await run.readConfig();
  } catch (error) {
    if (statusOf(error) !== undefined) throw GitHubApiError.from(`read ${CONFIG_FILE}`, error);
    invalid = error instanceof Error ? error.message : String(error);
  }
  const loaded = invalid === undefined ? await loadRepoConfig(octokit, repo, raw, { ref: sha }) : undefined;
  if (!loaded?.ok) {
    const reason = `invalid ${CONFIG_FILE}: ${loaded && !loaded.ok ? loaded.error.message : invalid}`;
    await deps.reports.save({ ...record, finishedAt: new Date().toISOString(), skipped: reason });
    log.warn({ runId: spec.runId, reason }, 'shadow: repository skipped');
    return { summary: `shadow ${spec.runId}: skipped (${reason})` };
  }
  const vocabulary = loaded.vocabulary.terms;
  const current = run.fixerFor(loaded.styleGuide, vocabulary);
  const candidate = deps.candidateFor(loaded.styleGuide, vocabulary);
  if (sameKeys(current, candidate)) {
    throw new PermanentJobError(
      `shadow: the candidate (${candidate.modelId}, prompt ${candidate.promptVersion}) is the current configuration; set DOCS_FIX_SHADOW_* to another model, prompt or simulator`,
    );
  }
  const matches = pathFilter(loaded.config);
  const tree = await recursiveTree(octokit, repo, branch.commit.commit.tree.sha);
  const paths = [...(tree?.blobs ?? new Map<string, string>())]
    .filter(([path]) => /\.(md|mdx|markdown)$/i.test(path) && matches(path))
    .map(([path, blobSha]) => ({ path, sha: blobSha }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const read = await readFiles(octokit, repo, sha, paths.slice(0, run.limits.maxFiles));
  const { files } = keepWithinLimits(read, run.limits);
  const shadow = await shadowFiles(files, {
    store: run.store,
    scope: run.scope,
    budget: {
      maxLines: Math.min(loaded.config.maxLinesPerRun, run.limits.maxLines),
      maxTokens: run.limits.maxTokens,
    },
    current,
    candidate,
    recheck: deps.candidateFor(loaded.styleGuide, vocabulary),
    currentMisses: deps.currentMisses,
    vocabulary,
    languages: loaded.config.languages,
    repository: `${repo.owner}/${repo.repo}`,
    warm: spec.warm === true,
    ...(deps.prices ? { prices: deps.prices } : {}),
    log,
    ...(signal ? { signal } : {}),
  });
  const r = shadow.report;
  await deps.reports.save({ ...record, finishedAt: new Date().toISOString(), report: r });
  const c = r.counts;
  log.info(
    {
      runId: spec.runId,
      candidate: r.candidate.modelId,
      units: c.units,
      currentFixpoints: c.currentFixpoints,
      waveUnits: c.waveUnits,
      changeRate: r.changeRate,
      candidateChanged: c.candidateChanged,
      changedFiles: c.changedFiles,
      agreement: r.agreement,
      candidateTokens: c.candidateTokens.total,
      fixpointRate: r.fixpointRate,
      warmed: r.warmed,
    },
    'shadow: repository done',
  );
  return {
    summary: `shadow ${spec.runId}: ${c.waveUnits} of ${c.currentFixpoints} fixpoint units would change (${(r.changeRate * 100).toFixed(2)}%); ${c.candidateChanged} units in ${c.changedFiles} files; ${c.candidateTokens.total} candidate tokens${r.warmed ? ' (warmed)' : ''}`,
  };
}

/**
 * The candidate from the operator's `DOCS_FIX_SHADOW_*` variables (each defaults to the live setting), or
 * undefined when none is set. Throws `ConfigError` for an unreadable prompt file or bad simulator rules.
 */
export function shadowCandidateFromEnv(
  operator: OperatorEnv,
  readText: (path: string) => string,
): ((styleGuide: string, vocabulary?: readonly string[]) => UnitFixer) | undefined {
  const o = operator;
  const configured = [
    o.DOCS_FIX_SHADOW_PROVIDER,
    o.DOCS_FIX_SHADOW_MODEL,
    o.DOCS_FIX_SHADOW_BASE_URL,
    o.DOCS_FIX_SHADOW_PROMPT_FILE,
    o.DOCS_FIX_SHADOW_SIM_SEED,
    o.DOCS_FIX_SHADOW_SIM_FLIP_RATE,
    o.DOCS_FIX_SHADOW_SIM_RULES,
  ].some((v) => v !== undefined);
  if (!configured) return undefined;
  let systemPrompt: string | undefined;
  if (o.DOCS_FIX_SHADOW_PROMPT_FILE !== undefined) {
    try {
      systemPrompt = readText(o.DOCS_FIX_SHADOW_PROMPT_FILE);
    } catch (err) {
      throw new ConfigError(
        'environment',
        'DOCS_FIX_SHADOW_PROMPT_FILE',
        `${o.DOCS_FIX_SHADOW_PROMPT_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  let rules;
  try {
    rules =
      o.DOCS_FIX_SHADOW_SIM_RULES === undefined
        ? undefined
        : normaliseSimRules(o.DOCS_FIX_SHADOW_SIM_RULES.split(',').map((r) => r.trim()));
  } catch (err) {
    throw new ConfigError('environment', 'DOCS_FIX_SHADOW_SIM_RULES', (err as Error).message);
  }
  return (styleGuide, vocabulary) =>
    createFixer({
      provider: o.DOCS_FIX_SHADOW_PROVIDER ?? o.DOCS_FIX_PROVIDER,
      model: o.DOCS_FIX_SHADOW_MODEL ?? o.DOCS_FIX_MODEL,
      baseURL: o.DOCS_FIX_SHADOW_BASE_URL ?? o.OPENAI_BASE_URL,
      apiKey: o.OPENAI_API_KEY,
      styleGuide,
      vocabulary,
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      batchSize: o.DOCS_FIX_BATCH_SIZE,
      concurrency: o.DOCS_FIX_MODEL_CONCURRENCY,
      sim: { seed: o.DOCS_FIX_SHADOW_SIM_SEED, flipRate: o.DOCS_FIX_SHADOW_SIM_FLIP_RATE, rules },
    });
}

/** Token prices from the operator's environment, when both are set. */
export function pricesFromEnv(operator: OperatorEnv): Prices | undefined {
  const prompt = operator.DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS;
  const completion = operator.DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS;
  return prompt === undefined || completion === undefined
    ? undefined
    : { promptPer1k: prompt, completionPer1k: completion };
}

/** Gates from the operator's environment (`DOCS_FIX_SHADOW_MAX_CHANGE_RATE`, ...). */
export function gatesFromEnv(operator: OperatorEnv): ShadowGates {
  return {
    ...(operator.DOCS_FIX_SHADOW_MAX_CHANGE_RATE !== undefined
      ? { maxChangeRate: operator.DOCS_FIX_SHADOW_MAX_CHANGE_RATE }
      : {}),
    ...(operator.DOCS_FIX_SHADOW_MIN_FIXPOINT_RATE !== undefined
      ? { minFixpointRate: operator.DOCS_FIX_SHADOW_MIN_FIXPOINT_RATE }
      : {}),
    ...(operator.DOCS_FIX_SHADOW_MAX_COST !== undefined
      ? { maxCost: operator.DOCS_FIX_SHADOW_MAX_COST }
      : {}),
  };
}

/**
 * A worker's shadow dependencies from the operator's environment, or undefined when no `DOCS_FIX_SHADOW_*`
 * candidate is set (shadow jobs then fail permanently, saying so). `redis` holds the reports.
 */
export function shadowJobDepsFromEnv(
  operator: OperatorEnv,
  redis: Redis | Cluster,
  readText: (path: string) => string,
): ShadowJobDeps | undefined {
  const candidateFor = shadowCandidateFromEnv(operator, readText);
  if (!candidateFor) return undefined;
  const prices = pricesFromEnv(operator);
  return {
    candidateFor,
    reports: createShadowReportStore(redis, operator.DOCS_FIX_REDIS_PREFIX),
    ...(prices ? { prices } : {}),
  };
}
