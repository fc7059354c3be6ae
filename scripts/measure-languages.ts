// `npm run measure:languages -- --english DIR [--translation DIR=ORIGINAL ...]`: what the language guard
// (src/engine/language.ts) freezes under `languages: [en]`.
// - English docs (the shared corpus): every unit it freezes is a false positive; they are listed.
// - Translations with their English original (e.g. vuejs-translations/docs-fr and vuejs/docs): a unit whose
//   text also occurs in the original is untranslated English (must stay editable); any other unit counts as
//   translated (should be frozen; headings made of names alone are editable in any language).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { freezeOtherLanguages } from '../src/engine/language.js';
import { split } from '../src/markdown/index.js';
import type { MarkdownDocument } from '../src/markdown/types.js';

function markdownFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) markdownFiles(path, out);
    else if (/\.(md|mdx|markdown)$/i.test(name)) out.push(path);
  }
  return out;
}

interface Measured {
  readonly files: number;
  readonly units: number;
  readonly splitMs: number;
  readonly guardMs: number;
  readonly docs: { path: string; before: MarkdownDocument; after: MarkdownDocument }[];
}

function measure(dir: string): Measured {
  const docs: Measured['docs'] = [];
  let splitMs = 0;
  let guardMs = 0;
  let units = 0;
  const files = markdownFiles(dir);
  for (const path of files) {
    const t0 = performance.now();
    const before = split(readFileSync(path), { path });
    const t1 = performance.now();
    const after = freezeOtherLanguages(before, ['en']);
    guardMs += performance.now() - t1;
    splitMs += t1 - t0;
    units += before.units.length;
    docs.push({ path: relative(dir, path), before, after });
  }
  return { files: files.length, units, splitMs, guardMs, docs };
}

/** Units of `before` the guard froze, with the code it froze them under. */
function frozenUnits(before: MarkdownDocument, after: MarkdownDocument): { text: string; code: string }[] {
  return before.units.flatMap((u) => {
    const line = after.lines[u.lines[0]!]!;
    return line.editable ? [] : [{ text: u.text, code: (line.reason ?? '').replace(/^language:/, '') }];
  });
}

const args = process.argv.slice(2);
const english = args[args.indexOf('--english') + 1];
const translations = args.flatMap((a, i) => (args[i - 1] === '--translation' ? [a] : []));
if (!args.includes('--english') || english === undefined) {
  process.stderr.write('usage: measure-languages --english DIR [--translation DIR=ORIGINAL ...]\n');
  process.exit(2);
}
const pct = (n: number, d: number): string => `${((100 * n) / Math.max(1, d)).toFixed(2)}%`;

const en = measure(english);
const falsePositives = en.docs.flatMap((d) =>
  frozenUnits(d.before, d.after).map((f) => `  ${d.path}: language:${f.code}: ${JSON.stringify(f.text)}`),
);
process.stdout.write(
  `English ${english}: ${en.files} files, ${en.units} units; frozen as another language: ${falsePositives.length} (${pct(falsePositives.length, en.units)}); guard ${Math.round(en.guardMs)} ms, split ${Math.round(en.splitMs)} ms (${(en.guardMs / en.splitMs).toFixed(3)}x)\n`,
);
for (const line of falsePositives) process.stdout.write(`${line}\n`);

for (const spec of translations) {
  const [dir, original] = spec.split('=');
  if (!dir || !original) throw new Error(`--translation ${spec}: expected DIR=ORIGINAL`);
  const originalTexts = new Set(measure(original).docs.flatMap((d) => d.before.units.map((u) => u.text)));
  const t = measure(dir);
  let translated = 0;
  let translatedFrozen = 0;
  let untranslated = 0;
  const untranslatedFrozen: string[] = [];
  const codes: Record<string, number> = {};
  for (const d of t.docs) {
    const frozen = new Map(frozenUnits(d.before, d.after).map((f) => [f.text, f.code]));
    for (const u of d.before.units) {
      const code = frozen.get(u.text);
      if (originalTexts.has(u.text)) {
        untranslated += 1;
        if (code !== undefined)
          untranslatedFrozen.push(`  ${d.path}: language:${code}: ${JSON.stringify(u.text)}`);
        continue;
      }
      translated += 1;
      if (code === undefined) continue;
      translatedFrozen += 1;
      codes[code] = (codes[code] ?? 0) + 1;
    }
  }
  process.stdout.write(
    `${dir}: ${t.files} files, ${t.units} units; translated ${translated}, frozen ${translatedFrozen} (${pct(translatedFrozen, translated)}) as ${JSON.stringify(codes)}; untranslated (as in ${original}) ${untranslated}, frozen ${untranslatedFrozen.length} (${pct(untranslatedFrozen.length, untranslated)}); guard ${Math.round(t.guardMs)} ms\n`,
  );
  for (const line of untranslatedFrozen) process.stdout.write(`${line}\n`);
}
