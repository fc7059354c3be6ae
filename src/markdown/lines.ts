// Where each source line starts and ends. Line endings are `\n`, `\r\n` and a lone `\r`, as in CommonMark
// (and micromark, whose line numbers the splitter relies on).

export interface LineTable {
  readonly count: number;
  /** Offset of the first character of line i (0-based). */
  readonly start: Int32Array;
  /** Offset just past the line's content, before its line ending. */
  readonly end: Int32Array;
  /** Offset of the next line (= end of the line ending); the text length for the last line. */
  readonly next: Int32Array;
}

export function lineTable(text: string): LineTable {
  // Upper bound: one line per character, plus one.
  let capacity = 64;
  let start: Int32Array = new Int32Array(capacity);
  let end: Int32Array = new Int32Array(capacity);
  let next: Int32Array = new Int32Array(capacity);
  let count = 0;
  let lineStart = 0;
  const length = text.length;
  const push = (contentEnd: number, nextStart: number): void => {
    if (count === capacity) {
      capacity *= 2;
      start = grow(start, capacity);
      end = grow(end, capacity);
      next = grow(next, capacity);
    }
    start[count] = lineStart;
    end[count] = contentEnd;
    next[count] = nextStart;
    count += 1;
    lineStart = nextStart;
  };
  let i = 0;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === 10) {
      push(i, i + 1);
      i += 1;
    } else if (code === 13) {
      const width = text.charCodeAt(i + 1) === 10 ? 2 : 1;
      push(i, i + width);
      i += width;
    } else {
      i += 1;
    }
  }
  // Text after the last line ending is a line without one; an empty tail is no line at all.
  if (lineStart < length) push(length, length);
  return { count, start, end, next };
}

function grow(array: Int32Array, capacity: number): Int32Array {
  const bigger = new Int32Array(capacity);
  bigger.set(array);
  return bigger;
}
