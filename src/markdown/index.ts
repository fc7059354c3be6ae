// The markdown line model: split a file into line units, join them back, compare block structure.
//
// Rules the rest of docs-fix relies on:
// - Every source line is one LineUnit; prefix + text + suffix is exactly its bytes (line ending in the
//   suffix; a BOM is outside every unit). join(split(x), none) is byte-identical for every input.
// - Editable: prose lines of paragraphs, headings (ATX; setext text lines), list items, blockquotes,
//   footnote definitions (the `[^label]:` marker is prefix, the note's text is prose) and prose inside
//   MDX JSX elements. Text never starts or ends with whitespace.
// - Frozen with a reason: code, html, front matter, math, definitions, thematic breaks, table rows, MDX
//   ESM/JSX/expressions, blank lines, templates, setext underlines, lines without letters (`no-prose`),
//   lines touched by an inline node spanning lines (HTML, code span, math, JSX), lines the next line
//   could turn into a table header (`structure-risk`) and lines over maxLineLength (`line-too-long`).
// - Replacing editable texts with plain prose (non-empty, starting with a letter, no markdown syntax)
//   keeps blockSignature(); checked on the CommonMark spec, fast-check inputs and ../shared/corpus.
//   Anything else a model writes must pass admission control, which compares blockSignature().
export { split, parserFor, DEFAULT_MAX_LINE_LENGTH, SPLITTER_VERSION } from './split.js';
export { join, LineReplacementError } from './join.js';
export { blockSignature } from './signature.js';
export { DEFAULT_MAX_BYTES } from './decode.js';
export * from './types.js';
