// Measures each rule of the offline editor on real documentation: what it would change in every distinct
// prose unit of $DOCS_FIX_CORPUS. Published docs are mostly right, so each change is either a real typo or a
// false edit; a person's verdict on each change is kept in offline-rules.verdicts.json (keyed by rule, file
// and change), and the script prints per rule the changes, the judged typos and false edits, the unjudged
// ones, and precision over the judged ones. A rule is on by default only when this says it is precise.
// Usage: DOCS_FIX_CORPUS=../shared/corpus npm run bench:offline-rules
//   RULES=a-an (default: every rule)   SHOW=all|unjudged|false (default unjudged: print changes to judge)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOfflineFixer, normaliseRules, OFFLINE_RULES, type OfflineRule } from '../../src/model/offline/index.js';
import { loadCorpus } from './lib.js';
import { describeChanges, distinctUnits } from './offline-units.js';

type Verdict = 'typo' | 'false';

const KEY_CONTEXT = 16;

const here = dirname(fileURLToPath(import.meta.url));
// The verdicts live next to the TypeScript source; the compiled script runs from dist/scripts/bench.
const VERDICTS = [join(here, 'offline-rules.verdicts.json'), join(here, '../../../scripts/bench/offline-rules.verdicts.json')];

function loadVerdicts(): Record<string, Verdict> {
  for (const file of VERDICTS) {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      // Keys starting with `_` are notes on how the verdicts were made.
      return Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith('_'))) as Record<string, Verdict>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error(`offline-rules.verdicts.json not found (looked in ${VERDICTS.join(', ')})`);
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const units = distinctUnits(corpus);
  const lines = units.reduce((n, u) => n + u.lines.length, 0);
  const rules = process.env.RULES ? normaliseRules(process.env.RULES.split(',')) : [...OFFLINE_RULES];
  const show = process.env.SHOW ?? 'unjudged';
  const verdicts = loadVerdicts();
  console.log(`offline rules on ${corpus.source}: ${corpus.files.length} files, ${units.length} distinct units, ${lines} lines`);

  const results: Record<string, unknown> = {};
  for (const rule of rules) {
    const fixer = createOfflineFixer({ rules: [rule as OfflineRule], maxPasses: 1 });
    const start = performance.now();
    const result = await fixer.fixUnits(units, { maxLines: Infinity, maxTokens: Infinity });
    const ms = performance.now() - start;
    if (result.failures.length > 0) throw new Error(`${rule}: ${result.failures.map((f) => f.message).join('; ')}`);
    let typos = 0;
    let falseEdits = 0;
    let unjudged = 0;
    const printed: string[] = [];
    for (const unit of units) {
      const answer = result.answers.get(unit.id);
      if (!answer) throw new Error(`${rule}: unit ${unit.id} unanswered`);
      const before = unit.lines.join('\n');
      const after = answer.join('\n');
      if (before === after) continue;
      const shown = describeChanges(before, after);
      for (const [i, change] of describeChanges(before, after, KEY_CONTEXT).entries()) {
        // The change with a little context, so that two changes of one file have different keys.
        const key = `${rule}|${unit.path}|${change.where}`;
        const verdict = verdicts[key];
        if (verdict === 'typo') typos += 1;
        else if (verdict === 'false') falseEdits += 1;
        else unjudged += 1;
        if (show === 'all' || (show === 'unjudged' && !verdict) || (show === 'false' && verdict === 'false')) {
          printed.push(`  ${verdict ?? 'UNJUDGED'}  ${JSON.stringify(key)}\n      ${shown[i]!.where}`);
        }
      }
    }
    const edits = typos + falseEdits + unjudged;
    const judged = typos + falseEdits;
    const precision = judged === 0 ? null : Number((typos / judged).toFixed(3));
    console.log(
      `\n${rule}: ${edits} changes (${typos} typos, ${falseEdits} false edits, ${unjudged} unjudged); precision over judged ${precision ?? 'n/a'}; ${result.requests} Harper calls, ${ms.toFixed(0)} ms`,
    );
    if (printed.length > 0) console.log(printed.join('\n'));
    results[rule] = { edits, typos, falseEdits, unjudged, precision, harperCalls: result.requests, ms: Math.round(ms) };
  }
  console.log(JSON.stringify({ files: corpus.files.length, units: units.length, lines, rules: results }));
}

await main();
