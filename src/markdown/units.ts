// Prose units: the editable lines of one paragraph or heading that follow each other, joined as the reader
// reads them. Pure; split() builds them from the block each line belongs to, and any receiver of lines that
// carry their unit number (the parse pool's wire format) rebuilds the same units with unitsOf().
import type { MarkdownDocument, ProseUnit, SourceLine } from './types.js';

/** Joins a unit's lines into its text (and the cache key's text). Line texts never hold a line break. */
export const UNIT_LINE_SEPARATOR = '\n';

/** The lines of a unit's text (or of a model's answer for it). */
export function unitLines(text: string): string[] {
  return text.split(UNIT_LINE_SEPARATOR);
}

/** The text of a unit made of these line texts. */
export function unitText(lines: readonly string[]): string {
  return lines.join(UNIT_LINE_SEPARATOR);
}

interface UnitLine {
  readonly index: number;
  readonly text: string;
  readonly kind: SourceLine['kind'];
  readonly editable: boolean;
  unit?: number;
}

/**
 * Numbers the units of `lines` (setting `unit` on every editable line) and returns them: a run of editable
 * lines with the same non-zero `blockOf(index)` is one unit; a frozen line, or a line of another block, ends it.
 */
export function assignUnits(lines: UnitLine[], blockOf: (index: number) => number): ProseUnit[] {
  const units: ProseUnit[] = [];
  let current: { lines: number[]; texts: string[]; block: number; kind: SourceLine['kind'] } | undefined;
  const close = (): void => {
    if (!current) return;
    units.push({
      index: units.length,
      kind: current.kind,
      lines: current.lines,
      text: unitText(current.texts),
    });
    current = undefined;
  };
  for (const line of lines) {
    const block = line.editable ? blockOf(line.index) : 0;
    if (block === 0) {
      close();
      continue;
    }
    if (!current || current.block !== block) {
      close();
      current = { lines: [], texts: [], block, kind: line.kind };
    }
    line.unit = units.length;
    current.lines.push(line.index);
    current.texts.push(line.text);
  }
  close();
  return units;
}

/** The units of lines that carry their unit numbers (consecutive lines with the same `unit`). */
export function unitsOf(lines: readonly SourceLine[]): ProseUnit[] {
  const units: ProseUnit[] = [];
  let lineIndexes: number[] = [];
  let texts: string[] = [];
  let at = -1;
  const close = (): void => {
    if (at === -1) return;
    units.push({ index: at, kind: lines[lineIndexes[0]!]!.kind, lines: lineIndexes, text: unitText(texts) });
    lineIndexes = [];
    texts = [];
    at = -1;
  };
  for (const line of lines) {
    if (line.unit === undefined) {
      close();
      continue;
    }
    if (line.unit !== at) {
      close();
      if (line.unit !== units.length) {
        throw new Error(`line ${line.line}: unit ${line.unit} out of order (expected ${units.length})`);
      }
      at = line.unit;
    }
    lineIndexes.push(line.index);
    texts.push(line.text);
  }
  close();
  return units;
}

/**
 * The document with every editable line as a unit of its own: how docs-fix worked before prose units, kept
 * for comparisons (`converge --units line`, the unit benchmarks). Lines and everything else are unchanged.
 */
export function lineUnits(doc: MarkdownDocument): MarkdownDocument {
  let n = 0;
  const lines = doc.lines.map((line) => (line.unit === undefined ? line : { ...line, unit: n++ }));
  return { ...doc, lines, units: unitsOf(lines) };
}
