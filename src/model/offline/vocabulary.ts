// What a repository's own docs say is a word: the words of its inline code, link destinations, URLs and
// other protected spans, and words its prose uses often. Pure. The engine applies the result as an
// admission veto across the repository (a word in it is never replaced); the fixer's cache keys stay
// independent of it, so a docs change elsewhere does not invalidate every unit's cache entry.
import { commonMisspellings } from './misspellings.js';
import { analyseUnit } from './text.js';

export interface RepositoryVocabularyOptions {
  /** A prose word found in at least this many distinct unit texts counts as the repository's own (default 3). */
  readonly minUnits?: number;
  /**
   * Which prose words may become vocabulary by frequency, lower-cased (default: the words of the
   * common-misspellings list, the only words the offline editor replaces; pass `() => true` for a model).
   */
  readonly candidate?: (word: string) => boolean;
}

export const DEFAULT_MIN_UNITS = 3;

/**
 * The lower-cased words that must count as vocabulary for a set of unit texts: every word inside their
 * protected spans (inline code, link destinations and labels, URLs, HTML, templates, math), and every
 * candidate prose word that appears in at least `minUnits` distinct unit texts.
 */
export function repositoryVocabulary(
  unitTexts: Iterable<string>,
  options: RepositoryVocabularyOptions = {},
): Set<string> {
  const minUnits = Math.max(1, options.minUnits ?? DEFAULT_MIN_UNITS);
  let candidate = options.candidate;
  if (!candidate) {
    const { corrections } = commonMisspellings();
    candidate = (w) => corrections.has(w);
  }
  const vocabulary = new Set<string>();
  const seenIn = new Map<string, number>();
  for (const text of new Set(unitTexts)) {
    const unit = analyseUnit(text);
    for (const w of unit.codeWords) vocabulary.add(w);
    const own = new Set<string>();
    for (const w of unit.words) {
      const lower = w.word.toLowerCase();
      if (candidate(lower)) own.add(lower);
    }
    for (const w of own) {
      const n = (seenIn.get(w) ?? 0) + 1;
      seenIn.set(w, n);
      if (n >= minUnits) vocabulary.add(w);
    }
  }
  return vocabulary;
}
