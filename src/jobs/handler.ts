// Maps a job to the GitHub run it stands for, with an installation client of the worker's own.
import type { Logger } from 'pino';
import type { LineStore } from '../cache/types.js';
import type { RunSummary } from '../engine/types.js';
import {
  assertRepositoryAccessible,
  InstallationNotFoundError,
  installationTokenNotFound,
  RepositoryNotAccessibleError,
  statusOf,
  type GitHubClient,
} from '../github/client.js';
import { BOT_BRANCH_PREFIX } from '../github/pull-request.js';
import {
  runCommand,
  runConvergenceCheck,
  runPullRequestClosed,
  runPullRequestReopened,
  runPush,
  type RunDeps,
  type RunLimits,
} from '../github/runs.js';
import type { UnitFixer } from '../model/types.js';
import { SHADOW_SCHEDULER_ID, scheduledTimeOf } from './keys.js';
import type { JobQueue } from './queue.js';
import { runShadowJob, runShadowSampleJob, type ShadowJobDeps } from './shadow.js';
import type { FileParser } from '../engine/parser.js';
import {
  PermanentJobError,
  type JobContext,
  type JobHandler,
  type JobOutcome,
  type JobSpec,
  type RepoRef,
} from './types.js';

/** An installation client: REST methods, pagination, and Probot's config plugin (follows `_extends`). */
export type InstallationClient = GitHubClient & {
  config: {
    get(params: {
      owner: string;
      repo: string;
      path: string;
    }): Promise<{ config: unknown; files: { config: unknown }[] }>;
  };
  rest: GitHubClient['rest'] & { apps: { getAuthenticated(): Promise<{ data: { slug?: string } | null }> } };
};

export interface JobHandlerDeps {
  readonly octokitFor: (installationId: number) => Promise<InstallationClient>;
  /** The app's own login; looked up once through the app's JWT when not given. */
  readonly botLogin?: () => Promise<string>;
  readonly store: LineStore;
  readonly fixerFor: (styleGuide: string, vocabulary?: readonly string[]) => UnitFixer;
  readonly limits: RunLimits;
  readonly schedules?: { upsertSchedule(repo: RepoRef, schedule: string): Promise<unknown> };
  readonly recordRun?: (summary: RunSummary) => void;
  /** Shadow runs (`shadow` jobs); without it they fail permanently, saying so. */
  readonly shadow?: ShadowJobDeps;
  /**
   * Scheduled shadow runs (`shadow-sample` jobs): the queue whose schedules are sampled and where the `shadow`
   * jobs go, and how many repositories (`DOCS_FIX_SHADOW_SAMPLE`). Used with `shadow`.
   */
  readonly shadowSample?: {
    readonly queue: Pick<JobQueue, 'enqueue' | 'schedules'>;
    readonly sample: number;
  };
  /** Where files are split (the process's thread pool); default: in the job's thread. */
  readonly parser?: FileParser;
  readonly log: Logger;
}

export function createJobHandler(deps: JobHandlerDeps): JobHandler {
  return async (spec, ctx) => {
    // Samples the queue's schedules: no installation, so no GitHub client.
    if (spec.kind === 'shadow-sample') {
      if (!deps.shadow || !deps.shadowSample) {
        throw new PermanentJobError(
          'scheduled shadow runs are not configured in this worker: set DOCS_FIX_SHADOW_MODEL (or another DOCS_FIX_SHADOW_* variable)',
        );
      }
      const scheduledAt = scheduledTimeOf(ctx.jobId, SHADOW_SCHEDULER_ID);
      if (scheduledAt === undefined) {
        throw new PermanentJobError(
          `shadow-sample job ${ctx.jobId}: only the DOCS_FIX_SHADOW_SCHEDULE scheduler starts these; start a run by hand with docs-fix shadow-app run`,
        );
      }
      return runShadowSampleJob({
        queue: deps.shadowSample.queue,
        reports: deps.shadow.reports,
        sample: deps.shadowSample.sample,
        scheduledAt,
        log: deps.log.child({ job: ctx.jobId, kind: spec.kind }),
      });
    }
    const octokit = await deps.octokitFor(spec.installationId);
    try {
      return await runRepositoryJob(deps, spec, ctx, octokit);
    } catch (err) {
      throw await permanentWhenGone(err, octokit, spec);
    }
  };
}

