// join(): line units (with some texts replaced) -> bytes.
import type { MarkdownDocument, Replacements } from './types.js';

const encoder = new TextEncoder();

/** A replacement that would break the line model: a programming error in the caller, never user input. */
export class LineReplacementError extends Error {
  readonly code = 'LINE_REPLACEMENT_INVALID';
  constructor(
    readonly path: string,
    readonly index: number,
    what: string,
  ) {
    super(`${path}: line index ${index}: ${what}`);
    this.name = 'LineReplacementError';
  }
}

/**
 * Returns the document's bytes with the text of editable lines replaced by index. Without replacements
 * the result is byte-identical to the input. Throws `LineReplacementError` for a frozen or unknown line,
 * for a replacement holding a line break (the line count must not change), and for a skipped file.
 */
export function join(doc: MarkdownDocument, replacements: Replacements): Uint8Array {
  if (doc.skipped) {
    if (replacements.size > 0) {
      throw new LineReplacementError(
        doc.path,
        [...replacements.keys()][0]!,
        `file is skipped (${doc.skipped.reason})`,
      );
    }
    return doc.source.slice();
  }
  for (const [index, text] of replacements) {
    const unit = doc.lines[index];
    if (!unit) throw new LineReplacementError(doc.path, index, 'no such line');
    if (!unit.editable)
      throw new LineReplacementError(doc.path, index, `line is frozen (${unit.reason ?? 'frozen'})`);
    if (text.includes('\n') || text.includes('\r')) {
      throw new LineReplacementError(doc.path, index, 'replacement contains a line break');
    }
  }
  const parts: string[] = new Array<string>(doc.lines.length * 3 + 1);
  let n = 0;
  if (doc.bom) parts[n++] = '\uFEFF';
  for (const unit of doc.lines) {
    parts[n++] = unit.prefix;
    parts[n++] = replacements.get(unit.index) ?? unit.text;
    parts[n++] = unit.suffix;
  }
  parts.length = n;
  return encoder.encode(parts.join(''));
}
