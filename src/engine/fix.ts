import { CACHE_SCHEMA_VERSION, contentId, fileKey, lineKey, rejectionKey } from '../cache/key.js';
import type { CacheValue, LineStore, Rejection, StoreWrite } from '../cache/types.js';
// Light imports only: a run whose files are all known fixpoints loads neither the markdown parser nor the
// diff library (a pre-commit `check` of settled files); the parser and the diff load when first needed.
import type { LineKind, MarkdownDocument, ProseUnit, SourceLine } from '../markdown/types.js';
import { lineUnits, unitLines, unitText } from '../markdown/units.js';
import { parserFor, SPLITTER_VERSION } from '../markdown/version.js';
import type { ModelUnit, UnitFixer } from '../model/types.js';
import { admitRewrite, type AdmissionOptions } from './admission.js';
import { guardsLanguages } from '../config/language-codes.js';
import { inThreadParser, type FileParser } from './parser.js';
import type {
  EngineContext,
  FilePatch,
  FileTrace,
  FixResult,
  KeyInputs,
  RunSummary,
  SourceFile,
  UnitOutcome,
  UnitTrace,
} from './types.js';
import { yielder } from './yield.js';

/** Lookups and writes are sent to the store in chunks of this many keys (one round trip each). */
const STORE_CHUNK = 2000;

/** One distinct (kind, text) prose unit; every occurrence across the files shares its answer. */
interface DistinctUnit {
  readonly id: number;
  readonly kind: LineKind;
  readonly lines: readonly string[];
  /** The lines joined: what the key is built from. */
  readonly text: string;
  readonly key: string;
  /** The lines to serve, once known; undefined keeps the unit as it is. */
  result?: readonly string[];
  outcome: UnitOutcome;
  /** A write to apply when the run is accepted. */
  write?: StoreWrite;
  /** A maintainer's rejection of this unit's rewrite in the run's repository. */
  rejection?: Rejection;
}

interface ParsedFile {
  readonly file: SourceFile;
  readonly doc: MarkdownDocument;
  /** Distinct unit id for each prose unit of the document, by `ProseUnit.index`. */
  readonly ids: readonly number[];
  /** Key of the file-level fixpoint this content would have. */
  readonly fileKey: string;
  readonly trace: FileTrace;
}

/** What the run shares between its steps. */
interface Run {
  readonly ctx: EngineContext;
  readonly summary: RunSummary;
  readonly keyInputs: KeyInputs;
  readonly parser: FileParser;
  readonly useFileFixpoints: boolean;
  readonly keyOf: (kind: LineKind, text: string) => string;
  /** Admission options of the run (the repository's vocabulary). */
  /** The repository's vocabulary, and the words the fixer keeps for this run's units (set after the split). */
  admission: AdmissionOptions;
  readonly now: () => number;
  /** Yields to the event loop every few tens of milliseconds of synchronous work. */
  readonly breathe: () => Promise<void>;
}

export function emptySummary(): RunSummary {
  return {
    files: 0,
    fileFixpointHits: 0,
    fileFixpointsStored: 0,
    skippedFiles: [],
    lines: 0,
    editableLines: 0,
    units: 0,
    distinctUnits: 0,
    fixpointHits: 0,
    rewriteHits: 0,
    withheldByReason: {},
    missChangedUnits: 0,
    missUnchangedUnits: 0,
    heldHits: 0,
    rejectedByMaintainer: 0,
    modelUnits: 0,
    modelLines: 0,
    modelRequests: 0,
    changedLines: 0,
    changedUnits: 0,
    changedFiles: 0,
    rejectedUnits: 0,
    rejectedByReason: {},
    heldUnits: 0,
    overBudgetUnits: 0,
    unansweredUnits: 0,
    frozenByReason: {},
    tokens: { prompt: 0, completion: 0, total: 0 },
    durationMs: 0,
    modelMs: 0,
  };
}

