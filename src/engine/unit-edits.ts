/**
 * What changed between two versions of a markdown file, prose unit by prose unit: how docs-fix reads a
 * pull request back (its own commits' rewrites, a person's edits of them). Pure.
 *
 * docs-fix's own commits keep every line where it was (an edit replaces the text of editable lines only),
 * so the units of the two versions align one to one: `rewrites` pairs them. A person may add or remove
 * lines: `edits` compares the two versions' units as multisets instead.
 */
import type { LineKind, MarkdownDocument } from '../markdown/types.js';

/** One unit as the cache keys it. */
export interface UnitText {
  readonly kind: LineKind;
  readonly text: string;
}

/** A unit whose text went from `before` to `after`. */
export interface UnitRewrite {
  readonly kind: LineKind;
  readonly before: string;
  readonly after: string;
}

/**
 * The units whose text changed between two versions with the same lines and the same units (line ranges and
 * kinds); undefined when they are not aligned (the second version is not an edit of unit texts only).
 */
export function rewrites(before: MarkdownDocument, after: MarkdownDocument): UnitRewrite[] | undefined {
  if (before.skipped || after.skipped) return undefined;
  if (before.lines.length !== after.lines.length || before.units.length !== after.units.length)
    return undefined;
  const out: UnitRewrite[] = [];
  for (let i = 0; i < before.units.length; i += 1) {
    const a = before.units[i]!;
    const b = after.units[i]!;
    if (a.kind !== b.kind || a.lines.length !== b.lines.length || a.lines[0] !== b.lines[0]) return undefined;
    if (a.text !== b.text) out.push({ kind: a.kind, before: a.text, after: b.text });
  }
  return out;
}

/**
 * The units of `after` that `before` does not have (`added`), and those of `before` that `after` lost
 * (`removed`), counted as multisets of (kind, text): what a person's commit wrote and replaced.
 */
export function edits(
  before: MarkdownDocument,
  after: MarkdownDocument,
): { added: UnitText[]; removed: UnitText[] } {
  const key = (u: UnitText): string => `${u.kind}\u0000${u.text}`;
  const counts = new Map<string, number>();
  for (const u of before.units) counts.set(key(u), (counts.get(key(u)) ?? 0) + 1);
  const added: UnitText[] = [];
  for (const u of after.units) {
    const n = counts.get(key(u)) ?? 0;
    if (n > 0) counts.set(key(u), n - 1);
    else added.push({ kind: u.kind, text: u.text });
  }
  const removed: UnitText[] = [];
  const left = new Map(counts);
  for (const u of before.units) {
    const n = left.get(key(u)) ?? 0;
    if (n <= 0) continue;
    left.set(key(u), n - 1);
    removed.push({ kind: u.kind, text: u.text });
  }
  return { added, removed };
}

/** What a person's edits of docs-fix's rewrites say. */
export interface PersonDecisions<R extends UnitRewrite = UnitRewrite> {
  /** docs-fix's rewrites the person put back to the original text: rejected. */
  readonly reverted: R[];
  /** docs-fix's rewrites whose text the person replaced with another: rejected too. */
  readonly rewritten: R[];
  /** Units the person wrote otherwise: their text is final (stored as a fixpoint). */
  readonly written: UnitText[];
}

/**
 * Reads a person's commit against docs-fix's rewrites in the same pull request: a unit the commit wrote
 * back to the text a rewrite started from, replacing that rewrite's text, is a revert; any other unit it
 * wrote is the person's own text, and a rewrite whose text it replaced otherwise (or removed) was rewritten
 * by them.
 */
export function personDecisions<R extends UnitRewrite>(
  commit: { readonly added: readonly UnitText[]; readonly removed: readonly UnitText[] },
  proposed: readonly R[],
): PersonDecisions<R> {
  const removed = new Set(commit.removed.map((u) => `${u.kind}\u0000${u.text}`));
  const reverted: R[] = [];
  const written: UnitText[] = [];
  for (const u of commit.added) {
    const undone = proposed.find(
      (p) => p.kind === u.kind && p.before === u.text && removed.has(`${p.kind}\u0000${p.after}`),
    );
    if (undone) reverted.push(undone);
    else written.push(u);
  }
  const rewritten = proposed.filter((p) => removed.has(`${p.kind}\u0000${p.after}`) && !reverted.includes(p));
  return { reverted, rewritten, written };
}
