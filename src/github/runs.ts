// What each kind of job does on GitHub: read config and files, run the engine, propose the result.
// Fail closed: an engine error (cache or model untrustworthy) throws before anything is committed.
import type { Logger } from 'pino';
import type { LineStore } from '../cache/types.js';
import type { RepoConfig } from '../config/schema.js';
import type { Vocabulary } from '../config/vocabulary.js';
import { keepWithinLimits, pathFilter } from '../engine/files.js';
import { fixFiles, knownFileFixpoints, lineKeyFor } from '../engine/fix.js';
import type { FileParser } from '../engine/parser.js';
import { summariseDecisions } from '../engine/trace.js';
import type { FixResult, RunSummary, SourceFile } from '../engine/types.js';
import type { UnitFixer } from '../model/types.js';
import { annotationsFromPatches, completeCheckRun } from './check-run.js';
import { changedMarkdownFiles, recursiveTree } from './changed-files.js';
import { ConfigError } from '../config/errors.js';
import {
  assertRepositoryAccessible,
  BranchMovedError,
  GitHubApiError,
  statusOf,
  type GitHubClient,
  type RepoRef,
} from './client.js';
import { mergeCommitOnto } from './branch-merge.js';
import { branchHead, commitFiles, deleteBranch, moveBranch } from './commit.js';
import {
  commentOnce,
  hasWritePermission,
  postSuggestionReview,
  reactEyes,
  replyToComment,
} from './comments.js';
import { CONFIG_FILE, loadRepoConfig, type LoadedConfig } from './config.js';
import { readFiles, type FileToRead } from './read-files.js';
import { renderCheckRunOutput, renderPullRequestBody, summaryTable } from './render.js';
import {
  botBranch,
  botBranchHolds,
  type BotBranchState,
  type BotPullRequest,
  closeBotPullRequest,
  findBotPullRequest,
  inspectBotBranch,
  isBotBranch,
  isBotCommit,
  pullRequestFiles,
  upsertBotPullRequest,
} from './pull-request.js';
import {
  forgetRejections,
  personCommitDecisions,
  proposedRewrites,
  pullRequestCommits,
  recordRejections,
} from './rejections.js';

export const CONVERGENCE_CHECK_NAME = 'docs-fix / convergence';

export interface RunLimits {
  readonly maxLines: number;
  readonly maxTokens: number;
  readonly maxFiles: number;
  readonly maxBytes: number;
}

/** Everything a run needs, injected (tests pass the fake GitHub's octokit, a real store, the simulator). */
export interface RunDeps {
  readonly octokit: GitHubClient;
  readonly repo: RepoRef;
  /** Tenant boundary of the line cache: the installation, never anything from the repository. */
  readonly scope: string;
  readonly store: LineStore;
  /** The model for a repository's style guide and vocabulary (both are part of its prompt version). */
  readonly fixerFor: (styleGuide: string, vocabulary?: readonly string[]) => UnitFixer;
  readonly limits: RunLimits;
  /** The app's own login, `<slug>[bot]`. */
  readonly botLogin: string;
  /** The raw repository config (Probot's `octokit.config.get`, which follows `_extends`), or undefined. */
  readonly readConfig: () => Promise<unknown>;
  readonly log: Logger;
  readonly syncSchedule?: (schedule: string) => Promise<void>;
  /** Where files are split (a worker process's shared thread pool); default: in the job's thread. */
  readonly parser?: FileParser;
  readonly recordRun?: (summary: RunSummary) => void;
  /**
   * False for user tokens (the `docs-fix pr` CLI): they cannot write check runs (GitHub answers 403), so no
   * check run is written and an invalid config throws its `ConfigError` instead of being reported on one.
   */
  readonly checkRuns?: boolean;
}

export interface RunOutcome {
  readonly summary: string;
  readonly result?: FixResult;
  readonly pullRequest?: number;
}

type Config = { config: RepoConfig; styleGuide: string; vocabulary: Vocabulary };

const repositoryOf = (deps: RunDeps): string => `${deps.repo.owner}/${deps.repo.repo}`;
const fixerOf = (deps: RunDeps, cfg: Config): UnitFixer =>
  deps.fixerFor(cfg.styleGuide, cfg.vocabulary.terms);
/** Where a repository's maintainers' rejections are stored: the installation's scope and the repository. */
const rejectionsOf = (deps: RunDeps) => ({
  store: deps.store,
  scope: deps.scope,
  repository: repositoryOf(deps),
});