/** The key inputs of a run: what every cache key it reads or writes is derived from. */
export function keyInputsOf(ctx: {
  readonly scope: string;
  readonly fixer: UnitFixer;
  readonly languages?: readonly string[];
}): KeyInputs {
  return {
    scope: ctx.scope,
    modelId: ctx.fixer.modelId,
    modelLabel: ctx.fixer.label,
    promptVersion: ctx.fixer.promptVersion,
    cacheSchema: CACHE_SCHEMA_VERSION,
    splitterVersion: SPLITTER_VERSION,
    ...(ctx.languages ? { languages: languagesKey(ctx.languages) } : {}),
  };
}

/** The languages a run edits as one string for keys and traces: sorted codes, or `*` for all. */
export function languagesKey(languages: readonly string[]): string {
  return guardsLanguages(languages) ? [...new Set(languages)].sort().join(',') : '*';
}

/** The unit key builder of a run: scope, model id and prompt version fixed, kind and unit text given. */
export function lineKeyFor(ctx: {
  readonly scope: string;
  readonly fixer: UnitFixer;
}): (kind: LineKind, text: string) => string {
  return (kind, text) =>
    lineKey({
      scope: ctx.scope,
      modelId: ctx.fixer.modelId,
      promptVersion: ctx.fixer.promptVersion,
      kind,
      text,
    });
}

/** The file-level fixpoint key of some content at a path (the path only picks the parser). */
export function fileKeyOf(keys: KeyInputs, path: string, content: string): string {
  return fileKey({
    scope: keys.scope,
    modelId: keys.modelId,
    promptVersion: keys.promptVersion,
    parser: parserFor(path),
    splitterVersion: keys.splitterVersion,
    content,
    ...(keys.languages !== undefined ? { languages: keys.languages } : {}),
  });
}

/**
 * Which of `blobs` (paths with git blob SHAs, e.g. from a tree) are known file-level fixpoints under the key
 * inputs of `ctx`: they need not even be read. One batched lookup (chunked).
 */
export async function knownFileFixpoints(
  blobs: readonly { readonly path: string; readonly sha: string }[],
  ctx: {
    readonly store: LineStore;
    readonly scope: string;
    readonly fixer: UnitFixer;
    readonly languages?: readonly string[];
  },
): Promise<Set<string>> {
  const keys = keyInputsOf(ctx);
  const known = new Set<string>();
  for (let i = 0; i < blobs.length; i += STORE_CHUNK) {
    const chunk = blobs.slice(i, i + STORE_CHUNK);
    const values = await ctx.store.get(
      chunk.map((b) => fileKeyOf(keys, b.path, `git-blob:${b.sha.toLowerCase()}`)),
    );
    chunk.forEach((b, j) => {
      if (values[j]?.type === 'fixpoint') known.add(b.path);
    });
  }
  return known;
}

/**
 * Fixes a set of markdown files, one prose unit (a paragraph over its wrapped lines, a heading) at a time:
 * skip contents known to be at a fixpoint, split and dedupe, one batched cache lookup, distinct misses to
 * the model and through admission, per-file structure check, store under the fixpoint invariant (unit
 * entries first, then file-level entries that summarise them), count and trace, diff.
 * Fails closed: any store error rejects the whole run, so no patch is ever built from a half-served run.
 */
export async function fixFiles(files: readonly SourceFile[], ctx: EngineContext): Promise<FixResult> {
  const now = ctx.now ?? (() => performance.now());
  const started = now();
  const run: Run = {
    ctx,
    summary: emptySummary(),
    keyInputs: keyInputsOf(ctx),
    parser: ctx.parser ?? inThreadParser(),
    // Line units are for comparisons only: their file entries would claim settled prose units.
    useFileFixpoints: ctx.fileFixpoints !== false && ctx.units !== 'line',
    keyOf: lineKeyFor(ctx),
    admission: ctx.vocabulary && ctx.vocabulary.length > 0 ? { vocabulary: ctx.vocabulary } : {},
    now,
    breathe: yielder(now),
  };

  const contents = files.map((f) => contentId(f.bytes, f.blobSha));
  const skipped = await skipKnownFiles(files, contents, run);
  const { parsed, distinct, fileTraces: splitTraces } = await splitAndDedupe(skipped.toSplit, run);
  keepRepositoryWords(distinct, run);
  const { misses, servedRewriteKeys } = await lookUp(distinct, run);
  await askAndAdmit(misses, run);
  const { patches, applied } = await checkStructure(parsed, distinct, run);
  await storeUnits(distinct, servedRewriteKeys, run);
  const { trace, settled } = await countAndTrace(parsed, distinct, applied, run);
  const stored = await storeFileFixpoints(settled, run);

  const summary = run.summary;
  for (const patch of patches) {
    summary.changedLines += patch.changedLines;
    summary.changedUnits += patch.changedUnits;
  }
  summary.changedFiles = patches.length;
  const fileTrace = [...skipped.fileTraces, ...splitTraces].map((t) =>
    t.outcome === 'parsed' && stored.has(t.path) ? { ...t, fileFixpointStored: true } : t,
  );
  const diff = patches.length === 0 ? '' : (await import('./diff.js')).buildDiff(patches);
  summary.durationMs = Math.round(now() - started);
  return { patches, diff, trace, files: fileTrace, keyInputs: run.keyInputs, summary };
}

