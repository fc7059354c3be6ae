// What the offline editor may touch in a unit's text: the plain words outside every protected span.
// Pure. Offsets are UTF-16 indexes into the unit's text (its lines joined with `\n`), as harper.js reports.
import { scanInline, type ProtectedKind } from '../protected.js';

/** A whitespace-delimited token whose core (without surrounding punctuation) is one plain word. */
export interface WordToken {
  /** The core word's offsets in the unit text. */
  readonly start: number;
  readonly end: number;
  readonly word: string;
  /** The whole token (core plus surrounding punctuation) offsets. */
  readonly tokenStart: number;
  readonly tokenEnd: number;
  /** True when the token is the core word alone: no punctuation before or after it. */
  readonly bare: boolean;
  /** First word of a sentence: nothing but opening punctuation since the unit start or a `.`, `!` or `?`. */
  readonly sentenceStart: boolean;
  /** True for one part of a hyphenated compound (`JSON-serializeable`): spell-checked, never de-duplicated. */
  readonly compoundPart: boolean;
}

export interface UnitText {
  readonly text: string;
  /** Plain words outside protected spans, in order. Tokens touching a protected span are left out. */
  readonly words: readonly WordToken[];
  /** Lower-cased words seen inside the unit's inline code, link destinations and labels, URLs, HTML, templates and math. */
  readonly codeWords: ReadonlySet<string>;
  /** Protected ranges `[start, end)`, in order. */
  readonly protectedRanges: readonly (readonly [number, number])[];
}

/** Protected kinds whose words count as the unit's own vocabulary (identifiers, file names, hosts). */
const CODE_KINDS: ReadonlySet<ProtectedKind> = new Set([
  'code',
  'link-destination',
  'link-label',
  'url',
  'autolink',
  'html',
  'template',
  'math',
]);

const MASK = '\u0000';
const OPENING = /^[(["'“‘*_~]+/;
const CLOSING = /[)\]"'”’*_~.,;:!?]+$/;
const WORD = /^[A-Za-z]+(?:['’][A-Za-z]+)*$/;
const COMPOUND = /^[A-Za-z]+(?:-[A-Za-z]+)+$/;
const LETTERS = /[A-Za-z]+/g;

/** Splits a unit's text into plain words, protected ranges and the words of its protected spans. */
export function analyseUnit(text: string): UnitText {
  const protectedRanges: [number, number][] = [];
  const codeWords = new Set<string>();
  let masked = '';
  let at = 0;
  for (const segment of scanInline(text)) {
    const end = at + segment.value.length;
    if (segment.type === 'text') {
      masked += segment.value;
    } else {
      protectedRanges.push([at, end]);
      // Keep line breaks so that tokens never run across lines through a mask.
      masked += segment.value.replace(/[^\n]/g, MASK);
      if (CODE_KINDS.has(segment.type)) {
        for (const m of segment.value.matchAll(LETTERS)) codeWords.add(m[0].toLowerCase());
      }
    }
    at = end;
  }

  const words: WordToken[] = [];
  for (const m of masked.matchAll(/\S+/g)) {
    const raw = m[0];
    if (raw.includes(MASK)) continue;
    const tokenStart = m.index;
    const tokenEnd = tokenStart + raw.length;
    const lead = OPENING.exec(raw)?.[0].length ?? 0;
    const rest = raw.slice(lead);
    const trail = CLOSING.exec(rest)?.[0].length ?? 0;
    const core = rest.slice(0, rest.length - trail);
    if (core === '') continue;
    const start = tokenStart + lead;
    const sentenceStart = isSentenceStart(text, tokenStart);
    const bare = lead === 0 && trail === 0;
    if (WORD.test(core)) {
      words.push({
        start,
        end: start + core.length,
        word: core,
        tokenStart,
        tokenEnd,
        bare,
        sentenceStart,
        compoundPart: false,
      });
      continue;
    }
    if (!COMPOUND.test(core)) continue;
    let offset = start;
    for (const [i, part] of core.split('-').entries()) {
      words.push({
        start: offset,
        end: offset + part.length,
        word: part,
        tokenStart,
        tokenEnd,
        bare: false,
        sentenceStart: sentenceStart && i === 0,
        compoundPart: true,
      });
      offset += part.length + 1;
    }
  }
  return { text, words, codeWords, protectedRanges };
}

function isSentenceStart(text: string, tokenStart: number): boolean {
  let i = tokenStart - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i -= 1;
  return i < 0 || /[.!?]/.test(text[i]!);
}

/** True when `[start, end)` overlaps no protected range. */
export function outsideProtected(unit: UnitText, start: number, end: number): boolean {
  return unit.protectedRanges.every(([s, e]) => end <= s || start >= e);
}

/** The case pattern of a word: only these two are ever corrected (ALLCAPS and camelCase are names). */
export function casing(word: string): 'lower' | 'capitalised' | 'other' {
  if (word === word.toLowerCase()) return 'lower';
  const rest = word.slice(1);
  if (word[0] === word[0]!.toUpperCase() && rest === rest.toLowerCase()) return 'capitalised';
  return 'other';
}

/**
 * `replacement` in the case of `original` (`lower` or `capitalised`); a replacement with capitals of its own
 * (a proper noun: `amercia` -> `America`) keeps them.
 */
export function matchCase(original: string, replacement: string): string {
  if (replacement !== replacement.toLowerCase()) return replacement;
  if (casing(original) === 'capitalised') return replacement[0]!.toUpperCase() + replacement.slice(1);
  return replacement;
}
