// `docs-fix lines <file...>`: shows how files split into lines and prose units, i.e. exactly what the model would see.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { split, type SourceLine, type MarkdownDocument } from '../markdown/index.js';

/** A file named on the command line cannot be read; exit code 2 like other usage errors. */
export class InputFileError extends Error {
  readonly code = 'INPUT_FILE_UNREADABLE';
  readonly exitCode = 2;
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'InputFileError';
  }
}

interface LinesOptions {
  readonly json?: boolean;
  readonly config?: string;
}

export function registerLines(program: Command): void {
  program
    .command('lines')
    .description(
      'show each line of markdown files: kind, editable or frozen (and why), and the text sent to the model',
    )
    .argument('<file...>', 'markdown or MDX files')
    .option('--json', 'print a JSON array of {path, skipped?, lines} instead of a table')
    .option(
      '--config <file>',
      'a docs-fix.yml: also freeze what a run would freeze for it (prose outside its `languages`, as language:<code>)',
    )
    .action(async (files: string[], opts: LinesOptions) => {
      const inputs = files.map((path) => ({ path, bytes: readInput(path) }));
      let docs = inputs.map(({ path, bytes }) => split(bytes, { path }));
      if (opts.config) {
        // The config reader and the guard (with its English lexicon) load only when a config is given.
        const { loadConfig } = await import('./options.js');
        const config = await loadConfig(opts.config);
        const { freezeOtherLanguages } = await import('../engine/language.js');
        docs = docs.map((doc) => freezeOtherLanguages(doc, config.languages));
      }
      const out = process.stdout;
      if (opts.json) {
        out.write(`${JSON.stringify(docs.map(toJson), null, 2)}\n`);
        return;
      }
      for (const doc of docs) {
        if (doc.skipped)
          process.stderr.write(`docs-fix: skipped ${doc.skipped.message} (${doc.skipped.reason})\n`);
      }
      out.write(out.isTTY ? formatTable(docs, out.columns) : formatPlain(docs));
    });
}

function readInput(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory (name the markdown files)'
          : (err as Error).message;
    throw new InputFileError(path, reason);
  }
}

function status(line: SourceLine): string {
  return line.editable ? 'editable' : `frozen:${line.reason ?? 'no-prose'}`;
}

/** The prose unit of an editable line (`u3`; the lines of one unit go to the model together), `-` when frozen. */
function unitCell(line: SourceLine): string {
  return line.unit === undefined ? '-' : `u${line.unit}`;
}

function toJson(doc: MarkdownDocument): object {
  return {
    path: doc.path,
    ...(doc.skipped ? { skipped: doc.skipped } : {}),
    bom: doc.bom,
    lines: doc.lines.map((u) => ({
      line: u.line,
      kind: u.kind,
      editable: u.editable,
      ...(u.reason ? { reason: u.reason } : {}),
      ...(u.unit !== undefined ? { unit: u.unit } : {}),
      prefix: u.prefix,
      text: u.text,
      suffix: u.suffix,
    })),
  };
}

/** Tab-separated `line kind status unit text`, with the path first when several files are named (like grep). */
function formatPlain(docs: readonly MarkdownDocument[]): string {
  const withPath = docs.length > 1;
  const rows: string[] = [];
  for (const doc of docs) {
    for (const u of doc.lines) {
      const cells = [String(u.line), u.kind, status(u), unitCell(u), visible(u.text)];
      if (withPath) cells.unshift(doc.path);
      rows.push(cells.join('\t'));
    }
  }
  return rows.length > 0 ? `${rows.join('\n')}\n` : '';
}

/** Aligned columns for a terminal; text cut to the terminal width. */
function formatTable(docs: readonly MarkdownDocument[], columns: number | undefined): string {
  const out: string[] = [];
  for (const doc of docs) {
    if (docs.length > 1) out.push(`${doc.path}${doc.skipped ? `  (skipped: ${doc.skipped.reason})` : ''}`);
    const numberWidth = String(doc.lines.length).length;
    const kindWidth = Math.max(4, ...doc.lines.map((u) => u.kind.length));
    const statusWidth = Math.max(6, ...doc.lines.map((u) => status(u).length));
    const unitWidth = Math.max(1, ...doc.lines.map((u) => unitCell(u).length));
    const textWidth = Math.max(
      20,
      (columns !== undefined && columns > 0 ? columns : 120) -
        numberWidth -
        kindWidth -
        statusWidth -
        unitWidth -
        8,
    );
    for (const u of doc.lines) {
      let text = visible(u.text);
      if (text.length > textWidth) text = `${text.slice(0, textWidth - 1)}…`;
      out.push(
        `${String(u.line).padStart(numberWidth)}  ${u.kind.padEnd(kindWidth)}  ${status(u).padEnd(statusWidth)}  ${unitCell(u).padEnd(unitWidth)}  ${text}`,
      );
    }
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** Tabs shown as `→` so that columns stay aligned and a tab-separated row keeps its five fields. */
function visible(text: string): string {
  return text.includes('\t') ? text.replaceAll('\t', '→') : text;
}
