// Site generators' block syntax that CommonMark does not know, found over the lines remark classified:
// MkDocs admonitions (`!!! note`, `??? note`, `???+ note`) and content tabs (`=== "Tab"`) with their
// 4-space-indented bodies; MyST directives as colon fences (`:::{note}`) and as code fences
// (```` ```{note} ````) with their `:option:` lines; Docusaurus and VitePress containers (`:::tip`,
// `::: warning Title`); attribute-list lines (`{ .class }`), MyST targets (`(label)=`) and comments (`% x`),
// abbreviations (`*[HTML]: ...`). Marker and option lines are frozen as `dialect`. A markdown body is split
// again on its own (dedented) and its lines take the nested classification, so that its paragraphs are
// units and its code stays code; the nested block structure joins the file's block signature, so an edit
// that breaks a body's structure is caught even where remark sees the body as one code block.
import {
  FIELD_ITEM,
  fill,
  INDENTED_CODE,
  PROSE,
  type DirectiveFence,
  type LineClasses,
  type LineState,
} from './classify.js';
import type { LineTable } from './lines.js';
import type { IgnoreComment } from './ignore.js';
import { afterLineMarker, ATTRIBUTE_LIST, proseSpan, startsWithFieldName } from './prose.js';
import type { FrozenReason, LineKind } from './types.js';

/** What the analysis of a nested body gives back (see analyse.ts). */
export interface NestedAnalysis {
  readonly table: LineTable;
  readonly classes: LineClasses;
  readonly signature: readonly string[];
  readonly ignoreComments: readonly IgnoreComment[];
}

export interface DialectResult {
  /** What the containers add to the block signature, in document order. */
  readonly signature: string[];
  /** Ignore comments that only the nested bodies' parses see, on the file's lines. */
  readonly ignoreComments: IgnoreComment[];
}

/** Analyses a dedented body as a document of its own; undefined when it does not parse. */
export type AnalyseNested = (text: string) => NestedAnalysis | undefined;

/** Bodies nested deeper than this stay as remark classified them (frozen code for MkDocs bodies). */
export const MAX_NESTING = 16;

type Family = 'admonition' | 'tab' | 'directive' | 'container' | 'line';
/** How a directive's body is treated: split as markdown, or frozen whole with a reason. */
type BodyTreatment = 'markdown' | readonly [LineKind, FrozenReason];

const SPACE = 32;
const TAB = 9;

/** `!!! note`, `??? note "Title"`, `???+ danger inline end` (Python-Markdown admonition, pymdownx.details). */
const ADMONITION = /^(?:!!!|\?\?\?\+?)[ \t]*[\w-]+(?:[ \t]+[\w-]+)*(?:[ \t]+"(?:.*)")?[ \t]*$/;
/** `=== "Tab"`, `===+ "Selected"`, `===! "New group"` (pymdownx.tabbed). */
const CONTENT_TAB = /^===[!+]{0,2}[ \t]+"(?:.*)"[ \t]*$/;
/** A colon fence: `:::{note} arg`, `:::tip`, `::: warning Title`, `:::` (a closer). */
const COLON_FENCE = /^(:{3,})[ \t]*(.*?)[ \t]*$/;
const MYST_NAME = /^\{([^{}\s]+)\}/;
/** A MyST directive option right after the opener: `:class: tip`. */
const MYST_OPTION = /^:[\w.-]+:(?:[ \t].*)?$/;
const YAML_FENCE = /^---[ \t]*$/;
/** A MyST target before a heading or block: `(syntax/math)=`. */
const MYST_TARGET = /^\([^()\s][^()]*\)=$/;
/** A MyST comment line: `% TODO`. */
const MYST_COMMENT = /^%(?:[ \t]|$)/;
/** An abbreviation definition (Python-Markdown abbr): `*[HTML]: Hyper Text Markup Language`. */
const ABBREVIATION = /^\*\[[^\]]+\]:/;
/** A code fence closing line (after the container's indentation): up to 3 spaces, then ``` or ~~~. */
const FENCE_CLOSER = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/**
 * MyST directives whose body is MyST markdown (parsed with `nested_parse`, per the MyST-Parser docs:
 * admonitions, version notes, topics and sidebars, sphinx-design cards, dropdowns, grids and tabs, figures'
 * captions, `{table}` around a markdown table). Any other directive's body is frozen: code and math
 * directives as code and math; `list-table` and `csv-table` as tables (GFM tables are frozen as well);
 * anything else (toctree, autodoc, unknown extensions, examples that show their own source) as `dialect`.
 */
