// The per-file structure check: a patched file must keep the block structure its source had. Pure.
import { blockSignature, joinUnits } from '../markdown/index.js';
import type { MarkdownDocument, UnitReplacements } from '../markdown/types.js';
import type { Admission } from './admission.js';

export interface StructureVerdict {
  /** The unit replacements kept (all of them in the common case; none when even the survivors conflict). */
  readonly accepted: UnitReplacements;
  /** Unit indexes whose replacement alone changes the block structure. */
  readonly broken: readonly number[];
  /** The joined file with `accepted` applied; absent when nothing was accepted. */
  readonly after?: Uint8Array;
}

const decoder = new TextDecoder();

/**
 * Keeps the unit replacements that leave the file's block structure intact. The common case costs one
 * re-parse; when the whole set fails, each unit is tried alone, the ones that break it are reported as
 * `broken`, and the survivors are kept only if they pass together.
 */
export function admitReplacements(doc: MarkdownDocument, replacements: UnitReplacements): StructureVerdict {
  if (replacements.size === 0) return { accepted: new Map(), broken: [] };
  const before = doc.blockSignature ?? decoder.decode(doc.source);
  const joined = (candidate: UnitReplacements): Uint8Array => joinUnits(doc, candidate);
  const passes = (bytes: Uint8Array): boolean =>
    admitFileStructure(before, decoder.decode(bytes), doc.path).ok;
  const all = joined(replacements);
  if (passes(all)) return { accepted: replacements, broken: [], after: all };
  const accepted = new Map<number, readonly string[]>();
  const broken: number[] = [];
  for (const [index, lines] of replacements) {
    if (passes(joined(new Map([[index, lines]])))) accepted.set(index, lines);
    else broken.push(index);
  }
  if (accepted.size === 0) return { accepted, broken };
  const survivors = joined(accepted);
  if (!passes(survivors)) return { accepted: new Map(), broken };
  return { accepted, broken, after: survivors };
}

/**
 * Whether a patched file keeps its block structure (the same mdast block types in the same order).
 * The engine calls it per changed file; on a mismatch it keeps that file's lines as they were.
 */
export function admitFileStructure(
  before: string | readonly string[],
  afterSource: string,
  path: string,
): Admission {
  if (before === afterSource) return { ok: true };
  // The engine passes the signature split() already computed, so the check costs one parse, not two.
  const a = typeof before === 'string' ? blockSignature(before, path) : before;
  const b = blockSignature(afterSource, path);
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    if (a[i] === b[i]) continue;
    return {
      ok: false,
      reason: 'structure-changed',
      detail: `${path}: block ${i + 1} is ${b[i] ?? 'missing'} after the edit; expected ${a[i] ?? 'no more blocks'} (${a.length} blocks before, ${b.length} after)`,
    };
  }
  return { ok: true };
}
