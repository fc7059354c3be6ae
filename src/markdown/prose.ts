// Line-level decisions for prose lines: where the syntax prefix ends and the suffix starts, and whether
// the text is worth sending (templates, lines without words). Character scans on one line at a time.
import { ATX_HEADING, CONTINUED, FIELD_ITEM, TASK_ITEM } from './classify.js';
import type { FrozenReason } from './types.js';

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const GT = 62;
const BACKSLASH = 92;
const CLOSE_BRACE = 125;
const COLON = 58;

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

export interface ProseSpan {
  /** Offset where the editable text starts (end of the prefix). */
  readonly start: number;
  /** Offset where the suffix starts. */
  readonly end: number;
}

const ATTRIBUTE = String.raw`(?:[.#][\w-]+|[A-Za-z_][\w:-]*(?:=(?:"[^"]*"|'[^']*'|[^\s"'}]+))?)`;
/**
 * An attribute list (Python-Markdown attr_list, kramdown, Goldmark, Docusaurus heading ids): `{ .class }`,
 * `{: #id }`, `{ #id data-toc-label="x" }`, `{ data-preview }`.
 */
export const ATTRIBUTE_LIST = new RegExp(String.raw`^\{:?[ \t]*${ATTRIBUTE}(?:[ \t]+${ATTRIBUTE})*[ \t]*\}$`);

/**
 * Finds the text of a prose line between `lineStart` and `contentEnd`.
 * `nodeStart` is the parser's start of the paragraph or heading on its first line, -1 on later lines,
 * whose prefix is indentation and up to `quotes` blockquote markers (list continuation is indentation).
 * With `dialects` (markdown, not MDX), Python-Markdown's and MyST's line syntax stays out of the text: a
 * definition list marker starting the line (`:   The definition`) goes to the prefix, an attribute list
 * ending it (`## Title { #id }`) to the suffix.
 */
export function proseSpan(
  text: string,
  lineStart: number,
  contentEnd: number,
  nodeStart: number,
  quotes: number,
  flags: number,
  dialects = false,
): ProseSpan {
  let p: number;
  if (nodeStart >= lineStart && nodeStart <= contentEnd) {
    p = nodeStart;
    if (flags & ATX_HEADING) {
      while (p < contentEnd && text.charCodeAt(p) === HASH) p++;
    }
  } else if (nodeStart !== -1) {
    // The node's recorded start is past this line: remark moves a task item's paragraph start over the
    // checkbox and its following whitespace, even when that is the line ending (`- [x]\nText`).
    // Everything on this line is then syntax.
    return { start: contentEnd, end: contentEnd };
  } else {
    p = lineStart;
    for (let q = 0; q < quotes; q++) {
      let r = p;
      while (r < contentEnd && isBlank(text.charCodeAt(r))) r++;
      if (r >= contentEnd || text.charCodeAt(r) !== GT) break;
      p = r + 1;
    }
  }
  while (p < contentEnd && isBlank(text.charCodeAt(p))) p++;
  if (flags & TASK_ITEM && isCheckbox(text, p, contentEnd)) {
    p += 3;
    while (p < contentEnd && isBlank(text.charCodeAt(p))) p++;
  }
  if (dialects && text.charCodeAt(p) === COLON)
    p = afterLineMarker(text, p, contentEnd, (flags & FIELD_ITEM) !== 0);
  if (dialects) p = afterComments(text, p, contentEnd);

  let s = contentEnd;
  while (s > p && isBlank(text.charCodeAt(s - 1))) s--;
  if (flags & ATX_HEADING) {
    // A closing sequence is `#`s preceded by a space or tab (or nothing but the opening).
    let q = s;
    while (q > p && text.charCodeAt(q - 1) === HASH) q--;
    if (q < s && (q === p || isBlank(text.charCodeAt(q - 1)))) {
      s = q;
      while (s > p && isBlank(text.charCodeAt(s - 1))) s--;
    }
  }
  if (dialects) s = beforeComments(text, p, s);
  if (dialects && s > p && text.charCodeAt(s - 1) === CLOSE_BRACE) {
    const open = text.lastIndexOf('{', s - 1);
    if (open > p && ATTRIBUTE_LIST.test(text.slice(open, s))) {
      s = open;
      while (s > p && isBlank(text.charCodeAt(s - 1))) s--;
      return { start: p, end: s };
    }
  }
  if (
    !(flags & ATX_HEADING) &&
    flags & CONTINUED &&
    s === contentEnd &&
    s > p &&
    text.charCodeAt(s - 1) === BACKSLASH
  ) {
    // A backslash hard break: an odd run of backslashes at the very end (an even run is escaped backslashes).
    let q = s;
    while (q > p && text.charCodeAt(q - 1) === BACKSLASH) q--;
    if ((s - q) % 2 === 1) s -= 1;
  }
  return { start: p, end: s };
}

