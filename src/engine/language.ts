/**
 * The language guard: prose units written in a language the repository does not ask docs-fix to edit are
 * frozen with reason `language:<code>` (a copy editor for English must not "correct" French, and a model
 * asked to fix a French sentence may translate it). Pure functions of their inputs (the English lexicon is
 * read once from an installed dictionary).
 *
 * English docs are full of code, names and jargon that trigram detectors call French or Dutch (franc alone
 * called 1,172 of the shared corpus's 85,974 English units another language), so the evidence goes from
 * the surest to the weakest:
 * 1. Only the prose counts: inline code, URLs, link destinations, HTML, templates, `{#id}` attributes and
 *    tokens with digits are removed first (protected.ts finds the spans).
 * 2. Mostly a non-Latin script: kana means Japanese, Hangul Korean, Han alone Chinese, Greek and Thai
 *    themselves; Cyrillic and Arabic script go to franc among their script's languages.
 * 3. Latin script, 3 words or more: English when 12% of its words are English function words no other
 *    common language shares. With 12 words or more, also when half of them are English words (cspell's
 *    common-misspellings corrections, 19,000 everyday words); otherwise franc (franc-min) names it.
 * 4. A unit that cannot tell takes its file's language: all of the file's prose together, English from 40%
 *    English words. In a file whose language is edited, a unit is frozen only when under 20% of its words
 *    are English (names and option lists are not translations); in a foreign file, every unit franc or the
 *    file calls foreign is frozen under the file's language.
 * Measured by scripts/measure-languages.ts (README, "Languages").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { francAll } from 'franc-min';
import type { FrozenReason, MarkdownDocument, SourceLine } from '../markdown/types.js';
import { unitsOf } from '../markdown/units.js';
import { scanInline } from '../model/protected.js';
import { guardsLanguages, LANGUAGE_CODES } from '../config/language-codes.js';

export { guardsLanguages } from '../config/language-codes.js';

export { ANY_LANGUAGE, KNOWN_LANGUAGES, LANGUAGE_CODES } from '../config/language-codes.js';

/**
 * English words no other common language uses as an everyday word: `in`, `is`, `of`, `a`, `an`, `on`, `as`,
 * `to`, `die`, `was`, `will`, `also`, `we`, `do`, `no`, `my`, `had`, `over` are left out (German, Dutch,
 * French, Spanish, Portuguese, Italian, Polish or Czech share them).
 */
const ENGLISH_WORDS: ReadonlySet<string> = new Set(
  (
    'the and that this these those with from for you your are were been being be it its not can cannot ' +
    'should would could which when what where who whose why how there their they them then than has have ' +
    'does doesn don into only but by if our us more most use used using uses all any each other such some ' +
    'about after before between through without within during because while just like may must need needs ' +
    'make makes see want here way very many much well same first now out up down under again always never ' +
    'both own instead still yet every already either whether although though since until upon onto across ' +
    'against among around behind below beyond inside outside toward towards he she his her him following ' +
    'example called'
  ).split(' '),
);

/** Share of a Latin-script text's words that are English function words from which it is English (fast path). */
const FUNCTION_SHARE = 0.12;
/** Share of a Latin-script text's words in the English lexicon from which it is English. */
const LEXICON_SHARE = 0.5;
/** The same for a file's prose as a whole (English files measured at 0.2 and above, translations below). */
const FILE_LEXICON_SHARE = 0.4;
/**
 * In a file whose language is edited, a unit franc calls foreign stays editable unless fewer of its words
 * than this are English: names, option lists and Latin filler are not translations.
 */
const FOREIGN_LEXICON_SHARE = 0.2;
/** Fewer Latin-script words than this say nothing at all. */
const MIN_WORDS = 3;
/** Fewer Latin-script words than this are too few for franc on a unit: its file decides. */
const MIN_UNIT_WORDS = 12;
/** The same for a file's prose as a whole. */
const MIN_FILE_WORDS = 6;
/** Fewer letters than this is too little in any script. */
const MIN_LETTERS = 12;
/** A non-Latin script above this share of the letters decides by script. */
const SCRIPT_SHARE = 0.3;

