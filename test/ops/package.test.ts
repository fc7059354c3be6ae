// The package as users get it: `npm pack`, then an install of the tarball into an empty project (from the
// npm registry, as `npm install docs-fix` would), then `npx docs-fix` there on docs outside that project.
// Nothing may depend on the source checkout: the `files` list, the `bin` and the built output must be
// complete.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from '../support/bin.js';
import { NODE_WARNING, runProcess, type CliResult } from '../support/process.js';

/**
 * How this machine reaches the registry, as a user's shell has it: proxies and the CA certificates of a
 * TLS-intercepting proxy. Node's own CA list does not hold such a CA; a Node built to use the system's store
 * (Debian's) trusts it anyway, but the Node binary from the npm registry needs NODE_EXTRA_CA_CERTS.
 */
const NETWORK =
  /^(?:NODE_EXTRA_CA_CERTS|NODE_USE_SYSTEM_CA|SSL_CERT_FILE|SSL_CERT_DIR|(?:HTTPS?|NO|ALL)_PROXY)$/i;

/** Without the test run's own variables: a user's shell has no model endpoint and no vitest settings. */
function run(command: string, args: readonly string[], cwd: string): Promise<CliResult> {
  const network = Object.fromEntries(Object.entries(process.env).filter(([name]) => NETWORK.test(name)));
  const env = {
    ...network,
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    npm_config_fund: 'false',
  };
  // A step that cannot finish (a registry it cannot reach: npm retries for minutes) fails with its output.
  return runProcess(command, args, { cwd, env, timeoutMs: 180_000 });
}

const temp: string[] = [];
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack, install the tarball into an empty project, run it', () => {
  it(
    'works from the installed package alone, on an absolute path outside the project',
    { timeout: 400_000 },
    async () => {
      const work = mkdtempSync(join(tmpdir(), 'docs-fix-package-'));
      temp.push(work);
      const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], root);
      expect(packed.code, packed.stderr).toBe(0);
      const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
      expect(tarball).toMatch(/^docs-fix-\d+\.\d+\.\d+\.tgz$/);

      const listed = await run('tar', ['tzf', join(work, tarball)], work);
      const files = listed.stdout.split('\n').filter(Boolean);
      expect(files).toContain('package/dist/src/cli.js');
      expect(files).toContain('package/dist/src/cache/scripts/write-rewrite-2.lua');
      expect(files.filter((f) => /^package\/(test|scripts|src)\//.test(f))).toEqual(
        files.filter((f) => f.startsWith('package/src/cache/scripts/')),
      );

      const project = join(work, 'user project');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), '{ "name": "user-project", "private": true }\n');
      const installed = await run(
        'npm',
        ['install', '--no-audit', '--no-fund', join(work, tarball)],
        project,
      );
      expect(installed.code, installed.stderr).toBe(0);

      const version = await run('npx', ['--no-install', 'docs-fix', '--version'], project);
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
      expect(version.stdout.trim()).toBe(pkg.version);

      const docs = join(work, 'elsewhere', 'docs');
      mkdirSync(docs, { recursive: true });
      const page = join(docs, 'page.md');
      writeFileSync(page, '# A page\n\nYou will recieve an email when the\nbuild is done.\n');
      const check = await run('npx', ['--no-install', 'docs-fix', 'check', docs], project);
      expect(check.code, check.stderr).toBe(1);
      expect(check.stderr).toMatch(/^docs-fix: 1 file examined: 1 lines in 1 files would change$/m);
      const fix = await run('npx', ['--no-install', 'docs-fix', 'fix', '--write', docs], project);
      expect(fix.code, fix.stderr).toBe(0);
      expect(readFileSync(page, 'utf8')).toBe(
        '# A page\n\nYou will receive an email when the\nbuild is done.\n',
      );
      const clean = await run('npx', ['--no-install', 'docs-fix', 'check', page], project);
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stderr).toMatch(/^docs-fix: 1 file examined: at a fixpoint$/m);
      // Nothing else on stderr from Node itself (a deprecation or experimental-feature warning) on any run.
      for (const r of [version, check, fix, clean]) {
        expect(r.stderr, 'a runtime warning from Node').not.toMatch(NODE_WARNING);
      }
    },
  );
});