/** Loads and validates the config; an invalid one is reported on a check run and stops the run. */
async function configOrReport(
  deps: RunDeps,
  headSha: string,
  checkName?: string,
  onInvalid?: (error: ConfigError) => void,
): Promise<Config | undefined> {
  let raw: unknown;
  let unreadable: ConfigError | undefined;
  try {
    raw = await deps.readConfig();
  } catch (error) {
    // A GitHub failure is transient (the job retries); anything else is the file itself (invalid YAML, not a map).
    if (statusOf(error) !== undefined) throw GitHubApiError.from(`read ${CONFIG_FILE}`, error);
    const reason = error instanceof Error ? error.message.replace(/^\[[^\]]*\]\s*/, '') : String(error);
    unreadable = new ConfigError(CONFIG_FILE, '', `expected a YAML mapping of options: ${reason}`);
  }
  const loaded: LoadedConfig = unreadable
    ? { ok: false, error: unreadable }
    : await loadRepoConfig(deps.octokit, deps.repo, raw, { ref: headSha });
  if (loaded.ok)
    return { config: loaded.config, styleGuide: loaded.styleGuide, vocabulary: loaded.vocabulary };
  if (deps.checkRuns === false) throw loaded.error;
  onInvalid?.(loaded.error);
  await completeCheckRun(deps.octokit, deps.repo, {
    headSha,
    name: checkName,
    conclusion: 'failure',
    output: {
      title: `${CONFIG_FILE} is invalid`,
      summary: `docs-fix did nothing: ${loaded.error.message}\n\nFix the file and push again.`,
    },
  });
  return undefined;
}

/**
 * Splits the files to read into those whose blob is a known file-level fixpoint under the run's key inputs
 * (never read: the scheduled check of a branch at its fixpoint reads no blob) and the rest.
 */
async function withoutKnownFixpoints(
  deps: RunDeps,
  cfg: Config,
  toRead: readonly FileToRead[],
): Promise<{ toRead: FileToRead[]; known: { path: string; sha: string }[] }> {
  const withSha = toRead.flatMap((f) =>
    typeof f !== 'string' && f.sha ? [{ path: f.path, sha: f.sha }] : [],
  );
  if (withSha.length === 0) return { toRead: [...toRead], known: [] };
  const skip = await knownFileFixpoints(withSha, {
    store: deps.store,
    scope: deps.scope,
    fixer: fixerOf(deps, cfg),
    languages: cfg.config.languages,
  });
  return {
    toRead: toRead.filter((f) => typeof f === 'string' || !skip.has(f.path)),
    known: withSha.filter((f) => skip.has(f.path)),
  };
}

async function runEngine(
  deps: RunDeps,
  files: readonly SourceFile[],
  cfg: Config,
  known: readonly { path: string; sha: string }[] = [],
): Promise<FixResult> {
  const fixed = await fixFiles(files, {
    store: deps.store,
    fixer: fixerOf(deps, cfg),
    scope: deps.scope,
    repository: repositoryOf(deps),
    vocabulary: cfg.vocabulary.terms,
    languages: cfg.config.languages,
    budget: {
      maxLines: Math.min(cfg.config.maxLinesPerRun, deps.limits.maxLines),
      maxTokens: deps.limits.maxTokens,
    },
    log: deps.log,
    ...(deps.parser ? { parser: deps.parser } : {}),
  });
  // Blobs skipped before reading count as the file-level fixpoint hits they are.
  fixed.summary.files += known.length;
  fixed.summary.fileFixpointHits += known.length;
  const result: FixResult = {
    ...fixed,
    files: [
      ...known.map((k) => ({
        path: k.path,
        outcome: 'file-fixpoint-hit' as const,
        content: `git-blob:${k.sha}`,
      })),
      ...fixed.files,
    ],
  };
  deps.recordRun?.(result.summary);
  deps.log.info(
    { summary: { ...result.summary, skippedFiles: result.summary.skippedFiles.length } },
    'run finished',
  );
  return result;
}

/**
 * Opens, updates or closes the bot pull request `docs-fix/<base>` so that it holds exactly `result`'s patches
 * on top of `baseSha`. Stops (and says so once) when a human has committed to the bot branch.
 */
