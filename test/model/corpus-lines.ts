// Editable prose lines of the shared corpus (real documentation), split by the project's own splitter.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { split } from '../../src/markdown/index.js';
import type { LineKind } from '../../src/markdown/types.js';

/** The shared corpus, from $DOCS_FIX_CORPUS (CI sets it); tests that need it say so when it is unset. */
export const CORPUS = process.env.DOCS_FIX_CORPUS ?? '';
export const hasCorpus = CORPUS !== '' && existsSync(CORPUS);

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...markdownFiles(path));
    else if (/\.mdx?$/.test(name)) out.push(path);
  }
  return out;
}

/** Up to `limit` editable lines from each of the given corpus folders, in a stable order. */
export function corpusLines(folders: readonly string[], limit: number): { kind: LineKind; text: string }[] {
  const out: { kind: LineKind; text: string }[] = [];
  for (const folder of folders) {
    let taken = 0;
    for (const path of markdownFiles(join(CORPUS, folder))) {
      const doc = split(readFileSync(path), { path });
      for (const line of doc.lines) {
        if (!line.editable || line.text.trim() === '') continue;
        out.push({ kind: line.kind, text: line.text });
        taken += 1;
      }
      if (taken >= limit) break;
    }
  }
  return out;
}

/** Up to `limit` prose units (as their lines) from each of the given corpus folders, in a stable order. */
export function corpusUnits(
  folders: readonly string[],
  limit: number,
): { kind: LineKind; lines: string[] }[] {
  const out: { kind: LineKind; lines: string[] }[] = [];
  for (const folder of folders) {
    let taken = 0;
    for (const path of markdownFiles(join(CORPUS, folder))) {
      const doc = split(readFileSync(path), { path });
      for (const unit of doc.units) {
        out.push({ kind: unit.kind, lines: unit.lines.map((i) => doc.lines[i]!.text) });
        taken += 1;
      }
      if (taken >= limit) break;
    }
  }
  return out;
}
