import { describe, expect, it } from 'vitest';
import type { DecisionSummary } from '../../src/engine/trace.js';
import type { KeyInputs } from '../../src/engine/types.js';
import {
  botMarker,
  parseBotMarker,
  renderPullRequestBody,
  summaryTable,
  truncateDiff,
} from '../../src/github/index.js';
import { decisionsSection, renderCheckRunOutput } from '../../src/github/render.js';
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
    expect(body).toContain('| Paragraphs and headings sent to the model | 5 |');
    expect(body).toContain('| Paragraphs and headings already correct (served from the cache) | 20 |');
    expect(body).toContain('| Paragraphs and headings held (a rewrite was rejected) | 1 |');
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
    expect(body.trimEnd().endsWith('left as you made it.')).toBe(true);
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
    expect(summaryTable(summaryOf({ overBudgetUnits: 3 }))).toContain(
      '| Paragraphs and headings left for a later run (budget) | 3 |',
    );
  });
});

const decisions = (overrides: Partial<DecisionSummary> = {}): DecisionSummary => ({
  files: { 'file-fixpoint-hit': 7, parsed: 2, 'skipped:binary': 1 },
  units: {
    'fixpoint-hit': 20,
    'rewrite-hit': 3,
    'rewrite-withheld': 1,
    'held-hit': 1,
    'rejected-by-maintainer': 0,
    'miss-changed': 4,
    'miss-unchanged': 2,
    rejected: 3,
    'over-budget': 0,
    unanswered: 0,
  },
  frozenLines: 12,
  rejectedByReason: { 'link-changed': 2, empty: 1 },
  withheldByReason: { 'structure-changed': 1 },
  frozenByReason: { code: 8, blank: 4 },
  ...overrides,
});

const keyInputs: KeyInputs = {
  scope: 'installation:42',
  modelId: 'gpt-4o-mini',
  modelLabel: 'openai gpt-4o-mini',
  promptVersion: '0f93269faf648ad3',
  cacheSchema: 1,
  splitterVersion: 1,
};

describe('check run: Decisions', () => {
  it('counts files and units by outcome, rejected units and frozen lines by reason, and names the key inputs', () => {
    const section = decisionsSection(decisions(), keyInputs);
    const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Decision'));
    expect(rows).toEqual([
      '| Files skipped whole (known file-level fixpoint) | 7 |',
      '| Files split into lines and units | 2 |',
      '| Files skipped: binary | 1 |',
      '| Units already correct (fixpoint hit) | 20 |',
      '| Units rewritten from the cache (rewrite hit) | 3 |',
      '| Units a rewrite was withheld from: structure-changed | 1 |',
      '| Units sent to the model, changed | 4 |',
      '| Units sent to the model, unchanged | 2 |',
      '| Units rejected: link-changed | 2 |',
      '| Units rejected: empty | 1 |',
      '| Units held (an earlier answer was rejected) | 1 |',
      '| Lines frozen: code | 8 |',
      '| Lines frozen: blank | 4 |',
    ]);
    expect(section).toContain(
      'Key inputs: model `gpt-4o-mini` (`openai gpt-4o-mini`), prompt version `0f93269faf648ad3`, scope `installation:42`, cache schema 1, splitter version 1',
    );
  });

  it('shows over-budget and unanswered lines when there are any, and an empty run in words', () => {
    const d = decisions();
    const section = decisionsSection({ ...d, units: { ...d.units, 'over-budget': 5, unanswered: 1 } });
    expect(section).toContain('| Units over budget (left for a later run) | 5 |');
    expect(section).toContain('| Units the model did not answer | 1 |');
    expect(section).not.toContain('Key inputs');
    const empty = decisionsSection(
      decisions({
        files: {},
        units: {
          ...d.units,
          'fixpoint-hit': 0,
          'rewrite-hit': 0,
          'held-hit': 0,
          'miss-changed': 0,
          'miss-unchanged': 0,
        },
        rejectedByReason: {},
        withheldByReason: {},
        frozenByReason: {},
      }),
    );
    expect(empty).toContain('No files or lines examined.');
  });

  it('keeps a key input with backticks inside its code span', () => {
    const section = decisionsSection(decisions(), { ...keyInputs, modelLabel: 'a `weird` label' });
    expect(section).toContain('(`` a `weird` label ``)');
  });

  it('sits in the check run summary between the table and the skipped files; the note comes last', () => {
    const out = renderCheckRunOutput({
      summary: summaryOf({ skippedFiles: [{ path: 'x.md', reason: 'binary', message: 'x.md: binary' }] }),
      diff: '',
      files: [],
      decisions: decisions(),
      keyInputs,
      note: 'Report only.',
    });
    const at = (text: string): number => out.summary.indexOf(text);
    expect(at('| Files examined |')).toBeGreaterThanOrEqual(0);
    expect(at('### Decisions')).toBeGreaterThan(at('| Lines held (a rewrite was rejected) |'));
    expect(at('Skipped files:')).toBeGreaterThan(at('Key inputs:'));
    expect(out.summary.endsWith('\n\nReport only.')).toBe(true);
  });

  it('stays within 65,535 characters with a huge skipped list and note, keeping the note', () => {
    const skippedFiles = Array.from({ length: 500 }, (_, i) => ({
      path: `docs/${i}.md`,
      reason: 'too-large' as const,
      message: `docs/${i}.md: ${'x'.repeat(2_000)}`,
    }));
    const note = `Fixpoint rate 99.000%. ${'n'.repeat(40_000)}`;
    const out = renderCheckRunOutput({
      summary: summaryOf({ skippedFiles }),
      diff: '',
      files: [],
      decisions: decisions(),
      keyInputs: { ...keyInputs, modelId: 'm'.repeat(100_000) },
      note,
    });
    expect(out.summary.length).toBeLessThanOrEqual(65_535);
    expect(out.summary).toContain('### Decisions');
    expect(out.summary).toContain('… (truncated)');
    expect(out.summary).toContain('Fixpoint rate 99.000%.');
    // A key input is cut, so the section stays compact.
    expect(out.summary).toContain(`model \`${'m'.repeat(199)}…\``);
  });
});
