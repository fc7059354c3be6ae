// split(): bytes -> line units. Decode (or skip), parse once, classify lines from the block tree, then cut
// each prose line into prefix/text/suffix.
import { classifyLines, CONTINUED, PROSE, type LineClasses } from './classify.js';
import { decodeSource, DEFAULT_MAX_BYTES } from './decode.js';
import { lineTable, type LineTable } from './lines.js';
import { parseMarkdown, type MdNode } from './parse.js';
import { proseSpan, proseVerdict, rawTemplateRanges, type RawTemplateLine } from './prose.js';
import { rememberSignature } from './signature.js';
import type {
  FrozenReason,
  LineKind,
  MarkdownDocument,
  ProseUnit,
  SkippedFile,
  SourceLine,
  SplitOptions,
} from './types.js';
import { assignUnits } from './units.js';
import { isMdxPath } from './version.js';

export { parserFor, SPLITTER_VERSION } from './version.js';

export const DEFAULT_MAX_LINE_LENGTH = 2000;

/** States of lines that only a container (or nothing) covers: blank ones among them are blank lines. */
const CONTAINER_STATES: ReadonlySet<FrozenReason | undefined> = new Set([
  undefined,
  'no-prose',
  'blank',
  'footnote-definition',
  'jsx',
]);

interface MutableLine {
  index: number;
  line: number;
  prefix: string;
  text: string;
  suffix: string;
  kind: LineKind;
  editable: boolean;
  reason?: FrozenReason;
  unit?: number;
}

export function split(input: Uint8Array | string, opts: SplitOptions): MarkdownDocument {
  const path = opts.path;
  const decoded = decodeSource(input, path, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  if (decoded.skipped)
    return { path, source: decoded.source, bom: false, lines: [], units: [], skipped: decoded.skipped };
  const { source, text, bom } = decoded;

  const parsed = parse(text, path);
  if ('reason' in parsed) return { path, source, bom, lines: [], units: [], skipped: parsed };

  const blockSignature = rememberSignature(text, path, parsed);
  const table = lineTable(text);
  const classes = classifyLines(parsed, table.count, isMdxPath(path));
  const { lines, units } = toLines(text, table, classes, opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH);
  return { path, source, bom, lines, units, blockSignature };
}

function parse(text: string, path: string): MdNode | SkippedFile {
  try {
    return parseMarkdown(text, path);
  } catch (err) {
    // remark-mdx reports syntax errors as a VFileMessage with a place; anything else (e.g. a stack
    // overflow on absurd nesting) is still a reason to leave the file alone, not to fail the run.
    const e = err as { line?: number; column?: number; reason?: string; message?: string };
    const line = typeof e.line === 'number' ? e.line : undefined;
    const column = typeof e.column === 'number' ? e.column : undefined;
    const reason = e.reason ?? e.message ?? String(err);
    const where = line !== undefined ? `:${line}:${column ?? 1}` : '';
    return { reason: 'parse-error', message: `${path}${where}: ${reason}`, line, column };
  }
}

function toLines(
  text: string,
  table: LineTable,
  classes: LineClasses,
  maxLineLength: number,
): { lines: SourceLine[]; units: ProseUnit[] } {
  const lines: MutableLine[] = new Array<MutableLine>(table.count);
  let templateLines: RawTemplateLine[] | undefined;
  for (let i = 0; i < table.count; i++) {
    const lineStart = table.start[i]!;
    const contentEnd = table.end[i]!;
    const next = table.next[i]!;
    const state = classes.state[i];
    let kind = classes.kind[i]!;
    if (state !== PROSE) {
      let reason: FrozenReason = state ?? 'no-prose';
      if (CONTAINER_STATES.has(state) && isBlankLine(text, lineStart, contentEnd)) {
        reason = 'blank';
        if (kind !== 'blockquote') kind = 'blank';
      }
      lines[i] = frozenLine(i, text.slice(lineStart, contentEnd), text.slice(contentEnd, next), kind, reason);
      continue;
    }
    const flags = classes.flags[i]!;
    const span = proseSpan(text, lineStart, contentEnd, classes.nodeStart[i]!, classes.quoteDepth[i]!, flags);
    const prose = text.slice(span.start, span.end);
    let reason: FrozenReason | undefined =
      span.end <= span.start
        ? 'no-prose'
        : (classes.inlineReason[i] ?? proseVerdict(prose, maxLineLength, contentEnd - lineStart));
    if (reason === undefined && flags & CONTINUED && nextIsDelimiterRow(text, table, i + 1)) {
      reason = 'structure-risk';
    }
    const unit: MutableLine = {
      index: i,
      line: i + 1,
      prefix: text.slice(lineStart, span.start),
      text: prose,
      suffix: text.slice(span.end, next),
      kind,
      editable: reason === undefined,
    };
    if (reason !== undefined) unit.reason = reason;
    if (reason === 'template') (templateLines ??= []).push({ index: i, text: prose });
    lines[i] = unit;
  }
  if (templateLines) freezeRawTemplates(lines, templateLines);
  return { lines, units: assignUnits(lines, (i) => classes.block[i]!) };
}

function frozenLine(
  index: number,
  content: string,
  ending: string,
  kind: LineKind,
  reason: FrozenReason,
): MutableLine {
  return { index, line: index + 1, prefix: '', text: content, suffix: ending, kind, editable: false, reason };
}

function freezeRawTemplates(lines: MutableLine[], templateLines: RawTemplateLine[]): void {
  for (const [first, last] of rawTemplateRanges(templateLines)) {
    for (let i = first; i <= last; i++) {
      const line = lines[i]!;
      if (line.editable || line.reason === 'no-prose') {
        line.editable = false;
        line.reason = 'template';
      }
    }
  }
}

function isBlankLine(text: string, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    const code = text.charCodeAt(p);
    if (code !== 32 && code !== 9 && code !== 62) return false; // space, tab, `>`
  }
  return true;
}

/**
 * A GFM table delimiter row (`|---|:-:|`) under a paragraph line: the line is a table header as soon as
 * its cell count matches, so editing it (adding or removing a `|`) could turn the paragraph into a table.
 */
function nextIsDelimiterRow(text: string, table: LineTable, i: number): boolean {
  if (i >= table.count) return false;
  let dash = false;
  let pipeOrColon = false;
  for (let p = table.start[i]!; p < table.end[i]!; p++) {
    const code = text.charCodeAt(p);
    if (code === 45) dash = true;
    else if (code === 124 || code === 58) pipeOrColon = true;
    else if (code !== 32 && code !== 9 && code !== 62) return false;
  }
  return dash && pipeOrColon;
}
