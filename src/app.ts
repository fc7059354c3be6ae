// The Probot app: thin handlers that read the event, check it applies, and hand it on as a job.
// They make no GitHub request on the common paths (GitHub gives a delivery 10 seconds; the workers do the work).
import type { Context, Probot } from 'probot';
import type { AppIdentityView } from './github/app-identity.js';
import { changedMarkdownFilesFromPush, type PushPayloadFiles } from './github/changed-files.js';
import { isBotBranch } from './github/pull-request.js';
import type { JobSpec, RepoRef } from './jobs/types.js';

export interface AppDeps {
  /** Queues a job (BullMQ in production; tests may run it inline). */
  enqueue(spec: JobSpec): Promise<{ jobId: string; duplicate: boolean }>;
  /** Creates or updates a repository's scheduled re-run check (default schedule until its config is read). */
  upsertSchedule(repo: RepoRef): Promise<void>;
  removeSchedule(repo: RepoRef): Promise<void>;
  /** Who the app is, so that its own events are ignored (answers at once, known or not: no request). */
  identity: AppIdentityView;
}

const CONFIG_PATH = '.github/docs-fix.yml';
const MARKDOWN = /\.(md|mdx|markdown)$/i;
/** Every markdown path (the worker applies the repository's include/exclude once it has read the config). */
const ALL_MARKDOWN = { include: ['**/*.md', '**/*.mdx', '**/*.markdown'], exclude: [] } as const;
/** GitHub lists at most this many commits in a push payload; beyond it the file lists are incomplete. */
const PUSH_PAYLOAD_COMMIT_LIMIT = 2048;

export type CommentCommand =
  { kind: 'fix' | 'check' | 'forget' } | { kind: 'unknown'; word: string } | undefined;

/**
 * `/docs-fix`, `/docs-fix fix`, `/docs-fix check`, `/docs-fix forget` at the start of a comment; anything
 * else is not for us.
 */
export function parseCommand(body: string): CommentCommand {
  const match = /^\/docs-fix(?:[ \t]+(\S+))?[ \t]*(?:\r?\n|$)/.exec(body.trimStart());
  if (!match) return undefined;
  const word = match[1]?.toLowerCase();
  if (word === undefined || word === 'fix') return { kind: 'fix' };
  if (word === 'check' || word === 'forget') return { kind: word };
  return { kind: 'unknown', word };
}

/** Whether an event's sender is a person (not this app, not another bot). */
function isPerson(
  deps: AppDeps,
  sender: { login: string; type?: string; id?: number } | null | undefined,
): sender is { login: string; type?: string } {
  return !!sender && sender.type !== 'Bot' && !deps.identity.isOwn(sender);
}

interface PushCommit {
  added?: string[];
  modified?: string[];
  removed?: string[];
}

/** Whether a push may concern docs-fix: it touched markdown or the config, or its file lists are incomplete. */
export function pushTouchesDocs(commits: readonly PushCommit[]): boolean {
  if (commits.length === 0 || commits.length >= PUSH_PAYLOAD_COMMIT_LIMIT) return true;
  return commits.some((c) =>
    [...(c.added ?? []), ...(c.modified ?? [])].some((f) => MARKDOWN.test(f) || f === CONFIG_PATH),
  );
}

function repoRef(context: Context): RepoRef | undefined {
  const installationId = (context.payload as { installation?: { id: number } }).installation?.id;
  if (installationId === undefined) return undefined;
  const { owner, repo } = context.repo();
  return { installationId, owner, repo };
}

function refsOf(
  installationId: number,
  repositories: readonly { full_name?: string }[] | undefined,
): RepoRef[] {
  return (repositories ?? []).flatMap((r) => {
    const [owner, repo] = (r.full_name ?? '').split('/');
    return owner && repo ? [{ installationId, owner, repo }] : [];
  });
}

