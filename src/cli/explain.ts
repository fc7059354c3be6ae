// `docs-fix explain <file>:<line>`: what the cache holds for one line and what the next `fix` run would do
// with it, under the same options (store, scope, model, style guide, config) as `fix`. Read-only.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import {
  explainLine,
  LineOutOfRangeError,
  type AskedAnswer,
  type CacheExplanation,
  type LineExplanation,
  type RecordedExplanation,
} from '../engine/explain.js';
import { formatKeyInputs, parseSavedRun, type SavedRun } from '../engine/trace.js';
import { addRunOptions, engineOptions, setupRun, UsageError, type RunOptions } from './options.js';

interface ExplainOptions extends Omit<RunOptions, 'trace'> {
  /** A saved `docs-fix fix --json --trace` output. */
  trace?: string;
  ask?: boolean;
}

/** Parses `<file>:<line>` (the last colon separates them, so paths may hold colons). */
export function parseLocation(arg: string): { file: string; line: number } {
  const at = arg.lastIndexOf(':');
  const file = at > 0 ? arg.slice(0, at) : '';
  const line = at > 0 ? arg.slice(at + 1) : '';
  if (file === '' || !/^\d+$/.test(line) || Number(line) < 1) {
    throw new UsageError(
      `expected <file>:<line> with a line number from 1, e.g. docs/README.md:12; got ${JSON.stringify(arg)}`,
    );
  }
  return { file, line: Number(line) };
}

function readInput(file: string): Uint8Array {
  try {
    const data = readFileSync(file);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${file}: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${file}: is a directory; name a markdown file`);
    throw new UsageError(`${file}: cannot be read (${code ?? String(err)})`);
  }
}

function readSavedRun(path: string): SavedRun {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--trace ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--trace ${path}: not JSON (${(err as Error).message})`);
  }
  const saved = parseSavedRun(json);
  if ('error' in saved) throw new UsageError(`--trace ${path}: ${saved.error}`);
  return saved;
}

/** The run options of `fix`, except its `--trace` flag: here `--trace` names a saved trace to read. */
function runOptions(cmd: Command): Command {
  for (const option of addRunOptions(new Command()).options) {
    if (option.long !== '--trace') cmd.addOption(option);
  }
  return cmd;
}

export function registerExplain(program: Command): void {
  runOptions(
    program
      .command('explain')
      .description(
        'show, for one line, what the cache holds and what the next fix run would do with it, and why',
      )
      .argument('<file:line>', 'a markdown file and a 1-based line number, e.g. docs/README.md:12'),
  )
    .addOption(
      new Option(
        '--trace <file>',
        'a saved `docs-fix fix --json --trace` output: show what that run recorded for the line',
      ),
    )
    .option(
      '--ask',
      'ask the model once for this line and show its answer and the admission verdict (stores nothing)',
    )
    .action(async (location: string, opts: ExplainOptions) => {
      const { file, line } = parseLocation(location);
      const bytes = readInput(file);
      const saved = opts.trace ? readSavedRun(opts.trace) : undefined;
      // Paths as a run from here prints them: relative to the working directory, with `/`.
      const path = relative(process.cwd(), resolve(file)).split(sep).join('/');
      const setup = await setupRun({ ...opts, trace: false });
      try {
        let explanation: LineExplanation;
        try {
          explanation = await explainLine(
            { file: { path, bytes }, line, ask: opts.ask === true, saved },
            {
              store: setup.store,
              fixer: setup.fixer,
              scope: setup.scope,
              selection: { include: setup.include, exclude: setup.exclude },
              maxTokens: setup.budget.maxTokens,
              ...engineOptions(setup),
            },
          );
        } catch (err) {
          throw err instanceof LineOutOfRangeError ? new UsageError(err.message) : err;
        }
        process.stdout.write(
          opts.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation),
        );
      } finally {
        await setup.store.close();
      }
    });
}

const show = (s: string): string => JSON.stringify(s);
const isBlob = (content: string): boolean => content.startsWith('git-blob:');
/** `sha256:90d53462597f…`: enough to tell contents apart; `--json` has the whole id. */
const shortContent = (content: string): string =>
  content.replace(/^([a-z0-9-]+:[0-9a-f]{12})[0-9a-f]+$/, '$1…');
const LABEL = 12;
const row = (label: string, text: string): string => `${label.padEnd(LABEL)}${text}`;
const more = (text: string): string => `${' '.repeat(LABEL)}${text}`;

/**
 * The human form: one labelled section per question (what is the line, which unit holds it, under what keys,
 * what is cached, what next).
 */