const MARKDOWN_DIRECTIVES: ReadonlySet<string> = new Set([
  'admonition',
  'attention',
  'caution',
  'danger',
  'error',
  'hint',
  'important',
  'note',
  'seealso',
  'tip',
  'todo',
  'warning',
  'versionadded',
  'versionchanged',
  'versionremoved',
  'deprecated',
  'topic',
  'sidebar',
  'margin',
  'epigraph',
  'highlights',
  'pull-quote',
  'compound',
  'container',
  'div',
  'only',
  'hlist',
  'figure',
  'figure-md',
  'table',
  'card',
  'dropdown',
  'grid',
  'grid-item',
  'grid-item-card',
  'tab-set',
  'tab-item',
]);
const CODE_DIRECTIVES: ReadonlySet<string> = new Set([
  'code',
  'code-block',
  'code-cell',
  'sourcecode',
  'literalinclude',
  'include',
  'eval-rst',
  'eval-md',
  'raw',
  'parsed-literal',
  'mermaid',
  'graphviz',
  'digraph',
  'plantuml',
  'tab-set-code',
]);
const TABLE_DIRECTIVES: ReadonlySet<string> = new Set(['list-table', 'csv-table']);

function directiveBody(name: string): BodyTreatment {
  const key = name.toLowerCase();
  if (MARKDOWN_DIRECTIVES.has(key)) return 'markdown';
  if (CODE_DIRECTIVES.has(key)) return ['code', 'code'];
  if (key === 'math') return ['math', 'math'];
  if (TABLE_DIRECTIVES.has(key)) return ['table-row', 'table'];
  return ['dialect', 'dialect'];
}

/** One container found on the lines: which lines are syntax and which are its body. */
interface Container {
  readonly family: Family;
  /** Marker, option and closing lines (frozen as `dialect`, or as `frozenAs`). */
  readonly syntax: readonly number[];
  readonly frozenAs?: readonly [LineKind, FrozenReason];
  /** First and last line of the body; first > last when there is none. */
  readonly bodyFirst: number;
  readonly bodyLast: number;
  readonly body: BodyTreatment;
  /** Characters each body line loses before it is split on its own (its indentation in the container). */
  readonly strip: readonly number[];
  /** Whether remark's state of a body line allows the nested split to make it prose. */
  readonly accepts: (state: LineState | undefined, flags: number) => boolean;
  /** The line after the container. */
  readonly next: number;
}

interface Scan {
  readonly text: string;
  readonly table: LineTable;
  readonly classes: LineClasses;
  readonly mdx: boolean;
  readonly ignoreComments: IgnoreComment[];
  /** Lazily built by colonLines(). */
  colonLines?: readonly ColonLine[];
  /** Searches for a closer that failed: [colons, opener line, indent] (see findCloser). */
  readonly unclosed: [number, number, number][];
}

/** States of lines a container's body may turn into prose: prose, blank, or covered by a container only. */
function acceptsProse(state: LineState | undefined): boolean {
  return state === PROSE || state === undefined || state === 'blank' || state === 'no-prose';
}

/**
 * Finds the dialect syntax in `classes` (remark's classification of `text`) and rewrites the classification
 * in place: syntax lines frozen, bodies re-split through `nested`.
 */