async function proposeOnBotBranch(
  deps: RunDeps,
  input: {
    base: string;
    baseSha: string;
    baseTreeSha?: string;
    cfg: Config;
    result: FixResult;
    /** The bot branch as inspected earlier in this run (null: it does not exist); inspected here when absent. */
    state?: BotBranchState | null;
    /** What people's commits on it taught, when learned earlier in this run (see `learnBeforeRun`). */
    people?: PeopleOnBranch;
  },
): Promise<{ text: string; pullRequest?: number }> {
  const { octokit, repo } = deps;
  const branch = botBranch(input.base);
  const state =
    input.state !== undefined
      ? (input.state ?? undefined)
      : await inspectBotBranch(octokit, repo, { base: input.base, botLogin: deps.botLogin });
  // No bot branch means no open bot pull request (deleting the head branch closes it for good).
  const existing = input.people
    ? input.people.pullRequest
    : state
      ? await findBotPullRequest(octokit, repo, input.base)
      : undefined;
  if (state && state.humanCommits.length > 0) {
    // A branch people committed to without an open pull request is not docs-fix's to revive.
    if (!existing) return { text: `${branch} has human commits: left alone` };
    const learned = input.people?.learned ?? (await learnFromPeople(deps, input.cfg, existing.number));
    return maintainWithPeople(deps, { ...input, state, existing, learned });
  }
  if (input.result.patches.length === 0) {
    if (existing) {
      await closeBotPullRequest(octokit, repo, {
        number: existing.number,
        base: input.base,
        comment: `Nothing is left to fix on \`${input.base}\`: closing. docs-fix will open a new pull request when there is.`,
      });
      return { text: `nothing left to fix: closed #${existing.number}` };
    }
    if (state) await deleteBranch(octokit, repo, branch);
    return { text: 'nothing to fix' };
  }
  const files = input.result.patches.map((p) => ({ path: p.path, bytes: p.after }));
  if (state && existing && botBranchHolds(state, input.baseSha, files)) {
    return {
      text: `pull request #${existing.number} already holds these changes: left as it is`,
      pullRequest: existing.number,
    };
  }
  await commitFiles(octokit, repo, {
    branch,
    parentSha: input.baseSha,
    baseTreeSha: input.baseTreeSha,
    files,
    message: `docs: copy edits by docs-fix\n\n${input.result.summary.changedLines} lines in ${input.result.patches.length} files.`,
    // Rebuilt on the base each run: forced. The branch was just inspected, so create it outright when missing
    // (a concurrent creation answers "already exists": BranchMovedError, the job retries).
    expectedHeadSha: state ? undefined : null,
    force: true,
  });
  const upsert = await upsertBotPullRequest(octokit, repo, {
    base: input.base,
    title: `docs: copy edits for ${input.base}`,
    body: renderPullRequestBody({
      base: input.base,
      summary: input.result.summary,
      diff: input.result.diff,
      files: input.result.patches.map((p) => p.path),
    }),
    draft: input.cfg.config.draft,
    labels: input.cfg.config.labels,
    existing,
  });
  if (upsert.outcome === 'no-commits') {
    if (existing) {
      await closeBotPullRequest(octokit, repo, {
        number: existing.number,
        base: input.base,
        comment: 'Nothing is left to fix: closing.',
      });
    }
    return { text: 'nothing to fix' };
  }
  return { text: `pull request #${upsert.number} ${upsert.outcome}`, pullRequest: upsert.number };
}

/** The open bot pull request of a branch people committed to, and what their commits taught. */
interface PeopleOnBranch {
  readonly pullRequest?: BotPullRequest;
  readonly learned?: Learned;
}

/**
 * Before a run over a branch whose bot pull request people committed to: learn from their commits first,
 * so that the run (and its check run) already leaves what they reverted or wrote.
 */
async function learnBeforeRun(
  deps: RunDeps,
  cfg: Config,
  base: string,
  state: BotBranchState | undefined,
): Promise<PeopleOnBranch | undefined> {
  if (!state || state.humanCommits.length === 0) return undefined;
  const pullRequest = await findBotPullRequest(deps.octokit, deps.repo, base);
  if (!pullRequest) return { pullRequest };
  return { pullRequest, learned: await learnFromPeople(deps, cfg, pullRequest.number) };
}

/** What docs-fix learned from people's commits on its branch. */
interface Learned {
  /** docs-fix's rewrites they put back or wrote otherwise: recorded as rejected. */
  readonly reverted: number;
  /** Units they wrote otherwise: stored as fixpoints (a person's word is final). */
  readonly written: number;
}

/**
 * Reads people's commits on the bot pull request against docs-fix's own: a unit put back to its original
 * text rejects that rewrite (as closing the pull request would), a unit written otherwise is stored as a
 * fixpoint under the run's keys. Idempotent: every run re-reads them (a later commit may revert more).
 */
