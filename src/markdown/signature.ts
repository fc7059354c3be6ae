// blockSignature(): the block structure admission control compares before and after a patch.
import { analyse } from './analyse.js';
import { isMdxPath, parseMarkdown, type MdNode } from './parse.js';

/**
 * split() already analysed the file admission control asks about first (the original), so it leaves the
 * signature here: the "before" side of a check costs no second parse. Keyed by the exact text (no BOM).
 */
const RECENT_LIMIT = 8;
const recent = { md: new Map<string, readonly string[]>(), mdx: new Map<string, readonly string[]>() };

/**
 * The mdast block node types of a document in document order (pre-order, nested blocks included), e.g.
 * `['heading', 'paragraph', 'list', 'listItem', 'paragraph']`, followed by the block types of every
 * dialect container's body split on its own (`dialect:admonition`, its body's types, `dialect:end`; see
 * dialects.ts). `path` picks the parser (`.mdx` → MDX); an MDX syntax error gives `['parse-error']`.
 * One parse (plus one per container body), or none right after split() of the same text.
 */
export function blockSignature(source: string, path: string): string[] {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const mdx = isMdxPath(path);
  const cached = (mdx ? recent.mdx : recent.md).get(text);
  if (cached) return [...cached];
  let root: MdNode;
  try {
    root = parseMarkdown(text, path);
  } catch {
    return ['parse-error'];
  }
  return [...analyse(text, root, mdx).signature];
}

/** Called by split() with the signature of the analysis it made anyway. */
export function rememberSignature(text: string, path: string, signature: readonly string[]): void {
  const map = isMdxPath(path) ? recent.mdx : recent.md;
  if (map.has(text)) return;
  if (map.size >= RECENT_LIMIT) map.delete(map.keys().next().value!);
  map.set(text, signature);
}
