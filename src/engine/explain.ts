// `docs-fix explain <file>:<line>`: for one line, the prose unit holding it (the paragraph or heading the
// model edits as a whole), what the cache holds for that unit and what the next `fix` run would do with it,
// under the key inputs that run would use. Read-only: it never writes to the store, and it calls the model
// only when asked to (once, for this unit), without storing the answer.
import { blobContentId, contentId, gitBlobSha, rejectionKey } from '../cache/key.js';
import type { CacheValue, LineStore, Rejection } from '../cache/types.js';
import { joinUnits, parserFor, split, unitLines, unitText } from '../markdown/index.js';
import type { LineKind, MarkdownDocument, ProseUnit, SkippedFile } from '../markdown/types.js';
import type { UnitFixer, TokenUsage } from '../model/types.js';
import { admitRewrite, type Admission, type AdmissionOptions } from './admission.js';
import { freezeOtherLanguages } from './language.js';
import { pathFilter, type FileSelection } from './files.js';
import { fileKeyOf, keyInputsOf, lineKeyFor } from './fix.js';
import { admitFileStructure, admitReplacements } from './structure.js';
import { keyInputsDiffer, recordedDecision, type RecordedDecision, type SavedRun } from './trace.js';
import type { KeyInputs, SourceFile } from './types.js';

export interface ExplainContext {
  readonly store: LineStore;
  readonly fixer: UnitFixer;
  /** Tenant boundary for cache keys, as the run would use it. */
  readonly scope: string;
  /** The run's include/exclude: a run over folders (and the app) never examines a file they do not select. */
  readonly selection?: FileSelection;
  /** Token budget of the one `ask` request (default: unlimited). */
  readonly maxTokens?: number;
  readonly signal?: AbortSignal;
  /** `owner/name`: a maintainer's rejection of the unit's rewrite there is shown (see `EngineContext`). */
  readonly repository?: string;
  /** The repository's vocabulary, as the run's admission uses it. */
  readonly vocabulary?: readonly string[];
  /** The languages the repository edits, as the run's language guard uses them. */
  readonly languages?: readonly string[];
}

export interface ExplainRequest {
  /** The file as a run would read it (`blobSha` when it came from GitHub by blob). */
  readonly file: SourceFile;
  /** 1-based line number. */
  readonly line: number;
  /** Ask the model once for this line (the answer is shown, never stored). */
  readonly ask?: boolean;
  /** A saved `fix --json --trace` output: its recorded decision for the line is shown too. */
  readonly saved?: SavedRun;
}

/** The line number is not a line of the file: a usage error at the edge. */
export class LineOutOfRangeError extends Error {
  readonly code = 'LINE_OUT_OF_RANGE';
  constructor(
    readonly path: string,
    readonly line: number,
    readonly lines: number,
  ) {
    super(
      lines === 0
        ? `${path}:${line}: the file is empty; it has no line ${line}`
        : `${path}:${line}: no such line; expected 1 to ${lines} (the file has ${lines} line${lines === 1 ? '' : 's'})`,
    );
    this.name = 'LineOutOfRangeError';
  }
}

/** One file-level fixpoint key this content has, and whether the store knows it. */
export interface FileKeyLookup {
  /** `sha256:<hex>` (how the CLI reads files) or `git-blob:<sha>` (how the app reads them from GitHub). */
  readonly content: string;
  readonly key: string;
  readonly fixpoint: boolean;
}

export interface FileExplanation {
  readonly parser: 'md' | 'mdx';
  readonly lines: number;
  readonly skipped?: SkippedFile;
  /** The key a run given these bytes uses first; then the git-blob form when it differs. */
  readonly fileKeys: readonly FileKeyLookup[];
  /** The content is a known file-level fixpoint (under either form): a run skips it whole. */
  readonly knownFixpoint: boolean;
}

/** The source line asked about. */
export interface SourceLineExplanation {
  readonly kind: LineKind;
  readonly editable: boolean;
  readonly reason?: string;
  readonly prefix: string;
  readonly text: string;
  readonly suffix: string;
}

/** The prose unit holding an editable line: what the model sees and the cache keys. */
export interface UnitExplanation {
  readonly kind: LineKind;
  /** 1-based numbers of its first and last source line. */
  readonly firstLine: number;
  readonly lastLine: number;
  /** Its lines' texts (prefixes and suffixes stay outside the unit). */
  readonly lines: readonly string[];
}

/** Whether the file keeps its block structure with a replacement of this unit alone. */
export type StructureCheck = { readonly ok: true } | { readonly ok: false; readonly detail: string };