async function learnFromPeople(deps: RunDeps, cfg: Config, pull: number): Promise<Learned> {
  const { octokit, repo } = deps;
  const commits = await pullRequestCommits(octokit, repo, pull);
  const proposed = await proposedRewrites(octokit, repo, { pull, botLogin: deps.botLogin, commits });
  const people = commits.filter((c) => !isBotCommit(c, deps.botLogin));
  const decisions = await personCommitDecisions(octokit, repo, people, proposed);
  const rejection = (d: (typeof decisions)[number], how: 'reverted' | 'rewritten') => ({
    pullRequest: pull,
    how,
    by: d.commit.author ?? d.commit.committer ?? 'unknown',
    at: d.commit.date ?? new Date().toISOString(),
    commit: d.commit.sha,
  });
  // A rewrite the person replaced with their own text is rejected too: the text it started from (still on
  // the base) must not get docs-fix's version proposed again either.
  const reverted = await recordRejections(
    rejectionsOf(deps),
    decisions.flatMap((d) => [
      ...d.reverted.map((rewrite) => ({ rewrite, rejection: rejection(d, 'reverted') })),
      ...d.rewritten.map((rewrite) => ({ rewrite, rejection: rejection(d, 'rewritten') })),
    ]),
  );
  const keyOf = lineKeyFor({ scope: deps.scope, fixer: fixerOf(deps, cfg) });
  const written = new Set(decisions.flatMap((d) => d.written.map((u) => keyOf(u.kind, u.text))));
  await deps.store.write([...written].map((key) => ({ op: 'fixpoint' as const, key })));
  if (reverted > 0 || written.size > 0)
    deps.log.info({ pull, reverted, written: written.size }, "learned from people's commits");
  return { reverted, written: written.size };
}

/**
 * Keeps maintaining a bot pull request people committed to: their commits stay (no force-push), the
 * base's new commits come in as a merge commit (as GitHub's "Update branch" makes), and docs-fix's new
 * edits go on top as one commit, made from the branch's own version of the files, so that nothing a person
 * edited is touched (their reverts are rejections, their texts fixpoints). When both sides changed the same
 * file docs-fix leaves the branch and says so once.
 */
async function maintainWithPeople(
  deps: RunDeps,
  input: {
    base: string;
    cfg: Config;
    result: FixResult;
    state: BotBranchState;
    existing: BotPullRequest;
    learned: Learned;
  },
): Promise<{ text: string; pullRequest?: number }> {
  const { octokit, repo } = deps;
  const { state, existing, cfg, learned } = input;
  const branch = botBranch(input.base);
  const pull = existing.number;
  await commentOnce(
    octokit,
    repo,
    pull,
    '<!-- docs-fix:human-commit -->',
    [
      `Someone other than docs-fix committed to \`${branch}\`. docs-fix keeps this pull request up to date without rewriting those commits, and never touches what people changed here:`,
      `- an edit someone put back or wrote otherwise is not proposed again in this repository (${learned.reverted} so far; comment \`/docs-fix forget\` to undo);`,
      `- a paragraph or heading written otherwise is kept as written (${learned.written} so far).`,
    ].join('\n'),
  );
  let parent = state.headSha;
  let parentTree: string | undefined;
  if (state.mergeBaseSha !== null && state.mergeBaseSha !== state.baseHeadSha) {
    if (state.truncated)
      return { text: `${branch} is too far from ${input.base} to merge: left as it is`, pullRequest: pull };
    const merge = await mergeCommitOnto(octokit, repo, {
      branchHead: state.headSha,
      baseHead: state.baseHeadSha,
      baseTreeSha: state.baseHeadTreeSha,
      mergeBase: state.mergeBaseSha,
      branchFiles: state.blobs,
      message: `Merge ${input.base} into ${branch}`,
    });
    if (!merge.merged) {
      await commentOnce(
        octokit,
        repo,
        pull,
        `<!-- docs-fix:merge-conflict ${state.baseHeadSha} -->`,
        `\`${input.base}\` changed files this pull request also changes (${merge.conflicts.map((c) => `\`${c}\``).join(', ')}), so docs-fix cannot bring it up to date by itself. Merge \`${input.base}\` into \`${branch}\` (for example with "Update branch") and docs-fix will carry on from there.`,
      );
      return { text: `${branch} conflicts with ${input.base}: left as it is`, pullRequest: pull };
    }
    parent = merge.sha;
    parentTree = merge.treeSha;
  }
  // The branch's own version of the files the base run examined and of those the branch changes.
  const matches = pathFilter(cfg.config);
  const paths = [
    ...new Set([
      ...input.result.files.filter((f) => !f.outcome.startsWith('skipped:')).map((f) => f.path),
      ...state.files,
    ]),
  ].filter(matches);
  const read = await readFiles(octokit, repo, parent, paths);
  const { files } = keepWithinLimits(read, deps.limits);
  const result = await runEngine(deps, files, cfg);
  if (result.patches.length === 0 && parent === state.headSha) {
    return { text: `pull request #${pull} is up to date (people's commits kept)`, pullRequest: pull };
  }
  // No force: the new commit descends from the head inspected, and GitHub refuses anything else.
  if (result.patches.length > 0) {
    await commitFiles(octokit, repo, {
      branch,
      parentSha: parent,
      ...(parentTree ? { baseTreeSha: parentTree } : {}),
      files: result.patches.map((p) => ({ path: p.path, bytes: p.after })),
      message: `docs: copy edits by docs-fix\n\n${result.summary.changedLines} lines in ${result.patches.length} files, on top of people's commits.`,
      expectedHeadSha: state.headSha,
    });
  } else {
    await moveBranch(octokit, repo, { branch, sha: parent, expected: state.headSha, force: false });
  }
  await upsertBotPullRequest(octokit, repo, {
    base: input.base,
    title: existing.title,
    body: renderPullRequestBody({
      base: input.base,
      summary: result.summary,
      diff: result.diff,
      files: result.patches.map((p) => p.path),
    }),
    existing,
  });
  return { text: `pull request #${pull} updated on top of people's commits`, pullRequest: pull };
}