export function applyDialects(
  text: string,
  table: LineTable,
  classes: LineClasses,
  mdx: boolean,
  depth: number,
  nested: AnalyseNested,
): DialectResult {
  const scan: Scan = { text, table, classes, mdx, ignoreComments: [], unclosed: [] };
  const signature: string[] = [];
  const fences = new Map<number, DirectiveFence>();
  for (const fence of classes.directiveFences) fences.set(fence.first, fence);
  let i = 0;
  while (i < table.count) {
    const state = classes.state[i];
    let container: Container | undefined;
    if (state === 'code') {
      const fence = fences.get(i);
      if (fence) container = directiveFence(scan, fence);
    } else if (state === PROSE && classes.kind[i] !== 'heading') {
      container = lineSyntax(scan, i);
      if (!container && !mdx) splitAtItemMarker(scan, i);
    }
    if (!container) {
      i += 1;
      continue;
    }
    const [kind, reason] = container.frozenAs ?? ['dialect', 'dialect'];
    for (const line of container.syntax) fill(classes, line, line, kind, reason);
    signature.push(`dialect:${container.family}`);
    if (container.family === 'line') {
      i += 1;
      continue;
    }
    // A body that is not split again is scanned as it is, so that markers inside it are still frozen.
    let next = container.bodyFirst;
    if (container.bodyFirst <= container.bodyLast) {
      if (container.body !== 'markdown') {
        for (let b = container.bodyFirst; b <= container.bodyLast; b++) {
          if (isBlankLine(scan, b)) fill(classes, b, b, 'blank', 'blank');
          else fill(classes, b, b, container.body[0], container.body[1]);
        }
        next = container.next;
      } else if (depth < MAX_NESTING) {
        const body = splitBody(scan, container, nested);
        if (body) {
          signature.push(...body);
          next = container.next;
        } else {
          signature.push('parse-error');
        }
      }
    }
    signature.push('dialect:end');
    i = Math.max(i + 1, next);
  }
  return { signature, ignoreComments: scan.ignoreComments };
}

