import { CACHE_SCHEMA_VERSION, contentId, fileKey, lineKey } from '../cache/key.js';
import type { CacheValue, LineStore, StoreWrite } from '../cache/types.js';
import { parserFor, SPLITTER_VERSION } from '../markdown/index.js';
import type { LineKind, SourceLine, MarkdownDocument } from '../markdown/types.js';
import type { LineFixer, ModelLine } from '../model/types.js';
import { admitRewrite } from './admission.js';
import { buildDiff } from './diff.js';
import { inThreadParser, yielder, type StructureTask } from './parser.js';
import type {
  EngineContext,
  FilePatch,
  FileTrace,
  FixResult,
  KeyInputs,
  LineOutcome,
  LineTrace,
  RunSummary,
  SourceFile,
} from './types.js';

/** Lookups and writes are sent to the store in chunks of this many keys (one round trip each). */
const STORE_CHUNK = 2000;

/** One distinct (kind, text) pair; every occurrence across the files shares its answer. */
interface DistinctLine {
  readonly id: number;
  readonly kind: LineKind;
  readonly text: string;
  readonly key: string;
  /** The text to serve, once known; undefined keeps the line as it is. */
  result?: string;
  outcome: LineOutcome;
  /** A write to apply when the run is accepted. */
  write?: StoreWrite;
}

interface ParsedFile {
  readonly file: SourceFile;
  readonly doc: MarkdownDocument;
  /** Distinct line id for each editable line, by line index. */
  readonly ids: Map<number, number>;
  /** Key of the file-level fixpoint this content would have. */
  readonly fileKey: string;
  readonly trace: FileTrace;
}

export function emptySummary(): RunSummary {
  return {
    files: 0,
    fileFixpointHits: 0,
    fileFixpointsStored: 0,
    skippedFiles: [],
    lines: 0,
    editableLines: 0,
    distinctLines: 0,
    fixpointHits: 0,
    rewriteHits: 0,
    withheldByReason: {},
    missChangedLines: 0,
    missUnchangedLines: 0,
    heldHits: 0,
    modelLines: 0,
    modelRequests: 0,
    changedLines: 0,
    changedFiles: 0,
    rejectedLines: 0,
    rejectedByReason: {},
    heldLines: 0,
    overBudgetLines: 0,
    unansweredLines: 0,
    frozenByReason: {},
    tokens: { prompt: 0, completion: 0, total: 0 },
    durationMs: 0,
    modelMs: 0,
  };
}

/** The key inputs of a run: what every cache key it reads or writes is derived from. */
export function keyInputsOf(ctx: { readonly scope: string; readonly fixer: LineFixer }): KeyInputs {
  return {
    scope: ctx.scope,
    modelId: ctx.fixer.modelId,
    modelLabel: ctx.fixer.label,
    promptVersion: ctx.fixer.promptVersion,
    cacheSchema: CACHE_SCHEMA_VERSION,
    splitterVersion: SPLITTER_VERSION,
  };
}

/** The line key builder of a run: scope, model id and prompt version fixed, kind and text given. */
export function lineKeyFor(ctx: {
  readonly scope: string;
  readonly fixer: LineFixer;
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
  });
}

/**
 * Which of `blobs` (paths with git blob SHAs, e.g. from a tree) are known file-level fixpoints under the key
 * inputs of `ctx`: they need not even be read. One batched lookup (chunked).
 */
