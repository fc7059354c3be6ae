import { afterEach, describe, expect, it } from 'vitest';
import {
  annotationsFromPatches,
  completeCheckRun,
  renderCheckRunOutput,
  startCheckRun,
  type Annotation,
} from '../../src/github/index.js';
import { patchOf, startHarness, summaryOf, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

const annotation = (i: number): Annotation => ({
  path: 'README.md',
  start_line: i + 1,
  end_line: i + 1,
  annotation_level: 'notice',
  message: `fix ${i}`,
});

describe('check runs', () => {
  it('sends 120 annotations in 3 requests: create with 50, two updates', async () => {
    h = await startHarness();
    const headSha = h.fake.branchSha(h.fullName, 'main')!;
    h.fake.clearLog();
    const id = await completeCheckRun(h.octokit, h.repo, {
      headSha,
      conclusion: 'neutral',
      output: { title: 't', summary: 's' },
      annotations: Array.from({ length: 120 }, (_, i) => annotation(i)),
    });
    expect(h.fake.requests.map((r) => r.route)).toEqual([
      'POST /repos/{owner}/{repo}/check-runs',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
    ]);
    const [run] = h.fake.checkRuns(h.fullName);
    expect(run).toMatchObject({
      id,
      name: 'docs-fix',
      status: 'completed',
      conclusion: 'neutral',
      head_sha: headSha,
    });
    expect(run!.annotations).toHaveLength(120);
  });

  it('starts in progress, then completes the same run; texts are cut to 65,535 characters', async () => {
    h = await startHarness();
    const headSha = h.fake.branchSha(h.fullName, 'main')!;
    const id = await startCheckRun(h.octokit, h.repo, { headSha });
    await completeCheckRun(h.octokit, h.repo, {
      headSha,
      checkRunId: id,
      conclusion: 'success',
      output: { title: 't', summary: 's'.repeat(70_000), text: 'x'.repeat(70_000) },
    });
    const runs = h.fake.checkRuns(h.fullName);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.conclusion).toBe('success');
    expect((runs[0]!.output as { summary: string }).summary.length).toBeLessThanOrEqual(65_535);
  });

  it('annotates each changed hunk on the lines of the examined commit', () => {
    const before = 'one\ntwo\nthree\nfour\n';
    const after = 'one\nTwo\nthree\nfour\nfive\n';
    const anns = annotationsFromPatches([patchOf('a.md', before, after)]);
    expect(anns.map((a) => [a.start_line, a.end_line, a.message])).toEqual([
      [2, 2, 'Suggested:\nTwo'],
      [4, 4, 'Suggested:\nfive'],
    ]);
  });

  it('renders an output that fits the limits with a large diff', () => {
    const diff = Array.from({ length: 20_000 }, (_, i) => `+line ${i}`).join('\n');
    const out = renderCheckRunOutput({ summary: summaryOf(), diff, files: ['a.md'] });
    expect(out.summary.length).toBeLessThanOrEqual(65_535);
    expect(out.text.length).toBeLessThanOrEqual(65_535);
    expect(out.text).toContain('diff truncated');
  });
});
