// The README's main command: a whole docs-fix session on a bundled sample, offline.
// No Redis and no network: the embedded lmdb cache and the offline model simulator (not a language model).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');
const work = mkdtempSync(join(tmpdir(), 'docs-fix-demo-'));
cpSync(join(root, 'examples/docs'), join(work, 'docs'), { recursive: true });
cpSync(join(root, 'examples/docs'), join(work, 'docs-again'), { recursive: true });

const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
delete env.OPENAI_BASE_URL;
delete env.OPENAI_API_KEY;
delete env.DOCS_FIX_PROVIDER;

function step(title: string, args: string[]): string {
  process.stdout.write(`\n=== ${title}\n$ docs-fix ${args.join(' ')}\n`);
  const out = execFileSync(process.execPath, [cli, ...args], {
    cwd: work,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(out);
  return out;
}

process.stdout.write(
  `docs-fix demo in ${work}\nmodel: the offline simulator (a scripted copy editor, NOT a language model); cache: embedded lmdb in ${work}/cache\n`,
);
const common = ['--provider', 'sim', '--cache-dir', 'cache'];
step('1. fix the sample docs and write the changes (every line is a cache miss)', [
  'fix',
  'docs',
  '--write',
  ...common,
]);
const second = JSON.parse(
  step('2. run again on its own output: everything is served from the cache', [
    'fix',
    'docs',
    '--json',
    ...common,
  ]),
) as {
  modelLines: number;
  changedLines: number;
};
step('3. converge without the cache: re-runs keep changing lines, as model-only bots do', [
  'converge',
  'docs-again',
  '--runs',
  '6',
  '--no-cache',
  '--store',
  'memory',
  '--provider',
  'sim',
]);
step('4. converge with the cache: after the first run nothing changes', [
  'converge',
  'docs-again',
  '--runs',
  '6',
  '--provider',
  'sim',
  '--cache-dir',
  'cache-converge',
]);
process.stdout.write(
  `\nsecond run: ${second.modelLines} lines sent to the model, ${second.changedLines} lines changed.\nThe fixed files are in ${work}/docs.\n`,
);