/** Where the prose of line `i` starts (after its container prefix), and its content without trailing blanks. */
function content(scan: Scan, i: number): { start: number; value: string } {
  const { text, table, classes } = scan;
  const lineStart = table.start[i]!;
  const end = table.end[i]!;
  const span = proseSpan(text, lineStart, end, classes.nodeStart[i]!, classes.quoteDepth[i]!, 0, !scan.mdx);
  let stop = end;
  while (stop > span.start && isBlank(text.charCodeAt(stop - 1))) stop--;
  return { start: span.start, value: text.slice(span.start, stop) };
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

function isBlankLine(scan: Scan, i: number): boolean {
  const { text, table } = scan;
  for (let p = table.start[i]!; p < table.end[i]!; p++) if (!isBlank(text.charCodeAt(p))) return false;
  return true;
}

/** Leading spaces of line `i` (tabs stop the count). */
function leadingSpaces(scan: Scan, i: number): number {
  const { text, table } = scan;
  let p = table.start[i]!;
  while (p < table.end[i]! && text.charCodeAt(p) === SPACE) p++;
  return p - table.start[i]!;
}

function onlyIndentedBefore(scan: Scan, i: number, start: number): boolean {
  for (let p = scan.table.start[i]!; p < start; p++) if (!isBlank(scan.text.charCodeAt(p))) return false;
  return true;
}

/** The container prefix of a marker line may only be indentation or a list marker: no quotes, no tabs. */
function plainPrefix(scan: Scan, i: number, start: number): boolean {
  if (scan.classes.quoteDepth[i]! > 0) return false;
  const prefix = scan.text.slice(scan.table.start[i]!, start);
  return !prefix.includes('\t') && !prefix.includes('>');
}

/** A container or a one-line construct starting on prose line `i`. */
function lineSyntax(scan: Scan, i: number): Container | undefined {
  const { start, value } = content(scan, i);
  if (value.length === 0) return undefined;
  const first = value.charCodeAt(0);
  if (first === 33 || first === 63) {
    // `!` or `?`
    if (ADMONITION.test(value)) return indentedContainer(scan, i, start, 'admonition');
  } else if (first === 61) {
    // `=`
    if (CONTENT_TAB.test(value)) return indentedContainer(scan, i, start, 'tab');
  } else if (first === 58) {
    // `:`
    const fence = COLON_FENCE.exec(value);
    if (fence) return colonContainer(scan, i, start, fence[1]!.length, fence[2]!);
  } else if (!scan.mdx) {
    // `{`, `(`, `%`, `*`: one-line constructs of Python-Markdown and MyST (MDX has its own meaning for `{`).
    if (ATTRIBUTE_LIST.test(value) || MYST_TARGET.test(value)) return single(i);
    // A comment starts its line: `* % -> ForEach-Object` is a list item about PowerShell's `%`.
    if (MYST_COMMENT.test(value) && onlyIndentedBefore(scan, i, start)) return single(i);
    if (ABBREVIATION.test(value)) return { ...single(i), frozenAs: ['definition', 'definition'] };
  }
  return undefined;
}

/**
 * A definition (`:   text`, Python-Markdown def_list, MyST deflist, Goldmark) starting a line of a remark
 * paragraph is an item of its own: it starts a new unit, so that a term and its definition are not sent
 * to the model as one sentence. So does each field of a MyST field list (`:name: text`), when the
 * paragraph starts with a field: an icon shortcode starting a wrapped line (`:material-check: Done`) has
 * the same shape, so a field name elsewhere is left to the text.
 */
function splitAtItemMarker(scan: Scan, i: number): void {
  const { text, table, classes } = scan;
  const end = table.end[i]!;
  const colon = text.indexOf(':', table.start[i]!);
  if (colon < 0 || colon >= end) return;
  const p = proseSpan(text, table.start[i]!, end, classes.nodeStart[i]!, classes.quoteDepth[i]!, 0).start;
  if (text.charCodeAt(p) !== 58) return;
  const block = classes.block[i]!;
  if (block === 0) return;
  const first = i === 0 || classes.block[i - 1] !== block;
  if (afterLineMarker(text, p, end) !== p) {
    if (!first) renumberFrom(classes, i, table.count);
    return;
  }
  if (!first || !startsWithFieldName(text, p, end)) return;
  // A field list: every line of the paragraph that starts with a field is a field of its own.
  for (let j = i; j < table.count && classes.block[j] === block; j++) {
    if (classes.state[j] !== PROSE) continue;
    const q = proseSpan(
      text,
      table.start[j]!,
      table.end[j]!,
      classes.nodeStart[j]!,
      classes.quoteDepth[j]!,
      0,
    );
    if (!startsWithFieldName(text, q.start, table.end[j]!)) continue;
    classes.flags[j] = classes.flags[j]! | FIELD_ITEM;
    if (j > i) renumberFrom(classes, j, table.count);
  }
}

/** Gives line `i` and the following lines of its block a new block number (a new unit). */
function renumberFrom(classes: LineClasses, i: number, count: number): void {
  const old = classes.block[i]!;
  classes.blockCount += 1;
  for (let j = i; j < count && classes.block[j] === old; j++) classes.block[j] = classes.blockCount;
}

/** A line that is syntax on its own (no body); it still marks the signature. */
function single(i: number): Container {
  return {
    family: 'line',
    syntax: [i],
    bodyFirst: i + 1,
    bodyLast: i,
    body: 'markdown',
    strip: [],
    accepts: () => false,
    next: i + 1,
  };
}

/**
 * MkDocs admonitions and tabs: the body is every following line that is blank or indented by at least the
 * marker's column + 4 spaces, up to the first line indented less; trailing blank lines are not part of it.
 */
function indentedContainer(scan: Scan, i: number, start: number, family: Family): Container {
  const column = start - scan.table.start[i]!;
  const need = column + 4;
  let last = i;
  let j = i + 1;
  if (plainPrefix(scan, i, start)) {
    for (; j < scan.table.count; j++) {
      if (isBlankLine(scan, j)) continue;
      if (leadingSpaces(scan, j) < need) break;
      last = j;
    }
  }
  const strip: number[] = [];
  for (let b = i + 1; b <= last; b++) strip.push(Math.min(need, leadingSpaces(scan, b)));
  return {
    family,
    syntax: [i],
    bodyFirst: i + 1,
    bodyLast: last,
    body: 'markdown',
    strip,
    // remark sees the body as paragraph continuation lines or, after a blank line, as indented code.
    accepts: (state, flags) => acceptsProse(state) || (state === 'code' && (flags & INDENTED_CODE) !== 0),
    next: last + 1,
  };
}

/**
 * Colon fences (MyST, Docusaurus, VitePress): closed by the first later line of at least as many colons
 * and nothing else, as markdown-it's container and colon-fence plugins do (nesting takes more colons on
 * the outer fence). An opener that is never closed is frozen on its own; so is a stray closer.
 */
function colonContainer(scan: Scan, i: number, start: number, colons: number, rest: string): Container {
  if (rest === '' || !plainPrefix(scan, i, start)) return single(i);
  const indent = start - scan.table.start[i]!;
  const closer = findCloser(scan, i, colons, indent);
  if (closer === -1) return single(i);
  const name = MYST_NAME.exec(rest)?.[1];
  const syntax = [i];
  let bodyFirst = i + 1;
  if (name !== undefined) bodyFirst = skipOptions(scan, bodyFirst, closer - 1, indent, syntax);
  syntax.push(closer);
  const strip: number[] = [];
  for (let b = bodyFirst; b < closer; b++) strip.push(Math.min(indent, leadingSpaces(scan, b)));
  return {
    family: name !== undefined ? 'directive' : 'container',
    syntax,
    bodyFirst,
    bodyLast: closer - 1,
    body: name !== undefined ? directiveBody(name) : 'markdown',
    strip,
    accepts: acceptsProse,
    next: closer + 1,
  };
}

/** A line of nothing but colons (and blanks): `line`, its colons and its leading spaces. */
interface ColonLine {
  readonly line: number;
  readonly colons: number;
  readonly spaces: number;
}

/** Every line that could close a colon fence, in order; built once per document. */
function colonLines(scan: Scan): readonly ColonLine[] {
  if (scan.colonLines) return scan.colonLines;
  const { text, table } = scan;
  const found: ColonLine[] = [];
  for (let j = 0; j < table.count; j++) {
    let p = table.start[j]!;
    const end = table.end[j]!;
    while (p < end && text.charCodeAt(p) === SPACE) p++;
    const spaces = p - table.start[j]!;
    const first = p;
    while (p < end && text.charCodeAt(p) === 58) p++;
    const colons = p - first;
    if (colons < 3) continue;
    while (p < end && isBlank(text.charCodeAt(p))) p++;
    if (p === end) found.push({ line: j, colons, spaces });
  }
  scan.colonLines = found;
  return found;
}

/**
 * The first line after `opener` of at least `colons` colons and nothing else, indented at most 3 spaces
 * more than the opener; -1 when there is none. A failed search is remembered, so that a file of unclosed
 * openers costs one pass, not one per opener.
 */
function findCloser(scan: Scan, opener: number, colons: number, indent: number): number {
  // Fewer colons, an earlier line and more indentation only make a closer easier to find.
  for (const [wanted, from, at] of scan.unclosed) {
    if (wanted <= colons && from <= opener && indent <= at) return -1;
  }
  const lines = colonLines(scan);
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]!.line <= opener) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < lines.length; k++) {
    const candidate = lines[k]!;
    if (candidate.colons >= colons && candidate.spaces - Math.min(candidate.spaces, indent) <= 3) {
      return candidate.line;
    }
  }
  scan.unclosed.push([colons, opener, indent]);
  return -1;
}