async function reportCheck(
  deps: RunDeps,
  input: { headSha: string; name?: string; result: FixResult; dryRun: boolean; note: string },
): Promise<void> {
  if (deps.checkRuns === false) return;
  const output = renderCheckRunOutput({
    summary: input.result.summary,
    diff: input.result.diff,
    files: input.result.patches.map((p) => p.path),
    dryRun: input.dryRun,
    decisions: summariseDecisions(input.result),
    keyInputs: input.result.keyInputs,
    note: input.note,
  });
  await completeCheckRun(deps.octokit, deps.repo, {
    headSha: input.headSha,
    name: input.name,
    conclusion: input.result.summary.changedLines === 0 ? 'success' : 'neutral',
    output,
    annotations: annotationsFromPatches(input.result.patches),
  });
}

/** A push to a branch docs-fix watches: fix the markdown it touched plus what the open bot PR already holds. */
export async function runPush(
  deps: RunDeps,
  spec: {
    branch: string;
    before: string;
    after: string;
    defaultBranch: string;
    /** Changed markdown paths from a complete push payload (then no compare request), with the `after` tree. */
    paths?: readonly string[];
    afterTreeSha?: string;
  },
): Promise<RunOutcome> {
  let cfg = await configOrReport(deps, spec.after);
  if (!cfg) return { summary: 'invalid config: reported on the check run' };
  const watched = cfg.config.branches.length > 0 ? cfg.config.branches : [spec.defaultBranch];
  if (!watched.includes(spec.branch)) return { summary: `branch ${spec.branch} is not watched` };

  const state = await inspectBotBranch(deps.octokit, deps.repo, {
    base: spec.branch,
    botLogin: deps.botLogin,
  });
  // Jobs of one repository run one at a time, but not always in push order (a busy repository delays them).
  // A push that is no longer the branch head is superseded: fix the branch as it is now, over the range of
  // this push and every later one, so a late job never rebuilds the bot branch on an older base.
  const head = state ? state.baseHeadSha : await branchHead(deps.octokit, deps.repo, spec.branch);
  if (head === null) {
    // The config and the branch both read as missing when the whole repository is: say which it is.
    await assertRepositoryAccessible(deps.octokit, deps.repo);
    return { summary: `branch ${spec.branch} no longer exists` };
  }
  const superseded = head !== spec.after;
  const after = head;
  if (superseded) {
    deps.log.info({ pushed: spec.after, head }, 'push superseded by a later one: fixing the branch head');
    cfg = await configOrReport(deps, head);
    if (!cfg) return { summary: 'invalid config: reported on the check run' };
  }
  await deps.syncSchedule?.(cfg.config.schedule);

  const changed: { files: readonly FileToRead[]; afterTreeSha: string | undefined } =
    spec.paths && !superseded
      ? {
          files: spec.paths.filter(pathFilter(cfg.config)),
          afterTreeSha: spec.afterTreeSha,
        }
      : await changedMarkdownFiles(deps.octokit, deps.repo, {
          before: spec.before,
          after,
          include: cfg.config.include,
          exclude: cfg.config.exclude,
        });
  if (changed.files.length === 0 && !state) return { summary: 'no markdown changed' };
  const matches = pathFilter(cfg.config);
  const toRead = new Map<string, FileToRead>(
    changed.files.map((f) => [typeof f === 'string' ? f : f.path, f]),
  );
  for (const path of state?.files ?? []) if (!toRead.has(path) && matches(path)) toRead.set(path, path);
  const people = await learnBeforeRun(deps, cfg, spec.branch, state);
  const unknown = await withoutKnownFixpoints(deps, cfg, [...toRead.values()]);
  const read = await readFiles(deps.octokit, deps.repo, after, unknown.toRead);
  const { files, skipped } = keepWithinLimits(read, deps.limits);
  const result = await runEngine(deps, files, cfg, unknown.known);
  result.summary.skippedFiles.push(...skipped);

  let note = 'Dry run: nothing committed.';
  let pullRequest: number | undefined;
  if (!cfg.config.dryRun) {
    const proposed = await proposeOnBotBranch(deps, {
      base: spec.branch,
      baseSha: after,
      baseTreeSha: changed.afterTreeSha,
      cfg,
      result,
      state: state ?? null,
      ...(people ? { people } : {}),
    });
    note = proposed.text;
    pullRequest = proposed.pullRequest;
  }
  await reportCheck(deps, { headSha: after, result, dryRun: cfg.config.dryRun, note });
  return { summary: note, result, pullRequest };
}

