#!/usr/bin/env node
// The command-line entry: thin; each command lives in src/cli/<name>.ts and calls engine/, cache/, github/.
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { registerCache } from './cli/cache.js';
import { registerExplain } from './cli/explain.js';
import { registerFix } from './cli/fix.js';
import { registerLines } from './cli/lines.js';
import { registerPr } from './cli/pr.js';
import { registerShadow } from './cli/shadow.js';
import { registerSimServer } from './cli/sim-server.js';
import { registerWorker } from './cli/worker.js';

// src/cli.ts under vite-node, dist/src/cli.js when built: the package root is one or two folders up.
const pkgUrl = [
  new URL('../package.json', import.meta.url),
  new URL('../../package.json', import.meta.url),
].find((u) => existsSync(u))!;
const pkg = JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('docs-fix')
    .description('Copy-edit markdown documentation with a language model, converging by construction.')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  registerLines(program);
  registerFix(program);
  registerExplain(program);
  registerSimServer(program);
  registerWorker(program);
  registerCache(program);
  registerPr(program);
  registerShadow(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors exit 2 (commander already printed the message).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`docs-fix: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode =
      typeof (err as { exitCode?: unknown }).exitCode === 'number'
        ? (err as { exitCode: number }).exitCode
        : 1;
  }
}

await main(process.argv);