/** MyST options right after the opener: `:key: value` lines, or a YAML block between `---` lines. */
function skipOptions(scan: Scan, first: number, last: number, indent: number, syntax: number[]): number {
  const lineAt = (j: number): string => {
    const from = scan.table.start[j]! + Math.min(indent, leadingSpaces(scan, j));
    return scan.text.slice(from, scan.table.end[j]!).trimEnd();
  };
  if (first <= last && YAML_FENCE.test(lineAt(first))) {
    for (let j = first + 1; j <= last; j++) {
      if (!YAML_FENCE.test(lineAt(j))) continue;
      for (let k = first; k <= j; k++) syntax.push(k);
      return j + 1;
    }
    return first;
  }
  let j = first;
  while (j <= last && MYST_OPTION.test(lineAt(j))) syntax.push(j++);
  return j;
}

/** ```` ```{name} ```` fences: remark already froze them as code; only markdown bodies are opened up. */
function directiveFence(scan: Scan, fence: DirectiveFence): Container | undefined {
  const body = directiveBody(fence.name);
  if (body !== 'markdown' || fence.quotes > 0) return undefined;
  const { first, last, indent } = fence;
  const stripped = (j: number): string =>
    scan.text.slice(scan.table.start[j]! + Math.min(indent, leadingSpaces(scan, j)), scan.table.end[j]!);
  const closed = last > first && FENCE_CLOSER.test(stripped(last));
  const bodyLast = closed ? last - 1 : last;
  const syntax = [first];
  const bodyFirst = skipOptions(scan, first + 1, bodyLast, indent, syntax);
  if (closed) syntax.push(last);
  const strip: number[] = [];
  for (let b = bodyFirst; b <= bodyLast; b++) strip.push(Math.min(indent, leadingSpaces(scan, b)));
  return {
    family: 'directive',
    syntax,
    bodyFirst,
    bodyLast,
    body,
    strip,
    // Every body line is inside the directive's own code block for remark.
    accepts: () => true,
    next: last + 1,
  };
}

