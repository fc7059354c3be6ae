// Edits on a unit's text that keep its lines: the same number of lines, each non-empty and trimmed (the
// splitter's invariant for editable line texts), so that every line keeps its own prefix and suffix.
import type { WordToken } from './text.js';

export interface TextEdit {
  /** UTF-16 offsets into the unit's text (lines joined with `\n`). */
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** A replacement of a word by another word (never a line break). */
export function replaceWord(word: WordToken, replacement: string): TextEdit {
  return { start: word.start, end: word.end, replacement };
}

/**
 * Removes one copy of a doubled word without touching the line break between them: the second copy with
 * the spaces before it (or after it, at a line start); when that would empty its line, the first copy
 * instead; undefined when both copies are alone on their lines.
 */
export function removeDoubled(text: string, first: WordToken, second: WordToken): TextEdit | undefined {
  return removeOnLine(text, second) ?? removeOnLine(text, first);
}

function removeOnLine(text: string, word: WordToken): TextEdit | undefined {
  const lineStart = text.lastIndexOf('\n', word.start - 1) + 1;
  const next = text.indexOf('\n', word.end);
  const lineEnd = next < 0 ? text.length : next;
  let start = word.start;
  let end = word.end;
  if (start > lineStart) {
    while (start > lineStart && isBlank(text[start - 1]!)) start -= 1;
  } else {
    while (end < lineEnd && isBlank(text[end]!)) end += 1;
  }
  const line = text.slice(lineStart, start) + text.slice(end, lineEnd);
  if (line.trim() === '' || line !== line.trim()) return undefined;
  return { start, end, replacement: '' };
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Applies non-overlapping edits (an edit overlapping an earlier one is dropped) and returns the new lines,
 * or undefined when the result would not have the same number of lines, each non-empty and trimmed.
 */
export function applyEdits(lines: readonly string[], edits: readonly TextEdit[]): string[] | undefined {
  const text = lines.join('\n');
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const kept: TextEdit[] = [];
  for (const e of sorted) {
    const last = kept[kept.length - 1];
    if (last && e.start < last.end) continue;
    kept.push(e);
  }
  let out = '';
  let at = 0;
  for (const e of kept) {
    out += text.slice(at, e.start) + e.replacement;
    at = e.end;
  }
  out += text.slice(at);
  const result = out.split('\n');
  if (result.length !== lines.length) return undefined;
  if (result.some((l) => l === '' || l !== l.trim())) return undefined;
  return result;
}
