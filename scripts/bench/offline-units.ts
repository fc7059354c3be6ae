// Shared by the offline editor's benchmarks: the corpus's distinct prose units, and how to describe an edit.
import { diffWords } from 'diff';
import { split } from '../../src/markdown/index.js';
import type { ModelUnit } from '../../src/model/types.js';
import type { Corpus } from './lib.js';

export interface CorpusUnit extends ModelUnit {
  /** The first file the unit was seen in. */
  readonly path: string;
}

/** Every distinct (kind, text) prose unit of the corpus, in file order, as the engine would send them. */
export function distinctUnits(corpus: Corpus): CorpusUnit[] {
  const seen = new Set<string>();
  const units: CorpusUnit[] = [];
  for (const file of corpus.files) {
    const doc = split(file.bytes, { path: file.path });
    for (const u of doc.units) {
      const key = `${u.kind}\n${u.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      units.push({ id: units.length, kind: u.kind, lines: u.text.split('\n'), path: file.path });
    }
  }
  return units;
}

export interface Change {
  /** The removed words and the added ones, line breaks shown as ⏎. */
  readonly from: string;
  readonly to: string;
  /** The change in its context: `…before [from -> to] after…`. */
  readonly where: string;
}

/** The word-level changes from `before` to `after`, each with some context (adjacent removals and additions form one change). */
export function describeChanges(before: string, after: string, context = 40): Change[] {
  const show = (s: string): string => s.replace(/\n/g, '⏎');
  const parts = diffWords(before, after);
  const changes: Change[] = [];
  let at = 0;
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      at += part.value.length;
      continue;
    }
    let from = '';
    let to = '';
    const start = at;
    while (i < parts.length && (parts[i]!.added || parts[i]!.removed)) {
      if (parts[i]!.removed) from += parts[i]!.value;
      else to += parts[i]!.value;
      i += 1;
    }
    i -= 1;
    at += from.length;
    changes.push({
      from: show(from),
      to: show(to),
      where: `${show(before.slice(Math.max(0, start - context), start))}[${show(from)} -> ${show(to)}]${show(before.slice(at, at + context))}`,
    });
  }
  return changes;
}
