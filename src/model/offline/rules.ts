// The offline editor's rules as data: each names the Harper rule it trusts and the extra conditions under
// which one of that rule's suggestions is applied. A rule is in DEFAULT_RULES only because a measurement
// on real documentation said it is precise (scripts/bench/offline-rules.ts reproduces it).
// Pure: Harper's lints come in as data.
import { removeDoubled, replaceWord, type TextEdit } from './edits.js';
import type { HarperLint } from './harper.js';
import { casing, matchCase, outsideProtected, type UnitText, type WordToken } from './text.js';

export const OFFLINE_RULES = ['repeated-word', 'repeated-homograph', 'common-misspelling', 'a-an'] as const;
export type OfflineRule = (typeof OFFLINE_RULES)[number];

/**
 * Version of the rules' conditions below. Bump it whenever a change could give another answer for any unit:
 * it is part of the model id, so a new version never reads the old one's cache entries.
 */
export const RULESET_VERSION = 1;

const SPELL_CHECK = 'SpellCheck';
/**
 * How many of Harper's suggestions may hold the list's correction. Measured on ../shared/corpus: the first
 * suggestion alone gave 64 changes, all real typos; the first three gave 68 (67 typos), and raised the recall
 * of list misspellings injected into 120 sampled files (bench:quality, QUALITY_FILES=120) from 0.59 to 0.85:
 * keyboard slips of short words, where Harper ranks `air` before `are`.
 */
const SUGGESTION_RANK = 3;

export interface RuleSpec {
  /** The Harper lint rule whose suggestions the rule applies. */
  readonly harper: string;
  readonly summary: string;
}

export const RULE_SPECS: Readonly<Record<OfflineRule, RuleSpec>> = {
  'repeated-word': {
    harper: 'RepeatedWords',
    summary:
      'a word written twice in a row (also across a line break), lower case the second time, not a grammatical double (that that, had had)',
  },
  'repeated-homograph': {
    harper: 'RepeatedWords',
    summary:
      'the doubles Harper leaves alone because the word can be two parts of speech (page page, can can), under the same conditions',
  },
  'common-misspelling': {
    harper: SPELL_CHECK,
    summary:
      "a word in the common-misspellings list whose single correction is among Harper's first three suggestions; lower case, or capitalised at a sentence start",
  },
  'a-an': {
    harper: 'AnA',
    summary: "a/an before a lower-case word Harper knows, swapped as Harper's AnA rule suggests",
  },
};

/** The Harper rules to enable for a rule set (a/an also needs the spell checker: it skips unknown words). */
export function harperRules(rules: readonly OfflineRule[]): string[] {
  const names = new Set(rules.map((r) => RULE_SPECS[r].harper));
  if (rules.includes('a-an')) names.add(SPELL_CHECK);
  return [...names].sort();
}

/**
 * The rules on by default. Measured on ../shared/corpus (scripts/bench/offline-rules.ts) and by injected
 * errors (scripts/bench/quality.ts); see the README's figures.
 */
export const DEFAULT_RULES: readonly OfflineRule[] = [
  'repeated-word',
  'repeated-homograph',
  'common-misspelling',
];

/** Doubles that are grammatical or idiomatic English (that that, had had, yada yada): never de-duplicated. */
const GRAMMATICAL_DOUBLES: ReadonlySet<string> = new Set(
  'that had is do so very really no bye ha there yada plus knock tut please hint nudge chop well now wait tsk pretty dash'.split(
    ' ',
  ),
);

/**
 * Closed-class words (pronouns, prepositions, conjunctions, determiners, auxiliaries, interjections, number
 * words): an article before one of them is a slip of another kind (`as a as a`, `a an`, `an three sessions`
 * in transcripts), which swapping a/an does not fix.
 */
