// Simulator rule sets (the "edit rules" two shadowed configurations differ in) and candidate prompts.
import { describe, expect, it } from 'vitest';
import {
  CONTRACTIONS,
  copyEdit,
  createSimulator,
  DEFAULT_SIM_SETTINGS,
  simModelId,
  SimRulesError,
  US_SPELLINGS,
} from '../../src/model/simulator.js';
import { createFixer, SYSTEM_PROMPT } from '../../src/model/index.js';
import { split } from '../../src/markdown/index.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const fixtures = join(import.meta.dirname, '../fixtures/markdown');

function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const name of readdirSync(fixtures).filter((n) => /\.mdx?$/.test(n))) {
    const doc = split(new Uint8Array(readFileSync(join(fixtures, name))), { path: name });
    if (!doc.skipped) for (const l of doc.lines) if (l.editable) lines.push(l.text);
  }
  return lines;
}

describe('simulator rule sets', () => {
  it('keeps the original model id and answers with the default rule sets', () => {
    expect(simModelId(DEFAULT_SIM_SETTINGS)).toBe('docs-fix-sim/2(seed=1,flip=0.05,fault=0)');
    expect(createFixer({ provider: 'sim', model: 'x' }).modelId).toBe(
      'docs-fix-sim/2(seed=1,flip=0.05,fault=0)',
    );
    expect(
      createFixer({ provider: 'sim', model: 'x', sim: { rules: ['doubled', 'spelling', 'wordy'] } }).modelId,
    ).toBe('docs-fix-sim/2(seed=1,flip=0.05,fault=0)');
  });

  it('puts other rule sets in the model id, in canonical order', () => {
    const fixer = createFixer({
      provider: 'sim',
      model: 'x',
      sim: { flipRate: 0, rules: ['contractions', 'spelling', 'us-spelling'] },
    });
    expect(fixer.modelId).toBe(
      'docs-fix-sim/2(seed=1,flip=0,fault=0,rules=spelling+us-spelling+contractions)',
    );
  });

  it('refuses unknown, empty and contradictory rule sets', () => {
    expect(() => createSimulator({ rules: ['spelling', 'oxford-comma' as never] })).toThrow(SimRulesError);
    expect(() => createSimulator({ rules: [] })).toThrow(/no simulator rule set/);
    expect(() => createSimulator({ rules: ['contractions', 'no-contractions'] })).toThrow(/undo each other/);
  });

  it('applies US spellings and contractions in prose only, keeping case', () => {
    const us = ['spelling', 'us-spelling'] as const;
    expect(copyEdit('The colour and Behaviour of the `colour` field.', us)).toBe(
      'The color and Behavior of the `colour` field.',
    );
    for (const [gb, am] of Object.entries(US_SPELLINGS))
      expect(copyEdit(`A ${gb} b.`, us)).toBe(`A ${am} b.`);
    expect(copyEdit('You do not need it; it Cannot fail.', ['contractions'])).toBe(
      "You don't need it; it Can't fail.",
    );
    for (const [long, short] of CONTRACTIONS) {
      expect(copyEdit(`It ${long} go.`, ['contractions'])).toBe(`It ${short} go.`);
      expect(copyEdit(`It ${short} go.`, ['no-contractions'])).toBe(`It ${long} go.`);
      expect(copyEdit(`It ${short.replace("'", '’')} go.`, ['no-contractions'])).toBe(`It ${long} go.`);
    }
    // Default rules leave both alone.
    expect(copyEdit("The colour: don't.")).toBe("The colour: don't.");
  });

  it('is idempotent under every allowed combination on real markdown lines', () => {
    const lines = fixtureLines();
    expect(lines.length).toBeGreaterThan(200);
    const combos = [
      ['spelling', 'wordy', 'doubled', 'us-spelling'],
      ['spelling', 'wordy', 'doubled', 'contractions'],
      ['spelling', 'wordy', 'doubled', 'us-spelling', 'no-contractions'],
    ] as const;
    for (const rules of combos) {
      let changed = 0;
      for (const line of lines) {
        const out = copyEdit(line, rules);
        if (out !== line) changed += 1;
        expect(copyEdit(out, rules)).toBe(out);
      }
      expect(changed).toBeGreaterThan(0);
    }
  });
});

describe('candidate prompt', () => {
  it('a different system prompt gives a different prompt version (so different cache keys)', () => {
    const base = createFixer({ provider: 'sim', model: 'x' });
    const same = createFixer({ provider: 'sim', model: 'x', systemPrompt: SYSTEM_PROMPT });
    const other = createFixer({
      provider: 'sim',
      model: 'x',
      systemPrompt: `${SYSTEM_PROMPT}\nPrefer US spelling.`,
    });
    expect(same.promptVersion).toBe(base.promptVersion);
    expect(other.promptVersion).not.toBe(base.promptVersion);
    expect(other.modelId).toBe(base.modelId);
  });
});