export function createApp(deps: AppDeps) {
  return (app: Probot): void => {
    app.on('push', async (context) => {
      const p = context.payload;
      const ref = repoRef(context);
      if (!ref || !p.ref.startsWith('refs/heads/') || p.deleted) return;
      const branch = p.ref.slice('refs/heads/'.length);
      if (isBotBranch(branch)) return;
      if (!pushTouchesDocs(p.commits)) {
        context.log.debug({ branch }, 'push touches no markdown: ignored');
        return;
      }
      if (deps.identity.isOwn(p.sender)) return;
      // Complete commit lists in the payload name the changed files: the worker then skips the compare.
      const fromPayload = changedMarkdownFilesFromPush(p as unknown as PushPayloadFiles, ALL_MARKDOWN);
      const job = await deps.enqueue({
        ...ref,
        kind: 'push',
        branch,
        before: p.before,
        after: p.after,
        defaultBranch: p.repository.default_branch,
        ...(fromPayload ? { paths: fromPayload.files, afterTreeSha: fromPayload.afterTreeSha } : {}),
      });
      context.log.info({ branch, sha: p.after, job: job.jobId, duplicate: job.duplicate }, 'push queued');
    });

    app.on('issue_comment.created', async (context) => {
      const p = context.payload;
      if (!p.issue.pull_request) return;
      const command = parseCommand(p.comment.body);
      if (!command) return;
      const user = p.comment.user;
      // No bot's command is taken, this app's own or another's.
      if (!user || user.type === 'Bot' || deps.identity.isOwn(user, p.comment.performed_via_github_app))
        return;
      const ref = repoRef(context);
      if (!ref) return;
      if (command.kind === 'unknown') {
        await context.octokit.rest.issues.createComment(
          context.issue({
            body: `docs-fix does not know \`${command.word}\`. Use \`/docs-fix\` to fix this pull request's docs, \`/docs-fix check\` to report only, or \`/docs-fix forget\` (on a docs-fix pull request) to let it propose edits it was told not to again.`,
          }),
        );
        return;
      }
      const job = await deps.enqueue({
        ...ref,
        kind: 'command',
        command: command.kind,
        pull: p.issue.number,
        commentId: p.comment.id,
        commenter: user.login,
      });
      context.log.info({ pull: p.issue.number, job: job.jobId, duplicate: job.duplicate }, 'command queued');
    });

    app.on('pull_request.closed', async (context) => {
      const pr = context.payload.pull_request;
      if (!isBotBranch(pr.head.ref) || pr.head.repo?.full_name !== pr.base.repo.full_name) return;
      const ref = repoRef(context);
      if (!ref) return;
      const sender = context.payload.sender;
      // Closed without merging by a person (docs-fix closes its own when nothing is left to fix): a "no".
      const rejected = !pr.merged && isPerson(deps, sender);
      await deps.enqueue({
        ...ref,
        kind: 'pr-closed',
        pull: pr.number,
        branch: pr.head.ref,
        merged: pr.merged === true,
        ...(rejected ? { closedBy: sender.login } : {}),
        ...(pr.closed_at ? { closedAt: pr.closed_at } : {}),
      });
    });

    app.on('pull_request.reopened', async (context) => {
      const pr = context.payload.pull_request;
      if (!isBotBranch(pr.head.ref) || pr.head.repo?.full_name !== pr.base.repo.full_name) return;
      const sender = context.payload.sender;
      if (!isPerson(deps, sender)) return;
      const ref = repoRef(context);
      if (!ref) return;
      await deps.enqueue({
        ...ref,
        kind: 'pr-reopened',
        pull: pr.number,
        reopenedBy: sender.login,
        reopenedAt: pr.updated_at,
      });
    });

    app.on(['installation.created', 'installation.new_permissions_accepted'], async (context) => {
      const { installation, repositories } = context.payload;
      deps.identity.learn(installation.app_id, installation.app_slug);
      for (const ref of refsOf(installation.id, repositories)) await deps.upsertSchedule(ref);
    });

    app.on('installation.deleted', async (context) => {
      const { installation, repositories } = context.payload;
      deps.identity.learn(installation.app_id, installation.app_slug);
      for (const ref of refsOf(installation.id, repositories)) await deps.removeSchedule(ref);
    });

    app.on('installation_repositories', async (context) => {
      const { installation, repositories_added, repositories_removed } = context.payload;
      deps.identity.learn(installation.app_id, installation.app_slug);
      for (const ref of refsOf(installation.id, repositories_added)) await deps.upsertSchedule(ref);
      for (const ref of refsOf(installation.id, repositories_removed)) await deps.removeSchedule(ref);
    });
  };
}
