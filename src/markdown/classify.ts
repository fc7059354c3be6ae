// Maps mdast nodes to source lines: every line gets a kind, and either "prose" (a candidate for editing,
// decided line by line in prose.ts) or the reason it is frozen. One walk over the block tree; a container
// marks its lines first and its children overwrite them, so each line ends up with its innermost block.
import type { MdNode } from './parse.js';
import { walkPreOrder } from './tree.js';
import type { FrozenReason, LineKind } from './types.js';

export const PROSE = 'prose';
export type LineState = FrozenReason | typeof PROSE;

/** Flags on a prose line. */
export const ATX_HEADING = 1;
/** First line of the first paragraph of a task list item: `[ ]`/`[x]` belongs to the prefix. */
export const TASK_ITEM = 2;
/** Not the last line of its paragraph: a trailing backslash is a hard break. */
export const CONTINUED = 4;
/** Flag on a `code` line: the line belongs to an indented code block (not a fenced one). */
export const INDENTED_CODE = 8;
/** A prose line that is a field of a MyST field list (`:name: text`): the name belongs to the prefix. */
export const FIELD_ITEM = 16;

/** A fenced code block whose info string starts with `{name}`: a MyST directive (```` ```{note} ````). */
export interface DirectiveFence {
  /** 0-based first and last line of the code node (the opening fence and, when closed, the closing one). */
  readonly first: number;
  readonly last: number;
  /** The directive name without braces, e.g. `note`, `code-block`. */
  readonly name: string;
  /** Column of the opening fence (0-based): the body's lines lose up to this many spaces, as in CommonMark. */
  readonly indent: number;
  /** Blockquotes around the fence. */
  readonly quotes: number;
}

export interface LineClasses {
  readonly kind: LineKind[];
  /** Undefined for lines no node covers (blank lines between blocks). */
  readonly state: (LineState | undefined)[];
  /** For the first line of a paragraph or heading: offset where the node starts; otherwise -1. */
  readonly nodeStart: Int32Array;
  /** Number of blockquotes around a prose line: how many `>` markers its prefix may hold. */
  readonly quoteDepth: Uint8Array;
  readonly flags: Uint8Array;
  /** Prose lines frozen by an inline node (multi-line HTML, code span, math, JSX, an MDX expression). */
  readonly inlineReason: (FrozenReason | undefined)[];
  /** For prose lines: which paragraph or heading they belong to (1, 2, ... in document order); 0 otherwise. */
  readonly block: Int32Array;
  /** The highest number in `block` so far: nested bodies (see dialects.ts) number their blocks after it. */
  blockCount: number;
  /** MyST directive fences, in document order. */
  readonly directiveFences: DirectiveFence[];
}

/** Leaf blocks that are frozen whole: their kind and reason. */
const FROZEN_LEAVES: Readonly<Record<string, readonly [LineKind, FrozenReason]>> = {
  code: ['code', 'code'],
  html: ['html', 'html'],
  yaml: ['front-matter', 'front-matter'],
  toml: ['front-matter', 'front-matter'],
  math: ['math', 'math'],
  definition: ['definition', 'definition'],
  thematicBreak: ['thematic-break', 'thematic-break'],
  table: ['table-row', 'table'],
  mdxjsEsm: ['esm', 'esm'],
  mdxFlowExpression: ['jsx', 'jsx'],
};

/** Inline nodes that freeze every line they touch when they span lines (editing one line would cut them). */
const MULTILINE_INLINE: Readonly<Record<string, FrozenReason>> = {
  html: 'html',
  inlineCode: 'code',
  inlineMath: 'math',
  mdxJsxTextElement: 'jsx',
  mdxTextExpression: 'jsx',
};

interface Walk {
  readonly classes: LineClasses;
  readonly text: string;
  readonly mdx: boolean;
}

const DIRECTIVE_LANG = /^\{([^{}\s]+)\}$/;

