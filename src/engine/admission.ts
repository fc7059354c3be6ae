/**
 * Admission control: a model's answer for a prose unit is used only if it is a safe copy edit of it. Pure
 * functions of their inputs. A rejected answer keeps the unit as it was; the engine records the reason.
 *
 * `admitRewrite` checks one unit: as many lines as it had, each one line, non-empty, without new
 * whitespace at its edges (indentation or a hard break) and without new block syntax at its start; no
 * control characters; every protected span (code, math, HTML, links, URLs, footnotes, templates, escapes)
 * of the whole unit preserved exactly and in order (words may move between lines, spans may not change);
 * every occurrence of a term of the repository's vocabulary kept as written; and a sane length ratio. The structure of a patched file is checked in structure.ts.
 */
import { unitText } from '../markdown/units.js';
import type { LineKind } from '../markdown/types.js';
import { protectedSpans, type ProtectedKind } from '../model/protected.js';
import { changedTerm, vocabularyMatcher } from './vocabulary.js';

export const ADMISSION_REASONS = [
  'line-count',
  'multi-line',
  'line-edges',
  'control-chars',
  'empty',
  'new-block-syntax',
  'code-span-changed',
  'math-changed',
  'template-changed',
  'html-changed',
  'footnote-changed',
  'link-changed',
  'escape-changed',
  'length-ratio',
  'vocabulary-changed',
  'structure-changed',
] as const;
export type AdmissionReason = (typeof ADMISSION_REASONS)[number];

export type Admission =
  { readonly ok: true } | { readonly ok: false; readonly reason: AdmissionReason; readonly detail: string };

export interface RewriteInput {
  readonly kind: LineKind;
  /** The unit's lines. */
  readonly before: readonly string[];
  /** The answer's lines. */
  readonly after: readonly string[];
}

export interface AdmissionOptions {
  /** Shortest answer, as a share of the input's length (default 0.5). */
  readonly minRatio?: number;
  /** Longest answer, as a multiple of the input's length (default 1.6). */
  readonly maxRatio?: number;
  /** Characters either way that are always allowed, so short lines can change (default 12). */
  readonly slack?: number;
  /**
   * The repository's vocabulary: every exact-case occurrence of a term in the unit must be in the answer
   * (moved is fine; changed, dropped or re-cased is `vocabulary-changed`).
   */
  readonly vocabulary?: readonly string[];
}

export const ADMISSION_DEFAULTS = {
  minRatio: 0.5,
  maxRatio: 1.6,
  slack: 12,
} as const satisfies AdmissionOptions;

const OK: Admission = { ok: true };
const reject = (reason: AdmissionReason, detail: string): Admission => ({ ok: false, reason, detail });