/**
 * Step 1b: words the fixer must leave as written in this run, from the run's own units (the offline editor:
 * listed misspellings the repository uses often, i.e. its jargon), join the admission vocabulary.
 */
function keepRepositoryWords(distinct: readonly DistinctUnit[], run: Run): void {
  if (!run.ctx.fixer.wordsToKeep || distinct.length === 0) return;
  const words = run.ctx.fixer.wordsToKeep(distinct.map((d) => d.text));
  if (words.length === 0) return;
  run.admission = { ...run.admission, vocabulary: [...(run.admission.vocabulary ?? []), ...words] };
}

/** Step 0: contents known to be file-level fixpoints are not split at all. */
async function skipKnownFiles(
  files: readonly SourceFile[],
  contents: readonly string[],
  run: Run,
): Promise<{ toSplit: { file: SourceFile; content: string; fileKey: string }[]; fileTraces: FileTrace[] }> {
  const fileKeys = files.map((f, i) => fileKeyOf(run.keyInputs, f.path, contents[i]!));
  const known = run.useFileFixpoints ? await lookupChunked(run.ctx.store, fileKeys) : [];
  const toSplit: { file: SourceFile; content: string; fileKey: string }[] = [];
  const fileTraces: FileTrace[] = [];
  files.forEach((file, i) => {
    run.summary.files += 1;
    if (known[i]?.type === 'fixpoint') {
      run.summary.fileFixpointHits += 1;
      fileTraces.push({ path: file.path, outcome: 'file-fixpoint-hit', content: contents[i]! });
    } else {
      toSplit.push({ file, content: contents[i]!, fileKey: fileKeys[i]! });
    }
  });
  return { toSplit, fileTraces };
}

/** Step 1: split (in this thread or on the pool) and dedupe the prose units across files. */
async function splitAndDedupe(
  toSplit: readonly { file: SourceFile; content: string; fileKey: string }[],
  run: Run,
): Promise<{ parsed: ParsedFile[]; distinct: DistinctUnit[]; fileTraces: FileTrace[] }> {
  const { summary } = run;
  const docs = await run.parser.split(toSplit.map((t) => t.file));
  const distinct: DistinctUnit[] = [];
  const byKindText = new Map<string, DistinctUnit>();
  const parsed: ParsedFile[] = [];
  const fileTraces: FileTrace[] = [];
  for (let n = 0; n < toSplit.length; n += 1) {
    await run.breathe();
    const { file, content, fileKey: key } = toSplit[n]!;
    const split = docs[n]!;
    if (split.skipped) {
      summary.skippedFiles.push({
        path: file.path,
        reason: split.skipped.reason,
        message: split.skipped.message,
      });
      fileTraces.push({ path: file.path, outcome: `skipped:${split.skipped.reason}`, content });
      continue;
    }
    // The detector (franc-min and an English lexicon) loads with the first file that is split.
    const guarded = run.ctx.languages
      ? (await import('./language.js')).freezeOtherLanguages(split, run.ctx.languages)
      : split;
    const doc = run.ctx.units === 'line' ? lineUnits(guarded) : guarded;
    for (const line of doc.lines) {
      summary.lines += 1;
      if (line.editable) {
        summary.editableLines += 1;
        continue;
      }
      const reason = line.reason ?? 'no-prose';
      summary.frozenByReason[reason] = (summary.frozenByReason[reason] ?? 0) + 1;
    }
    const ids = doc.units.map((unit) => {
      summary.units += 1;
      const dedupeKey = `${unit.kind}\u0000${unit.text}`;
      let entry = byKindText.get(dedupeKey);
      if (!entry) {
        entry = {
          id: distinct.length,
          kind: unit.kind,
          lines: unit.lines.map((i) => doc.lines[i]!.text),
          text: unit.text,
          key: run.keyOf(unit.kind, unit.text),
          outcome: 'miss-unchanged',
        };
        distinct.push(entry);
        byKindText.set(dedupeKey, entry);
      }
      return entry.id;
    });
    const trace: FileTrace = { path: file.path, outcome: 'parsed', content };
    fileTraces.push(trace);
    parsed.push({ file, doc, ids, fileKey: key, trace });
  }
  summary.distinctUnits = distinct.length;
  return { parsed, distinct, fileTraces };
}

