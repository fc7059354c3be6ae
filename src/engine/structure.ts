// The per-file structure check: a patched file must keep the block structure its source had. Pure.
import { join } from '../markdown/index.js';
import type { MarkdownDocument, Replacements } from '../markdown/types.js';
import { admitFileStructure } from './admission.js';

export interface StructureVerdict {
  /** The replacements kept (all of them in the common case; none when even the survivors conflict). */
  readonly accepted: ReadonlyMap<number, string>;
  /** Line indexes whose replacement alone changes the block structure. */
  readonly broken: readonly number[];
  /** The joined file with `accepted` applied; absent when nothing was accepted. */
  readonly after?: Uint8Array;
}

const decoder = new TextDecoder();

/**
 * Keeps the replacements that leave the file's block structure intact. The common case costs one re-parse;
 * when the whole set fails, each line is tried alone, the ones that break it are reported as `broken`, and
 * the survivors are kept only if they pass together.
 */
export function admitReplacements(doc: MarkdownDocument, replacements: Replacements): StructureVerdict {
  if (replacements.size === 0) return { accepted: new Map(), broken: [] };
  const before = doc.blockSignature ?? decoder.decode(doc.source);
  const joined = (candidate: Replacements): Uint8Array => join(doc, candidate);
  const passes = (bytes: Uint8Array): boolean =>
    admitFileStructure(before, decoder.decode(bytes), doc.path).ok;
  const all = joined(replacements);
  if (passes(all)) return { accepted: replacements, broken: [], after: all };
  const accepted = new Map<number, string>();
  const broken: number[] = [];
  for (const [index, text] of replacements) {
    if (passes(joined(new Map([[index, text]])))) accepted.set(index, text);
    else broken.push(index);
  }
  if (accepted.size === 0) return { accepted, broken };
  const survivors = joined(accepted);
  if (!passes(survivors)) return { accepted: new Map(), broken };
  return { accepted, broken, after: survivors };
}
