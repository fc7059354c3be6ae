// One pass over a parsed file that split() and blockSignature() share: remark's block tree classified line
// by line, front matter remark does not see, then the dialect syntax remark does not know (dialects.ts),
// whose bodies are analysed again on their own. The block signature is remark's block types followed by
// each container's nested signature, so that the structure check covers bodies that remark sees as a
// single code block.
import { classifyLines, type LineClasses } from './classify.js';
import { applyDialects, type NestedAnalysis } from './dialects.js';
import { freezeLateFrontMatter, treeFrontMatterDisables } from './front-matter.js';
import { findIgnoreComments, type IgnoreComment } from './ignore.js';
import { lineTable, type LineTable } from './lines.js';
import { parseMarkdown, type MdNode } from './parse.js';
import { walkPreOrder } from './tree.js';

export interface Analysis extends NestedAnalysis {
  readonly table: LineTable;
  readonly classes: LineClasses;
  readonly signature: readonly string[];
  /** `docs-fix-disable`/`-enable`/`-disable-next-line` comments, in line order. */
  readonly ignoreComments: readonly IgnoreComment[];
  /** `docs-fix: false` in the front matter: nothing in the file is edited. */
  readonly fileDisabled: boolean;
}

/** Nodes whose children are inline content: the signature stops there. */
const INLINE_PARENTS: ReadonlySet<string> = new Set(['paragraph', 'heading', 'tableCell']);

/** Analyses `text`, which `root` is the parse of; `depth` > 0 for a container body split on its own. */
export function analyse(text: string, root: MdNode, mdx: boolean, depth = 0): Analysis {
  const table = lineTable(text);
  const classes = classifyLines(root, text, table.count, mdx);
  let fileDisabled = false;
  if (depth === 0) {
    fileDisabled = treeFrontMatterDisables(root);
    if (freezeLateFrontMatter(text, table, classes) === true) fileDisabled = true;
  }
  const dialects = applyDialects(text, table, classes, mdx, depth, (body) => analyseBody(body, mdx, depth));
  let ignoreComments = findIgnoreComments(root, text, mdx);
  if (dialects.ignoreComments.length > 0) {
    // A comment both parses see is listed twice; applying it twice on its line changes nothing.
    ignoreComments = [...ignoreComments, ...dialects.ignoreComments].sort(
      (a, b) => a.line - b.line || a.offset - b.offset,
    );
  }
  return {
    table,
    classes,
    signature: [...treeSignature(root), ...dialects.signature],
    ignoreComments,
    fileDisabled,
  };
}

function analyseBody(body: string, mdx: boolean, depth: number): Analysis | undefined {
  let root: MdNode;
  try {
    root = parseMarkdown(body, mdx ? 'body.mdx' : 'body.md');
  } catch {
    return undefined;
  }
  return analyse(body, root, mdx, depth + 1);
}

/**
 * The mdast block node types of a tree in document order (pre-order, nested blocks included), e.g.
 * `['heading', 'paragraph', 'list', 'listItem', 'paragraph']`.
 */
export function treeSignature(root: MdNode): string[] {
  const out: string[] = [];
  walkPreOrder(root, (node) => {
    out.push(node.type);
    return !INLINE_PARENTS.has(node.type);
  });
  return out;
}
