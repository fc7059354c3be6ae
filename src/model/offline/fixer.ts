// The `offline` provider: a rule-based copy editor that runs in-process. Each unit is checked by a cheap
// prefilter (can any enabled rule fix something here?); only candidates are linted by Harper, many per
// call; a rule applies a suggestion only when its own conditions and Harper agree. A unit it changed is
// checked again (one fix can reveal the next: `teh the` -> `the the` -> `the`), up to `maxPasses`.
import { createHash } from 'node:crypto';
import { withinLineBudget } from '../client.js';
import type { Budget, FixUnitsResult, ModelFailure, ModelUnit, UnitFixer } from '../types.js';
import { applyEdits } from './edits.js';
import { sharedHarper, type HarperLint, type HarperSession } from './harper.js';
import { commonMisspellings, misspellingsVersion, type MisspellingList } from './misspellings.js';
import {
  DEFAULT_RULES,
  harperRules,
  isCandidate,
  OFFLINE_RULES,
  proposeEdits,
  RULESET_VERSION,
  type OfflineRule,
  type RuleContext,
} from './rules.js';
import { analyseUnit } from './text.js';
import { repositoryVocabulary } from './vocabulary.js';

export interface OfflineFixerOptions {
  /** Terms the repository declares: given to Harper as words, never changed, part of the prompt version. */
  readonly vocabulary?: readonly string[];
  /** The rules to apply (default: DEFAULT_RULES). Part of the model id. */
  readonly rules?: readonly OfflineRule[];
  /** Default: the process's shared session (one linter per process). */
  readonly harper?: HarperSession;
  /** Default: the installed list. */
  readonly misspellings?: MisspellingList;
  /** Passes over a changed unit's own output (default 3; 1 = a single pass, for measuring). */
  readonly maxPasses?: number;
  /** Most characters of unit text per Harper call (default 50,000). */
  readonly batchChars?: number;
}

/** Changing anything in how the fixer builds its answers outside the rules bumps this (prompt version). */
const OFFLINE_PROMPT_VERSION = 1;
const DEFAULT_MAX_PASSES = 3;
const DEFAULT_BATCH_CHARS = 50_000;
/** Units are linted as separate markdown paragraphs in one text. */
const UNIT_SEPARATOR = '\n\n';

/** Sorted, deduplicated words of the vocabulary's terms (a term of several words gives each of them). */
export function normaliseVocabulary(terms: readonly string[]): string[] {
  const words = new Set<string>();
  for (const term of terms) {
    for (const w of term.trim().split(/\s+/)) if (w !== '') words.add(w);
  }
  return [...words].sort();
}

/** The rules in their canonical order, checked (an unknown name is a clear error, not a silent no-op). */
export function normaliseRules(rules: readonly string[]): OfflineRule[] {
  for (const r of rules) {
    if (!(OFFLINE_RULES as readonly string[]).includes(r)) {
      throw new Error(`unknown offline rule "${r}" (known: ${OFFLINE_RULES.join(', ')})`);
    }
  }
  return OFFLINE_RULES.filter((r) => rules.includes(r));
}

export function offlineModelId(
  harperVersion: string,
  listVersion: string,
  rules: readonly OfflineRule[],
): string {
  return `docs-fix-offline/${RULESET_VERSION}(harper.js=${harperVersion},en-common-misspellings=${listVersion},rules=${rules.join('+')})`;
}

export function offlineLabel(
  harperVersion: string,
  listVersion: string,
  rules: readonly OfflineRule[],
): string {
  return `offline editor: harper.js ${harperVersion} + common misspellings ${listVersion}, rules ${rules.join(', ')}`;
}

export interface OfflineFixer extends UnitFixer {
  readonly rules: readonly OfflineRule[];
  readonly vocabulary: readonly string[];
}

