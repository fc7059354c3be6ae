import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operatorEnvTable, repoConfigTable } from '../../src/config/docs.js';
import { parseRepoConfigYaml, readOperatorEnv, validateRepoConfig } from '../../src/config/index.js';
import { defaultsModule } from '../../src/config/generate.js';
import { defaultRepoConfig, loadOperatorEnv } from '../../src/config/operator.js';
import { RepoConfigSchema, OperatorEnvSchema } from '../../src/config/schema.js';
import { readBlock } from '../../scripts/readme-blocks.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function block(name: string): string {
  return readBlock(readme, name);
}

describe('README configuration tables', () => {
  it('match the schemas (regenerate with npm run docs:config)', () => {
    expect(block('repo-config')).toBe(repoConfigTable());
    expect(block('operator-env')).toBe(operatorEnvTable());
  });

  it('document every option', () => {
    for (const key of Object.keys(RepoConfigSchema.shape))
      expect(block('repo-config')).toContain(`| \`${key}\` |`);
    for (const key of Object.keys(OperatorEnvSchema.shape))
      expect(block('operator-env')).toContain(`| \`${key}\` |`);
  });
});

describe('repository config', () => {
  it('fills defaults for an empty file', () => {
    const result = parseRepoConfigYaml('', '.github/docs-fix.yml');
    expect(result.ok && result.config.schedule).toBe('weekly');
  });

  it('names the file, the field, its line and what was expected', () => {
    const result = parseRepoConfigYaml('labels: [docs]\nschedule: sometimes\n', '.github/docs-fix.yml');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toContain('.github/docs-fix.yml:2');
      expect(result.error.field).toBe('schedule');
      expect(result.error.message).toContain('cron');
    }
  });

  it('rejects unknown options, such as a model endpoint a repository must not choose', () => {
    const result = validateRepoConfig({ modelEndpoint: 'https://evil.example' }, '.github/docs-fix.yml');
    expect(result.ok).toBe(false);
  });

  it('reports invalid YAML with its line', () => {
    const result = parseRepoConfigYaml('include: [a\nexclude: b: c\n', 'x.yml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^x\.yml:\d+: invalid YAML/);
  });
});

describe('generated defaults (src/config/defaults.ts)', () => {
  it('match the schemas (regenerate with npm run docs:config)', () => {
    expect(readFileSync(new URL('../../src/config/defaults.ts', import.meta.url), 'utf8')).toBe(
      defaultsModule(),
    );
  });

  it('are what validating an empty environment gives, and zod validates what is set', async () => {
    expect(await loadOperatorEnv({})).toEqual(readOperatorEnv({}));
    expect(await loadOperatorEnv({ DOCS_FIX_MAX_FILES: '7', OPENAI_API_KEY: '' })).toMatchObject({
      DOCS_FIX_MAX_FILES: 7,
    });
    await expect(loadOperatorEnv({ DOCS_FIX_MAX_FILES: 'many' })).rejects.toThrow(/DOCS_FIX_MAX_FILES/);
    expect(defaultRepoConfig()).toEqual(RepoConfigSchema.parse({}));
  });
});
