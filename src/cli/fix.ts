// `docs-fix fix`, `check` and `converge`: thin wrappers over engine/ with human and --json output.
import { Option, type Command } from 'commander';
import { writeFileSync, renameSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { MemoryStore } from '../cache/memory-store.js';
import { fixFiles } from '../engine/fix.js';
import { convergeRuns, type ConvergeReport } from '../engine/converge.js';
import type { FixResult, RunSummary, SourceFile } from '../engine/types.js';
import { formatKeyInputs, summariseDecisions } from '../engine/trace.js';
import {
  addRunOptions,
  engineOptions,
  parserFor,
  selectFiles,
  setupRun,
  UsageError,
  type RunOptions,
  type RunSetup,
} from './options.js';
import { progressReporter } from './progress.js';

interface Loaded {
  setup: RunSetup;
  files: SourceFile[];
  skipped: RunSummary['skippedFiles'];
}

async function load(paths: string[], opts: RunOptions): Promise<Loaded> {
  const setup = await setupRun(opts);
  try {
    const { files, skipped } = selectFiles(paths, setup);
    return { setup, files, skipped };
  } catch (err) {
    await setup.store.close();
    throw err;
  }
}

async function run(loaded: Loaded, opts: RunOptions): Promise<FixResult> {
  const { setup, files, skipped } = loaded;
  if (!opts.json) process.stderr.write(`docs-fix: model ${setup.fixer.label}; cache ${setup.store.kind}\n`);
  const progress = progressReporter(process.stderr, opts.json === true);
  const parser = await parserFor(opts, files);
  try {
    const result = await fixFiles(files, {
      store: setup.store,
      fixer: setup.fixer,
      scope: setup.scope,
      budget: setup.budget,
      trace: opts.trace ? 'all' : 'changes',
      onProgress: progress.update,
      parser,
      fileFixpoints: opts.fileFixpoints !== false,
      ...engineOptions(setup),
    });
    result.summary.skippedFiles.unshift(...skipped);
    return result;
  } finally {
    progress.done();
    await parser.close();
  }
}

/** Writes each patched file through a temporary file and a rename, so no file is left half-written. */
function applyPatches(result: FixResult): void {
  for (const patch of result.patches) {
    const target = resolvePath(process.cwd(), patch.path);
    const temp = `${target}.docs-fix-${process.pid}.tmp`;
    writeFileSync(temp, patch.after);
    renameSync(temp, target);
  }
}

export function formatSummary(s: RunSummary): string {
  const lines = [
    `files ${s.files} (skipped ${s.skippedFiles.length}), lines ${s.lines}, editable ${s.editableLines} in ${s.units} units (${s.distinctUnits} distinct)`,
    `cache: ${s.fixpointHits} units already correct, ${s.rewriteHits} rewrites, ${s.heldHits} held; model: ${s.modelUnits} units (${s.modelLines} lines) in ${s.modelRequests} requests, ${s.tokens.total} tokens`,
    `changed ${s.changedLines} lines (${s.changedUnits} units) in ${s.changedFiles} files; rejected ${s.rejectedUnits}, held ${s.heldUnits}, over budget ${s.overBudgetUnits}, unanswered ${s.unansweredUnits}; ${s.durationMs} ms`,
  ];
  if (s.rejectedByMaintainer > 0)
    lines.push(`left as they are: ${s.rejectedByMaintainer} units whose edit a maintainer rejected`);
  const decisions = [
    s.fileFixpointHits > 0 ? `${s.fileFixpointHits} files skipped whole as file-level fixpoints` : '',
    byReason('rejected', s.rejectedByReason),
    byReason('withheld', s.withheldByReason),
    byReason('frozen', s.frozenByReason),
  ].filter((d) => d !== '');
  if (decisions.length > 0) lines.push(`decisions: ${decisions.join('; ')}`);
  for (const skip of s.skippedFiles) lines.push(`skipped ${skip.message}`);
  return lines.map((l) => `docs-fix: ${l}\n`).join('');
}

/** `frozen 12 (blank 8, code 4)`, largest first; empty when there are none. */
function byReason(what: string, counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (entries.length === 0) return '';
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return `${what} ${total} (${entries.map(([r, c]) => `${r} ${c}`).join(', ')})`;
}

function printResult(result: FixResult, opts: RunOptions): void {
  if (opts.json) {
    // The summary's fields stay at the top level (as before); the trace and per-file list only with --trace.
    const out = {
      ...result.summary,
      keyInputs: result.keyInputs,
      decisions: summariseDecisions(result),
      ...(opts.trace ? { trace: result.trace, fileTrace: result.files } : {}),
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  process.stdout.write(result.diff);
  if (opts.trace) {
    for (const f of result.files)
      if (f.outcome !== 'parsed') process.stderr.write(`${f.path}\t${f.outcome}\n`);
    for (const t of result.trace) {
      const where = t.lines > 1 ? `${t.path}:${t.line}-${t.line + t.lines - 1}` : `${t.path}:${t.line}`;
      process.stderr.write(`${where}\t${t.outcome}\n`);
    }
    process.stderr.write(`docs-fix: key inputs: ${formatKeyInputs(result.keyInputs)}\n`);
  }
  process.stderr.write(formatSummary(result.summary));
}

export function registerFix(program: Command): void {
  addRunOptions(
    program
      .command('fix')
      .description('print the unified diff of proposed copy edits (--write applies it)')
      .argument('[paths...]', 'markdown files or folders', []),
  )
    .option('--write', 'apply the changes to the files')
    .action(async (paths: string[], opts: RunOptions & { write?: boolean }) => {
      const loaded = await load(paths, opts);
      try {
        const result = await run(loaded, opts);
        if (opts.write) applyPatches(result);
        printResult(result, opts);
      } finally {
        await loaded.setup.store.close();
      }
    });

  addRunOptions(
    program
      .command('check')
      .description('exit 1 when copy edits are pending, 0 when the docs are at a fixpoint')
      .argument('[paths...]', 'markdown files or folders', []),
  ).action(async (paths: string[], opts: RunOptions) => {
    const loaded = await load(paths, opts);
    try {
      const result = await run(loaded, opts);
      printResult(result, opts);
      const s = result.summary;
      // Files split or known to be at a fixpoint; those the engine skipped (binary, invalid UTF-8, parse
      // errors) were read but not examined (files left out before reading are not in `files`).
      const examined =
        s.files - s.skippedFiles.filter((f) => f.reason !== 'excluded' && f.reason !== 'limit').length;
      if (examined <= 0) {
        throw new UsageError(
          `nothing examined: every file was skipped (${s.skippedFiles.map((f) => f.message).join('; ')})`,
        );
      }
      const of = `${examined} file${examined === 1 ? '' : 's'} examined`;
      if (!opts.json) {
        process.stderr.write(
          s.changedLines > 0
            ? `docs-fix: ${of}: ${s.changedLines} lines in ${s.changedFiles} files would change\n`
            : `docs-fix: ${of}: at a fixpoint\n`,
        );
      }
      process.exitCode = s.changedLines > 0 ? 1 : 0;
    } finally {
      await loaded.setup.store.close();
    }
  });

  addRunOptions(
    program
      .command('converge')
      .description(
        're-run on its own output N times and report per-unit and pull-request-level fixpoint rates',
      )
      .argument('[paths...]', 'markdown files or folders', []),
  )
    .option(
      '--runs <n>',
      'how many runs',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 2)
          throw new UsageError(`--runs: expected a whole number of at least 2, got "${v}"`);
        return n;
      },
      5,
    )
    .option('--no-cache', 'a fresh empty cache for every run (shows what a bot without the cache does)')
    .addOption(
      new Option(
        '--units <kind>',
        'what the model is asked about: prose (a paragraph over its wrapped lines; what fix does) or line (each line alone, for comparison)',
      )
        .choices(['prose', 'line'])
        .default('prose'),
    )
    .action(
      async (
        paths: string[],
        opts: RunOptions & { runs: number; cache: boolean; units: 'prose' | 'line' },
      ) => {
        const loaded = await load(paths, opts);
        try {
          const { setup } = loaded;
          if (!opts.json) {
            process.stderr.write(
              `docs-fix: converge, ${opts.runs} runs, ${opts.units} units, model ${setup.fixer.label}, ${opts.cache ? `cache ${setup.store.kind}` : 'no cache'}\n`,
            );
          }
          const parser = await parserFor(opts, loaded.files);
          try {
            const report = await convergeRuns(loaded.files, {
              runs: opts.runs,
              storeForRun: () => (opts.cache ? setup.store : new MemoryStore()),
              fixer: setup.fixer,
              scope: setup.scope,
              budget: setup.budget,
              parser,
              units: opts.units,
            });
            printConverge(report, opts);
          } finally {
            await parser.close();
          }
        } finally {
          await loaded.setup.store.close();
        }
      },
    );
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function printConverge(report: ConvergeReport, opts: RunOptions): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  process.stdout.write(
    'run  model units  model lines  changed lines  changed files  per-unit fixpoint rate\n',
  );
  for (const r of report.runs) {
    process.stdout.write(
      `${String(r.run).padStart(3)}  ${String(r.modelUnits).padStart(11)}  ${String(r.modelLines).padStart(11)}  ${String(r.changedLines).padStart(13)}  ${String(
        r.changedFiles,
      ).padStart(13)}  ${r.run === 1 ? '(first run)' : pct(r.fixpointRate)}\n`,
    );
  }
  process.stdout.write(
    `re-runs on the bot's own output that would still open a pull request: ${report.rerunsWithChanges} of ${
      report.runs.length - 1
    } (${pct(report.pullRequestFailureRate)}); per-unit fixpoint rate over re-runs ${pct(report.fixpointRate)}\n`,
  );
}
