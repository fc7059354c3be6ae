import type { SourceFile } from '../engine/types.js';
import { ConfigError, validateRepoConfig, type RepoConfig } from '../config/index.js';
import { GitHubApiError, isGitHubError, type GitHubClient, type RepoRef } from './client.js';
import { readFiles } from './read-files.js';

export const CONFIG_FILE = '.github/docs-fix.yml';

export type LoadedConfig =
  | { readonly ok: true; readonly config: RepoConfig; readonly styleGuide: string }
  | { readonly ok: false; readonly error: ConfigError };

/** A style guide that names a repository file (ends in .md or .txt, one line) rather than being the text. */
export function styleGuidePath(styleGuide: string): string | undefined {
  const value = styleGuide.trim();
  if (value === '' || value.includes('\n') || !/\.(md|txt)$/i.test(value)) return undefined;
  return value.replace(/^\.?\//, '');
}

/**
 * Validates what Probot's `context.config(CONFIG_FILE)` returned (null when the file is missing: defaults) and
 * resolves the style guide: a path is read from the repository at `ref` (one request), text is used as is.
 */
export async function loadRepoConfig(
  octokit: GitHubClient,
  repo: RepoRef,
  raw: unknown,
  opts: { readonly ref?: string } = {},
): Promise<LoadedConfig> {
  const result = validateRepoConfig(raw ?? {}, CONFIG_FILE);
  if (!result.ok) return result;
  const path = styleGuidePath(result.config.styleGuide);
  if (!path) return { ok: true, config: result.config, styleGuide: result.config.styleGuide };
  let files: SourceFile[];
  try {
    files = await readFiles(octokit, repo, opts.ref, [path]);
  } catch (error) {
    if (isGitHubError(error, 404)) files = [];
    else throw GitHubApiError.from(`read style guide ${path}`, error);
  }
  const file = files[0];
  if (!file) {
    return {
      ok: false,
      error: new ConfigError(CONFIG_FILE, 'styleGuide', `the file ${path} does not exist in the repository`),
    };
  }
  return { ok: true, config: result.config, styleGuide: Buffer.from(file.bytes).toString('utf8') };
}