export type CacheExplanation =
  /** A miss: the next run sends the line to the model. */
  | { readonly type: 'none' }
  | { readonly type: 'fixpoint' }
  | { readonly type: 'held'; readonly reason: string }
  | {
      readonly type: 'rewrite';
      /** The unit's rewritten text (its lines joined with `\n`). */
      readonly text: string;
      /** The key of `text` (same scope, kind): stored as a fixpoint with the rewrite, re-asserted when served. */
      readonly targetKey: string;
      readonly targetIsFixpoint: boolean;
      /** The answer checked by today's admission rules (cached rewrites are served without re-checking). */
      readonly admission: Admission;
      readonly structure: StructureCheck;
    };

/** What the next `fix` run does with the line's unit. */
export interface NextRun {
  /** A unit outcome as the trace records it, `miss` (the model decides), or the file's or line's outcome. */
  readonly outcome: string;
  /** The unit's text after the run, when the run changes it. */
  readonly text?: string;
  readonly why: string;
}

/** The model's answer to one `ask`, and what a run would have stored for it (nothing is stored). */
export interface AskedAnswer {
  /** False when the line is not editable: no run sends it to the model, so neither does `ask`. */
  readonly sent: boolean;
  /** The answer's lines joined with `\n`. */
  readonly answer?: string;
  /** Why there is no answer (over budget, a model failure). */
  readonly failure?: string;
  readonly tokens: TokenUsage;
  /** The write a run would make: `fixpoint` (unchanged), `rewrite` (admitted), `held` (rejected), or none. */
  readonly wouldStore: 'fixpoint' | 'rewrite' | 'held' | 'nothing';
  readonly admission?: Admission;
  readonly structure?: StructureCheck;
}

export interface RecordedExplanation {
  readonly decision: RecordedDecision;
  /** Key inputs of the saved run that differ from this explanation's (empty: the same cache keys). */
  readonly keyInputsDiffer?: readonly string[];
}

export interface LineExplanation {
  readonly path: string;
  readonly line: number;
  readonly keyInputs: KeyInputs;
  /** Whether the run's include/exclude select the file (absent without a selection). */
  readonly selected?: boolean;
  readonly file: FileExplanation;
  /** Absent when the file is skipped whole (it is never split). */
  readonly source?: SourceLineExplanation;
  /** Editable lines only: the prose unit holding the line. */
  readonly unit?: UnitExplanation;
  /** Editable lines only: the unit's key. */
  readonly lineKey?: string;
  /** Editable lines only. */
  readonly cache?: CacheExplanation;
  /** Editable lines, with a repository: a maintainer's rejection of docs-fix's rewrite of the unit there. */
  readonly maintainer?: Rejection;
  readonly next: NextRun;
  readonly asked?: AskedAnswer;
  readonly recorded?: RecordedExplanation;
}

const decoder = new TextDecoder();

/** `ask` on a line no run sends to the model: the model is not called. */
const NOT_ASKED: AskedAnswer = {
  sent: false,
  failure: 'only editable lines are ever sent to the model',
  tokens: { prompt: 0, completion: 0, total: 0 },
  wouldStore: 'nothing',
};

/** Lines of a file the splitter skipped (it has no units): LF-terminated, plus a last unterminated one. */
function rawLineCount(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === 0x0a) n += 1;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? n + 1 : n;
}