export async function knownFileFixpoints(
  blobs: readonly { readonly path: string; readonly sha: string }[],
  ctx: { readonly store: LineStore; readonly scope: string; readonly fixer: LineFixer },
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
 * Fixes a set of markdown files: skip contents known to be at a fixpoint, split, dedupe, one batched cache
 * lookup, distinct misses to the model, admission, join, per-file structure check, then store under the
 * fixpoint invariant (line entries first, then file-level entries that summarise them), then diff.
 * Fails closed: any store error rejects the whole run, so no patch is ever built from a half-served run.
 */
export async function fixFiles(files: readonly SourceFile[], ctx: EngineContext): Promise<FixResult> {
  const now = ctx.now ?? (() => performance.now());
  const started = now();
  const summary = emptySummary();
  const trace: LineTrace[] = [];
  const keyInputs = keyInputsOf(ctx);
  const parser = ctx.parser ?? inThreadParser();
  const useFileFixpoints = ctx.fileFixpoints !== false;

  const keyOf = lineKeyFor(ctx);

  // 0. Contents known to be file-level fixpoints are not split at all.
  const fileTraces: FileTrace[] = [];
  const contents = files.map((f) => contentId(f.bytes, f.blobSha));
  const fileKeys = files.map((f, i) => fileKeyOf(keyInputs, f.path, contents[i]!));
  const known = useFileFixpoints ? await lookupChunked(ctx.store, fileKeys) : [];
  const toSplit: number[] = [];
  files.forEach((file, i) => {
    summary.files += 1;
    if (known[i]?.type === 'fixpoint') {
      summary.fileFixpointHits += 1;
      fileTraces.push({ path: file.path, outcome: 'file-fixpoint-hit', content: contents[i]! });
    } else toSplit.push(i);
  });

  // 1. Split (in this thread or on the pool) and dedupe.
  const docs = await parser.split(toSplit.map((i) => files[i]!));
  const distinct: DistinctLine[] = [];
  const byKindText = new Map<string, DistinctLine>();
  const parsed: ParsedFile[] = [];
  const breathe = yielder(now);
  for (let n = 0; n < toSplit.length; n += 1) {
    await breathe();
    const i = toSplit[n]!;
    const file = files[i]!;
    const doc = docs[n]!;
    if (doc.skipped) {
      summary.skippedFiles.push({
        path: file.path,
        reason: doc.skipped.reason,
        message: doc.skipped.message,
      });
      fileTraces.push({ path: file.path, outcome: `skipped:${doc.skipped.reason}`, content: contents[i]! });
      continue;
    }
    const ids = new Map<number, number>();
    for (const unit of doc.lines) {
      summary.lines += 1;
      if (!unit.editable) {
        const reason = unit.reason ?? 'no-prose';
        summary.frozenByReason[reason] = (summary.frozenByReason[reason] ?? 0) + 1;
        continue;
      }
      summary.editableLines += 1;
      const dedupeKey = `${unit.kind}\u0000${unit.text}`;
      let entry = byKindText.get(dedupeKey);
      if (!entry) {
        entry = {
          id: distinct.length,
          kind: unit.kind,
          text: unit.text,
          key: keyOf(unit.kind, unit.text),
          outcome: 'miss-unchanged',
        };
        distinct.push(entry);
        byKindText.set(dedupeKey, entry);
      }
      ids.set(unit.index, entry.id);
    }
    const fileTrace: FileTrace = { path: file.path, outcome: 'parsed', content: contents[i]! };
    fileTraces.push(fileTrace);
    parsed.push({ file, doc, ids, fileKey: fileKeys[i]!, trace: fileTrace });
  }
  summary.distinctLines = distinct.length;

  // 2. One batched lookup (chunked), then re-assert the fixpoint of every rewrite served.
  const values = await lookupChunked(
    ctx.store,
    distinct.map((d) => d.key),
    breathe,
  );
  const misses: DistinctLine[] = [];
  const servedRewriteKeys: string[] = [];
  distinct.forEach((entry, i) => {
    const value = values[i];
    if (!value) {
      misses.push(entry);
      return;
    }
    if (value.type === 'fixpoint') {
      entry.outcome = 'fixpoint-hit';
    } else if (value.type === 'held') {
      entry.outcome = 'held-hit';
    } else {
      // Stored rewrites passed admission when they were stored; rules tightened since then still apply.
      const admission = admitRewrite({ kind: entry.kind, before: entry.text, after: value.text });
      if (!admission.ok) {
        entry.outcome = `rewrite-withheld:${admission.reason}`;
        return;
      }
      entry.outcome = 'rewrite-hit';
      entry.result = value.text;
      servedRewriteKeys.push(keyOf(entry.kind, value.text));
    }
  });

  // 3. Distinct misses go to the model; answers pass admission before they are used or stored.
  if (misses.length > 0) {
    const modelStarted = now();
    const answer = await askModel(misses, ctx);
    summary.modelMs = Math.round(now() - modelStarted);
    summary.modelLines = misses.length - answer.overBudget.size;
    summary.modelRequests = answer.requests;
    summary.tokens = answer.tokens;
    for (const entry of misses) {
      const text = answer.answers.get(entry.id);
      if (text === undefined) {
        entry.outcome = answer.overBudget.has(entry.id) ? 'over-budget' : 'unanswered';
        continue;
      }
      if (text === entry.text) {
        entry.outcome = 'miss-unchanged';
        entry.write = { op: 'fixpoint', key: entry.key };
        continue;
      }
      const admission = admitRewrite({ kind: entry.kind, before: entry.text, after: text });
      if (!admission.ok) {
        entry.outcome = `rejected:${admission.reason}`;
        entry.write = { op: 'held', key: entry.key, reason: admission.reason };
        continue;
      }
      entry.outcome = 'miss-changed';
      entry.result = text;
      entry.write = { op: 'rewrite', key: entry.key, toKey: keyOf(entry.kind, text), text };
    }
  }

  // 4. Join each file and check that its block structure survived; a line that breaks it is held.
  const tasks: (StructureTask & { readonly file: SourceFile; readonly ids: Map<number, number> })[] = [];
  for (const { file, doc, ids } of parsed) {
    const replacements = new Map<number, string>();
    for (const [index, id] of ids) {
      const result = distinct[id]!.result;
      if (result !== undefined && result !== doc.lines[index]!.text) replacements.set(index, result);
    }
    if (replacements.size > 0) tasks.push({ doc, replacements, file, ids });
  }
  const verdicts = await parser.admitStructure(tasks.map(({ doc, replacements }) => ({ doc, replacements })));
  const patches: FilePatch[] = [];
  /** Per patched file, the line indexes whose replacement was applied. */
  const applied = new Map<string, ReadonlySet<number>>();
  const brokenSomewhere = new Set<DistinctLine>();
  tasks.forEach((task, t) => {
    const verdict = verdicts[t]!;
    for (const index of verdict.broken) brokenSomewhere.add(distinct[task.ids.get(index)!]!);
    if (verdict.accepted.size === 0 || !verdict.after) return;
    applied.set(task.file.path, new Set(verdict.accepted.keys()));
    patches.push({
      path: task.file.path,
      before: task.file.bytes,
      after: verdict.after,
      changedLines: verdict.accepted.size,
    });
  });
  // A fresh answer that breaks the structure wherever it occurs is held (retried when the entry expires).
  // One applied in some file is stored as the rewrite it is there (its text must become a fixpoint) and is
  // withheld, per occurrence, from the files it would break; a cached rewrite is only withheld.
  const appliedSomewhere = (entry: DistinctLine): boolean =>
    tasks.some((task) => {
      const done = applied.get(task.file.path);
      if (!done) return false;
      for (const [index, id] of task.ids) if (id === entry.id && done.has(index)) return true;
      return false;
    });
  for (const entry of brokenSomewhere) {
    if (entry.outcome !== 'miss-changed' || appliedSomewhere(entry)) continue;
    entry.outcome = 'rejected:structure-changed';
    entry.result = undefined;
    entry.write = { op: 'held', key: entry.key, reason: 'structure-changed' };
  }

  // 5. Store under the invariant before anything is emitted; a failure here fails the run closed.
  const writes = distinct.flatMap((d) => (d.write ? [d.write] : []));
  // The embedded store commits each chunk synchronously (fsync): yield between chunks, as while parsing.
  for (let i = 0; i < writes.length; i += STORE_CHUNK) {
    await breathe();
    await ctx.store.write(writes.slice(i, i + STORE_CHUNK));
  }
  for (let i = 0; i < servedRewriteKeys.length; i += STORE_CHUNK) {
    await breathe();
    await ctx.store.confirmServed(servedRewriteKeys.slice(i, i + STORE_CHUNK));
  }

  // 6. Count per line occurrence and trace; note the files every line of which is now a stored fixpoint.
  const fileWrites: StoreWrite[] = [];
  const storedTraces: ParsedFile[] = [];
  for (const parsedFile of parsed) {
    await breathe();
    const { file, doc, ids } = parsedFile;
    const appliedHere = applied.get(file.path);
    let allFixpoints = appliedHere === undefined;
    for (const unit of doc.lines) {
      const id = ids.get(unit.index);
      if (id === undefined) {
        if (ctx.trace === 'all') trace.push(traceOf(file.path, unit, `frozen:${unit.reason ?? 'no-prose'}`));
        continue;
      }
      const entry = distinct[id]!;
      const changed = entry.result !== undefined && appliedHere?.has(unit.index) === true;
      // A rewrite this file could not take keeps the line: say so for this occurrence.
      const outcome: LineOutcome =
        entry.result !== undefined && !changed ? 'rewrite-withheld:structure-changed' : entry.outcome;
      countOutcome(summary, outcome);
      if (outcome !== 'fixpoint-hit' && outcome !== 'miss-unchanged') allFixpoints = false;
      if (ctx.trace === 'all' || changed || outcome !== entry.outcome || isNotable(outcome)) {
        trace.push(traceOf(file.path, unit, outcome, changed ? entry.result : undefined));
      }
    }
    if (allFixpoints && useFileFixpoints) {
      fileWrites.push({ op: 'fixpoint', key: parsedFile.fileKey });
      storedTraces.push(parsedFile);
    }
  }

  // 7. File-level fixpoints, only after the line entries they summarise are stored (step 5).
  for (let i = 0; i < fileWrites.length; i += STORE_CHUNK) {
    await breathe();
    await ctx.store.write(fileWrites.slice(i, i + STORE_CHUNK));
  }
  summary.fileFixpointsStored = fileWrites.length;
  const storedPaths = new Set(storedTraces.map((p) => p.file.path));
  const fileTrace = fileTraces.map((t) =>
    t.outcome === 'parsed' && storedPaths.has(t.path) ? { ...t, fileFixpointStored: true } : t,
  );

  for (const patch of patches) summary.changedLines += patch.changedLines;
  summary.changedFiles = patches.length;
  summary.durationMs = Math.round(now() - started);
  return { patches, diff: buildDiff(patches), trace, files: fileTrace, keyInputs, summary };
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

/** Lines per call to the fixer: the unit of progress reporting; the fixer batches and parallelises inside it. */
const MODEL_CHUNK = 400;

interface ModelAnswers {
  answers: Map<number, string>;
  overBudget: Set<number>;
  requests: number;
  tokens: { prompt: number; completion: number; total: number };
}

/** Sends the misses in chunks, carrying the run's budget across them, and reports progress. */
async function askModel(misses: readonly DistinctLine[], ctx: EngineContext): Promise<ModelAnswers> {
  const out: ModelAnswers = {
    answers: new Map(),
    overBudget: new Set(),
    requests: 0,
    tokens: { prompt: 0, completion: 0, total: 0 },
  };
  let sent = 0;
  for (let i = 0; i < misses.length; i += MODEL_CHUNK) {
    const lines: ModelLine[] = misses
      .slice(i, i + MODEL_CHUNK)
      .map((m) => ({ id: m.id, kind: m.kind, text: m.text }));
    const budget = {
      maxLines: Math.max(0, ctx.budget.maxLines - sent),
      maxTokens: Math.max(0, ctx.budget.maxTokens - out.tokens.total),
    };
    const result = await ctx.fixer.fixLines(lines, budget, ctx.signal);
    for (const [id, text] of result.answers) out.answers.set(id, text);
    for (const id of result.overBudget) out.overBudget.add(id);
    sent += lines.length - result.overBudget.length;
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

function traceOf(path: string, unit: SourceLine, outcome: LineOutcome, after?: string): LineTrace {
  return after === undefined
    ? { path, line: unit.line, outcome, before: unit.text }
    : { path, line: unit.line, outcome, before: unit.text, after };
}

/** Outcomes traced even when the trace keeps changes only: the line was not changed, and somebody may ask why. */
function isNotable(outcome: LineOutcome): boolean {
  return (
    outcome.startsWith('rejected:') || outcome.startsWith('rewrite-withheld:') || outcome === 'over-budget'
  );
}

function countOutcome(summary: RunSummary, outcome: LineOutcome): void {
  if (outcome === 'fixpoint-hit') summary.fixpointHits += 1;
  else if (outcome === 'rewrite-hit') summary.rewriteHits += 1;
  else if (outcome === 'miss-changed') summary.missChangedLines += 1;
  else if (outcome === 'miss-unchanged') summary.missUnchangedLines += 1;
  else if (outcome.startsWith('rewrite-withheld:')) {
    const reason = outcome.slice('rewrite-withheld:'.length);
    summary.withheldByReason[reason] = (summary.withheldByReason[reason] ?? 0) + 1;
  } else if (outcome === 'held-hit') {
    summary.heldHits += 1;
    summary.heldLines += 1;
  } else if (outcome === 'over-budget') summary.overBudgetLines += 1;
  else if (outcome === 'unanswered') summary.unansweredLines += 1;
  else if (outcome.startsWith('rejected:')) {
    const reason = outcome.slice('rejected:'.length);
    summary.rejectedByReason[reason] = (summary.rejectedByReason[reason] ?? 0) + 1;
    summary.rejectedLines += 1;
    summary.heldLines += 1;
  }
}
