// The README's main command: a whole docs-fix session on a bundled sample, offline.
// No Redis and no network: the embedded lmdb cache; real fixes by the offline editor (harper.js + common
// misspellings, the default without an endpoint), then the simulator's noise (a scripted editor, not a
// language model) to show what the cache does for convergence.
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
  `docs-fix demo in ${work}\nPart 1 - real fixes: the offline editor (harper.js + a list of common misspellings), the default when no model endpoint is set; cache: embedded lmdb in ${work}/cache\n`,
);
const common = ['--cache-dir', 'cache'];
// The simulator rewrites a unit at random with this probability per call: higher than its default (0.05) so that
// a sample of 32 units shows the noise within a few runs.
const noisySim = ['--provider', 'sim', '--sim-flip-rate', '0.3'];
step('1. fix the sample docs and write the changes (every unit is a cache miss)', [
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
process.stdout.write(
  `\nPart 2 - convergence, shown with noise: the simulator (a scripted copy editor with seeded random rewrites, NOT a language model and not the offline editor) behaves like a model that is not idempotent\n`,
);
step('3. converge without the cache: re-runs keep changing lines, as model-only bots do', [
  'converge',
  'docs-again',
  '--runs',
  '6',
  '--no-cache',
  '--store',
  'memory',
  ...noisySim,
]);
step('4. converge with the cache: after the first run nothing changes', [
  'converge',
  'docs-again',
  '--runs',
  '6',
  ...noisySim,
  '--cache-dir',
  'cache-converge',
]);
process.stdout.write(
  `\nsecond run of the offline editor: ${second.modelLines} lines sent to it, ${second.changedLines} lines changed.\nThe fixed files are in ${work}/docs.\n`,
);
