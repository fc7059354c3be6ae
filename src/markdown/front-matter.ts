// Front matter that remark-frontmatter does not see.
import type { LineClasses } from './classify.js';
import type { LineTable } from './lines.js';

const FENCE = /^(---|\+\+\+)[ \t]*$/;

/**
 * Hugo and Zola accept blank lines before the front matter (`\n+++\ntitle = "x"\n+++`); remark-frontmatter
 * only looks at the first line, so it sees a thematic break or a paragraph and a setext heading. The fenced
 * block is frozen as front matter here.
 */
export function freezeLateFrontMatter(text: string, table: LineTable, c: LineClasses): void {
  let open = 0;
  while (open < table.count && text.slice(table.start[open]!, table.end[open]!).trim() === '') open++;
  if (open === 0 || open >= table.count) return;
  const fence = FENCE.exec(text.slice(table.start[open]!, table.end[open]!))?.[1];
  if (fence === undefined) return;
  let close = open + 1;
  while (
    close < table.count &&
    FENCE.exec(text.slice(table.start[close]!, table.end[close]!))?.[1] !== fence
  ) {
    close++;
  }
  if (close >= table.count) return;
  for (let i = open; i <= close; i++) {
    c.kind[i] = 'front-matter';
    c.state[i] = 'front-matter';
    c.nodeStart[i] = -1;
    c.flags[i] = 0;
    c.inlineReason[i] = undefined;
    c.block[i] = 0;
  }
}
