// Walking a parsed tree without recursion (no remark import: the classifier and the signature use it).
import type { MdNode } from './parse.js';

/**
 * Visits the descendants of `root` in document order (pre-order), going into a node's children only when
 * `visit` returns true. An explicit stack: absurdly deep nesting must not overflow the call stack, whose room
 * depends on the Node version and on the caller.
 */
export function walkPreOrder(root: MdNode, visit: (node: MdNode) => boolean): void {
  const stack: MdNode[] = [...(root.children ?? [])].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (!visit(node) || !node.children) continue;
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
}