// Line terminators: LF, CR, VT, FF, NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
const LINE_BREAK = /[\n\r\v\f\u0085\u2028\u2029]/;
// C0 (except tab) and C1 controls, DEL, zero-width and bidirectional controls (the Trojan Source set).
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Block syntax a line may start with; an answer that starts one the input did not is rejected. */
const BLOCK_STARTS: readonly (readonly [string, RegExp])[] = [
  ['indented code (4 spaces or a tab)', /^(?: {4}|\t| {0,3}\t)/],
  ['an ATX heading', /^ {0,3}#{1,6}(?:[ \t]|$)/],
  ['a blockquote', /^ {0,3}>/],
  ['a bullet list item', /^ {0,3}[-*+](?:[ \t]|$)/],
  ['an ordered list item', /^ {0,3}\d{1,9}[.)](?:[ \t]|$)/],
  ['a table row', /^ {0,3}\|/],
  ['a code fence', /^ {0,3}(?:`{3,}|~{3,})/],
  ['a math block', /^ {0,3}\$\$/],
  ['a setext underline or thematic break', /^ {0,3}(?:=+|-+|(?:[-*_][ \t]*){3,})[ \t]*$/],
  ['a link reference definition', /^ {0,3}\[[^\]]+\]:/],
  ['an HTML block', /^ {0,3}<[A-Za-z/!?]/],
  ['front matter', /^(?:\+\+\+|---)\s*$/],
];

/** Closing `#`s of an ATX heading would be swallowed by the suffix: a heading's text must not gain them. */
const HEADING_CLOSER = /(?:^|[ \t])#+[ \t]*$/;

const SPAN_REASONS: readonly (readonly [ProtectedKind, AdmissionReason, string])[] = [
  ['code', 'code-span-changed', 'inline code'],
  ['math', 'math-changed', 'math'],
  ['template', 'template-changed', 'template placeholders'],
  ['role', 'template-changed', 'MyST roles'],
  ['shortcode', 'template-changed', 'icon, emoji and key shortcodes'],
  ['html', 'html-changed', 'HTML tags'],
  ['entity', 'html-changed', 'character references'],
  ['footnote', 'footnote-changed', 'footnote references'],
  ['link-destination', 'link-changed', 'link destinations'],
  ['link-label', 'link-changed', 'link reference labels'],
  ['autolink', 'link-changed', 'autolinks'],
  ['url', 'link-changed', 'URLs'],
  ['escape', 'escape-changed', 'backslash escapes'],
];

const show = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}...` : s);
const showList = (xs: readonly string[]): string => `[${xs.map(show).join(', ')}]`;

/** Whitespace at a line's start (indentation) or end (two spaces are a hard break), or a trailing backslash. */
const LINE_EDGE = /^[ \t]|[ \t\\]$/;

const sameLines = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether a model's answer `after` may replace the prose unit `before` (both as lines). */
export function admitRewrite(input: RewriteInput, options: AdmissionOptions = {}): Admission {
  const { before, after, kind } = input;
  if (sameLines(before, after)) return OK;
  const o = { ...ADMISSION_DEFAULTS, ...options };
  const where = (k: number): string => (before.length > 1 ? ` (line ${k + 1} of the unit)` : '');

  if (after.length !== before.length) {
    return reject(
      'line-count',
      `the answer has ${after.length} lines for a unit of ${before.length}; expected ${before.length}`,
    );
  }
  for (let k = 0; k < after.length; k += 1) {
    const line = after[k]!;
    const was = before[k]!;
    const lineBreak = LINE_BREAK.exec(line);
    if (lineBreak && !LINE_BREAK.test(was)) {
      return reject(
        'multi-line',
        `the answer has a line break (U+${codePoint(lineBreak[0])})${where(k)}; expected each line to stay one line`,
      );
    }
  }
  const textBefore = unitText(before);
  const textAfter = unitText(after);
  const newControls = (textAfter.match(CONTROL) ?? []).filter((c) => !textBefore.includes(c));
  if (newControls.length > 0) {
    return reject('control-chars', `the answer adds control character U+${codePoint(newControls[0]!)}`);
  }
  for (let k = 0; k < after.length; k += 1) {
    const line = after[k]!;
    const was = before[k]!;
    if (line.trim() === '' && was.trim() !== '') {
      return reject(
        'empty',
        `the answer's line is empty${where(k)}; expected text (an empty line ends a paragraph)`,
      );
    }
    for (const [what, pattern] of BLOCK_STARTS) {
      if (pattern.test(line) && !pattern.test(was)) {
        return reject('new-block-syntax', `the answer starts ${what}${where(k)}: ${show(line)}`);
      }
    }
    if (LINE_EDGE.test(line) && !LINE_EDGE.test(was)) {
      return reject(
        'line-edges',
        `the answer's line starts or ends with whitespace or a backslash${where(k)} (indentation or a hard break): ${show(line)}`,
      );
    }
  }
  const last = after[after.length - 1]!;
  if (kind === 'heading' && HEADING_CLOSER.test(last) && !HEADING_CLOSER.test(before[before.length - 1]!)) {
    return reject('new-block-syntax', `the heading's answer ends in closing #s: ${show(last)}`);
  }

  const spansBefore = protectedSpans(textBefore);
  const spansAfter = protectedSpans(textAfter);
  for (const [span, reason, what] of SPAN_REASONS) {
    const a = spansBefore[span];
    const b = spansAfter[span];
    if (a.length === b.length && a.every((x, i) => x === b[i])) continue;
    return reject(reason, `${what} changed: expected ${showList(a)}, got ${showList(b)}`);
  }

  if (options.vocabulary && options.vocabulary.length > 0) {
    const changed = changedTerm(vocabularyMatcher(options.vocabulary), textBefore, textAfter);
    if (changed) {
      return reject(
        'vocabulary-changed',
        `the repository's vocabulary term ${show(changed.term)} occurs ${times(changed.before)} in the unit and ${times(changed.after)} in the answer; expected it kept exactly as written`,
      );
    }
  }

  const lenBefore = [...textBefore].length;
  const lenAfter = [...textAfter].length;
  const min = lenBefore * o.minRatio - o.slack;
  const max = lenBefore * o.maxRatio + o.slack;
  if (lenAfter < min || lenAfter > max) {
    return reject(
      'length-ratio',
      `the answer has ${lenAfter} characters for a unit of ${lenBefore}; expected ${Math.max(0, Math.ceil(min))} to ${Math.floor(max)}`,
    );
  }
  return OK;
}

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

function codePoint(c: string): string {
  return c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
}