export function classifyLines(root: MdNode, text: string, lineCount: number, mdx: boolean): LineClasses {
  const classes: LineClasses = {
    kind: new Array<LineKind>(lineCount).fill('blank'),
    state: new Array<LineState | undefined>(lineCount).fill(undefined),
    nodeStart: new Int32Array(lineCount).fill(-1),
    quoteDepth: new Uint8Array(lineCount),
    flags: new Uint8Array(lineCount),
    inlineReason: new Array<FrozenReason | undefined>(lineCount).fill(undefined),
    block: new Int32Array(lineCount),
    blockCount: 0,
    directiveFences: [],
  };
  walkBlocks(root, 'paragraph', 0, { classes, text, mdx });
  return classes;
}

/** First and last 0-based line of a node; a node ending at column 1 ends on the line before. */
function lineRange(node: MdNode, lineCount: number): [number, number] | undefined {
  const pos = node.position;
  if (!pos) return undefined;
  const first = pos.start.line - 1;
  let last = pos.end.line - 1;
  if (pos.end.column === 1 && last > first) last -= 1;
  return [Math.max(0, first), Math.min(lineCount - 1, last)];
}

/** Gives lines `first..last` one kind and state, with no node, flags, inline reason or block of their own. */
export function fill(c: LineClasses, first: number, last: number, kind: LineKind, state: LineState): void {
  for (let i = first; i <= last; i++) {
    c.kind[i] = kind;
    c.state[i] = state;
    c.nodeStart[i] = -1;
    c.flags[i] = 0;
    c.inlineReason[i] = undefined;
    c.block[i] = 0;
  }
}

function freezeInline(c: LineClasses, first: number, last: number, reason: FrozenReason): void {
  for (let i = Math.max(0, first); i <= last && i < c.kind.length; i++) c.inlineReason[i] ??= reason;
}

/** A container whose children are being walked: where the walk stands in it, and what follows its children. */
interface BlockFrame {
  readonly parent: MdNode;
  readonly container: LineKind;
  readonly quotes: number;
  next: number;
  previousLast: number;
  /** Runs once every child is walked (a JSX element's tag lines overwrite what its children marked). */
  readonly after?: () => void;
}

/**
 * Walks the block tree in document order, a container before its children. An explicit stack rather than
 * recursion: a document nested thousands of levels deep (`> > > …`) must not overflow the call stack, whose
 * room depends on the Node version and on who calls (it overflowed under Node 24 inside vitest).
 */
function walkBlocks(root: MdNode, rootContainer: LineKind, rootQuotes: number, w: Walk): void {
  const c = w.classes;
  const stack: BlockFrame[] = [
    { parent: root, container: rootContainer, quotes: rootQuotes, next: 0, previousLast: -1 },
  ];
  const enter = (parent: MdNode, container: LineKind, quotes: number, after?: () => void) =>
    stack.push({ parent, container, quotes, next: 0, previousLast: -1, after });
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { parent, container, quotes } = frame;
    const children = parent.children ?? [];
    if (frame.next >= children.length) {
      stack.pop();
      frame.after?.();
      continue;
    }
    const node = children[frame.next++]!;
    const range = lineRange(node, c.kind.length);
    if (!range) continue;
    // A setext heading's position includes link reference definitions taken from the start of its
    // content (`[a]: /u\nText\n===`): those lines belong to the definition before it.
    const first = Math.max(range[0], frame.previousLast + 1);
    const last = range[1];
    frame.previousLast = last;
    if (last < first) continue;
    const leaf = FROZEN_LEAVES[node.type];
    if (leaf) {
      fill(c, first, last, leaf[0], leaf[1]);
      if (node.type === 'code') noteCode(w, node, first, last, quotes);
      continue;
    }
    switch (node.type) {
      case 'paragraph': {
        const task =
          parent.type === 'listItem' && typeof parent.checked === 'boolean' && isFirstParagraph(parent, node);
        prose(w, node, first, last, container, quotes, task ? TASK_ITEM : 0);
        if (last > first || w.mdx) walkInline(node, w);
        break;
      }
      case 'heading':
        if (last === first) {
          prose(w, node, first, last, 'heading', quotes, ATX_HEADING);
        } else {
          // Setext: the text lines are prose, the `===`/`---` underline is syntax.
          prose(w, node, first, last - 1, 'heading', quotes, 0);
          fill(c, last, last, 'heading', 'setext-underline');
        }
        if (last > first || w.mdx) walkInline(node, w);
        break;
      case 'blockquote':
        fill(c, first, last, 'blockquote', 'blank');
        enter(node, 'blockquote', quotes + 1);
        break;
      case 'listItem':
        fill(c, first, last, 'list-item', 'no-prose');
        enter(node, 'list-item', quotes);
        break;
      case 'footnoteDefinition':
        // The `[^label]:` marker ends up in the prefix of the first line; the note's text is prose.
        fill(c, first, last, 'footnote-definition', 'footnote-definition');
        enter(node, 'footnote-definition', quotes);
        break;
      case 'mdxJsxFlowElement':
        fill(c, first, last, 'jsx', 'jsx');
        // Text on the same line as an opening or closing tag cannot be edited without touching the tag.
        enter(node, container, quotes, () => {
          fill(c, first, first, 'jsx', 'jsx');
          fill(c, last, last, 'jsx', 'jsx');
        });
        break;
      default:
        if (node.children) {
          enter(node, container, quotes);
        } else {
          fill(c, first, last, container, 'no-prose');
        }
    }
  }
}