/**
 * Step 2: one batched lookup (chunked). Hits get their outcome; a cached rewrite is checked against
 * today's admission rules (tightened since it was stored, or a new vocabulary term) before it is served.
 * Units that would change (misses and rewrites) are then looked up once more in the repository's
 * rejections: a unit a maintainer said no to is served as it is. Returns the misses, and the keys of the
 * rewrite targets served, whose fixpoints are re-asserted when the run is stored.
 */
async function lookUp(
  distinct: DistinctUnit[],
  run: Run,
): Promise<{ misses: DistinctUnit[]; servedRewriteKeys: string[] }> {
  const values = await lookupChunked(
    run.ctx.store,
    distinct.map((d) => d.key),
    run.breathe,
  );
  const wouldChange: DistinctUnit[] = [];
  const cachedTexts = new Map<DistinctUnit, string>();
  distinct.forEach((entry, i) => {
    const value = values[i];
    // Only a line key's values can be here; anything else is unknown, as a miss.
    if (!value || value.type === 'rejected') {
      wouldChange.push(entry);
    } else if (value.type === 'fixpoint') {
      entry.outcome = 'fixpoint-hit';
    } else if (value.type === 'held') {
      entry.outcome = 'held-hit';
    } else {
      const answer = unitLines(value.text);
      const admission = admitRewrite({ kind: entry.kind, before: entry.lines, after: answer }, run.admission);
      if (!admission.ok) {
        entry.outcome = `rewrite-withheld:${admission.reason}`;
        return;
      }
      entry.outcome = 'rewrite-hit';
      entry.result = answer;
      cachedTexts.set(entry, value.text);
      wouldChange.push(entry);
    }
  });
  await applyRejections(wouldChange, run);
  const misses = wouldChange.filter((e) => e.rejection === undefined && !cachedTexts.has(e));
  const servedRewriteKeys = wouldChange
    .filter((e) => e.rejection === undefined && cachedTexts.has(e))
    .map((e) => run.keyOf(e.kind, cachedTexts.get(e)!));
  return { misses, servedRewriteKeys };
}

/** Marks the units a maintainer rejected the rewrite of in the run's repository (one batched lookup). */
async function applyRejections(candidates: readonly DistinctUnit[], run: Run): Promise<void> {
  const repository = run.ctx.repository;
  if (repository === undefined || candidates.length === 0) return;
  const keys = candidates.map((e) =>
    rejectionKey({ scope: run.ctx.scope, repository, kind: e.kind, text: e.text }),
  );
  const values = await lookupChunked(run.ctx.store, keys, run.breathe);
  candidates.forEach((entry, i) => {
    const value = values[i];
    if (value?.type !== 'rejected') return;
    entry.rejection = value.rejection;
    entry.outcome = 'rejected-by-maintainer';
    entry.result = undefined;
  });
}

