// What the splitter's classification depends on, without loading the parser: file-level fixpoint keys and
// the engine's run set-up read these on every run, including runs that split nothing.

/**
 * Version of the line classification (which lines are editable, their kinds, prefixes and prose units).
 * Bump it when a change to the splitter could classify any line differently: file-level fixpoints are keyed
 * by it, because a line frozen under the old rules may be editable under the new ones.
 * `test/markdown/splitter-version.test.ts` fails when the classification of the fixtures changes while this
 * stays the same.
 */
export const SPLITTER_VERSION = 2;

export function isMdxPath(path: string): boolean {
  return path.toLowerCase().endsWith('.mdx');
}

/** The parser `split` uses for a path (`.mdx` files are parsed as MDX): part of file-level fixpoint keys. */
export function parserFor(path: string): 'md' | 'mdx' {
  return isMdxPath(path) ? 'mdx' : 'md';
}
