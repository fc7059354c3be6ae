// `docs-fix pr --repo owner/name`: the app's bot pull request without installing the app, with a token.
// Runs the scheduled convergence path of src/github (whole branch → docs-fix/<base>) minus the check run:
// user tokens cannot write check runs.
import { Octokit } from '@octokit/rest';
import type { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { isGitHubError, type GitHubClient, type RepoRef } from '../github/client.js';
import { CONFIG_FILE, loadRepoConfig } from '../github/config.js';
import { runConvergenceCheck, type RunOutcome } from '../github/runs.js';
import { formatSummary } from './fix.js';
import { addRunOptions, setupRun, UsageError, type RunOptions } from './options.js';

interface PrOptions extends RunOptions {
  repo: string;
  token?: string;
  base?: string;
  apiUrl?: string;
}

/** Octokit's request log prints every failed request; the CLI reports failures itself. */
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function parseRepo(value: string): RepoRef {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(value);
  if (!match) throw new UsageError(`--repo: expected owner/name, got "${value}"`);
  return { owner: match[1]!, repo: match[2]! };
}

/** The repository's `.github/docs-fix.yml` at `ref` as parsed YAML, or undefined when it has none. */
async function readRepoConfig(octokit: Octokit, repo: RepoRef, ref: string | undefined): Promise<unknown> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      ...repo,
      path: CONFIG_FILE,
      ...(ref ? { ref } : {}),
      mediaType: { format: 'raw' },
    });
    return parseYaml(data as unknown as string) ?? {};
  } catch (error) {
    if (isGitHubError(error, 404)) return undefined;
    throw error;
  }
}

/** Who the token acts as: its commits on the bot branch are "the app's". GITHUB_TOKEN in Actions cannot read /user. */
async function tokenLogin(octokit: Octokit): Promise<string> {
  try {
    return (await octokit.rest.users.getAuthenticated()).data.login;
  } catch {
    return 'github-actions[bot]';
  }
}

export async function runPr(opts: PrOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunOutcome> {
  const repo = parseRepo(opts.repo);
  const token = opts.token ?? env.GITHUB_TOKEN;
  if (!token) throw new UsageError('docs-fix pr: give a token with --token or $GITHUB_TOKEN');
  const octokit = new Octokit({
    auth: token,
    // Octokit appends paths as they are: `…/api/v3/` would request `…/api/v3//repos/…`.
    baseUrl: (opts.apiUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'docs-fix-cli',
    log: quiet,
  });

  // The repository's config applies (as in the app) unless --config names a local file; it reaches setupRun as
  // a file, and a style guide that is a path in the repository as its text.
  let raw: unknown;
  let temp: string | undefined;
  const runOpts: RunOptions = { ...opts };
  if (!opts.config) {
    raw = await readRepoConfig(octokit, repo, opts.base);
    const loaded = await loadRepoConfig(octokit, repo, raw, { ref: opts.base, vocabulary: false });
    if (!loaded.ok) throw loaded.error;
    temp = mkdtempSync(join(tmpdir(), 'docs-fix-pr-'));
    runOpts.config = join(temp, 'docs-fix.yml');
    writeFileSync(runOpts.config, JSON.stringify(loaded.config));
    if (!opts.styleGuide && loaded.styleGuide !== loaded.config.styleGuide) {
      runOpts.styleGuide = join(temp, 'style-guide.md');
      writeFileSync(runOpts.styleGuide, loaded.styleGuide);
    }
  }
  let setup;
  try {
    setup = await setupRun(runOpts, env, { localVocabulary: false });
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
  try {
    const config = { ...setup.config, include: setup.include, exclude: setup.exclude };
    if (!opts.json) process.stderr.write(`docs-fix: model ${setup.fixer.label}; cache ${setup.store.kind}\n`);
    return await runConvergenceCheck(
      {
        octokit: octokit as GitHubClient,
        repo,
        scope: setup.scope,
        store: setup.store,
        // The repository's vocabulary is read through GitHub with its config, as in the app.
        fixerFor: (_styleGuide, vocabulary) => setup.fixerWith(vocabulary ?? []),
        limits: {
          maxLines: setup.budget.maxLines,
          maxTokens: setup.budget.maxTokens,
          maxFiles: setup.env.DOCS_FIX_MAX_FILES,
          maxBytes: setup.env.DOCS_FIX_MAX_BYTES,
        },
        botLogin: await tokenLogin(octokit),
        readConfig: async () => config,
        log: pino({ level: 'silent' }),
        checkRuns: false,
      },
      { base: opts.base, ignoreSchedule: true },
    );
  } finally {
    await setup.store.close();
  }
}

export function registerPr(program: Command): void {
  addRunOptions(
    program
      .command('pr')
      .description(
        'open or update the docs-fix pull request of a GitHub repository (docs-fix/<base>) with a token, without installing the app',
      )
      .requiredOption('--repo <owner/name>', 'the repository')
      .option(
        '--token <token>',
        'a token that can push branches and open pull requests (default: $GITHUB_TOKEN)',
      )
      .option('--base <branch>', 'branch to fix (default: the repository default branch)')
      .option('--api-url <url>', 'GitHub API (default: $GITHUB_API_URL or https://api.github.com)'),
  ).action(async (opts: PrOptions) => {
    const out = await runPr(opts);
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ repo: opts.repo, pullRequest: out.pullRequest ?? null, outcome: out.summary, summary: out.result?.summary ?? null })}\n`,
      );
      return;
    }
    if (out.result) process.stderr.write(formatSummary(out.result.summary));
    const link = out.pullRequest ? ` https://github.com/${opts.repo}/pull/${out.pullRequest}` : '';
    process.stdout.write(`${out.summary}${link}\n`);
  });
}
