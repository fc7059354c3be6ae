// Runs the built command line (`dist/src/cli.js`, the package's `bin`) as users do: a child process of
// node, from any working directory. test/global-setup.ts brings the build up to date before the tests
// (incremental tsc, only when a source is newer than the last build), so these never run a stale `dist/`.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.js';

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

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Builds `dist/` when a source is newer than the last build (global setup: once per test run). */
export async function ensureBuilt(): Promise<void> {
  const info = join(root, 'dist/.tsbuildinfo');
  const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'scripts')));
  if (existsSync(bin) && existsSync(info) && sources <= statSync(info).mtimeMs) return;
  const out = await run('npm', ['run', 'build', '--silent'], root, process.env);
  if (out.code !== 0) throw new Error(`npm run build failed:\n${out.stdout}${out.stderr}`);
}

/** Runs `docs-fix <args>` from `cwd` with the built bin; no model endpoint unless `env` sets one. */
export async function runBin(
  args: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  return run(process.execPath, [bin, ...args], opts.cwd, {
    ...process.env,
    OPENAI_BASE_URL: '',
    OPENAI_API_KEY: '',
    DOCS_FIX_PROVIDER: '',
    ...opts.env,
  });
}
