/**
 * The repository's vocabulary as admission uses it: every exact-case occurrence of a term in a unit must
 * still be in the answer (a term may move, it may not be changed, dropped or re-cased). Pure.
 * A term is matched where it stands alone: not inside a longer word (`GitHub` is not in `GitHubber`).
 */

/** Letters, digits and `_`: what may not touch a term that starts or ends with one. */
const WORD = /[\p{L}\p{N}_]/u;
const WORDS = /[\p{L}\p{N}_]+/gu;

export interface VocabularyMatcher {
  readonly size: number;
  /** Exact-case occurrences of each term found in `text`. */
  occurrences(text: string): Map<string, number>;
}

const compiled = new WeakMap<readonly string[], VocabularyMatcher>();

/** A matcher for `terms`, built once per list (by identity). */
export function vocabularyMatcher(terms: readonly string[]): VocabularyMatcher {
  let matcher = compiled.get(terms);
  if (!matcher) {
    matcher = compile(terms);
    compiled.set(terms, matcher);
  }
  return matcher;
}

function compile(terms: readonly string[]): VocabularyMatcher {
  // Terms by their first word, lower-cased: a text is only searched for terms whose first word it has.
  const byWord = new Map<string, string[]>();
  for (const term of terms) {
    const first = term.match(WORDS)?.[0]?.toLowerCase();
    if (first === undefined) continue;
    const list = byWord.get(first);
    if (list) list.push(term);
    else byWord.set(first, [term]);
  }
  return {
    size: terms.length,
    occurrences(text: string): Map<string, number> {
      const found = new Map<string, number>();
      const seen = new Set<string>();
      for (const word of text.match(WORDS) ?? []) {
        const lower = word.toLowerCase();
        if (seen.has(lower)) continue;
        seen.add(lower);
        for (const term of byWord.get(lower) ?? []) {
          const n = countStandalone(text, term);
          if (n > 0) found.set(term, n);
        }
      }
      return found;
    },
  };
}

function countStandalone(text: string, term: string): number {
  const guardStart = WORD.test(term[0]!);
  const guardEnd = WORD.test(term[term.length - 1]!);
  let n = 0;
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    if (guardStart && at > 0 && WORD.test(text[at - 1]!)) continue;
    const end = at + term.length;
    if (guardEnd && end < text.length && WORD.test(text[end]!)) continue;
    n += 1;
  }
  return n;
}

/**
 * The first term whose occurrences in `before` are not all in `after`, with both counts; undefined when
 * every occurrence is kept.
 */
export function changedTerm(
  matcher: VocabularyMatcher,
  before: string,
  after: string,
): { term: string; before: number; after: number } | undefined {
  if (matcher.size === 0) return undefined;
  const was = matcher.occurrences(before);
  if (was.size === 0) return undefined;
  const now = matcher.occurrences(after);
  for (const [term, n] of was) {
    const kept = now.get(term) ?? 0;
    if (kept < n) return { term, before: n, after: kept };
  }
  return undefined;
}