/** Step 3: distinct misses go to the model; answers pass admission before they are used or stored. */
async function askAndAdmit(misses: readonly DistinctUnit[], run: Run): Promise<void> {
  if (misses.length === 0) return;
  const { summary } = run;
  const modelStarted = run.now();
  const answer = await askModel(misses, run.ctx);
  summary.modelMs = Math.round(run.now() - modelStarted);
  const sent = misses.filter((m) => !answer.overBudget.has(m.id));
  summary.modelUnits = sent.length;
  summary.modelLines = sent.reduce((n, m) => n + m.lines.length, 0);
  summary.modelRequests = answer.requests;
  summary.tokens = answer.tokens;
  for (const entry of misses) {
    const lines = answer.answers.get(entry.id);
    if (lines === undefined) {
      entry.outcome = answer.overBudget.has(entry.id) ? 'over-budget' : 'unanswered';
      continue;
    }
    const text = unitText(lines);
    if (text === entry.text && lines.length === entry.lines.length) {
      entry.outcome = 'miss-unchanged';
      entry.write = { op: 'fixpoint', key: entry.key };
      continue;
    }
    const admission = admitRewrite({ kind: entry.kind, before: entry.lines, after: lines }, run.admission);
    if (!admission.ok) {
      entry.outcome = `rejected:${admission.reason}`;
      entry.write = { op: 'held', key: entry.key, reason: admission.reason };
      continue;
    }
    entry.outcome = 'miss-changed';
    entry.result = lines;
    entry.write = { op: 'rewrite', key: entry.key, toKey: run.keyOf(entry.kind, text), text };
  }
}

/**
 * Step 4: join each file and check that its block structure survived. A fresh answer that breaks the
 * structure wherever it occurs is held (retried when the entry expires); one applied in some file is
 * stored as the rewrite it is there (its text must become a fixpoint) and withheld, per occurrence, from
 * the files it would break; a cached rewrite is only withheld.
 */
async function checkStructure(
  parsed: readonly ParsedFile[],
  distinct: readonly DistinctUnit[],
  run: Run,
): Promise<{ patches: FilePatch[]; applied: Map<string, ReadonlySet<number>> }> {
  const tasks: { doc: MarkdownDocument; replacements: Map<number, readonly string[]>; parsed: ParsedFile }[] =
    [];
  for (const p of parsed) {
    const replacements = new Map<number, readonly string[]>();
    p.ids.forEach((id, unitIndex) => {
      const result = distinct[id]!.result;
      if (result !== undefined) replacements.set(unitIndex, result);
    });
    if (replacements.size > 0) tasks.push({ doc: p.doc, replacements, parsed: p });
  }
  const verdicts = await run.parser.admitStructure(
    tasks.map(({ doc, replacements }) => ({ doc, replacements })),
  );
  const patches: FilePatch[] = [];
  /** Per patched file, the unit indexes whose replacement was applied. */
  const applied = new Map<string, ReadonlySet<number>>();
  const brokenSomewhere = new Set<DistinctUnit>();
  tasks.forEach((task, t) => {
    const verdict = verdicts[t]!;
    for (const unitIndex of verdict.broken) brokenSomewhere.add(distinct[task.parsed.ids[unitIndex]!]!);
    if (verdict.accepted.size === 0 || !verdict.after) return;
    applied.set(task.parsed.file.path, new Set(verdict.accepted.keys()));
    patches.push({
      path: task.parsed.file.path,
      before: task.parsed.file.bytes,
      after: verdict.after,
      changedLines: changedLineCount(task.doc, verdict.accepted),
      changedUnits: verdict.accepted.size,
    });
  });
  const appliedSomewhere = (entry: DistinctUnit): boolean =>
    tasks.some((task) => {
      const done = applied.get(task.parsed.file.path);
      return done !== undefined && task.parsed.ids.some((id, u) => id === entry.id && done.has(u));
    });
  for (const entry of brokenSomewhere) {
    if (entry.outcome !== 'miss-changed' || appliedSomewhere(entry)) continue;
    entry.outcome = 'rejected:structure-changed';
    entry.result = undefined;
    entry.write = { op: 'held', key: entry.key, reason: 'structure-changed' };
  }
  return { patches, applied };
}

function changedLineCount(doc: MarkdownDocument, accepted: ReadonlyMap<number, readonly string[]>): number {
  let n = 0;
  for (const [unitIndex, lines] of accepted) {
    doc.units[unitIndex]!.lines.forEach((line, k) => {
      if (lines[k] !== doc.lines[line]!.text) n += 1;
    });
  }
  return n;
}