const NOT_AFTER_ARTICLE: ReadonlySet<string> = new Set(
  `a an the i i'm i've i'll i'd it it's its it'll he she we you they me him her us them my your our their his
  this that these those who whom whose which what about above across after against along among around as at
  before behind below beneath beside between beyond by down during except for from in inside into like near of
  off on onto out outside over past since through throughout till to toward towards under underneath until up
  upon with within without via and or but nor so yet if because although though unless whether while where when
  than then all any each every either neither some no other another such both few many much more most is are
  was were am be been being has have had having do does did will would shall should can could may might must
  isn't aren't wasn't weren't hasn't haven't doesn't don't didn't won't wouldn't can't couldn't oh uh um umm ah
  eh er ok okay yeah yes hey hi hmm not there here how why that's there's let's one two three four five six
  seven eight nine ten eleven twelve hundred thousand million`.split(/\s+/),
);

export interface RuleContext {
  /** Lower-case misspelling -> single correction. */
  readonly corrections: ReadonlyMap<string, string>;
  /** Lower-cased vocabulary: never changed by any rule. */
  readonly vocabulary: ReadonlySet<string>;
}

export interface ProposedEdit {
  readonly rule: OfflineRule;
  readonly edit: TextEdit;
}

/** A word the spelling rule may correct, if Harper agrees: listed, in a case we correct, not the unit's own. */
function misspelled(unit: UnitText, w: WordToken, ctx: RuleContext): string | undefined {
  const lower = w.word.toLowerCase();
  const correction = ctx.corrections.get(lower);
  if (correction === undefined) return undefined;
  const c = casing(w.word);
  // A capitalised word inside a sentence is most likely a name (Skelton, Canva); at a sentence start it is not.
  if (c === 'other' || (c === 'capitalised' && !w.sentenceStart)) return undefined;
  if (ctx.vocabulary.has(lower) || unit.codeWords.has(lower)) return undefined;
  return correction;
}

/** Pairs of adjacent words that the repeated-word rules may de-duplicate. */
function doubledPairs(unit: UnitText, ctx: RuleContext): [WordToken, WordToken][] {
  const pairs: [WordToken, WordToken][] = [];
  const { words, text } = unit;
  for (let i = 1; i < words.length; i += 1) {
    const a = words[i - 1]!;
    const b = words[i]!;
    if (a.compoundPart || b.compoundPart) continue;
    const lower = b.word.toLowerCase();
    if (a.word.toLowerCase() !== lower || casing(b.word) !== 'lower') continue;
    // `The the` at a sentence start; a capitalised first copy inside a sentence is a name (Web Services services).
    const c = casing(a.word);
    if (!(c === 'lower' || (c === 'capitalised' && a.sentenceStart))) continue;
    // Nothing between them but white space: no punctuation, no protected span, no markup.
    if (a.end !== a.tokenEnd || b.start !== b.tokenStart) continue;
    if (text.slice(a.tokenEnd, b.tokenStart).trim() !== '') continue;
    if (GRAMMATICAL_DOUBLES.has(lower) || ctx.vocabulary.has(lower)) continue;
    pairs.push([a, b]);
  }
  return pairs;
}

/** Article + next word pairs the a/an rule may correct, if Harper flags the article. */
function articlePairs(unit: UnitText, ctx: RuleContext): [WordToken, WordToken][] {
  const pairs: [WordToken, WordToken][] = [];
  const { words, text } = unit;
  for (let i = 1; i < words.length; i += 1) {
    const a = words[i - 1]!;
    const n = words[i]!;
    const article = a.word.toLowerCase();
    if (article !== 'a' && article !== 'an') continue;
    if (a.compoundPart || a.end !== a.tokenEnd || n.start !== n.tokenStart) continue;
    const c = casing(a.word);
    if (!(c === 'lower' || (c === 'capitalised' && a.sentenceStart))) continue;
    if (text.slice(a.tokenEnd, n.tokenStart).trim() !== '') continue;
    const next = n.word.toLowerCase().replace(/’/g, "'");
    // Acronyms, symbols and letters (A and B, an SQL, a x86) depend on how they are read: left alone.
    if (casing(n.word) !== 'lower' || n.word.length < 2 || NOT_AFTER_ARTICLE.has(next)) continue;
    if (ctx.vocabulary.has(next) || unit.codeWords.has(next)) continue;
    pairs.push([a, n]);
  }
  return pairs;
}

