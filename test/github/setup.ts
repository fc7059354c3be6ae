import { Octokit } from '@octokit/rest';
import type { FilePatch, RunSummary } from '../../src/engine/types.js';
import { FakeGitHub, type FakeGitHubOptions } from '../support/fake-github/index.js';

/** Octokit's request log prints failed requests; tests provoke them on purpose. */
export const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export interface Harness {
  readonly fake: FakeGitHub;
  /** Acts as the app's installation (bot). */
  readonly octokit: Octokit;
  readonly repo: { owner: string; repo: string };
  readonly fullName: string;
  userOctokit(login: string): Octokit;
}

/** A fake GitHub with `octo/docs` installed, and an Octokit holding an installation token. */
export async function startHarness(
  files: Record<string, string> = { 'README.md': '# Docs\n' },
  options: FakeGitHubOptions = {},
): Promise<Harness> {
  const fake = await FakeGitHub.start(options);
  const fullName = 'octo/docs';
  fake.createRepo(fullName, { files, installed: true });
  const octokit = new Octokit({
    baseUrl: fake.baseUrl,
    auth: fake.installationToken(fake.installationId(fullName)),
    log: quiet,
  });
  return {
    fake,
    octokit,
    repo: { owner: 'octo', repo: 'docs' },
    fullName,
    userOctokit: (login) => new Octokit({ baseUrl: fake.baseUrl, auth: fake.userToken(login), log: quiet }),
  };
}

/** Markdown files with distinct content, `docs/f000.md` …. */
export function manyFiles(n: number, suffix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < n; i++)
    out[`docs/f${String(i).padStart(3, '0')}.md`] = `# File ${i}${suffix}\n\nSome text.\n`;
  return out;
}

export function summaryOf(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    files: 2,
    fileFixpointHits: 0,
    fileFixpointsStored: 0,
    skippedFiles: [],
    lines: 40,
    editableLines: 30,
    units: 29,
    distinctUnits: 28,
    fixpointHits: 20,
    rewriteHits: 3,
    withheldByReason: {},
    missChangedUnits: 1,
    missUnchangedUnits: 4,
    heldHits: 1,
    rejectedByMaintainer: 0,
    modelUnits: 5,
    modelLines: 7,
    modelRequests: 1,
    changedLines: 4,
    changedUnits: 3,
    changedFiles: 1,
    rejectedUnits: 0,
    rejectedByReason: {},
    heldUnits: 1,
    overBudgetUnits: 0,
    unansweredUnits: 0,
    frozenByReason: {},
    tokens: { prompt: 100, completion: 50, total: 150 },
    durationMs: 12,
    modelMs: 5,
    ...overrides,
  };
}

export function patchOf(path: string, before: string, after: string): FilePatch {
  const b = before.split('\n');
  const a = after.split('\n');
  let changed = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) changed++;
  // One unit per changed line: enough for what the GitHub layer reads from a patch.
  return {
    path,
    before: Buffer.from(before),
    after: Buffer.from(after),
    changedLines: changed,
    changedUnits: changed,
  };
}