const LATIN_WORD = /\p{Script=Latin}+(?:['’]\p{Script=Latin}+)?/gu;
const LETTER = /\p{L}/gu;

/** Script families that decide a language alone, or narrow franc's choice. */
const SCRIPTS: readonly {
  readonly name: string;
  readonly test: RegExp;
  readonly decide?: string;
  readonly only?: string[];
}[] = [
  { name: 'Kana', test: /[\p{Script=Hiragana}\p{Script=Katakana}]/u, decide: 'ja' },
  { name: 'Hangul', test: /\p{Script=Hangul}/u, decide: 'ko' },
  { name: 'Han', test: /\p{Script=Han}/u, decide: 'zh' },
  {
    name: 'Cyrillic',
    test: /\p{Script=Cyrillic}/u,
    only: ['rus', 'ukr', 'bel', 'bul', 'srp', 'kaz', 'koi', 'uzn', 'azj', 'bos'],
  },
  { name: 'Arabic', test: /\p{Script=Arabic}/u, only: ['arb', 'urd', 'pes', 'pbu', 'skr', 'ckb', 'zlm'] },
  { name: 'Greek', test: /\p{Script=Greek}/u, decide: 'el' },
  { name: 'Thai', test: /\p{Script=Thai}/u, decide: 'th' },
];

/** A language code, or `und` when there is too little prose to tell. */
export type LanguageGuess = string;
export const UNDETERMINED = 'und';

export interface ProseGuess {
  readonly code: LanguageGuess;
  /** `Latin`, or the script that decided (`Cyrillic`, `Han`, ...); `none` when undetermined by script. */
  readonly script: string;
  /** Share of its Latin-script words that are English words (0 for other scripts and for no words). */
  readonly englishShare: number;
}

/** What the guess is made from; the stats of a file are the sums of its units'. */
interface ProseStats {
  /** The prose itself (franc reads it when the counts cannot decide). */
  readonly prose: string;
  readonly letters: number;
  readonly latinLetters: number;
  readonly words: number;
  /** Words that are English function words (`ENGLISH_WORDS`). */
  readonly functionWords: number;
  /** Words that are English words (the lexicon or `ENGLISH_WORDS`). */
  readonly englishWords: number;
}

/** The prose of markdown text as a reader reads it: protected spans, markup and tokens with digits removed. */
export function proseOf(text: string): string {
  let out = '';
  for (const line of text.split('\n')) {
    for (const segment of scanInline(line)) {
      out += segment.type === 'text' ? segment.value : ' ';
    }
    out += ' ';
  }
  // Hashes, versions and sizes (`5e1286fc`, `v1.2`, `10G`) are not words of any language.
  return out.replace(/[^\s]*\d[^\s]*/g, ' ').replace(/[*_~#>|[\]()!=:;"“”„«»]+/g, ' ');
}

function statsOf(prose: string): ProseStats {
  const letters = prose.match(LETTER)?.length ?? 0;
  const latin = prose.match(LATIN_WORD) ?? [];
  let latinLetters = 0;
  let functionWords = 0;
  let englishWords = 0;
  const lexicon = latin.length > 0 ? englishLexicon() : undefined;
  for (const word of latin) {
    latinLetters += word.length;
    const lower = word.toLowerCase();
    if (ENGLISH_WORDS.has(lower)) {
      functionWords += 1;
      englishWords += 1;
    } else if (lexicon!.has(lower)) englishWords += 1;
  }
  return { prose, letters, latinLetters, words: latin.length, functionWords, englishWords };
}

function sumStats(all: readonly ProseStats[]): ProseStats {
  const sum = { prose: '', letters: 0, latinLetters: 0, words: 0, functionWords: 0, englishWords: 0 };
  for (const s of all) {
    sum.letters += s.letters;
    sum.latinLetters += s.latinLetters;
    sum.words += s.words;
    sum.functionWords += s.functionWords;
    sum.englishWords += s.englishWords;
  }
  // franc reads at most 2,048 characters: the first of the file's prose is enough.
  let prose = '';
  for (const s of all) {
    if (prose.length >= 2048) break;
    prose += ` ${s.prose}`;
  }
  return { ...sum, prose };
}

/**
 * The language of some prose (see the module comment). `minWords`: Latin-script text with fewer words that
 * is not clearly English is `und` (a unit's own words must be enough to tell).
 */
function guessFromStats(s: ProseStats, minWords: number): ProseGuess {
  if (s.letters < MIN_LETTERS) return { code: UNDETERMINED, script: 'none', englishShare: 0 };
  if ((s.letters - s.latinLetters) / s.letters > SCRIPT_SHARE) {
    const nonLatin = s.prose.replace(LATIN_WORD, ' ');
    const script = SCRIPTS.find((x) => x.test.test(nonLatin));
    const code = script?.decide ?? francCode(nonLatin, script?.only);
    return { code, script: script?.name ?? 'other', englishShare: 0 };
  }
  const latin = (code: LanguageGuess, englishShare: number): ProseGuess => ({
    code,
    script: 'Latin',
    englishShare,
  });
  if (s.words < MIN_WORDS) return latin(UNDETERMINED, 0);
  const englishShare = s.englishWords / s.words;
  if (s.functionWords / s.words >= FUNCTION_SHARE) return latin('en', englishShare);
  // A few words are too few for the lexicon: `Les hooks du cycle de vie` has three English words.
  if (s.words < minWords) return latin(UNDETERMINED, englishShare);
  if (englishShare >= LEXICON_SHARE) return latin('en', englishShare);
  return latin(francCode((s.prose.match(LATIN_WORD) ?? []).join(' ')), englishShare);
}

/** The language of markdown text on its own, by a unit's rule (see the module comment). */
export function guessLanguage(text: string): ProseGuess {
  return guessFromStats(statsOf(proseOf(text)), MIN_UNIT_WORDS);
}

function francCode(text: string, only?: string[]): LanguageGuess {
  const top = francAll(text, only ? { only, minLength: 3 } : { minLength: 3 })[0]?.[0];
  if (top === undefined || top === 'und') return UNDETERMINED;
  return LANGUAGE_CODES[top] ?? top;
}

let lexicon: ReadonlySet<string> | undefined;

/**
 * English words, lower-cased: the corrections of cspell's common English misspellings dictionary (19,000
 * real words people misspell, so everyday English), read once when first needed (2.6 MB of JSON).
 */
export function englishLexicon(): ReadonlySet<string> {
  if (lexicon) return lexicon;
  const require = createRequire(import.meta.url);
  const extension = require.resolve('@cspell/dict-en-common-misspellings/cspell-ext.json');
  const { dictionaryDefinitions } = JSON.parse(
    readFileSync(join(dirname(extension), 'dict', 'dict-en.json'), 'utf8'),
  ) as { dictionaryDefinitions: { suggestWords?: string[] }[] };
  const words = new Set<string>();
  for (const definition of dictionaryDefinitions) {
    for (const entry of definition.suggestWords ?? []) {
      const corrections = entry.slice(entry.indexOf('->') + 2);
      for (const word of corrections.split(',')) {
        const w = word.trim().toLowerCase();
        if (/^\p{L}+(?:'\p{L}+)?$/u.test(w)) words.add(w);
      }
    }
  }
  lexicon = words;
  return words;
}

/**
 * The document with every prose unit in a language outside `languages` frozen (its lines `editable: false`,
 * reason `language:<code>`) and the units renumbered. A short unit takes its file's language. Lines and
 * their bytes are unchanged; a skipped document or one with nothing to freeze is returned as it is.
 */
export function freezeOtherLanguages(doc: MarkdownDocument, languages: readonly string[]): MarkdownDocument {
  if (doc.skipped || doc.units.length === 0 || !guardsLanguages(languages)) return doc;
  const allowed = new Set(languages);
  const stats = doc.units.map((u) => statsOf(proseOf(u.text)));
  let file: ProseGuess | undefined;
  const fileGuess = (): ProseGuess => (file ??= guessFile(sumStats(stats)));
  const frozen = new Map<number, string>();
  for (const unit of doc.units) {
    const own = guessFromStats(stats[unit.index]!, MIN_UNIT_WORDS);
    const code = own.code === UNDETERMINED ? fileGuess().code : own.code;
    if (code === UNDETERMINED || allowed.has(code)) continue;
    const f = fileGuess();
    if (f.code !== UNDETERMINED && !allowed.has(f.code)) {
      // One name per language and file: franc tells Russian from Bulgarian, or Portuguese from Spanish,
      // better over a whole file than over one paragraph.
      frozen.set(unit.index, f.code);
    } else if (isClearlyForeign(own, f)) {
      frozen.set(unit.index, code);
    }
  }
  if (frozen.size === 0) return doc;
  const renumbered = new Map<number, number>();
  for (const unit of doc.units) if (!frozen.has(unit.index)) renumbered.set(unit.index, renumbered.size);
  const lines: SourceLine[] = doc.lines.map((line) => {
    if (line.unit === undefined) return line;
    const code = frozen.get(line.unit);
    if (code === undefined) return { ...line, unit: renumbered.get(line.unit)! };
    const { unit: _unit, ...rest } = line;
    return { ...rest, editable: false, reason: `language:${code}` satisfies FrozenReason };
  });
  return { ...doc, lines, units: unitsOf(lines) };
}

/**
 * Whether a unit franc calls foreign in a file whose language is edited (or unknown) is foreign for sure:
 * English is (its evidence is words, not trigrams); another language of the file's own script is not
 * (franc confuses Russian and Bulgarian, Spanish and Portuguese, on one paragraph), except in an English
 * file, where a unit under 20% English words is (names and option lists are not translations).
 */
function isClearlyForeign(own: ProseGuess, file: ProseGuess): boolean {
  if (own.code === 'en') return true;
  if (own.script !== file.script) return true;
  return file.code === 'en' && own.englishShare < FOREIGN_LEXICON_SHARE;
}

/** A file's language from all of its prose together: English from a lower share of English words than a unit. */
function guessFile(stats: ProseStats): ProseGuess {
  const guess = guessFromStats(stats, MIN_FILE_WORDS);
  if (guess.code !== 'en' && guess.englishShare >= FILE_LEXICON_SHARE) return { ...guess, code: 'en' };
  return guess;
}
