/** A repository an installation of the app can act on. */
export interface RepoRef {
  readonly installationId: number;
  readonly owner: string;
  readonly repo: string;
}

/** The work a webhook or a schedule asks for; everything a worker needs, nothing it must re-read from the event. */
export type JobSpec =
  | (RepoRef & {
      readonly kind: 'push';
      /** Branch name (without refs/heads/). */
      readonly branch: string;
      readonly before: string;
      readonly after: string;
      /** The repository's default branch, from the event (watched when the config names no branches). */
      readonly defaultBranch: string;
      /**
       * Markdown paths the push added or modified, from the payload's commit lists when they are complete
       * (saves the compare request); absent when they are not (new or force-pushed branch, long pushes).
       * Not part of the job id.
       */
      readonly paths?: readonly string[];
      /** Tree of `after` (the payload's `head_commit.tree_id`), given with `paths`. */
      readonly afterTreeSha?: string;
    })
  | (RepoRef & {
      readonly kind: 'command';
      /**
       * `fix` commits or opens a pull request; `check` reports only; `forget` drops the rejections recorded
       * from a docs-fix pull request.
       */
      readonly command: 'fix' | 'check' | 'forget';
      readonly pull: number;
      readonly commentId: number;
      readonly commenter: string;
      /**
       * Head SHA of the pull request when known. A comment webhook does not carry it, so the app leaves it
       * out (the handler makes no GitHub request) and the job id falls back to the comment id; the worker
       * then skips a command already done for the same head.
       */
      readonly headSha?: string;
    })
  | (RepoRef & {
      readonly kind: 'scheduled-check';
      /** Default branch at scheduling time; the worker re-reads it. */
      readonly branch?: string;
    })
  | (RepoRef & {
      readonly kind: 'pr-closed';
      readonly pull: number;
      readonly branch: string;
      readonly merged?: boolean;
      /** Who closed it without merging, when a person did (its rewrites are then recorded as rejected). */
      readonly closedBy?: string;
      /** When it was closed (a pull request closed twice is two jobs). */
      readonly closedAt?: string;
    })
  | (RepoRef & {
      /** A docs-fix pull request a person closed was reopened: the rejections its closing recorded go. */
      readonly kind: 'pr-reopened';
      readonly pull: number;
      readonly reopenedBy: string;
      /** When (the pull request's `updated_at`): a pull request reopened twice is two jobs. */
      readonly reopenedAt: string;
    })
  | (RepoRef & {
      /**
       * A shadow run of the candidate configuration on the default branch (operators' `docs-fix shadow-app`):
       * reads only, writes nothing to GitHub, and stores its report in Redis under `runId`.
       */
      readonly kind: 'shadow';
      /** The shadow run this repository is part of. */
      readonly runId: string;
      /** Persist the candidate's cache entries (under its own keys) so the switch costs no model call here. */
      readonly warm?: boolean;
    })
  | (RepoRef & {
      /**
       * A scheduled shadow run (`DOCS_FIX_SHADOW_SCHEDULE`): samples the repositories that have schedules and
       * enqueues one `shadow` job each. About no repository and no installation (its `RepoRef` is keys.ts
       * `SHADOW_SAMPLE_SUBJECT`); only its job scheduler adds it.
       */
      readonly kind: 'shadow-sample';
    });

export type JobKind = JobSpec['kind'];

/** Runs one job; throws to retry (transient) or a `PermanentJobError` to fail without retries. */
export type JobHandler = (spec: JobSpec, ctx: JobContext) => Promise<JobOutcome>;

export interface JobContext {
  readonly jobId: string;
  readonly attempt: number;
  readonly signal: AbortSignal;
}

export interface JobOutcome {
  /** One line for logs and the job's return value. */
  readonly summary: string;
}

/** A failure that retrying cannot fix (bad config, missing permission): kept with its reason. */
export class PermanentJobError extends Error {
  readonly code = 'JOB_PERMANENT';
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** What a queued job carries: the spec, and the id of the `enqueue` call that created it (tells duplicates apart). */
export interface JobData {
  readonly spec: JobSpec;
  readonly enqueueId: string;
}
