// The remark processors, built once per process: creating and freezing a processor costs more than
// parsing a small file, and split() runs on every file of every push.
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { isMdxPath } from './version.js';

export { isMdxPath } from './version.js';

/** The part of an mdast node the splitter reads; mdast's own types need every extension's augmentation. */
export interface MdNode {
  readonly type: string;
  readonly position?: {
    readonly start: { readonly line: number; readonly column: number; readonly offset?: number };
    readonly end: { readonly line: number; readonly column: number; readonly offset?: number };
  };
  readonly children?: readonly MdNode[];
  /** GFM task list items: `true`/`false` when the item starts with a checkbox. */
  readonly checked?: boolean | null;
}

const markdownProcessor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkMath)
  .freeze();

// remark-mdx fails on ordinary markdown (`<` and `{` are syntax), so it is only used for `.mdx`.
const mdxProcessor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml', 'toml'])
  .use(remarkMath)
  .use(remarkMdx)
  .freeze();

/** Parses markdown (or MDX, by extension). Throws the parser's VFileMessage on an MDX syntax error. */
export function parseMarkdown(text: string, path: string): MdNode {
  const processor = isMdxPath(path) ? mdxProcessor : markdownProcessor;
  return processor.parse(text) as unknown as MdNode;
}