/** Explains one line. Throws `LineOutOfRangeError` for a line the file does not have. */
export async function explainLine(req: ExplainRequest, ctx: ExplainContext): Promise<LineExplanation> {
  const { file, line } = req;
  const keyInputs = keyInputsOf(ctx);
  const admission: AdmissionOptions = ctx.vocabulary ? { vocabulary: ctx.vocabulary } : {};
  const parsed = split(file.bytes, { path: file.path });
  const doc = ctx.languages ? freezeOtherLanguages(parsed, ctx.languages) : parsed;
  const lines = doc.skipped ? rawLineCount(file.bytes) : doc.lines.length;
  if (!Number.isInteger(line) || line < 1 || line > lines)
    throw new LineOutOfRangeError(file.path, line, lines);

  // File-level keys: the form a run given these bytes uses, and the app's git-blob form when it differs.
  const contents = [contentId(file.bytes, file.blobSha)];
  const blob = blobContentId(file.blobSha ?? gitBlobSha(file.bytes));
  if (blob !== contents[0]) contents.push(blob);
  const fileKeys = contents.map((content) => ({ content, key: fileKeyOf(keyInputs, file.path, content) }));

  const source = doc.skipped ? undefined : doc.lines[line - 1]!;
  const unit = source?.unit === undefined ? undefined : doc.units[source.unit]!;
  const keyOf = lineKeyFor(ctx);
  const ownKey = unit ? keyOf(unit.kind, unit.text) : undefined;

  const ownRejectionKey =
    unit && ctx.repository !== undefined
      ? rejectionKey({ scope: ctx.scope, repository: ctx.repository, kind: unit.kind, text: unit.text })
      : undefined;
  // One batched lookup: the file keys, the line key and the rejection key; the rewrite's target in a second one.
  const values = await ctx.store.get([
    ...fileKeys.map((k) => k.key),
    ...(ownKey ? [ownKey] : []),
    ...(ownRejectionKey ? [ownRejectionKey] : []),
  ]);
  const rejected = ownRejectionKey ? values[fileKeys.length + 1] : undefined;
  const maintainer = rejected?.type === 'rejected' ? rejected.rejection : undefined;
  const lookups: FileKeyLookup[] = fileKeys.map((k, i) => ({
    ...k,
    fixpoint: values[i]?.type === 'fixpoint',
  }));
  const knownFixpoint = lookups.some((k) => k.fixpoint);
  const fileExplanation: FileExplanation = {
    parser: parserFor(file.path),
    lines,
    ...(doc.skipped ? { skipped: doc.skipped } : {}),
    fileKeys: lookups,
    knownFixpoint,
  };

  let cache: CacheExplanation | undefined;
  if (unit) cache = await explainEntry(values[fileKeys.length], doc, unit, keyOf, ctx.store, admission);

  const out: LineExplanation = {
    path: file.path,
    line,
    keyInputs,
    ...(ctx.selection ? { selected: pathFilter(ctx.selection)(file.path) } : {}),
    file: fileExplanation,
    ...(source
      ? {
          source: {
            kind: source.kind,
            editable: source.editable,
            ...(source.editable ? {} : { reason: source.reason ?? 'no-prose' }),
            prefix: source.prefix,
            text: source.text,
            suffix: source.suffix,
          },
        }
      : {}),
    ...(unit
      ? {
          unit: {
            kind: unit.kind,
            firstLine: unit.lines[0]! + 1,
            lastLine: unit.lines[unit.lines.length - 1]! + 1,
            lines: unitLines(unit.text),
          },
        }
      : {}),
    ...(ownKey ? { lineKey: ownKey } : {}),
    ...(cache ? { cache } : {}),
    ...(maintainer ? { maintainer } : {}),
    next: nextRun(fileExplanation, source, cache, maintainer),
  };
  const asked = !req.ask ? undefined : unit ? await askOnce(doc, unit, ctx, admission) : NOT_ASKED;
  const recorded = req.saved ? recordedFor(req.saved, file.path, line, keyInputs) : undefined;
  return { ...out, ...(asked ? { asked } : {}), ...(recorded ? { recorded } : {}) };
}

async function explainEntry(
  value: CacheValue | undefined,
  doc: MarkdownDocument,
  unit: ProseUnit,
  keyOf: (kind: LineKind, text: string) => string,
  store: LineStore,
  admission: AdmissionOptions,
): Promise<CacheExplanation> {
  if (!value || value.type === 'rejected') return { type: 'none' };
  if (value.type === 'fixpoint') return { type: 'fixpoint' };
  if (value.type === 'held') return { type: 'held', reason: value.reason };
  const targetKey = keyOf(unit.kind, value.text);
  const [target] = await store.get([targetKey]);
  const lines = unitLines(value.text);
  return {
    type: 'rewrite',
    text: value.text,
    targetKey,
    targetIsFixpoint: target?.type === 'fixpoint',
    admission: admitRewrite({ kind: unit.kind, before: unitLines(unit.text), after: lines }, admission),
    structure: structureWith(doc, unit, lines),
  };
}

/** The engine's per-file structure check with this one unit replaced (the run checks all of a file's together). */
function structureWith(doc: MarkdownDocument, unit: ProseUnit, lines: readonly string[]): StructureCheck {
  if (lines.length !== unit.lines.length) {
    return { ok: false, detail: `the text has ${lines.length} lines for a unit of ${unit.lines.length}` };
  }
  if (lines.some((l) => l.includes('\n') || l.includes('\r')))
    return { ok: false, detail: 'a line has a line break; a line cannot become two' };
  const replacement = new Map([[unit.index, lines]]);
  const verdict = admitReplacements(doc, replacement);
  if (verdict.broken.length === 0) return { ok: true };
  // The same check once more, for its message (which block changes).
  const before = doc.blockSignature ?? decoder.decode(doc.source);
  const admission = admitFileStructure(before, decoder.decode(joinUnits(doc, replacement)), doc.path);
  return { ok: false, detail: admission.ok ? `${doc.path}: the block structure changes` : admission.detail };
}