/** Cheap test run before Harper: can any enabled rule fix something in this unit? */
export function isCandidate(unit: UnitText, rules: readonly OfflineRule[], ctx: RuleContext): boolean {
  if (
    rules.includes('common-misspelling') &&
    unit.words.some((w) => misspelled(unit, w, ctx) !== undefined)
  ) {
    return true;
  }
  if (
    (rules.includes('repeated-word') || rules.includes('repeated-homograph')) &&
    doubledPairs(unit, ctx).length > 0
  ) {
    return true;
  }
  if (rules.includes('a-an')) {
    // Only pairs where the spelling suggests a mismatch; Harper decides by pronunciation (an hour, a user).
    return articlePairs(unit, ctx).some(([a, n]) =>
      a.word.toLowerCase() === 'a' ? /^[aeiouh]/.test(n.word) : !/^[aei]/.test(n.word),
    );
  }
  return false;
}

/**
 * The edits the enabled rules make in one unit, given Harper's lints of the unit's text (offsets relative
 * to it). Every edit needs both: the rule's own conditions and Harper's lint with the expected suggestion.
 */
export function proposeEdits(
  unit: UnitText,
  lints: readonly HarperLint[],
  rules: readonly OfflineRule[],
  ctx: RuleContext,
): ProposedEdit[] {
  const byRule = new Map<string, Map<string, HarperLint>>();
  for (const lint of lints) {
    // A lint whose text is not what its span covers in our copy is not applied (offsets must agree exactly).
    if (unit.text.slice(lint.start, lint.end) !== lint.problem) continue;
    if (!outsideProtected(unit, lint.start, lint.end)) continue;
    let spans = byRule.get(lint.rule);
    if (!spans) byRule.set(lint.rule, (spans = new Map()));
    spans.set(`${lint.start}:${lint.end}`, lint);
  }
  const at = (rule: OfflineRule, start: number, end: number): HarperLint | undefined =>
    byRule.get(RULE_SPECS[rule].harper)?.get(`${start}:${end}`);
  const repeated = [...(byRule.get(RULE_SPECS['repeated-word'].harper)?.values() ?? [])];
  const overlapsRepeatedLint = (start: number, end: number): boolean =>
    repeated.some((l) => l.start < end && start < l.end);
  const out: ProposedEdit[] = [];

  if (rules.includes('common-misspelling')) {
    for (const w of unit.words) {
      const correction = misspelled(unit, w, ctx);
      if (correction === undefined) continue;
      const suggested = at('common-misspelling', w.start, w.end)?.suggestions.slice(0, SUGGESTION_RANK) ?? [];
      if (!suggested.some((s) => s.toLowerCase() === correction.toLowerCase())) continue;
      out.push({ rule: 'common-misspelling', edit: replaceWord(w, matchCase(w.word, correction)) });
    }
  }

  if (rules.includes('repeated-word') || rules.includes('repeated-homograph')) {
    for (const [a, b] of doubledPairs(unit, ctx)) {
      // Harper flags a double unless the word can be two parts of speech (`to record record profits`).
      const rule: OfflineRule = at('repeated-word', a.start, b.end) ? 'repeated-word' : 'repeated-homograph';
      if (!rules.includes(rule)) continue;
      // A double overlapping another one (`the the the`) is left to the next pass.
      if (rule === 'repeated-homograph' && overlapsRepeatedLint(a.start, b.end)) continue;
      const edit = removeDoubled(unit.text, a, b);
      if (edit) out.push({ rule, edit });
    }
  }

  if (rules.includes('a-an')) {
    const unknown = byRule.get(SPELL_CHECK);
    for (const [a, n] of articlePairs(unit, ctx)) {
      const lint = at('a-an', a.start, a.end);
      if (!lint) continue;
      // A word Harper does not know (a name, an abbreviation, Latin) gives no reliable pronunciation.
      if (unknown?.has(`${n.start}:${n.end}`)) continue;
      const other = a.word.toLowerCase() === 'a' ? 'an' : 'a';
      if (lint.suggestions[0]?.toLowerCase() !== other) continue;
      out.push({ rule: 'a-an', edit: replaceWord(a, matchCase(a.word, other)) });
    }
  }
  return out;
}
