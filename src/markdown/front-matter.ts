// Front matter that remark-frontmatter does not see, and the `docs-fix: false` switch inside front matter.
import type { LineClasses } from './classify.js';
import type { LineTable } from './lines.js';
import type { MdNode } from './parse.js';

/** `docs-fix: false` (YAML) as a top-level key; the key may be quoted. */
const YAML_OFF = /^(?:docs-fix|"docs-fix"|'docs-fix')[ \t]*:[ \t]*false[ \t]*(?:#.*)?$/m;
/** `docs-fix = false` (TOML) as a top-level key; the key may be quoted. */
const TOML_OFF = /^(?:docs-fix|"docs-fix"|'docs-fix')[ \t]*=[ \t]*false[ \t]*(?:#.*)?$/m;
const FENCE = /^(---|\+\+\+)[ \t]*$/;

/** Whether front matter text (without its fences) switches docs-fix off for the file. */
export function frontMatterDisables(value: string, format: 'yaml' | 'toml'): boolean {
  return (format === 'yaml' ? YAML_OFF : TOML_OFF).test(value);
}

/** The front matter remark found at the top of the file (its first node), if it says `docs-fix: false`. */
export function treeFrontMatterDisables(root: MdNode): boolean {
  const first = root.children?.[0];
  if (!first || (first.type !== 'yaml' && first.type !== 'toml')) return false;
  return frontMatterDisables(first.value ?? '', first.type);
}

/**
 * Hugo and Zola accept blank lines before the front matter (`\n+++\ntitle = "x"\n+++`); remark-frontmatter
 * only looks at the first line, so it sees a thematic break or a paragraph and a setext heading. The fenced
 * block is frozen as front matter here. Returns whether it says `docs-fix: false`; undefined when the file
 * has no such block.
 */
export function freezeLateFrontMatter(text: string, table: LineTable, c: LineClasses): boolean | undefined {
  let open = 0;
  while (open < table.count && text.slice(table.start[open]!, table.end[open]!).trim() === '') open++;
  if (open === 0 || open >= table.count) return undefined;
  const fence = FENCE.exec(text.slice(table.start[open]!, table.end[open]!))?.[1];
  if (fence === undefined) return undefined;
  let close = open + 1;
  while (
    close < table.count &&
    FENCE.exec(text.slice(table.start[close]!, table.end[close]!))?.[1] !== fence
  ) {
    close++;
  }
  if (close >= table.count) return undefined;
  for (let i = open; i <= close; i++) {
    c.kind[i] = 'front-matter';
    c.state[i] = 'front-matter';
    c.nodeStart[i] = -1;
    c.flags[i] = 0;
    c.inlineReason[i] = undefined;
    c.block[i] = 0;
  }
  const body = text.slice(table.next[open]!, table.start[close]!);
  return frontMatterDisables(body, fence === '+++' ? 'toml' : 'yaml');
}
