// Quality benchmark: copy a sample of real documentation, inject known errors into its prose, run the built
// CLI (`docs-fix fix --write`) with a provider, and measure per error class the recall (injected errors fixed
// exactly: the line is back to its original text) and the false edits (changed prose lines where nothing was
// injected; a sample is printed for a person to inspect, since some are real typos of the original docs).
// Usage: npm run bench:quality  (DOCS_FIX_CORPUS=../shared/corpus; QUALITY_FILES=300 files sampled,
//   QUALITY_RATE=0.08 of their prose lines get an error, QUALITY_SEED=17, QUALITY_PROVIDERS=offline,sim[,openai]
//   where openai runs only when OPENAI_BASE_URL or OPENAI_API_KEY is set; QUALITY_SHOW=n prints only n false
//   edits, QUALITY_MISSED=n errors left as they were per class)
// Edits of lines where nothing was injected are judged by hand once, in quality.verdicts.json (each: the line
// before and after, `typo` when it fixes a real error of the published docs, `wrong` otherwise); the report
// counts judged typos apart and every edit without a verdict as wrong, so a new false edit shows at once.
// Prints a table per provider, then one JSON line for report scripts.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { join as joinLines, split, type MarkdownDocument } from '../../src/markdown/index.js';
import { commonMisspellings } from '../../src/model/offline/index.js';
import { analyseUnit, casing, type WordToken } from '../../src/model/offline/text.js';
import type { SourceFile } from '../../src/engine/types.js';
import { loadCorpus, round, seededRandom, shuffled } from './lib.js';

const ERROR_CLASSES = ['misspelling', 'doubled', 'a-an', 'missing-letter'] as const;
type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Words whose doubling is grammatical (that that, had had): doubling them injects no error. */
const LEGIT_DOUBLES = new Set(['that', 'had', 'is', 'do', 'so', 'very', 'really', 'no']);

interface Injection {
  readonly path: string;
  /** 0-based line index in the file. */
  readonly index: number;
  readonly errorClass: ErrorClass;
  readonly original: string;
  readonly injected: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '..', '..', 'src', 'cli.js');

interface Verdict {
  readonly before: string;
  readonly after: string;
  readonly verdict: 'typo' | 'wrong';
  readonly note?: string;
}

/** The hand verdicts on edits of untouched lines (scripts/bench/quality.verdicts.json), by before and after. */
function loadVerdicts(): Map<string, Verdict> {
  const file = join(here, '..', '..', '..', 'scripts', 'bench', 'quality.verdicts.json');
  const list = JSON.parse(readFileSync(file, 'utf8')) as { verdicts: Verdict[] };
  return new Map(list.verdicts.map((v) => [`${v.before}\n${v.after}`, v]));
}

function reverseMisspellings(): Map<string, string[]> {
  const byCorrection = new Map<string, string[]>();
  for (const [wrong, right] of commonMisspellings().corrections) {
    // Single words only, and only lower case corrections: the injected word replaces one prose word.
    if (!/^[a-z]+$/.test(right) || !/^[a-z]+$/.test(wrong)) continue;
    const list = byCorrection.get(right);
    if (list) list.push(wrong);
    else byCorrection.set(right, [wrong]);
  }
  for (const list of byCorrection.values()) list.sort();
  return byCorrection;
}

/** Replaces `[start, end)` of `text`. */
function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** Tries to inject one error of `errorClass` into a line's text; undefined when the line offers no place. */
function inject(
  text: string,
  errorClass: ErrorClass,
  random: () => number,
  misspellingsOf: Map<string, string[]>,
): string | undefined {
  const unit = analyseUnit(text);
  const words = unit.words.filter((w) => !w.compoundPart && casing(w.word) === 'lower');
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length === 0 ? undefined : xs[Math.floor(random() * xs.length)]);
  if (errorClass === 'misspelling') {
    const w = pick(words.filter((x) => misspellingsOf.has(x.word)));
    if (!w) return undefined;
    return splice(text, w.start, w.end, pick(misspellingsOf.get(w.word)!)!);
  }
  if (errorClass === 'doubled') {
    const ok = (w: WordToken, i: number): boolean =>
      w.end === w.tokenEnd && w.start === w.tokenStart && !LEGIT_DOUBLES.has(w.word) && words[i + 1]?.word !== w.word;
    const w = pick(words.filter(ok));
    if (!w) return undefined;
    return splice(text, w.end, w.end, ` ${w.word}`);
  }
  if (errorClass === 'a-an') {
    const articles = unit.words.filter(
      (w, i) =>
        (w.word === 'a' || w.word === 'an') &&
        w.end === w.tokenEnd &&
        unit.words[i + 1] !== undefined &&
        casing(unit.words[i + 1]!.word) === 'lower' &&
        unit.words[i + 1]!.start === unit.words[i + 1]!.tokenStart &&
        text.slice(w.end, unit.words[i + 1]!.start) === ' ',
    );
    const w = pick(articles);
    if (!w) return undefined;
    return splice(text, w.start, w.end, w.word === 'a' ? 'an' : 'a');
  }
  const w = pick(words.filter((x) => x.word.length >= 6));
  if (!w) return undefined;
  const at = w.start + 1 + Math.floor(random() * (w.word.length - 2));
  return splice(text, at, at + 1, '');
}