export function createOfflineFixer(options: OfflineFixerOptions = {}): OfflineFixer {
  const rules = normaliseRules(options.rules ?? DEFAULT_RULES);
  const vocabulary = normaliseVocabulary(options.vocabulary ?? []);
  const harper = options.harper ?? sharedHarper();
  const listVersion = options.misspellings?.version ?? misspellingsVersion();
  const maxPasses = Math.max(1, Math.floor(options.maxPasses ?? DEFAULT_MAX_PASSES));
  const batchChars = Math.max(1, options.batchChars ?? DEFAULT_BATCH_CHARS);
  const harperNames = harperRules(rules);
  const promptVersion = createHash('sha256')
    .update(JSON.stringify(['docs-fix offline', OFFLINE_PROMPT_VERSION, vocabulary]))
    .digest('hex')
    .slice(0, 16);
  let context: RuleContext | undefined;
  const ruleContext = (): RuleContext => {
    context ??= {
      corrections: (options.misspellings ?? commonMisspellings()).corrections,
      vocabulary: new Set(vocabulary.map((w) => w.toLowerCase())),
    };
    return context;
  };

  const fixUnits = async (
    units: readonly ModelUnit[],
    budget: Budget,
    signal?: AbortSignal,
  ): Promise<FixUnitsResult> => {
    signal?.throwIfAborted();
    const ctx = ruleContext();
    // Budget in source lines, as for a model: the units that fit, in order, are answered.
    const { sendable: allowed, overBudget } = withinLineBudget(units, budget.maxLines);

    const current = new Map<number, readonly string[]>(allowed.map((u) => [u.id, u.lines]));
    const failed = new Set<number>();
    const failures: ModelFailure[] = [];
    let requests = 0;
    let pending = allowed.map((u) => u.id);
    for (let pass = 1; pass <= maxPasses && pending.length > 0; pass += 1) {
      const candidates = pending
        .map((id) => ({ id, unit: analyseUnit(current.get(id)!.join('\n')) }))
        .filter((c) => isCandidate(c.unit, rules, ctx));
      const changed: number[] = [];
      for (const batch of batches(candidates, batchChars)) {
        signal?.throwIfAborted();
        let lints: HarperLint[];
        try {
          requests += 1;
          lints = await harper.lint(batch.text, harperNames, vocabulary);
        } catch (err) {
          const ids = batch.items.map((c) => c.id);
          failures.push({ ids, message: `harper.js: ${err instanceof Error ? err.message : String(err)}` });
          // Only a first look that failed leaves a unit unanswered; a later pass keeps the earlier fixes.
          if (pass === 1) for (const id of ids) failed.add(id);
          continue;
        }
        for (const [i, c] of batch.items.entries()) {
          const offset = batch.offsets[i]!;
          const end = offset + c.unit.text.length;
          const own = lints
            .filter((l) => l.start >= offset && l.end <= end)
            .map((l) => ({ ...l, start: l.start - offset, end: l.end - offset }));
          const edits = proposeEdits(c.unit, own, rules, ctx);
          if (edits.length === 0) continue;
          const next = applyEdits(
            current.get(c.id)!,
            edits.map((e) => e.edit),
          );
          if (!next || next.join('\n') === c.unit.text) continue;
          current.set(c.id, next);
          changed.push(c.id);
        }
      }
      pending = changed;
    }

    const answers = new Map<number, readonly string[]>();
    for (const [id, l] of current) if (!failed.has(id)) answers.set(id, l);
    return {
      answers,
      unanswered: [...failed],
      overBudget,
      requests,
      tokens: { prompt: 0, completion: 0, total: 0 },
      failures,
    };
  };

  return {
    modelId: offlineModelId(harper.version, listVersion, rules),
    promptVersion,
    label: offlineLabel(harper.version, listVersion, rules),
    rules,
    vocabulary,
    fixUnits,
    wordsToKeep: (unitTexts) => {
      const corrections = (options.misspellings ?? commonMisspellings()).corrections;
      const known = repositoryVocabulary(unitTexts, { candidate: (w) => corrections.has(w) });
      return [...known].filter((w) => corrections.has(w)).sort();
    },
  };
}

interface Candidate {
  readonly id: number;
  readonly unit: ReturnType<typeof analyseUnit>;
}

interface Batch {
  readonly items: Candidate[];
  readonly offsets: number[];
  readonly text: string;
}

/** Groups candidates into texts of about `maxChars`, each unit its own markdown paragraph. */
function* batches(candidates: readonly Candidate[], maxChars: number): Generator<Batch> {
  let items: Candidate[] = [];
  let offsets: number[] = [];
  let text = '';
  for (const c of candidates) {
    if (items.length > 0 && text.length + c.unit.text.length > maxChars) {
      yield { items, offsets, text };
      items = [];
      offsets = [];
      text = '';
    }
    if (items.length > 0) text += UNIT_SEPARATOR;
    offsets.push(text.length);
    items.push(c);
    text += c.unit.text;
  }
  if (items.length > 0) yield { items, offsets, text };
}