/** Step 5: store under the invariant before anything is emitted; a failure here fails the run closed. */
async function storeUnits(
  distinct: readonly DistinctUnit[],
  servedRewriteKeys: readonly string[],
  run: Run,
): Promise<void> {
  const writes = distinct.flatMap((d) => (d.write ? [d.write] : []));
  // The embedded store commits each chunk synchronously (fsync): yield between chunks, as while parsing.
  for (let i = 0; i < writes.length; i += STORE_CHUNK) {
    await run.breathe();
    await run.ctx.store.write(writes.slice(i, i + STORE_CHUNK));
  }
  for (let i = 0; i < servedRewriteKeys.length; i += STORE_CHUNK) {
    await run.breathe();
    await run.ctx.store.confirmServed(servedRewriteKeys.slice(i, i + STORE_CHUNK));
  }
}

/**
 * Step 6: count per unit occurrence and trace; note the files every unit of which is now a stored
 * fixpoint (frozen lines count as settled).
 */
async function countAndTrace(
  parsed: readonly ParsedFile[],
  distinct: readonly DistinctUnit[],
  applied: ReadonlyMap<string, ReadonlySet<number>>,
  run: Run,
): Promise<{ trace: UnitTrace[]; settled: ParsedFile[] }> {
  const traceAll = run.ctx.trace === 'all';
  const trace: UnitTrace[] = [];
  const settled: ParsedFile[] = [];
  for (const parsedFile of parsed) {
    await run.breathe();
    const { file, doc, ids } = parsedFile;
    const appliedHere = applied.get(file.path);
    let allFixpoints = appliedHere === undefined;
    const unitTraces = doc.units.map((unit) => {
      const entry = distinct[ids[unit.index]!]!;
      const changed = entry.result !== undefined && appliedHere?.has(unit.index) === true;
      // A rewrite this file could not take keeps the unit: say so for this occurrence.
      const outcome: UnitOutcome =
        entry.result !== undefined && !changed ? 'rewrite-withheld:structure-changed' : entry.outcome;
      countOutcome(run.summary, outcome);
      if (outcome !== 'fixpoint-hit' && outcome !== 'miss-unchanged') allFixpoints = false;
      if (!(traceAll || changed || outcome !== entry.outcome || isNotable(outcome))) return undefined;
      const t = unitTrace(file.path, doc, unit, outcome, changed ? entry.result : undefined);
      const r = outcome === 'rejected-by-maintainer' ? entry.rejection : undefined;
      return r ? { ...t, maintainer: { by: r.by, pullRequest: r.pullRequest, how: r.how } } : t;
    });
    for (const line of doc.lines) {
      if (line.unit === undefined) {
        if (traceAll) trace.push(frozenTrace(file.path, line));
      } else if (doc.units[line.unit]!.lines[0] === line.index) {
        const t = unitTraces[line.unit];
        if (t) trace.push(t);
      }
    }
    if (allFixpoints && run.useFileFixpoints) settled.push(parsedFile);
  }
  return { trace, settled };
}

/** Step 7: file-level fixpoints, only after the unit entries they summarise are stored (step 5). */
async function storeFileFixpoints(settled: readonly ParsedFile[], run: Run): Promise<Set<string>> {
  const writes: StoreWrite[] = settled.map((p) => ({ op: 'fixpoint', key: p.fileKey }));
  for (let i = 0; i < writes.length; i += STORE_CHUNK) {
    await run.breathe();
    await run.ctx.store.write(writes.slice(i, i + STORE_CHUNK));
  }
  run.summary.fileFixpointsStored = writes.length;
  return new Set(settled.map((p) => p.file.path));
}

async function lookupChunked(
  store: LineStore,
  keys: readonly string[],
  breathe: () => Promise<void> = async () => {},
): Promise<(CacheValue | undefined)[]> {
  const values: (CacheValue | undefined)[] = [];
  for (let i = 0; i < keys.length; i += STORE_CHUNK) {
    await breathe();
    values.push(...(await store.get(keys.slice(i, i + STORE_CHUNK))));
  }
  return values;
}

