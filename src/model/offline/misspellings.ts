// The curated list of common English misspellings from @cspell/dict-en-common-misspellings (CC-BY-SA-4.0
// data: Wikipedia's lists of common misspellings and crate-ci/typos). Only its locale-neutral dictionary
// (`dict-en.json`) is read, and only the entries with exactly one correction: a word the list itself is
// unsure about ("accurs->accurse, occurs") is never corrected.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageDir, packageVersion } from './packages.js';

export const MISSPELLINGS_PACKAGE = '@cspell/dict-en-common-misspellings';

export interface MisspellingList {
  /** The package version, part of the offline editor's model id. */
  readonly version: string;
  /** Lower-case misspelling -> its single correction (as the list spells it, usually lower case). */
  readonly corrections: ReadonlyMap<string, string>;
  /** Entries left out because the list gives several corrections. */
  readonly ambiguous: number;
}

/**
 * Parses the package's `suggestWords` entries (`"wrong->right"` or `"wrong->right, other"`). Exported for
 * tests; throws when the data is not in the format this reader knows, so a changed package fails loudly.
 */
export function parseSuggestWords(
  entries: readonly unknown[],
  source: string,
): Omit<MisspellingList, 'version'> {
  const corrections = new Map<string, string>();
  let ambiguous = 0;
  for (const [i, entry] of entries.entries()) {
    if (typeof entry !== 'string' || !entry.includes('->')) {
      throw new Error(`${source}: suggestWords[${i}] is not "wrong->right": ${JSON.stringify(entry)}`);
    }
    const [wrong, right] = entry.split('->') as [string, string];
    const choices = right.split(',').map((c) => c.trim());
    if (choices.length !== 1 || choices[0] === '') {
      ambiguous += 1;
      continue;
    }
    const key = wrong.trim().toLowerCase();
    // The same misspelling listed twice with different corrections is ambiguous too.
    const previous = corrections.get(key);
    if (previous !== undefined && previous.toLowerCase() !== choices[0]!.toLowerCase()) {
      corrections.delete(key);
      ambiguous += 1;
      continue;
    }
    corrections.set(key, choices[0]!);
  }
  return { corrections, ambiguous };
}

let loaded: MisspellingList | undefined;

/** The installed list's version, without reading the list. */
export function misspellingsVersion(): string {
  return packageVersion(MISSPELLINGS_PACKAGE);
}

/** The list, read from node_modules once per process (about 80,000 entries, ~50 ms). */
export function commonMisspellings(): MisspellingList {
  if (loaded) return loaded;
  const version = misspellingsVersion();
  const file = join(packageDir(MISSPELLINGS_PACKAGE), 'dict', 'dict-en.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as {
    dictionaryDefinitions?: { name?: string; suggestWords?: unknown[] }[];
  };
  const definition = data.dictionaryDefinitions?.find((d) => d.name === 'en-common-misspellings');
  if (!definition || !Array.isArray(definition.suggestWords)) {
    throw new Error(`${file}: no en-common-misspellings definition with suggestWords`);
  }
  loaded = { version, ...parseSuggestWords(definition.suggestWords, file) };
  return loaded;
}