/** A MyST field list name starting a line: `:name: text`, `:field name: text`. */
const FIELD_NAME = /^:[\w.+-]+(?: [\w.+-]+)*:(?=[ \t])/;

/** Whether the text at `p` starts with a field name (`:name: `); an icon shortcode has the same shape. */
export function startsWithFieldName(text: string, p: number, contentEnd: number): boolean {
  return FIELD_NAME.test(text.slice(p, Math.min(contentEnd, p + 200)));
}

/**
 * Past a definition list marker (`:   The definition`, Python-Markdown def_list, MyST deflist) or, when
 * `field`, a field list name (`:name: text`, MyST fieldlist) at `p`, when text follows; otherwise `p`.
 */
export function afterLineMarker(text: string, p: number, contentEnd: number, field = false): number {
  let q = p + 1;
  if (!isBlank(text.charCodeAt(q))) {
    if (!field) return p;
    const name = FIELD_NAME.exec(text.slice(p, Math.min(contentEnd, p + 200)));
    if (!name) return p;
    q = p + name[0].length;
  }
  while (q < contentEnd && isBlank(text.charCodeAt(q))) q++;
  return q < contentEnd ? q : p;
}

/**
 * Past HTML comments (and the blanks after them) that start the text, such as MkDocs Material's
 * `<!-- md:version 9.0 -->` annotations in headings, when text follows them; otherwise `p`.
 */
function afterComments(text: string, p: number, contentEnd: number): number {
  let q = p;
  while (text.startsWith('<!--', q)) {
    const close = text.indexOf('-->', q + 4);
    if (close < 0 || close + 3 > contentEnd) break;
    let r = close + 3;
    while (r < contentEnd && isBlank(text.charCodeAt(r))) r++;
    if (r >= contentEnd) break;
    q = r;
  }
  return q;
}

/** Before HTML comments (and the blanks before them) that end the text at `s`, when text precedes them. */
function beforeComments(text: string, p: number, s: number): number {
  let e = s;
  while (e - 3 >= p && text.startsWith('-->', e - 3)) {
    const open = text.lastIndexOf('<!--', e - 3);
    if (open <= p || text.indexOf('-->', open + 4) !== e - 3) break;
    let r = open;
    while (r > p && isBlank(text.charCodeAt(r - 1))) r--;
    if (r <= p) break;
    e = r;
  }
  return e;
}

function isCheckbox(text: string, p: number, end: number): boolean {
  if (p + 3 > end || text.charCodeAt(p) !== 91 || text.charCodeAt(p + 2) !== 93) return false;
  const mark = text.charCodeAt(p + 1);
  if (mark !== SPACE && mark !== 120 && mark !== 88) return false;
  return p + 3 === end || isBlank(text.charCodeAt(p + 3));
}

const CODE_SPAN = /(`+)[^`]*?\1/g;
const TEMPLATE = /\{\{|\}\}|\{%|%\}|\{#.*#\}/;
const LETTER = /\p{L}/u;
const DISPLAY_MATH = /\$\$[\s\S]*?\$\$/g;
/** GitHub alert markers (`> [!NOTE]`). */
const ALERT = /^\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]$/i;
/** Images, HTML tags, link destinations, character references, icon and emoji shortcodes (`:tada:`). */
const NOT_PROSE =
  /!\[[^\]]*\]\([^)]*\)|<[^>]*>|\]\([^)]*\)|&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);|(?<![\w:]):[a-z\d_+-]+:(?![\w:])/gi;

