// The offline editor as the command line's default: with no --provider and no OPENAI_* variables.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, harperVersion, misspellingsVersion } from '../../src/model/offline/index.js';
import { runCli } from '../support/cli.js';

const examples = new URL('../../examples/docs', import.meta.url).pathname;

function copyExamples(): string {
  const work = mkdtempSync(join(tmpdir(), 'docs-fix-offline-cli-'));
  cpSync(examples, join(work, 'docs'), { recursive: true });
  return work;
}

describe('docs-fix with the offline editor', () => {
  it('is the default without an endpoint: names itself, fixes real typos, and a re-run changes nothing', async () => {
    const work = copyExamples();
    const fixed = await runCli(['fix', 'docs', '--write', '--cache-dir', 'cache'], { cwd: work });
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toContain(
      `model offline editor: harper.js ${harperVersion()} + common misspellings ${misspellingsVersion()}, rules ${DEFAULT_RULES.join(', ')}`,
    );
    const readme = readFileSync(join(work, 'docs/README.md'), 'utf8');
    expect(readme).toContain('writing the same shell scripts');
    expect(readme).toContain('tends to grow until nobody');
    expect(readme).toContain('See the separate `LICENSE` file');
    // The simulator's style edits are not the offline editor's business.
    expect(readme).toContain('Due to the fact that most runners');
    const guide = readFileSync(join(work, 'docs/guide/getting-started.md'), 'utf8');
    expect(guide).toContain('skipped and the exit code');
    expect(guide).toContain('definitely on the roadmap');
    expect(guide).toContain('Tasks run in a separate process.');
    // Code, shortcodes and HTML are left alone.
    expect(readFileSync(join(work, 'docs/guide/configuration.md'), 'utf8')).toContain('{{< note >}}');

    const again = await runCli(['check', 'docs', '--json', '--cache-dir', 'cache'], { cwd: work });
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { modelLines: number; changedLines: number };
    expect(summary.modelLines).toBe(0);
    expect(summary.changedLines).toBe(0);
  });

  it('is what DOCS_FIX_PROVIDER=offline selects, and --provider offline even when an endpoint is set', async () => {
    const work = copyExamples();
    const byEnv = await runCli(['check', 'docs', '--store', 'memory'], {
      cwd: work,
      env: { DOCS_FIX_PROVIDER: 'offline' },
    });
    expect(byEnv.stderr).toContain('model offline editor: harper.js');
    expect(byEnv.code).toBe(1);
    const byFlag = await runCli(['check', 'docs', '--store', 'memory', '--provider', 'offline'], {
      cwd: work,
      env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' },
    });
    expect(byFlag.stderr).toContain('model offline editor: harper.js');
    expect(byFlag.code).toBe(1);
  });
});