/** Injects errors into a share of each file's editable lines, one per line, classes in turn. */
function injectAll(
  files: readonly SourceFile[],
  rate: number,
  seed: number,
): { docs: Map<string, Uint8Array>; injections: Injection[]; prose: Map<string, number[]> } {
  const random = seededRandom(seed);
  const misspellingsOf = reverseMisspellings();
  const docs = new Map<string, Uint8Array>();
  const injections: Injection[] = [];
  const prose = new Map<string, number[]>();
  let turn = 0;
  for (const file of files) {
    const doc = split(file.bytes, { path: file.path });
    const editable = doc.lines.filter((l) => l.editable).map((l) => l.index);
    prose.set(file.path, editable);
    const replacements = new Map<number, string>();
    for (const index of editable) {
      if (random() >= rate) continue;
      const original = doc.lines[index]!.text;
      for (let k = 0; k < ERROR_CLASSES.length; k += 1) {
        const errorClass = ERROR_CLASSES[(turn + k) % ERROR_CLASSES.length]!;
        const injected = inject(original, errorClass, random, misspellingsOf);
        if (injected === undefined || injected === original) continue;
        replacements.set(index, injected);
        injections.push({ path: file.path, index, errorClass, original, injected });
        turn += 1;
        break;
      }
    }
    docs.set(file.path, joinLines(doc, replacements));
  }
  return { docs, injections, prose };
}

const MISSED_SHOWN = Number(process.env.QUALITY_MISSED ?? 5);
const LEFT = 'left as is';

/** The injected change and what the run left: `recieve (was receive) -> left as is` with the words around. */
function describeMiss(injection: Injection, now: string): string {
  let start = 0;
  const a = injection.original;
  const b = injection.injected;
  while (start < a.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const around = (s: string, from: number, to: number): string =>
    `${s.slice(Math.max(0, from - 25), from)}[${s.slice(from, to)}]${s.slice(to, to + 25)}`;
  const result = now === b ? LEFT : `changed to: ${now.slice(Math.max(0, start - 25), start + 40)}`;
  return `${around(b, start, endB)} (was ${around(a, start, endA)}): ${result}`;
}

interface CliRun {
  readonly ms: number;
  readonly summary: Record<string, unknown>;
}

function runCli(cwd: string, provider: string, maxLines: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const env = { ...process.env, DOCS_FIX_MAX_LINES_PER_RUN: String(maxLines) };
    const args = [CLI, 'fix', '.', '--write', '--json', '--provider', provider, '--store', 'memory', '--max-lines', String(maxLines)];
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`docs-fix fix --provider ${provider} exited with ${code}: ${err.slice(-2000)}`));
      try {
        resolve({ ms: performance.now() - start, summary: JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown> });
      } catch {
        reject(new Error(`docs-fix fix --provider ${provider}: no JSON summary on stdout: ${out.slice(-500)}`));
      }
    });
  });
}

interface ClassResult {
  injected: number;
  fixed: number;
  changedOtherwise: number;
  /** Some injections that were not fixed exactly, for a person to see why. */
  missed: string[];
}