/**
 * Splits a container's body on its own and maps the nested classification back onto the file's lines.
 * Returns the nested signature, or undefined when the body does not parse (its lines then stay as remark
 * classified them).
 */
function splitBody(scan: Scan, container: Container, nested: AnalyseNested): string[] | undefined {
  const { text, table, classes } = scan;
  const { bodyFirst, bodyLast, strip } = container;
  const parts: string[] = [];
  for (let b = bodyFirst; b <= bodyLast; b++) {
    parts.push(text.slice(table.start[b]! + strip[b - bodyFirst]!, table.next[b]!));
  }
  const inner = nested(parts.join(''));
  if (!inner) return undefined;
  const n = inner.classes;
  const blockBase = classes.blockCount;
  for (let b = bodyFirst; b <= bodyLast; b++) {
    const j = b - bodyFirst;
    const state = n.state[j];
    if (state === PROSE && !container.accepts(classes.state[b], classes.flags[b]!)) continue;
    classes.kind[b] = n.kind[j]!;
    classes.state[b] = state;
    classes.quoteDepth[b] = n.quoteDepth[j]!;
    classes.flags[b] = state === PROSE ? n.flags[j]! : 0;
    classes.inlineReason[b] = n.inlineReason[j];
    classes.block[b] = n.block[j]! > 0 ? n.block[j]! + blockBase : 0;
    const nodeStart = n.nodeStart[j]!;
    classes.nodeStart[b] =
      nodeStart < 0 ? -1 : table.start[b]! + strip[j]! + (nodeStart - inner.table.start[j]!);
  }
  classes.blockCount += n.blockCount;
  for (const comment of inner.ignoreComments) {
    const j = comment.line;
    const b = j + bodyFirst;
    const offset = table.start[b]! + strip[j]! + (comment.offset - inner.table.start[j]!);
    scan.ignoreComments.push({ ...comment, line: b, offset });
  }
  return [...inner.signature];
}
