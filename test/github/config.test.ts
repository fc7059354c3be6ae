import { afterEach, describe, expect, it } from 'vitest';
import { loadRepoConfig, styleGuidePath } from '../../src/github/index.js';
import { startHarness, type Harness } from './setup.js';

let h: Harness;
afterEach(async () => h?.fake.close());

describe('loadRepoConfig', () => {
  it('recognises style guide paths', () => {
    expect(styleGuidePath('docs/STYLE.md')).toBe('docs/STYLE.md');
    expect(styleGuidePath('./style.txt')).toBe('style.txt');
    expect(styleGuidePath('Use the Oxford comma.')).toBeUndefined();
    expect(styleGuidePath('line one\nsee x.md')).toBeUndefined();
  });

  it('uses defaults for a missing config, reads a style guide file, names bad fields', async () => {
    h = await startHarness({ 'README.md': 'r\n', 'docs/STYLE.md': 'Write plainly.\n' });
    const defaults = await loadRepoConfig(h.octokit, h.repo, null);
    expect(defaults).toMatchObject({
      ok: true,
      config: { include: ['**/*.md', '**/*.mdx', '**/*.markdown'] },
      styleGuide: '',
    });
    const withGuide = await loadRepoConfig(
      h.octokit,
      h.repo,
      { styleGuide: 'docs/STYLE.md' },
      { ref: 'main' },
    );
    expect(withGuide).toMatchObject({ ok: true, styleGuide: 'Write plainly.\n' });
    const missing = await loadRepoConfig(h.octokit, h.repo, { styleGuide: 'nope.md' });
    expect(missing).toMatchObject({ ok: false, error: { field: 'styleGuide' } });
    const bad = await loadRepoConfig(h.octokit, h.repo, { draft: 'yes' });
    expect(bad).toMatchObject({ ok: false, error: { field: 'draft', file: '.github/docs-fix.yml' } });
  });
});