async function measure(
  provider: string,
  docs: Map<string, Uint8Array>,
  injections: readonly Injection[],
  prose: Map<string, number[]>,
): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), `docs-fix-quality-${provider}-`));
  try {
    for (const [path, bytes] of docs) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), bytes);
    }
    const proseLines = [...prose.values()].reduce((n, l) => n + l.length, 0);
    const run = await runCli(dir, provider, proseLines + 1);
    const byClass: Record<ErrorClass, ClassResult> = Object.fromEntries(
      ERROR_CLASSES.map((c): [ErrorClass, ClassResult] => [c, { injected: 0, fixed: 0, changedOtherwise: 0, missed: [] }]),
    ) as Record<ErrorClass, ClassResult>;
    const injectedAt = new Map(injections.map((i) => [`${i.path}\n${i.index}`, i]));
    const falseEdits: { path: string; line: number; was: string; now: string }[] = [];
    let untouched = 0;
    for (const [path, before] of docs) {
      const given: MarkdownDocument = split(before, { path });
      const after = split(readFileSync(join(dir, path)), { path });
      if (after.lines.length !== given.lines.length) {
        throw new Error(`${path}: ${given.lines.length} lines before, ${after.lines.length} after the run`);
      }
      for (const index of prose.get(path)!) {
        const was = given.lines[index]!.text;
        const now = after.lines[index]!.text;
        const injection = injectedAt.get(`${path}\n${index}`);
        if (injection) {
          const r = byClass[injection.errorClass];
          r.injected += 1;
          if (now === injection.original) r.fixed += 1;
          else if (now !== was) {
            // Changed, but not back to the original: always shown, these are the suspicious ones.
            r.changedOtherwise += 1;
            r.missed.push(describeMiss(injection, now));
          } else if (r.missed.filter((m) => m.endsWith(LEFT)).length < MISSED_SHOWN) {
            r.missed.push(describeMiss(injection, now));
          }
          continue;
        }
        untouched += 1;
        if (now !== was) falseEdits.push({ path, line: index + 1, was, now });
      }
    }
    const classes = Object.fromEntries(
      ERROR_CLASSES.map((c) => {
        const r = byClass[c];
        const { missed: _missed, ...counts } = r;
        return [c, { ...counts, recall: r.injected === 0 ? null : round(r.fixed / r.injected) }];
      }),
    );
    const perThousand = untouched === 0 ? null : round((falseEdits.length / untouched) * 1000, 2);
    const verdicts = loadVerdicts();
    const judged = falseEdits.map((e) => ({ ...e, verdict: verdicts.get(`${e.was}\n${e.now}`)?.verdict }));
    const typos = judged.filter((e) => e.verdict === 'typo').length;
    const wrong = judged.length - typos; // judged wrong, or not judged yet
    const wrongPerThousand = untouched === 0 ? null : round((wrong / untouched) * 1000, 2);
    console.log(`\n${provider}: docs-fix fix --write in ${(run.ms / 1000).toFixed(1)} s`);
    for (const c of ERROR_CLASSES) {
      const r = classes[c] as ClassResult & { recall: number | null };
      console.log(
        `  ${c.padEnd(15)} injected ${String(r.injected).padStart(4)}  fixed exactly ${String(r.fixed).padStart(4)}  recall ${r.recall ?? 'n/a'}  (changed otherwise ${r.changedOtherwise})`,
      );
      for (const m of byClass[c].missed) console.log(`      missed: ${m}`);
    }
    console.log(
      `  edits of untouched lines: ${falseEdits.length} among ${untouched} untouched prose lines (${perThousand} per 1,000); judged by hand: ${typos} fix real typos of the published docs, ${wrong} wrong or not judged = ${wrongPerThousand} per 1,000 (goal <= 1)`,
    );
    const shown = Number(process.env.QUALITY_SHOW ?? Infinity);
    if (falseEdits.length > 0) {
      console.log(`  the edits${falseEdits.length > shown ? ` (first ${shown})` : ''}, with their verdict (none: add one to quality.verdicts.json):`);
      for (const e of judged.slice(0, shown))
        console.log(`    ${e.path}:${e.line} [${e.verdict ?? 'NOT JUDGED'}]\n      - ${e.was}\n      + ${e.now}`);
    }
    return {
      provider,
      runMs: Math.round(run.ms),
      model: (run.summary.keyInputs as { modelId?: string } | undefined)?.modelId,
      classes,
      untouchedProseLines: untouched,
      falseEdits: falseEdits.length,
      falseEditsPer1000: perThousand,
      judgedTypos: typos,
      wrongEdits: wrong,
      wrongEditsPer1000: wrongPerThousand,
      modelRequests: run.summary.modelRequests,
      tokens: run.summary.tokens,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const count = Number(process.env.QUALITY_FILES ?? 300);
  const rate = Number(process.env.QUALITY_RATE ?? 0.08);
  const seed = Number(process.env.QUALITY_SEED ?? 17);
  const sample = shuffled(corpus.files, seed).slice(0, count);
  const { docs, injections, prose } = injectAll(sample, rate, seed);
  const proseLines = [...prose.values()].reduce((n, l) => n + l.length, 0);
  const perClass = ERROR_CLASSES.map((c) => `${c} ${injections.filter((i) => i.errorClass === c).length}`).join(', ');
  console.log(
    `bench:quality: ${sample.length} files sampled (seed ${seed}) from ${corpus.source}, ${proseLines} prose lines, ${injections.length} errors injected (${perClass})`,
  );
  const wanted = (process.env.QUALITY_PROVIDERS ?? 'offline,sim,openai').split(',');
  const results: Record<string, unknown>[] = [];
  for (const provider of wanted) {
    if (provider === 'openai' && !process.env.OPENAI_BASE_URL && !process.env.OPENAI_API_KEY) {
      console.log('\nopenai: skipped (set OPENAI_BASE_URL or OPENAI_API_KEY to compare a model)');
      continue;
    }
    results.push(await measure(provider, docs, injections, prose));
  }
  console.log(JSON.stringify({ files: sample.length, seed, rate, proseLines, injected: injections.length, results }));
}

await main();