async function runRepositoryJob(
  deps: JobHandlerDeps,
  spec: Exclude<JobSpec, { kind: 'shadow-sample' }>,
  ctx: JobContext,
  octokit: InstallationClient,
): Promise<JobOutcome> {
  const repo = { owner: spec.owner, repo: spec.repo };
  const log = deps.log.child({ repo: `${spec.owner}/${spec.repo}`, job: ctx.jobId, kind: spec.kind });
  const run: RunDeps = {
    octokit,
    repo,
    scope: `installation:${spec.installationId}`,
    store: deps.store,
    fixerFor: deps.fixerFor,
    limits: deps.limits,
    botLogin: deps.botLogin ? await deps.botLogin() : 'docs-fix[bot]',
    readConfig: async () => (await octokit.config.get({ ...repo, path: '.github/docs-fix.yml' })).config,
    log,
    syncSchedule: deps.schedules
      ? async (schedule) => {
          await deps.schedules!.upsertSchedule(spec, schedule);
        }
      : undefined,
    recordRun: deps.recordRun,
    ...(deps.parser ? { parser: deps.parser } : {}),
  };
  switch (spec.kind) {
    case 'push': {
      const out = await runPush(run, spec);
      return { summary: out.summary };
    }
    case 'command': {
      const out = await runCommand(run, spec);
      return { summary: out.summary };
    }
    case 'scheduled-check': {
      const out = await runConvergenceCheck(run);
      return { summary: out.summary };
    }
    case 'pr-closed': {
      const out = await runPullRequestClosed(run, {
        branch: spec.branch,
        base: spec.branch.slice(BOT_BRANCH_PREFIX.length),
        pull: spec.pull,
        ...(spec.merged !== undefined ? { merged: spec.merged } : {}),
        ...(spec.closedBy ? { closedBy: spec.closedBy } : {}),
        ...(spec.closedAt ? { closedAt: spec.closedAt } : {}),
      });
      return { summary: out.summary };
    }
    case 'pr-reopened': {
      const out = await runPullRequestReopened(run, { pull: spec.pull, reopenedBy: spec.reopenedBy });
      return { summary: out.summary };
    }
    case 'shadow': {
      if (!deps.shadow) {
        throw new PermanentJobError(
          'shadow runs are not configured in this worker: set DOCS_FIX_SHADOW_MODEL (or another DOCS_FIX_SHADOW_* variable)',
        );
      }
      return runShadowJob(run, spec, deps.shadow, ctx.signal);
    }
  }
}

/**
 * A run that failed on a 404 fails for good when the installation or the repository itself is gone: GitHub
 * does not know the installation (its token request answered 404), or the repository answers 404 when read
 * once more (to tell it from a missing branch or file, which a retry may see appear). Retries cannot help.
 */
async function permanentWhenGone(
  err: unknown,
  octokit: InstallationClient,
  spec: { installationId: number; owner: string; repo: string },
): Promise<unknown> {
  if (err instanceof InstallationNotFoundError || installationTokenNotFound(err) !== undefined) {
    return new PermanentJobError(new InstallationNotFoundError(spec.installationId).message);
  }
  let gone = err instanceof RepositoryNotAccessibleError ? err : undefined;
  if (!gone && statusOf(err) === 404) {
    const probe = await assertRepositoryAccessible(octokit, spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (probe instanceof InstallationNotFoundError) {
      return new PermanentJobError(new InstallationNotFoundError(spec.installationId).message);
    }
    if (probe instanceof RepositoryNotAccessibleError) gone = probe;
  }
  if (!gone) return err;
  return new PermanentJobError(
    `repository ${gone.repository} is not accessible to installation ${spec.installationId} (GitHub answered 404: ${gone.detail}): it was deleted, renamed or removed from the installation`,
  );
}
