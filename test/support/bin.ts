// Runs the built command line (`dist/src/cli.js`, the package's `bin`) as users do: a child process of
// node, from any working directory. test/global-setup.ts brings the build up to date before the tests
// (incremental tsc, only when a source is newer than the last build), so these never run a stale `dist/`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type CliResult } from './process.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'dist/src/cli.js');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds `dist/` when a source is newer than the last build (global setup: once per test run). */
export async function ensureBuilt(): Promise<void> {
  const info = join(root, 'dist/.tsbuildinfo');
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'scripts')));
  if (existsSync(bin) && existsSync(info) && sources <= statSync(info).mtimeMs) return;
  const out = await runProcess('npm', ['run', 'build', '--silent'], { cwd: root, env: process.env });
  if (out.code !== 0) throw new Error(`npm run build failed:\n${out.stdout}${out.stderr}`);
}

/** Runs `docs-fix <args>` from `cwd` with the built bin; no model endpoint unless `env` sets one. */
export async function runBin(
  args: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return runProcess(process.execPath, [bin, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, OPENAI_BASE_URL: '', OPENAI_API_KEY: '', DOCS_FIX_PROVIDER: '', ...opts.env },
  });
}
