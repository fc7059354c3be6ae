import type { SourceFile } from '../engine/types.js';
import { ConfigError, validateRepoConfig, type RepoConfig } from '../config/index.js';
import {
  EMPTY_VOCABULARY,
  loadVocabulary,
  VocabularyError,
  type Vocabulary,
  type VocabularyReader,
} from '../config/vocabulary.js';
import { GitHubApiError, isGitHubError, type GitHubClient, type RepoRef } from './client.js';
import { readFiles } from './read-files.js';

export const CONFIG_FILE = '.github/docs-fix.yml';

export type LoadedConfig =
  | {
      readonly ok: true;
      readonly config: RepoConfig;
      readonly styleGuide: string;
      /** The config's terms and file, and the repository's Vale and cspell word lists. */
      readonly vocabulary: Vocabulary;
    }
  | { readonly ok: false; readonly error: ConfigError };

/** A style guide that names a repository file (ends in .md or .txt, one line) rather than being the text. */
export function styleGuidePath(styleGuide: string): string | undefined {
  const value = styleGuide.trim();
  if (value === '' || value.includes('\n') || !/\.(md|txt)$/i.test(value)) return undefined;
  return value.replace(/^\.?\//, '');
}

/** Reads a repository file at `ref` as text; undefined when it does not exist there. One request. */
async function readText(
  octokit: GitHubClient,
  repo: RepoRef,
  ref: string | undefined,
  path: string,
): Promise<string | undefined> {
  let files: SourceFile[];
  try {
    files = await readFiles(octokit, repo, ref, [path]);
  } catch (error) {
    if (isGitHubError(error, 404)) return undefined;
    throw GitHubApiError.from(`read ${path}`, error);
  }
  return files[0] ? Buffer.from(files[0].bytes).toString('utf8') : undefined;
}

/**
 * The repository's root entries at `ref` (one request: the commit's tree, not recursive), so that only
 * the word lists it has are read.
 */
async function rootFiles(octokit: GitHubClient, repo: RepoRef, ref: string): Promise<Set<string>> {
  try {
    const { data } = await octokit.rest.git.getTree({ ...repo, tree_sha: ref });
    return new Set(data.tree.filter((e) => e.type === 'blob' && e.path).map((e) => e.path!));
  } catch (error) {
    if (isGitHubError(error, 404) || isGitHubError(error, 409)) return new Set();
    throw GitHubApiError.from(`list the root of ${ref}`, error);
  }
}

/**
 * Validates what Probot's `context.config(CONFIG_FILE)` returned (null when the file is missing: defaults),
 * resolves the style guide (a path is read from the repository at `ref`, one request; text is used as is)
 * and loads the vocabulary: the config's terms and file, and the Vale and cspell word lists at the
 * repository root (one request to list the root, one per list it has). Without `ref`, or with
 * `vocabulary: false`, the root is not listed (the config's own terms and file are still read).
 */
export async function loadRepoConfig(
  octokit: GitHubClient,
  repo: RepoRef,
  raw: unknown,
  opts: { readonly ref?: string; readonly vocabulary?: boolean } = {},
): Promise<LoadedConfig> {
  const result = validateRepoConfig(raw ?? {}, CONFIG_FILE);
  if (!result.ok) return result;
  const path = styleGuidePath(result.config.styleGuide);
  let styleGuide = result.config.styleGuide;
  if (path) {
    const text = await readText(octokit, repo, opts.ref, path);
    if (text === undefined) {
      return {
        ok: false,
        error: new ConfigError(
          CONFIG_FILE,
          'styleGuide',
          `the file ${path} does not exist in the repository`,
        ),
      };
    }
    styleGuide = text;
  }
  if (opts.vocabulary === false) {
    return { ok: true, config: result.config, styleGuide, vocabulary: EMPTY_VOCABULARY };
  }
  const reader: VocabularyReader = {
    rootFiles: opts.ref ? await rootFiles(octokit, repo, opts.ref) : new Set(),
    readText: (p) => readText(octokit, repo, opts.ref, p),
  };
  try {
    const vocabulary = await loadVocabulary(result.config.vocabulary, reader, CONFIG_FILE);
    return { ok: true, config: result.config, styleGuide, vocabulary };
  } catch (error) {
    if (!(error instanceof VocabularyError)) throw error;
    const field = error.path === CONFIG_FILE ? 'vocabulary' : '';
    const message = error.path === CONFIG_FILE ? error.message.slice(CONFIG_FILE.length + 2) : error.message;
    return { ok: false, error: new ConfigError(CONFIG_FILE, field, message) };
  }
}