/** Marks indented code lines, and records fences whose info string names a MyST directive. */
function noteCode(w: Walk, node: MdNode, first: number, last: number, quotes: number): void {
  const start = node.position?.start;
  const at = start?.offset ?? -1;
  const fence = at >= 0 ? w.text.charCodeAt(at) : 0;
  if (fence !== 96 && fence !== 126) {
    // Neither ` nor ~ where the node starts: an indented code block.
    for (let i = first; i <= last; i++) w.classes.flags[i] = INDENTED_CODE;
    return;
  }
  const name = typeof node.lang === 'string' ? DIRECTIVE_LANG.exec(node.lang)?.[1] : undefined;
  if (name === undefined || !start || start.line - 1 !== first) return;
  w.classes.directiveFences.push({ first, last, name, indent: start.column - 1, quotes });
}

function isFirstParagraph(item: MdNode, paragraph: MdNode): boolean {
  for (const child of item.children ?? []) {
    if (child.type === 'paragraph') return child === paragraph;
  }
  return false;
}

function prose(
  w: Walk,
  node: MdNode,
  first: number,
  last: number,
  kind: LineKind,
  quotes: number,
  flags: number,
): void {
  const c = w.classes;
  c.blockCount += 1;
  for (let i = first; i <= last; i++) {
    c.kind[i] = kind;
    c.state[i] = PROSE;
    c.block[i] = c.blockCount;
    c.nodeStart[i] = -1;
    c.quoteDepth[i] = quotes;
    c.flags[i] = i < last ? CONTINUED : 0;
    c.inlineReason[i] = undefined;
  }
  const start = node.position?.start;
  // Only when the node really starts on this line (see the setext/definition case in walkBlocks).
  if (start && start.line - 1 === first) c.nodeStart[first] = start.offset ?? -1;
  c.flags[first]! |= flags;
}

function walkInline(paragraph: MdNode, w: Walk): void {
  // In document order: the first reason a line gets stays.
  walkPreOrder(paragraph, (node) => {
    const reason = MULTILINE_INLINE[node.type];
    if (reason !== undefined && node.position) {
      const first = node.position.start.line - 1;
      const last = node.position.end.line - 1;
      // MDX expressions are placeholders, like template syntax: never edited, even on one line.
      if (last > first || node.type === 'mdxTextExpression') {
        freezeInline(w.classes, first, last, reason);
        return false;
      }
    }
    return true;
  });
}