function nextRun(
  file: FileExplanation,
  unit: MarkdownDocument['lines'][number] | undefined,
  cache: CacheExplanation | undefined,
  maintainer?: Rejection,
): NextRun {
  if (file.skipped) {
    return {
      outcome: `skipped:${file.skipped.reason}`,
      why: `the file is skipped whole and stays byte-identical: ${file.skipped.message}`,
    };
  }
  if (file.knownFixpoint) {
    const how = file.fileKeys
      .filter((k) => k.fixpoint)
      .map((k) =>
        k.content.startsWith('git-blob:') ? 'by its git blob SHA (as the app reads it)' : 'by its bytes',
      )
      .join(' and ');
    return {
      outcome: 'file-fixpoint-hit',
      why: `the file's content is a known file-level fixpoint (${how}): the run skips it whole, no line is looked up`,
    };
  }
  if (!unit || !unit.editable || !cache) {
    return {
      outcome: `frozen:${unit?.reason ?? 'no-prose'}`,
      why: 'the line is frozen: never sent to the model, never changed',
    };
  }
  if (cache.type === 'fixpoint')
    return { outcome: 'fixpoint-hit', why: 'the cache knows the unit is correct: served unchanged' };
  const wouldChange = cache.type === 'none' || (cache.type === 'rewrite' && cache.admission.ok);
  if (maintainer && wouldChange) {
    return { outcome: 'rejected-by-maintainer', why: maintainerWhy(maintainer) };
  }
  if (cache.type === 'held') {
    return {
      outcome: 'held-hit',
      why: `an earlier answer was rejected (${cache.reason}): the unit stays as it is until the held entry expires, then it is sent to the model again`,
    };
  }
  if (cache.type === 'none') {
    return {
      outcome: 'miss',
      why: 'the cache knows nothing about the unit: the run sends it to the model (within its budget), admits the answer and stores it',
    };
  }
  if (!cache.admission.ok) {
    return {
      outcome: `rewrite-withheld:${cache.admission.reason}`,
      why: `the cached rewrite fails today's admission (${cache.admission.detail}): it is not applied and the unit stays as it is`,
    };
  }
  if (!cache.structure.ok) {
    return {
      outcome: 'rewrite-withheld:structure-changed',
      why: `the cached rewrite is not applied: ${cache.structure.detail}; the unit stays as it is`,
    };
  }
  return {
    outcome: 'rewrite-hit',
    text: cache.text,
    why: 'the cache holds a rewrite: the run changes the unit without asking the model',
  };
}

/** Who rejected the unit's rewrite, where, and how to undo it: for `explain` and the trace's readers. */
export function maintainerWhy(r: Rejection): string {
  const when = r.at.slice(0, 10);
  const where = `${r.commit ? `commit ${r.commit.slice(0, 7)} on ` : ''}pull request #${r.pullRequest} (${when})`;
  const what =
    r.how === 'closed'
      ? `@${r.by} closed pull request #${r.pullRequest} without merging it (${when})`
      : r.how === 'reverted'
        ? `@${r.by} put the text back in ${where}`
        : `@${r.by} wrote it otherwise in ${where}`;
  return `${what}: docs-fix serves the unit as it is and never proposes ${JSON.stringify(r.proposed)} again; comment \`/docs-fix forget\` on #${r.pullRequest}${r.how === 'closed' ? ' (or reopen it)' : ''} to undo`;
}

async function askOnce(
  doc: MarkdownDocument,
  unit: ProseUnit,
  ctx: ExplainContext,
  admissionOptions: AdmissionOptions,
): Promise<AskedAnswer> {
  const before = unitLines(unit.text);
  const result = await ctx.fixer.fixUnits(
    [{ id: 0, kind: unit.kind, lines: before }],
    { maxLines: before.length, maxTokens: ctx.maxTokens ?? Infinity },
    ctx.signal,
  );
  const lines = result.answers.get(0);
  if (lines === undefined) {
    const failure =
      result.overBudget.length > 0
        ? 'over the token budget'
        : (result.failures[0]?.message ?? 'the model did not answer the unit');
    return { sent: true, failure, tokens: result.tokens, wouldStore: 'nothing' };
  }
  const answer = unitText(lines);
  if (answer === unit.text && lines.length === before.length)
    return { sent: true, answer, tokens: result.tokens, wouldStore: 'fixpoint' };
  const admission = admitRewrite({ kind: unit.kind, before, after: lines }, admissionOptions);
  if (!admission.ok) return { sent: true, answer, tokens: result.tokens, wouldStore: 'held', admission };
  const structure = structureWith(doc, unit, lines);
  return {
    sent: true,
    answer,
    tokens: result.tokens,
    wouldStore: structure.ok ? 'rewrite' : 'held',
    admission,
    structure,
  };
}

function recordedFor(saved: SavedRun, path: string, line: number, keys: KeyInputs): RecordedExplanation {
  const decision = recordedDecision(saved, path, line);
  return saved.keyInputs
    ? { decision, keyInputsDiffer: keyInputsDiffer(saved.keyInputs, keys) }
    : { decision };
}
