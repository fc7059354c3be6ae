import type { SourceFile } from '../engine/types.js';
import { GitHubApiError, isGitHubError, type GitHubClient, type RepoRef } from './client.js';

/** A path to read, with its blob SHA when known (from compare or a tree): then one blob request, no lookup. */
export type FileToRead = string | { readonly path: string; readonly sha?: string };

const CONCURRENCY = 8;

/**
 * Reads files at `ref` as exact bytes, one request per file: the blob API when the SHA is known, otherwise the
 * contents API (and the blob API after it for files over 1 MB, which contents returns without content).
 * Paths missing at `ref`, directories and submodules are left out of the result.
 */
export async function readFiles(
  octokit: GitHubClient,
  repo: RepoRef,
  /** Commit SHA or branch; undefined reads the default branch. */
  ref: string | undefined,
  paths: readonly FileToRead[],
): Promise<SourceFile[]> {
  const wanted = paths.map((p) => (typeof p === 'string' ? { path: p } : p));
  const results: (SourceFile | undefined)[] = new Array(wanted.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < wanted.length) {
      const i = next++;
      const file = wanted[i]!;
      results[i] = file.sha
        ? { path: file.path, bytes: await readBlob(octokit, repo, file.sha), blobSha: file.sha }
        : await readByContents(octokit, repo, ref, file.path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, worker));
  return results.filter((f): f is SourceFile => f !== undefined);
}

export async function readBlob(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<Uint8Array> {
  try {
    const { data } = await octokit.rest.git.getBlob({ ...repo, file_sha: sha });
    return decode(data.content, data.encoding);
  } catch (error) {
    throw GitHubApiError.from(`read blob ${sha}`, error);
  }
}

async function readByContents(
  octokit: GitHubClient,
  repo: RepoRef,
  ref: string | undefined,
  path: string,
): Promise<SourceFile | undefined> {
  let data;
  try {
    ({ data } = await octokit.rest.repos.getContent({ ...repo, path, ...(ref ? { ref } : {}) }));
  } catch (error) {
    if (isGitHubError(error, 404)) return undefined;
    throw GitHubApiError.from(`read ${path}@${ref ?? 'default branch'}`, error);
  }
  if (Array.isArray(data) || data.type !== 'file') return undefined;
  // Over 1 MB the contents API answers `encoding: "none"` and an empty `content`.
  if (data.encoding !== 'base64' || (data.content === '' && data.size > 0)) {
    return { path, bytes: await readBlob(octokit, repo, data.sha), blobSha: data.sha };
  }
  return { path, bytes: decode(data.content, data.encoding), blobSha: data.sha };
}

function decode(content: string, encoding: string): Uint8Array {
  if (encoding === 'base64') return new Uint8Array(Buffer.from(content.replace(/\s+/g, ''), 'base64'));
  if (encoding === 'utf-8' || encoding === 'utf8') return new Uint8Array(Buffer.from(content, 'utf8'));
  throw new GitHubApiError('decode blob', undefined, `unexpected encoding ${encoding}`);
}
