// The per-file structure check: a patched file must keep the block structure its source had. Pure.
import { joinUnits } from '../markdown/index.js';
import type { MarkdownDocument, UnitReplacements } from '../markdown/types.js';
import { admitFileStructure } from './admission.js';

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