/** Why an extracted prose text is not sent after all, or undefined when it is editable. */
export function proseVerdict(
  text: string,
  maxLineLength: number,
  lineLength: number,
): FrozenReason | undefined {
  if (lineLength > maxLineLength) return 'line-too-long';
  if (text.includes('$$') && isDisplayMath(text)) return 'math';
  if (isTemplate(text)) return 'template';
  if (!hasWords(text)) return 'no-prose';
  return undefined;
}

/**
 * Display math written on one line (`$$ x^2 $$`): remark-math sees inline math in a paragraph, but the
 * line is nothing else. True when nothing with letters is left outside the `$$ ... $$` spans.
 */
export function isDisplayMath(text: string): boolean {
  const rest = text.replace(DISPLAY_MATH, '');
  return rest.length < text.length && !LETTER.test(rest);
}

/**
 * Template syntax (`{{ }}`, `{% %}`, Hugo `{{< >}}`/`{{% %}}`, mdBook `{{#include}}`, Jinja `{# #}`) and
 * GitHub alert markers (`[!NOTE]`). Placeholders inside code spans are quoted examples, not templates.
 * (`:::` container lines are dialect syntax: dialects.ts.)
 */
export function isTemplate(text: string): boolean {
  if (ALERT.test(text)) return true;
  if (!text.includes('{') && !text.includes('}')) return false;
  const outsideCode = text.includes('`') ? text.replace(CODE_SPAN, '') : text;
  return TEMPLATE.test(outsideCode);
}

/** A line whose only letters are in images, HTML tags or link destinations has nothing to copy-edit. */
export function hasWords(text: string): boolean {
  if (!LETTER.test(text)) return false;
  if (!text.includes('<') && !text.includes('](') && !text.includes(':') && !text.includes('&')) return true;
  return LETTER.test(text.replace(NOT_PROSE, ''));
}

/** Paired template tags whose content is raw (not markdown): every line between them is frozen. */
const RAW_OPEN = /\{\{<\s*([\w-]+)[^}]*?(\/)?\s*>\}\}|\{%-?\s*(raw|highlight|comment|capture)\b/g;
const RAW_CLOSE = /\{\{<\s*\/\s*([\w-]+)\s*>\}\}|\{%-?\s*end(raw|highlight|comment|capture)\b/g;

export interface RawTemplateLine {
  readonly index: number;
  readonly text: string;
}

/**
 * Ranges of lines enclosed by paired raw-content templates: Hugo `{{< name >}} ... {{< /name >}}` (its
 * inner content is not rendered as markdown, e.g. `code-toggle` holds TOML) and Liquid `raw`/`highlight`/
 * `comment`/`capture` blocks. Input: template lines in document order.
 */
export function rawTemplateRanges(lines: readonly RawTemplateLine[]): [number, number][] {
  const open: { name: string; index: number }[] = [];
  const ranges: [number, number][] = [];
  for (const line of lines) {
    const events: { at: number; name: string; close: boolean }[] = [];
    for (const m of line.text.matchAll(RAW_OPEN)) {
      if (m[2] === '/') continue; // self-closing `{{< name />}}`
      events.push({ at: m.index, name: m[1] ?? m[3] ?? '', close: false });
    }
    for (const m of line.text.matchAll(RAW_CLOSE)) {
      events.push({ at: m.index, name: m[1] ?? m[2] ?? '', close: true });
    }
    events.sort((a, b) => a.at - b.at);
    for (const event of events) {
      if (!event.close) {
        open.push({ name: event.name, index: line.index });
        continue;
      }
      const at = open.findLastIndex((o) => o.name === event.name);
      if (at === -1) continue;
      const opener = open[at]!;
      open.length = at;
      if (line.index > opener.index + 1) ranges.push([opener.index + 1, line.index - 1]);
    }
  }
  return ranges;
}
