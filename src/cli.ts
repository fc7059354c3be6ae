#!/usr/bin/env node
// The command-line entry: thin; each command lives in src/cli/<name>.ts and calls engine/, cache/, github/.
// Only the command being run is loaded (a pre-commit hook or an editor runs `check` on every save, and
// `--version` should not pay for Probot, BullMQ or the markdown parser): `docs-fix <command>` imports that
// command's module alone; `docs-fix --help` lists the commands from the table below without loading any.
import './cli/compile-cache.js';
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';

type Register = (program: Command) => void;

/** Every command: its one-line description (for the top-level help) and how to load its module. */
const COMMANDS: Readonly<Record<string, { readonly description: string; load(): Promise<Register[]> }>> = {
  lines: {
    description: 'show each line of markdown files: kind, editable or frozen, and its prose unit',
    load: async () => [(await import('./cli/lines.js')).registerLines],
  },
  fix: {
    description: 'print the unified diff of proposed copy edits (--write applies it)',
    load: async () => [(await import('./cli/fix.js')).registerFix],
  },
  check: {
    description: 'exit 1 when copy edits are pending, 0 when the docs are at a fixpoint',
    load: async () => [(await import('./cli/fix.js')).registerFix],
  },
  converge: {
    description: 're-run on its own output N times and report fixpoint rates',
    load: async () => [(await import('./cli/fix.js')).registerFix],
  },
  explain: {
    description: 'what the bot decides for one line (<file>:<line>) and why',
    load: async () => [(await import('./cli/explain.js')).registerExplain],
  },
  shadow: {
    description: 'what switching the model or prompt would change and cost',
    load: async () => [(await import('./cli/shadow.js')).registerShadow],
  },
  'shadow-app': {
    description: "shadow runs over the app's repositories (operators)",
    load: async () => [(await import('./cli/shadow.js')).registerShadow],
  },
  cache: {
    description: 'operator commands over the cache: stats, purge',
    load: async () => [(await import('./cli/cache.js')).registerCache],
  },
  'sim-server': {
    description: 'the offline simulator as an OpenAI-compatible HTTP server',
    load: async () => [(await import('./cli/sim-server.js')).registerSimServer],
  },
  pr: {
    description: 'open or update the bot pull request with a token, no app needed',
    load: async () => [(await import('./cli/pr.js')).registerPr],
  },
  worker: {
    description: 'run job workers for the app',
    load: async () => [(await import('./cli/worker.js')).registerWorker],
  },
};

// src/cli.ts under vite-node, dist/src/cli.js when built: the package root is one or two folders up.
const pkgUrl = [
  new URL('../package.json', import.meta.url),
  new URL('../../package.json', import.meta.url),
].find((u) => existsSync(u))!;
const pkg = JSON.parse(readFileSync(pkgUrl, 'utf8')) as { version: string };

/**
 * The program with the commands `argv` needs registered: the one it names (or, after `help`, the one it
 * asks about), or with no command every command by name and description only.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('docs-fix')
    .description('Copy-edit markdown documentation with a language model, converging by construction.')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  const words = argv.filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? named : undefined;
  if (wanted) {
    for (const register of await COMMANDS[wanted]!.load()) register(program);
    return program;
  }
  for (const [name, { description }] of Object.entries(COMMANDS)) {
    // Names for the help and for "unknown command" suggestions; a named command loads its module above.
    program.command(name).description(description);
  }
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv.slice(2));
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
