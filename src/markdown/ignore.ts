// Ignore comments, as markdownlint and Vale users write them: `<!-- docs-fix-disable -->` ...
// `<!-- docs-fix-enable -->` and `<!-- docs-fix-disable-next-line -->` (in MDX, `{/* docs-fix-disable */}`).
// Only real comments count: the same text in a code block or a code span documents the feature.
import type { MdNode } from './parse.js';
import type { FrozenReason } from './types.js';

export type IgnoreAction = 'disable' | 'enable' | 'disable-next-line';

export interface IgnoreComment {
  /** 0-based line the comment starts on (for `disable-next-line`: the line it ends on). */
  readonly line: number;
  /** Offset of the comment in the text (orders several comments on one line). */
  readonly offset: number;
  readonly action: IgnoreAction;
}

const HTML_COMMENT = /<!--\s*docs-fix-(disable-next-line|disable|enable)(?=\s|-->)[\s\S]*?-->/g;
const MDX_COMMENT = /^\s*\/\*\s*docs-fix-(disable-next-line|disable|enable)(?=\s|\*\/)[\s\S]*?\*\/\s*$/;
const LINE_BREAK = /\r\n|\r|\n/g;
const MARKER = 'docs-fix-';

/** The ignore comments in a parsed tree: HTML nodes (block or inline) and, in MDX, comment expressions. */
export function findIgnoreComments(root: MdNode, text: string, mdx: boolean): IgnoreComment[] {
  if (!text.includes(MARKER)) return [];
  const found: IgnoreComment[] = [];
  const stack: MdNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.children) for (const child of node.children) stack.push(child);
    const value = node.value;
    const start = node.position?.start;
    if (value === undefined || !start || !value.includes(MARKER)) continue;
    if (node.type === 'html') {
      for (const m of value.matchAll(HTML_COMMENT)) {
        const action = m[1] as IgnoreAction;
        const upTo = action === 'disable-next-line' ? m.index + m[0].length : m.index;
        const breaks = value.slice(0, upTo).match(LINE_BREAK)?.length ?? 0;
        found.push({ line: start.line - 1 + breaks, offset: (start.offset ?? 0) + m.index, action });
      }
    } else if (mdx && (node.type === 'mdxFlowExpression' || node.type === 'mdxTextExpression')) {
      const m = MDX_COMMENT.exec(value);
      if (!m) continue;
      const action = m[1] as IgnoreAction;
      const breaks = action === 'disable-next-line' ? (value.match(LINE_BREAK)?.length ?? 0) : 0;
      found.push({ line: start.line - 1 + breaks, offset: start.offset ?? 0, action });
    }
  }
  return found.sort((a, b) => a.line - b.line || a.offset - b.offset);
}

interface IgnorableLine {
  readonly index: number;
  editable: boolean;
  reason?: FrozenReason;
}

/**
 * Freezes editable lines as `disabled`: every line after `docs-fix-disable` up to `docs-fix-enable` (the
 * comment's own line included, as in markdownlint; to the end of the file when never re-enabled), the next
 * non-blank line after `docs-fix-disable-next-line` (markdownlint takes the very next line; docs-fix skips
 * blank lines, so that the comment still works after a formatter put a blank line under it), and every
 * line when the front matter says `docs-fix: false`. docs-fix edits whole paragraphs, so a paragraph or
 * heading (`blockOf`) that is partly disabled is disabled whole: the rest would reach the model as a
 * sentence fragment. Lines frozen for another reason keep it.
 */
export function applyIgnoreComments(
  lines: IgnorableLine[],
  comments: readonly IgnoreComment[],
  fileDisabled: boolean,
  blockOf: (index: number) => number,
): void {
  const disable = (line: IgnorableLine): void => {
    if (!line.editable) return;
    line.editable = false;
    line.reason = 'disabled';
  };
  if (fileDisabled) {
    for (const line of lines) disable(line);
    return;
  }
  if (comments.length === 0) return;
  const blocks = new Set<number>();
  const hit = (line: IgnorableLine): void => {
    if (!line.editable) return;
    disable(line);
    const block = blockOf(line.index);
    if (block !== 0) blocks.add(block);
  };
  let off = false;
  let nextLine = false;
  let k = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (nextLine && line.reason !== 'blank') {
      hit(line);
      nextLine = false;
    }
    for (; k < comments.length && comments[k]!.line === i; k++) {
      const action = comments[k]!.action;
      if (action === 'disable') off = true;
      else if (action === 'enable') off = false;
      else nextLine = true;
    }
    if (off) hit(line);
  }
  if (blocks.size === 0) return;
  for (const line of lines) if (blocks.has(blockOf(line.index))) disable(line);
}
