import { lineKey } from '../cache/key.js';
import type { CacheValue, StoreWrite } from '../cache/types.js';
import { join, split } from '../markdown/index.js';
import type { LineKind, LineUnit, MarkdownDocument } from '../markdown/types.js';
import type { ModelLine } from '../model/types.js';
import { admitFileStructure, admitRewrite } from './admission.js';
import { buildDiff } from './diff.js';
import type {
  EngineContext,
  FilePatch,
  FixResult,
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
}

export function emptySummary(): RunSummary {
  return {
    files: 0,
    skippedFiles: [],
    lines: 0,
    editableLines: 0,
    distinctLines: 0,
    fixpointHits: 0,
    rewriteHits: 0,
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
    tokens: { prompt: 0, completion: 0, total: 0 },
    durationMs: 0,
    modelMs: 0,
  };
}

/**
 * Fixes a set of markdown files: split, dedupe, one batched cache lookup, distinct misses to the model,
 * admission, join, per-file structure check, then store under the fixpoint invariant, then diff.
 * Fails closed: any store error rejects the whole run, so no patch is ever built from a half-served run.
 */
export async function fixFiles(files: readonly SourceFile[], ctx: EngineContext): Promise<FixResult> {
  const now = ctx.now ?? (() => performance.now());
  const started = now();
  const summary = emptySummary();
  const trace: LineTrace[] = [];

  const keyOf = (kind: LineKind, text: string): string =>
    lineKey({
      scope: ctx.scope,
      modelId: ctx.fixer.modelId,
      promptVersion: ctx.fixer.promptVersion,
      kind,
      text,
    });

  // 1. Split and dedupe.
  const distinct: DistinctLine[] = [];
  const byKindText = new Map<string, DistinctLine>();
  const parsed: ParsedFile[] = [];
  const breathe = yielder(now);
  for (const file of files) {
    await breathe();
    summary.files += 1;
    const doc = split(file.bytes, { path: file.path });
    if (doc.skipped) {
      summary.skippedFiles.push({
        path: file.path,
        reason: doc.skipped.reason,
        message: doc.skipped.message,
      });
      continue;
    }
    const ids = new Map<number, number>();
    for (const unit of doc.lines) {
      summary.lines += 1;
      if (!unit.editable) continue;
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
    parsed.push({ file, doc, ids });
  }
  summary.distinctLines = distinct.length;

  // 2. One batched lookup (chunked), then re-assert the fixpoint of every rewrite served.
  const values: (CacheValue | undefined)[] = [];
  for (let i = 0; i < distinct.length; i += STORE_CHUNK) {
    const chunk = distinct.slice(i, i + STORE_CHUNK);
    values.push(...(await ctx.store.get(chunk.map((d) => d.key))));
  }
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
  const patches: FilePatch[] = [];
  for (const { file, doc, ids } of parsed) {
    await breathe();
    const replacements = new Map<number, string>();
    for (const [index, id] of ids) {
      const result = distinct[id]!.result;
      if (result !== undefined && result !== doc.lines[index]!.text) replacements.set(index, result);
    }
    if (replacements.size === 0) continue;
    const accepted = admitStructure(doc, replacements, distinct, ids);
    if (accepted.size === 0) continue;
    const after = join(doc, accepted);
    patches.push({ path: file.path, before: file.bytes, after, changedLines: accepted.size });
  }

  // 5. Store under the invariant before anything is emitted; a failure here fails the run closed.
  const writes = distinct.flatMap((d) => (d.write ? [d.write] : []));
  for (let i = 0; i < writes.length; i += STORE_CHUNK)
    await ctx.store.write(writes.slice(i, i + STORE_CHUNK));
  for (let i = 0; i < servedRewriteKeys.length; i += STORE_CHUNK) {
    await ctx.store.confirmServed(servedRewriteKeys.slice(i, i + STORE_CHUNK));
  }

  // 6. Count per line occurrence and trace.
  const patched = new Set(patches.map((p) => p.path));
  for (const { file, doc, ids } of parsed) {
    const isPatched = patched.has(file.path);
    for (const unit of doc.lines) {
      const id = ids.get(unit.index);
      if (id === undefined) {
        if (ctx.trace === 'all') trace.push(traceOf(file.path, unit, `frozen:${unit.reason ?? 'no-prose'}`));
        continue;
      }
      const entry = distinct[id]!;
      countOutcome(summary, entry.outcome);
      const changed = entry.result !== undefined && entry.result !== unit.text && isPatched;
      if (
        ctx.trace === 'all' ||
        changed ||
        entry.outcome.startsWith('rejected') ||
        entry.outcome === 'over-budget'
      ) {
        trace.push(traceOf(file.path, unit, entry.outcome, changed ? entry.result : undefined));
      }
    }
  }
  for (const patch of patches) summary.changedLines += patch.changedLines;
  summary.changedFiles = patches.length;
  summary.durationMs = Math.round(now() - started);
  return { patches, diff: buildDiff(patches), trace, summary };
}

/**
 * Parsing is synchronous; a big run yields to the event loop every few tens of milliseconds so that
 * timers keep running (job and repository lock renewals, health checks, progress).
 */
function yielder(now: () => number, everyMs = 50): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last < everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = now();
  };
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
  }
  return out;
}

function traceOf(path: string, unit: LineUnit, outcome: LineOutcome, after?: string): LineTrace {
  return after === undefined
    ? { path, line: unit.line, outcome, before: unit.text }
    : { path, line: unit.line, outcome, before: unit.text, after };
}

function countOutcome(summary: RunSummary, outcome: LineOutcome): void {
  if (outcome === 'fixpoint-hit') summary.fixpointHits += 1;
  else if (outcome === 'rewrite-hit') summary.rewriteHits += 1;
  else if (outcome === 'held-hit') {
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

/**
 * Keeps the replacements that leave the file's block structure intact. The common case costs one
 * re-parse; when the whole set fails, each line is tried alone and the ones that break it are held.
 */
function admitStructure(
  doc: MarkdownDocument,
  replacements: Map<number, string>,
  distinct: DistinctLine[],
  ids: Map<number, number>,
): Map<number, string> {
  const before = doc.blockSignature ?? new TextDecoder().decode(doc.source);
  const check = (candidate: Map<number, string>): boolean =>
    admitFileStructure(before, new TextDecoder().decode(join(doc, candidate)), doc.path).ok;
  if (check(replacements)) return replacements;
  const accepted = new Map<number, string>();
  for (const [index, text] of replacements) {
    if (check(new Map([[index, text]]))) {
      accepted.set(index, text);
      continue;
    }
    const entry = distinct[ids.get(index)!]!;
    // A fresh answer that breaks the structure is held; a cached rewrite is just not applied here.
    if (entry.outcome === 'miss-changed') {
      entry.outcome = 'rejected:structure-changed';
      entry.result = undefined;
      entry.write = { op: 'held', key: entry.key, reason: 'structure-changed' };
    }
  }
  if (accepted.size > 0 && !check(accepted)) return new Map();
  return accepted;
}
