import { describe, expect, it } from 'vitest';
import {
  botMarker,
  parseBotMarker,
  renderPullRequestBody,
  summaryTable,
  truncateDiff,
} from '../../src/github/index.js';
import { summaryOf } from './setup.js';

const bigDiff = (files: number, lines: number): string =>
  Array.from({ length: files }, (_, f) =>
    [
      `diff --git a/f${f}.md b/f${f}.md`,
      `--- a/f${f}.md`,
      `+++ b/f${f}.md`,
      `@@ -1,${lines} +1,${lines} @@`,
      ...Array.from({ length: lines }, (_, i) => `-old ${i}\n+new ${i}`),
    ].join('\n'),
  ).join('\n');

describe('pull request body', () => {
  it('carries the marker, the summary table and the whole diff when it fits', () => {
    const body = renderPullRequestBody({
      base: 'main',
      summary: summaryOf(),
      diff: bigDiff(1, 3),
      files: ['f0.md'],
    });
    expect(parseBotMarker(body)).toBe('main');
    expect(body).toContain('| Lines sent to the model | 5 |');
    expect(body).toContain('| Lines already correct (served from the cache) | 20 |');
    expect(body).toContain('| Lines held (a rewrite was rejected) | 1 |');
    expect(body).toContain('<details><summary>Proposed changes</summary>');
    expect(body).toContain('+new 2');
    expect(body).toContain('/docs-fix');
    expect(body).not.toContain('truncated');
  });

  it('stays under 65,536 characters with a huge diff, cut at a line and marked', () => {
    const diff = bigDiff(200, 100);
    expect(diff.length).toBeGreaterThan(200_000);
    const body = renderPullRequestBody({ base: 'main', summary: summaryOf(), diff, files: ['x'] });
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.length).toBeGreaterThan(60_000);
    expect(body).toMatch(/diff truncated: [\d,]+ more lines not shown/);
    expect(body.trimEnd().endsWith('stops the updates.')).toBe(true);
    // The fence opened for the diff is closed.
    expect(body.match(/^```/gm)).toHaveLength(2);
  });

  it('uses a longer fence when the diff contains backticks', () => {
    const body = renderPullRequestBody({
      base: 'main',
      summary: summaryOf(),
      diff: '+```js\n+code\n+```',
      files: ['a.md'],
    });
    expect(body).toContain('````diff\n');
  });

  it('cuts a diff at file boundaries when it can', () => {
    const diff = bigDiff(10, 20);
    const { text, truncated } = truncateDiff(diff, 2000);
    expect(truncated).toBe(true);
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.split('\n… diff truncated')[0]!.endsWith('+new 19')).toBe(true);
  });

  it('has a marker per base and a table', () => {
    expect(botMarker('release/1.x')).toBe('<!-- docs-fix:bot-pr base=release/1.x -->');
    expect(parseBotMarker('hello')).toBeUndefined();
    expect(summaryTable(summaryOf({ overBudgetLines: 3 }))).toContain(
      '| Lines left for a later run (budget) | 3 |',
    );
  });
});