/** `/docs-fix` or `/docs-fix check` on a pull request. */
export async function runCommand(
  deps: RunDeps,
  spec: { command: 'fix' | 'check' | 'forget'; pull: number; commentId: number; commenter: string },
): Promise<RunOutcome> {
  const { octokit, repo } = deps;
  await reactEyes(octokit, repo, spec.commentId);
  const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: spec.pull });
  let invalid: ConfigError | undefined;
  const cfg = await configOrReport(deps, pr.head.sha, undefined, (e) => (invalid = e));
  if (!cfg) {
    await replyToComment(
      octokit,
      repo,
      spec.pull,
      `docs-fix did nothing: ${invalid?.message ?? `${CONFIG_FILE} is invalid`}. Fix the file and comment again.`,
    );
    return { summary: 'invalid config: reported on the check run' };
  }
  if (!cfg.config.commands) {
    await replyToComment(
      octokit,
      repo,
      spec.pull,
      '`/docs-fix` commands are turned off in `.github/docs-fix.yml` (`commands: false`).',
    );
    return { summary: 'commands are off' };
  }
  if (!(await hasWritePermission(octokit, repo, spec.commenter))) {
    await replyToComment(
      octokit,
      repo,
      spec.pull,
      `Thanks, @${spec.commenter}! \`/docs-fix\` changes the pull request, so it needs write, maintain or admin permission on this repository. A maintainer can run it for you.`,
    );
    return { summary: `${spec.commenter} may not run commands` };
  }
  if (spec.command === 'forget') return forgetCommand(deps, pr, spec.commenter);
  if (pr.state !== 'open') {
    await replyToComment(
      octokit,
      repo,
      spec.pull,
      'This pull request is closed: docs-fix leaves it as it is.',
    );
    return { summary: 'pull request closed' };
  }
  const matches = pathFilter(cfg.config);
  const prFiles = (await pullRequestFiles(octokit, repo, spec.pull)).filter(
    (f) => f.status !== 'removed' && matches(f.path),
  );
  const unknown = await withoutKnownFixpoints(
    deps,
    cfg,
    prFiles.map((f) => ({ path: f.path, sha: f.sha })),
  );
  const read = await readFiles(octokit, repo, pr.head.sha, unknown.toRead);
  const { files, skipped } = keepWithinLimits(read, deps.limits);
  const result = await runEngine(deps, files, cfg, unknown.known);
  result.summary.skippedFiles.push(...skipped);
  const s = result.summary;
  const table = summaryTable(s);

  if (spec.command === 'check' || cfg.config.dryRun || s.changedLines === 0) {
    await reportCheck(deps, {
      headSha: pr.head.sha,
      name: CONVERGENCE_CHECK_NAME,
      result,
      dryRun: true,
      note: 'Report only.',
    });
    const verdict =
      s.changedLines === 0
        ? 'The docs in this pull request are at a fixpoint: nothing to change.'
        : `${s.changedLines} lines would change. Comment \`/docs-fix\` to apply them.`;
    await replyToComment(octokit, repo, spec.pull, `${verdict}\n\n${table}`);
    return { summary: verdict, result };
  }

  const sameRepo = pr.head.repo?.full_name === pr.base.repo.full_name;
  if (!sameRepo) {
    const review = await postSuggestionReview(octokit, repo, {
      pullNumber: spec.pull,
      commitId: pr.head.sha,
      patches: result.patches,
      intro: `docs-fix cannot push to a fork, so here are its copy edits as suggestions.\n\n${table}`,
    });
    return { summary: `suggestions posted (review ${review.reviewId})`, result };
  }

  if (cfg.config.commentAction === 'pr') {
    const proposed = await proposeOnBotBranch(deps, { base: pr.head.ref, baseSha: pr.head.sha, cfg, result });
    await replyToComment(octokit, repo, spec.pull, `${proposed.text}.\n\n${table}`);
    return { summary: proposed.text, result, pullRequest: proposed.pullRequest };
  }

  // Commit onto the pull request's branch, guarded by the head we fixed; a moved head is the job's retry.
  try {
    const commit = await commitFiles(octokit, repo, {
      branch: pr.head.ref,
      parentSha: pr.head.sha,
      files: result.patches.map((p) => ({ path: p.path, bytes: p.after })),
      message: `docs: copy edits by docs-fix (requested by @${spec.commenter})`,
      expectedHeadSha: pr.head.sha,
    });
    await replyToComment(
      octokit,
      repo,
      spec.pull,
      `Committed ${s.changedLines} copy edits in ${result.patches.length} files as ${commit.commitSha.slice(0, 7)}.\n\n${table}`,
    );
    return { summary: `committed ${commit.commitSha}`, result };
  } catch (err) {
    if (err instanceof BranchMovedError) {
      deps.log.info(
        { branch: pr.head.ref },
        'pull request head moved while fixing: retrying on the new head',
      );
    }
    throw err;
  }
}