/** Units per call to the fixer: the unit of progress reporting; the fixer batches and parallelises inside it. */
const MODEL_CHUNK = 400;

interface ModelAnswers {
  answers: Map<number, readonly string[]>;
  overBudget: Set<number>;
  requests: number;
  tokens: { prompt: number; completion: number; total: number };
}

/** Sends the misses in chunks, carrying the run's budget (in source lines) across them, and reports progress. */
async function askModel(misses: readonly DistinctUnit[], ctx: EngineContext): Promise<ModelAnswers> {
  const out: ModelAnswers = {
    answers: new Map(),
    overBudget: new Set(),
    requests: 0,
    tokens: { prompt: 0, completion: 0, total: 0 },
  };
  let sentLines = 0;
  for (let i = 0; i < misses.length; i += MODEL_CHUNK) {
    const chunk = misses.slice(i, i + MODEL_CHUNK);
    const units: ModelUnit[] = chunk.map((m) => ({ id: m.id, kind: m.kind, lines: m.lines }));
    const budget = {
      maxLines: Math.max(0, ctx.budget.maxLines - sentLines),
      maxTokens: Math.max(0, ctx.budget.maxTokens - out.tokens.total),
    };
    const result = await ctx.fixer.fixUnits(units, budget, ctx.signal);
    for (const [id, lines] of result.answers) out.answers.set(id, lines);
    const over = new Set(result.overBudget);
    for (const id of over) out.overBudget.add(id);
    for (const m of chunk) if (!over.has(m.id)) sentLines += m.lines.length;
    out.requests += result.requests;
    out.tokens.prompt += result.tokens.prompt;
    out.tokens.completion += result.tokens.completion;
    out.tokens.total += result.tokens.total;
    ctx.onProgress?.(Math.min(i + MODEL_CHUNK, misses.length), misses.length);
    // An in-process fixer (the simulator) answers in microtasks only: let timers and I/O run between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

function unitTrace(
  path: string,
  doc: MarkdownDocument,
  unit: ProseUnit,
  outcome: UnitOutcome,
  after?: readonly string[],
): UnitTrace {
  const first = doc.lines[unit.lines[0]!]!;
  const base = { path, line: first.line, lines: unit.lines.length, outcome, before: unit.text };
  return after === undefined ? base : { ...base, after: unitText(after) };
}

function frozenTrace(path: string, line: SourceLine): UnitTrace {
  return {
    path,
    line: line.line,
    lines: 1,
    outcome: `frozen:${line.reason ?? 'no-prose'}`,
    before: line.text,
  };
}

/** Outcomes traced even when the trace keeps changes only: the unit was not changed, and somebody may ask why. */
function isNotable(outcome: UnitOutcome): boolean {
  return (
    outcome.startsWith('rejected:') ||
    outcome.startsWith('rewrite-withheld:') ||
    outcome === 'over-budget' ||
    outcome === 'rejected-by-maintainer'
  );
}

function countOutcome(summary: RunSummary, outcome: UnitOutcome): void {
  if (outcome === 'fixpoint-hit') summary.fixpointHits += 1;
  else if (outcome === 'rewrite-hit') summary.rewriteHits += 1;
  else if (outcome === 'miss-changed') summary.missChangedUnits += 1;
  else if (outcome === 'miss-unchanged') summary.missUnchangedUnits += 1;
  else if (outcome.startsWith('rewrite-withheld:')) {
    const reason = outcome.slice('rewrite-withheld:'.length);
    summary.withheldByReason[reason] = (summary.withheldByReason[reason] ?? 0) + 1;
  } else if (outcome === 'held-hit') {
    summary.heldHits += 1;
    summary.heldUnits += 1;
  } else if (outcome === 'rejected-by-maintainer') summary.rejectedByMaintainer += 1;
  else if (outcome === 'over-budget') summary.overBudgetUnits += 1;
  else if (outcome === 'unanswered') summary.unansweredUnits += 1;
  else if (outcome.startsWith('rejected:')) {
    const reason = outcome.slice('rejected:'.length);
    summary.rejectedByReason[reason] = (summary.rejectedByReason[reason] ?? 0) + 1;
    summary.rejectedUnits += 1;
    summary.heldUnits += 1;
  }
}
