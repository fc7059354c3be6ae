import { structuredPatch } from 'diff';
import type { FilePatch } from '../engine/types.js';
import { GitHubApiError, type GitHubClient, type RepoRef } from './client.js';
import { CHECK_TEXT_LIMIT, clip } from './render.js';

export const CHECK_NAME = 'docs-fix';
/** GitHub accepts at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
const ANNOTATION_MESSAGE_LIMIT = 64 * 1024 - 1;

export interface Annotation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly annotation_level: 'notice' | 'warning' | 'failure';
  readonly message: string;
  readonly title?: string;
  readonly raw_details?: string;
}

export interface CheckRunOutput {
  readonly title: string;
  readonly summary: string;
  readonly text?: string;
}

/** One annotation per changed hunk, on the lines of the examined commit (the `before` side). */
export function annotationsFromPatches(patches: readonly FilePatch[], max = 500): Annotation[] {
  const out: Annotation[] = [];
  for (const p of patches) {
    const before = Buffer.from(p.before).toString('utf8');
    const after = Buffer.from(p.after).toString('utf8');
    const { hunks } = structuredPatch(p.path, p.path, before, after, '', '', { context: 0 });
    for (const h of hunks) {
      if (out.length >= max) return out;
      // jsdiff gives a pure insertion the number of the line it goes before; annotate the line before it.
      const start = Math.max(1, h.oldLines === 0 ? h.oldStart - 1 : h.oldStart);
      const end = Math.max(start, h.oldStart + h.oldLines - 1);
      const added = h.lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1));
      const message = added.length > 0 ? `Suggested:\n${added.join('\n')}` : 'Suggested: remove these lines';
      out.push({
        path: p.path,
        start_line: start,
        end_line: end,
        annotation_level: 'notice',
        title: 'docs-fix suggestion',
        message: clip(message, ANNOTATION_MESSAGE_LIMIT),
        raw_details: clip(h.lines.join('\n'), ANNOTATION_MESSAGE_LIMIT),
      });
    }
  }
  return out;
}

/** Starts the `docs-fix` check on a commit (status in_progress). One request. */
export async function startCheckRun(
  octokit: GitHubClient,
  repo: RepoRef,
  input: { readonly headSha: string; readonly name?: string; readonly detailsUrl?: string },
): Promise<number> {
  try {
    const { data } = await octokit.rest.checks.create({
      ...repo,
      name: input.name ?? CHECK_NAME,
      head_sha: input.headSha,
      status: 'in_progress',
      ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    });
    return data.id;
  } catch (error) {
    throw GitHubApiError.from('create check run', error);
  }
}

/**
 * Completes the check (creating it when `checkRunId` is not given) with its output and the first 50
 * annotations, then sends the rest 50 per update. Texts are cut to 65,535 characters.
 * Requests: ceil(annotations / 50), at least 1.
 */
export async function completeCheckRun(
  octokit: GitHubClient,
  repo: RepoRef,
  input: {
    readonly headSha: string;
    readonly checkRunId?: number;
    readonly name?: string;
    readonly conclusion: 'success' | 'neutral' | 'failure' | 'action_required' | 'skipped' | 'cancelled';
    readonly output: CheckRunOutput;
    readonly annotations?: readonly Annotation[];
  },
): Promise<number> {
  const output = {
    title: clip(input.output.title, 1000),
    summary: clip(input.output.summary, CHECK_TEXT_LIMIT),
    ...(input.output.text ? { text: clip(input.output.text, CHECK_TEXT_LIMIT) } : {}),
  };
  const batches: Annotation[][] = [];
  const all = input.annotations ?? [];
  for (let i = 0; i < all.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(all.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const first = batches.shift() ?? [];
  let id = input.checkRunId;
  try {
    if (id === undefined) {
      const { data } = await octokit.rest.checks.create({
        ...repo,
        name: input.name ?? CHECK_NAME,
        head_sha: input.headSha,
        status: 'completed',
        conclusion: input.conclusion,
        output: { ...output, annotations: first },
      });
      id = data.id;
    } else {
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: id,
        status: 'completed',
        conclusion: input.conclusion,
        output: { ...output, annotations: first },
      });
    }
    for (const batch of batches) {
      // Each update must repeat title and summary; annotations add up.
      await octokit.rest.checks.update({
        ...repo,
        check_run_id: id,
        output: { ...output, annotations: batch },
      });
    }
  } catch (error) {
    throw GitHubApiError.from('complete check run', error);
  }
  return id;
}
