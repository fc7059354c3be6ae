// Shared checks for the line model tests: byte identity and the structure property.
import { blockSignature, join, split, type MarkdownDocument } from '../../src/markdown/index.js';

const decoder = new TextDecoder();

export const PROSE = 'Lorem ipsum dolor';

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Replaces every editable line's text with plain prose; returns the patched source. */
export function withPlainProse(doc: MarkdownDocument, prose = PROSE): string {
  const replacements = new Map<number, string>();
  for (const unit of doc.lines) if (unit.editable) replacements.set(unit.index, prose);
  return decoder.decode(join(doc, replacements));
}

export interface StructureResult {
  readonly roundTrip: boolean;
  readonly skipped?: string;
  /** Undefined when the structure is kept; otherwise the first differing position and both node types. */
  readonly structureDiff?: { at: number; before?: string; after?: string };
}

export function checkFile(bytes: Uint8Array, path: string): StructureResult {
  const doc = split(bytes, { path });
  const roundTrip = sameBytes(join(doc, new Map()), bytes);
  if (doc.skipped) return { roundTrip, skipped: doc.skipped.reason };
  const original = decoder.decode(bytes);
  const before = blockSignature(original, path);
  const after = blockSignature(withPlainProse(doc), path);
  const length = Math.max(before.length, after.length);
  for (let at = 0; at < length; at++) {
    if (before[at] !== after[at])
      return { roundTrip, structureDiff: { at, before: before[at], after: after[at] } };
  }
  return { roundTrip };
}
