// The markdown model: split a file into source lines and prose units, join them back, compare block structure.
//
// Rules the rest of docs-fix relies on:
// - Every source line is one SourceLine; prefix + text + suffix is exactly its bytes (line ending in the
//   suffix; a BOM is outside every line). join(split(x), none) is byte-identical for every input.
// - The editable lines of one paragraph or heading that follow each other form one ProseUnit (what the model
//   edits and the cache keys); a frozen line inside a paragraph splits it. Units are rebuilt from the lines'
//   `unit` numbers by unitsOf(), so the lines stay the single source of truth.
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
export { join, joinUnits, LineReplacementError, unitLineReplacements } from './join.js';
export { blockSignature } from './signature.js';
export { lineUnits, UNIT_LINE_SEPARATOR, unitLines, unitsOf, unitText } from './units.js';
export { DEFAULT_MAX_BYTES } from './decode.js';
export * from './types.js';