export function formatExplanation(e: LineExplanation): string {
  const out: string[] = [];
  const l = e.source;
  out.push(
    `${e.path}:${e.line}: ${
      l ? `${l.kind}, ${l.editable ? 'editable' : `frozen (${l.reason ?? 'no-prose'})`}` : 'in a skipped file'
    }`,
  );
  if (l) {
    out.push(
      more(`prefix ${show(l.prefix)}`),
      more(`text   ${show(l.text)}`),
      more(`suffix ${show(l.suffix)}`),
    );
  }
  const u = e.unit;
  if (u) {
    const span = u.firstLine === u.lastLine ? `line ${u.firstLine}` : `lines ${u.firstLine}-${u.lastLine}`;
    out.push(row('unit', `${u.kind}, ${span}: what the model sees and the cache keys`));
    for (const line of u.lines) out.push(more(show(line)));
  }
  out.push(row('key inputs', formatKeyInputs(e.keyInputs)));
  if (e.lineKey) out.push(row('unit key', e.lineKey));
  const f = e.file;
  const known = f.fileKeys
    .filter((k) => k.fixpoint)
    .map((k) => (isBlob(k.content) ? 'by blob SHA' : 'by bytes'));
  const status = f.skipped
    ? `skipped: ${f.skipped.message}`
    : known.length > 0
      ? `a known file-level fixpoint (${known.join(', ')})`
      : 'not a known file-level fixpoint';
  out.push(row('file', `${f.parser}, ${f.lines} line${f.lines === 1 ? '' : 's'}: ${status}`));
  for (const k of f.fileKeys) {
    const how = isBlob(k.content) ? 'as the app reads it, by blob SHA' : 'as the CLI reads it, by bytes';
    out.push(more(`file key ${k.key} for ${shortContent(k.content)} (${how})`));
  }
  if (e.selected === false) {
    out.push(
      more('not selected by include/exclude: a run over folders (and the app) leaves this file alone'),
    );
  }
  if (e.cache) out.push(...formatCache(e.cache));
  if (e.maintainer) {
    const m = e.maintainer;
    out.push(
      row(
        'maintainer',
        `@${m.by} ${{ closed: 'closed', reverted: 'reverted the edit in', rewritten: 'wrote it otherwise in' }[m.how]} pull request #${m.pullRequest}${m.commit ? ` (commit ${m.commit.slice(0, 7)})` : ''} on ${m.at.slice(0, 10)}`,
      ),
      more(`rejected → ${show(m.proposed)}`),
    );
  }
  out.push(
    row('next run', e.next.text === undefined ? e.next.outcome : `${e.next.outcome} → ${show(e.next.text)}`),
  );
  out.push(more(e.next.why));
  if (e.asked) out.push(...formatAsked(e.asked, e.cache));
  if (e.recorded) out.push(...formatRecorded(e.recorded));
  return `${out.join('\n')}\n`;
}

function formatCache(c: CacheExplanation): string[] {
  if (c.type === 'none') return [row('cache', 'no entry (a miss)')];
  if (c.type === 'fixpoint') return [row('cache', 'fixpoint: the unit is correct as it is')];
  if (c.type === 'held') return [row('cache', `held: an earlier answer was rejected (${c.reason})`)];
  return [
    row('cache', `rewrite → ${show(c.text)}`),
    more(
      `target key ${c.targetKey}: ${c.targetIsFixpoint ? 'stored as a fixpoint' : 'not stored (re-asserted when served)'}`,
    ),
    more(
      `admission today: ${c.admission.ok ? 'passes' : `rejects (${c.admission.reason}: ${c.admission.detail})`}`,
    ),
    more(`structure with it: ${c.structure.ok ? 'kept' : `changes (${c.structure.detail})`}`),
  ];
}

function formatAsked(a: AskedAnswer, cache: CacheExplanation | undefined): string[] {
  if (!a.sent) return [row('asked', `not sent: ${a.failure ?? 'the line is not editable'}`)];
  const out = [
    row('asked', a.answer === undefined ? `no answer: ${a.failure ?? 'none'}` : `→ ${show(a.answer)}`),
  ];
  if (a.admission) {
    out.push(
      more(
        `admission: ${a.admission.ok ? 'passes' : `rejects (${a.admission.reason}: ${a.admission.detail})`}`,
      ),
    );
  }
  if (a.structure)
    out.push(more(`structure with it: ${a.structure.ok ? 'kept' : `changes (${a.structure.detail})`}`));
  const stores = {
    fixpoint: 'a run would store the unit as a fixpoint',
    rewrite: 'a run would store this rewrite',
    held: 'a run would hold the unit (keep it, store the rejection)',
    nothing: 'a run would store nothing and leave the unit',
  }[a.wouldStore];
  out.push(more(`${stores}; nothing was stored (${a.tokens.total} tokens)`));
  if (cache && cache.type !== 'none')
    out.push(more('the next run does not ask the model: the cache answers for this unit'));
  return out;
}

function formatRecorded(r: RecordedExplanation): string[] {
  const d = r.decision;
  const out = [
    row(
      'recorded',
      d.found === 'line'
        ? `${d.trace.outcome}${d.trace.after === undefined ? '' : ` → ${show(d.trace.after)}`}`
        : d.found === 'file'
          ? `${d.file.outcome} (the whole file)`
          : d.fileInRun
            ? 'the saved run traced this file but not this line (it traced changes only, or the unit differs)'
            : 'the saved run did not examine this file (paths are relative to where it ran)',
    ),
  ];
  if (d.found === 'line') out.push(more(`before ${show(d.trace.before)}`));
  if (r.keyInputsDiffer && r.keyInputsDiffer.length > 0) {
    out.push(
      more(
        `the saved run used other key inputs (${r.keyInputsDiffer.join(', ')}): its cache keys differ from these`,
      ),
    );
  }
  return out;
}
