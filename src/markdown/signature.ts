// blockSignature(): the block structure admission control compares before and after a patch.
import { isMdxPath, parseMarkdown, type MdNode } from './parse.js';

/** Nodes whose children are inline content: the signature stops there. */
const INLINE_PARENTS: ReadonlySet<string> = new Set(['paragraph', 'heading', 'tableCell']);

/**
 * split() already parsed the file admission control asks about first (the original), so it leaves the
 * signature here: the "before" side of a check costs no second parse. Keyed by the exact text (no BOM).
 */
const RECENT_LIMIT = 8;
const recent = { md: new Map<string, readonly string[]>(), mdx: new Map<string, readonly string[]>() };

/**
 * The mdast block node types of a document in document order (pre-order, nested blocks included), e.g.
 * `['heading', 'paragraph', 'list', 'listItem', 'paragraph']`. `path` picks the parser (`.mdx` → MDX);
 * an MDX syntax error gives `['parse-error']`. One parse, or none right after split() of the same text.
 */
export function blockSignature(source: string, path: string): string[] {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const cached = (isMdxPath(path) ? recent.mdx : recent.md).get(text);
  if (cached) return [...cached];
  let root: MdNode;
  try {
    root = parseMarkdown(text, path);
  } catch {
    return ['parse-error'];
  }
  return signatureOf(root);
}

export function signatureOf(root: MdNode): string[] {
  const out: string[] = [];
  collect(root, out);
  return out;
}

/** Called by split() with the tree it parsed anyway. */
export function rememberSignature(text: string, path: string, root: MdNode): readonly string[] {
  const map = isMdxPath(path) ? recent.mdx : recent.md;
  const known = map.get(text);
  if (known) return known;
  const signature = signatureOf(root);
  if (map.size >= RECENT_LIMIT) map.delete(map.keys().next().value!);
  map.set(text, signature);
  return signature;
}

/** Pre-order walk with an explicit stack: absurdly deep nesting must not overflow the call stack. */
function collect(root: MdNode, out: string[]): void {
  const stack: MdNode[] = [...(root.children ?? [])].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node.type);
    if (INLINE_PARENTS.has(node.type) || !node.children) continue;
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
}
