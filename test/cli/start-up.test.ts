// Start-up: each command loads what it needs and no more. A pre-commit hook or an editor runs `docs-fix
// check` on every save, so `--version` and a check of docs already at their fixpoint must not load the
// markdown parser, the validator, the offline editor, the Redis client, Probot or BullMQ. The figures are
// in `npm run bench:start`; this test pins what is loaded, which is what the figures depend on.
import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/bin.js';

const trace = new URL('../support/module-trace/register.mjs', import.meta.url).pathname;
const heavy = [
  'remark-parse',
  'micromark',
  'zod',
  'harper.js',
  '@cspell/dict-en-common-misspellings',
  'franc-min',
  'ioredis',
  'probot',
  'bullmq',
  'openai',
  'yaml',
  'diff',
];

let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'docs-fix-start-'));
  copyFileSync(new URL('../../examples/docs/guide/configuration.md', import.meta.url), join(work, 'page.md'));
  // Bring the page to its fixpoint, then let a check store it as a file-level fixpoint.
  expect((await runBin(['fix', '--write', 'page.md'], { cwd: work })).code).toBe(0);
  expect((await runBin(['check', 'page.md'], { cwd: work })).code).toBe(0);
});

/** The packages a command loads (from node_modules), by name. */
async function packagesLoaded(args: string[]): Promise<Set<string>> {
  const out = await runBin(args, { cwd: work, env: { NODE_OPTIONS: `--import=${trace}` } });
  expect(out.code, out.stderr).toBe(0);
  const names = out.stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .flatMap((l) => {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(l);
      return m ? [m[1]!] : [];
    });
  return new Set(names);
}

describe('start-up', () => {
  it('--version loads commander and nothing else', async () => {
    expect([...(await packagesLoaded(['--version']))]).toEqual(['commander']);
  });

  it('a check of a file at its fixpoint loads the cache, but no parser, validator, editor or server', async () => {
    const loaded = await packagesLoaded(['check', 'page.md']);
    expect(loaded.has('lmdb')).toBe(true);
    expect(heavy.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('a check that must parse loads the parser, and still no server', async () => {
    const loaded = await packagesLoaded(['check', 'page.md', '--no-file-fixpoints']);
    expect(loaded.has('remark-parse')).toBe(true);
    expect(['ioredis', 'probot', 'bullmq'].filter((name) => loaded.has(name))).toEqual([]);
  });
});

// Node 22.1+ only (Node 20 has no compile cache): the CLI turns it on in the default place, os.tmpdir().
describe.runIf(typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function')(
  'compile cache',
  () => {
    it('is kept under the temporary folder, and not when NODE_DISABLE_COMPILE_CACHE is set', async () => {
      const on = mkdtempSync(join(tmpdir(), 'docs-fix-cc-on-'));
      const off = mkdtempSync(join(tmpdir(), 'docs-fix-cc-off-'));
      expect((await runBin(['check', 'page.md'], { cwd: work, env: { TMPDIR: on } })).code).toBe(0);
      expect(readdirSync(join(on, 'node-compile-cache')).length).toBeGreaterThan(0);
      const disabled = await runBin(['check', 'page.md'], {
        cwd: work,
        env: { TMPDIR: off, NODE_DISABLE_COMPILE_CACHE: '1' },
      });
      expect(disabled.code).toBe(0);
      expect(existsSync(join(off, 'node-compile-cache'))).toBe(false);
    });
  },
);
