// join(): line units (with some texts replaced) -> bytes.
import type { MarkdownDocument, Replacements, UnitReplacements } from './types.js';

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

/**
 * The line replacements of unit replacements: line k of a unit's answer replaces the unit's k-th line.
 * Throws `LineReplacementError` for an unknown unit or an answer with another number of lines.
 */
export function unitLineReplacements(doc: MarkdownDocument, units: UnitReplacements): Replacements {
  const lines = new Map<number, string>();
  for (const [index, answer] of units) {
    const unit = doc.units[index];
    if (!unit) throw new LineReplacementError(doc.path, index, 'no such unit');
    if (answer.length !== unit.lines.length) {
      throw new LineReplacementError(
        doc.path,
        unit.lines[0]!,
        `unit ${index} has ${unit.lines.length} lines, its replacement ${answer.length}`,
      );
    }
    unit.lines.forEach((line, k) => {
      if (answer[k] !== doc.lines[line]!.text) lines.set(line, answer[k]!);
    });
  }
  return lines;
}

/** `join` with whole units replaced (see `unitLineReplacements`). */
export function joinUnits(doc: MarkdownDocument, units: UnitReplacements): Uint8Array {
  return join(doc, unitLineReplacements(doc, units));
}