/**
 * The scheduled re-run check: the whole default branch (or `base`), reported as `docs-fix / convergence`, its
 * changes proposed on the bot pull request. The `docs-fix pr` CLI runs it on demand (`ignoreSchedule`).
 */
export async function runConvergenceCheck(
  deps: RunDeps,
  opts: { readonly base?: string; readonly ignoreSchedule?: boolean } = {},
): Promise<RunOutcome> {
  const { octokit, repo } = deps;
  const base = opts.base ?? (await octokit.rest.repos.get({ ...repo })).data.default_branch;
  const { data: branch } = await octokit.rest.repos.getBranch({ ...repo, branch: base });
  const headSha = branch.commit.sha;
  const cfg = await configOrReport(deps, headSha, CONVERGENCE_CHECK_NAME);
  if (!cfg) return { summary: 'invalid config: reported on the check run' };
  await deps.syncSchedule?.(cfg.config.schedule);
  if (cfg.config.schedule === 'off' && !opts.ignoreSchedule) return { summary: 'schedule is off' };
  const matches = pathFilter(cfg.config);
  const tree = await recursiveTree(octokit, repo, branch.commit.commit.tree.sha);
  const candidates = [...(tree?.blobs ?? new Map<string, string>())]
    .filter(([path]) => /\.(md|mdx|markdown)$/i.test(path) && matches(path))
    .map(([path, sha]) => ({ path, sha }))
    .sort((a, b) => a.path.localeCompare(b.path));
  const state = await inspectBotBranch(octokit, repo, { base, botLogin: deps.botLogin });
  const people = await learnBeforeRun(deps, cfg, base, state);
  // Blobs known to be at a fixpoint are neither read nor counted against the file limit.
  const unknown = await withoutKnownFixpoints(deps, cfg, candidates);
  const toRead = unknown.toRead as { path: string; sha: string }[];
  const read = await readFiles(octokit, repo, headSha, toRead.slice(0, deps.limits.maxFiles));
  const { files, skipped } = keepWithinLimits(read, deps.limits);
  for (const e of toRead.slice(deps.limits.maxFiles)) {
    skipped.push({
      path: e.path,
      reason: 'limit',
      message: `${e.path}: not examined: the run's limit of ${deps.limits.maxFiles} files was reached`,
    });
  }
  const result = await runEngine(deps, files, cfg, unknown.known);
  result.summary.skippedFiles.push(...skipped);
  const s = result.summary;
  const rate = s.editableLines === 0 ? 1 : 1 - s.changedLines / s.editableLines;
  const known =
    s.fileFixpointHits > 0
      ? ` ${s.fileFixpointHits} files were already known to be at a fixpoint and not read again.`
      : '';
  let note = `Fixpoint rate ${(rate * 100).toFixed(3)}% (${s.editableLines - s.changedLines} of ${s.editableLines} editable lines unchanged).${known}`;
  let pullRequest: number | undefined;
  // The whole branch was examined: with nothing to change, an open bot pull request is closed (fixed upstream).
  const complete = s.skippedFiles.length === 0 && s.overBudgetUnits === 0 && s.unansweredUnits === 0;
  if ((s.changedLines > 0 || complete) && !cfg.config.dryRun) {
    const proposed = await proposeOnBotBranch(deps, {
      base,
      baseSha: headSha,
      baseTreeSha: branch.commit.commit.tree.sha,
      cfg,
      result,
      state: state ?? null,
      ...(people ? { people } : {}),
    });
    note = `${note} ${proposed.text}.`;
    pullRequest = proposed.pullRequest;
  }
  await reportCheck(deps, { headSha, name: CONVERGENCE_CHECK_NAME, result, dryRun: cfg.config.dryRun, note });
  return { summary: note, result, pullRequest };
}

