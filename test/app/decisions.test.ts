// The check run's "Decisions" section, written by real app runs against the stateful fake GitHub.
import { afterEach, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../src/jobs/types.js';
import { startApp, type AppHarness } from '../support/app.js';

let h: AppHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const summaries = (app: AppHarness): string[] =>
  app.fake.checkRuns(app.fullName).map((c) => (c.output as { summary: string }).summary);

describe('check run Decisions', () => {
  it('counts what each scheduled check decided, and names the installation scope and model', async () => {
    const app = (h = await startApp({
      files: {
        'README.md': '# Docs\n\nThis page is fine as it is.\n',
        'docs/typo.md': '# Typo\n\nThis is teh page.\n\n```sh\nmake teh build\n```\n',
      },
    }));
    const spec: JobSpec = {
      kind: 'scheduled-check',
      installationId: app.installationId,
      owner: 'octo',
      repo: 'docs',
    };

    await app.runJob(spec);
    const [first] = summaries(app);
    expect(first).toContain('### Decisions');
    expect(first).toContain('| Files split into lines and units | 2 |');
    expect(first).toContain('| Units sent to the model, changed | 1 |');
    expect(first).toContain('| Lines frozen: code | 3 |');
    expect(first).toContain(`scope \`installation:${app.installationId}\``);
    expect(first).toMatch(/Key inputs: model `docs-fix-sim\/[^`]+` \(`sim /);
    expect(first).toMatch(/cache schema \d+, splitter version \d+/);

    // README.md was stored as a file-level fixpoint; typo.md's fix is pending, so it is split again.
    await app.runJob(spec);
    const second = summaries(app).at(-1)!;
    expect(second).toContain('| Files skipped whole (known file-level fixpoint) | 1 |');
    expect(second).toContain('| Units rewritten from the cache (rewrite hit) | 1 |');
    expect(second).not.toContain('Units sent to the model, ');
    expect(second.length).toBeLessThanOrEqual(65_535);
  });
});
