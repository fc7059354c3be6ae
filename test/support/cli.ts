// Runs the real command line (src/cli.ts through vite-node, so no build is needed) and captures its output.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runProcess, type CliResult } from './process.js';

const require = createRequire(import.meta.url);
const viteNode = require.resolve('vite-node/vite-node.mjs');
const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

export type { CliResult } from './process.js';

export function runCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return runProcess(process.execPath, [viteNode, '--root', root, cli, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, OPENAI_BASE_URL: '', OPENAI_API_KEY: '', DOCS_FIX_PROVIDER: '', ...opts.env },
  });
}