/**
 * A bot pull request was closed or merged. Closed without merging by a person: every rewrite docs-fix
 * proposed in it is recorded as rejected in this repository, said once on the pull request, and the branch
 * is deleted (GitHub's "Restore branch" brings it back). Merged: its rewrites are fixpoints already; the
 * branch is deleted unless people committed to it.
 */
export async function runPullRequestClosed(
  deps: RunDeps,
  spec: {
    branch: string;
    base: string;
    pull?: number;
    merged?: boolean;
    /** The person who closed it unmerged (the app leaves this out for bots, itself included). */
    closedBy?: string;
    closedAt?: string;
  },
): Promise<RunOutcome> {
  let recorded = '';
  const rejectedByPerson = spec.merged === false && spec.closedBy !== undefined && spec.pull !== undefined;
  if (rejectedByPerson) {
    const pull = spec.pull!;
    const proposed = await proposedRewrites(deps.octokit, deps.repo, { pull, botLogin: deps.botLogin });
    const at = spec.closedAt ?? new Date().toISOString();
    const n = await recordRejections(
      rejectionsOf(deps),
      proposed.map((rewrite) => ({
        rewrite,
        rejection: { pullRequest: pull, how: 'closed' as const, by: spec.closedBy!, at },
      })),
    );
    if (n > 0) {
      await commentOnce(
        deps.octokit,
        deps.repo,
        pull,
        `<!-- docs-fix:rejected ${at} -->`,
        `@${spec.closedBy} closed this pull request without merging it, so docs-fix will not propose its ${n} edit${n === 1 ? '' : 's'} again in this repository: later runs leave those paragraphs and headings as they are.\n\nTo undo this, comment \`/docs-fix forget\` here (write access needed), or restore the branch and reopen this pull request.`,
      );
    }
    recorded = `${n} edits recorded as rejected; `;
  }
  const state = await inspectBotBranch(deps.octokit, deps.repo, { base: spec.base, botLogin: deps.botLogin });
  if (!state) return { summary: `${recorded}branch already gone` };
  // People's commits stay reachable from a closed pull request: its branch can go (and be restored).
  if (state.humanCommits.length > 0 && !rejectedByPerson)
    return { summary: `${spec.branch} has human commits: kept` };
  await deleteBranch(deps.octokit, deps.repo, spec.branch);
  return { summary: `${recorded}deleted ${spec.branch}` };
}

/** A bot pull request a person closed was reopened: the rejections its closing recorded are forgotten. */
export async function runPullRequestReopened(
  deps: RunDeps,
  spec: { pull: number; reopenedBy: string },
): Promise<RunOutcome> {
  const proposed = await proposedRewrites(deps.octokit, deps.repo, {
    pull: spec.pull,
    botLogin: deps.botLogin,
  });
  const n = await forgetRejections(rejectionsOf(deps), proposed, spec.pull, 'closed');
  if (n > 0) {
    await replyToComment(
      deps.octokit,
      deps.repo,
      spec.pull,
      `@${spec.reopenedBy} reopened this pull request, so docs-fix forgot the ${n} edit${n === 1 ? '' : 's'} it had recorded as rejected when it was closed: it may propose them again.`,
    );
  }
  return { summary: `forgot ${n} rejections recorded when #${spec.pull} was closed` };
}

/** `/docs-fix forget` on a bot pull request: every rejection recorded from it (closed or reverted) goes. */
async function forgetCommand(
  deps: RunDeps,
  pr: {
    number: number;
    head: { ref: string; repo: { full_name: string } | null };
    base: { repo: { full_name: string } };
  },
  commenter: string,
): Promise<RunOutcome> {
  if (!isBotBranch(pr.head.ref) || pr.head.repo?.full_name !== pr.base.repo.full_name) {
    await replyToComment(
      deps.octokit,
      deps.repo,
      pr.number,
      "`/docs-fix forget` works on docs-fix's own pull requests: it forgets the edits recorded as rejected there.",
    );
    return { summary: 'forget: not a docs-fix pull request' };
  }
  const proposed = await proposedRewrites(deps.octokit, deps.repo, {
    pull: pr.number,
    botLogin: deps.botLogin,
  });
  const n = await forgetRejections(rejectionsOf(deps), proposed, pr.number);
  await replyToComment(
    deps.octokit,
    deps.repo,
    pr.number,
    n > 0
      ? `Done, @${commenter}: docs-fix forgot the ${n} edit${n === 1 ? '' : 's'} it had recorded as rejected in this pull request, and may propose them again on the next push.`
      : 'docs-fix had recorded no rejected edit from this pull request: nothing to forget.',
  );
  return { summary: `forgot ${n} rejections of #${pr.number}` };
}
