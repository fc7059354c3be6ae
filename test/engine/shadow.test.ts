// Shadow runs: the report's figures against what actually happens when the switch is made on the same files.
// Two simulator configurations that differ in noise (flip rate, seed) and edit rules (rule sets); real
// markdown (the fixtures and the example docs); the in-process simulator; an in-memory live store.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore, lineKey } from '../../src/cache/index.js';
import type { CacheValue, LineStore } from '../../src/cache/types.js';
import { convergeRuns } from '../../src/engine/converge.js';
import { fixFiles } from '../../src/engine/fix.js';
import {
  mergeShadowCounts,
  shadowFiles,
  shadowReport,
  type ShadowCounts,
  emptyShadowCounts,
} from '../../src/engine/shadow.js';
import type { FixResult, SourceFile } from '../../src/engine/types.js';
import { split } from '../../src/markdown/index.js';
import { createFixer } from '../../src/model/index.js';
import type { Budget, UnitFixer } from '../../src/model/types.js';

const unlimited: Budget = { maxLines: Infinity, maxTokens: Infinity };
const scope = 'installation:42';
const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const examples = join(import.meta.dirname, '../../examples/docs');

function readDir(dir: string, keep: (name: string) => boolean, prefix = ''): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (at: string, rel: string): void => {
    for (const e of readdirSync(at, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(at, e.name), `${rel}${e.name}/`);
      else if (keep(e.name))
        out.push({ path: `${prefix}${rel}${e.name}`, bytes: new Uint8Array(readFileSync(join(at, e.name))) });
    }
  };
  walk(dir, '');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

function realFiles(): SourceFile[] {
  return [
    ...readDir(fixtures, (n) => /\.mdx?$/.test(n)),
    ...readDir(examples, (n) => n.endsWith('.md'), 'examples/'),
  ];
}

const applied = (files: readonly SourceFile[], result: FixResult): SourceFile[] => {
  const after = new Map(result.patches.map((p) => [p.path, p.after]));
  return files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
};

/** The live configuration: the default simulator (flip rate 0.05, default rule sets). */
const liveConfig = (): UnitFixer => createFixer({ provider: 'sim', model: 'sim' });
/** Deterministic candidate: no flips, and a house style that contracts negations. */
const steadyCandidate = (): UnitFixer =>
  createFixer({
    provider: 'sim',
    model: 'sim',
    sim: { seed: 1, flipRate: 0, rules: ['spelling', 'wordy', 'doubled', 'contractions'] },
  });
/** Noisy candidate: another seed, six times the flips, US spellings and no contractions. */
const noisyCandidate = (): UnitFixer =>
  createFixer({
    provider: 'sim',
    model: 'sim',
    sim: {
      seed: 7,
      flipRate: 0.3,
      rules: ['spelling', 'wordy', 'doubled', 'us-spelling', 'no-contractions'],
    },
  });

/** A live store warmed to the live configuration's fixpoint on the files; answers the files at it. */
async function liveAtFixpoint(): Promise<{ store: MemoryStore; files: SourceFile[]; held: Set<string> }> {
  const store = new MemoryStore();
  let files = realFiles();
  for (let run = 0; run < 5; run += 1) {
    const result = await fixFiles(files, { store, fixer: liveConfig(), scope, budget: unlimited });
    if (result.patches.length === 0) break;
    files = applied(files, result);
  }
  // At the fixpoint every editable line is a fixpoint hit or a held hit (a rejected answer kept).
  const check = await fixFiles(files, {
    store,
    fixer: liveConfig(),
    scope,
    budget: unlimited,
    trace: 'all',
    fileFixpoints: false,
  });
  expect(check.summary.changedLines).toBe(0);
  expect(check.summary.modelLines).toBe(0);
  const held = new Set(check.trace.filter((t) => t.outcome === 'held-hit').map((t) => `${t.path}:${t.line}`));
  return { store, files, held };
}

/** Live keys of every prose unit of the files (what the live configuration reads). */
function liveKeys(files: readonly SourceFile[], fixer: UnitFixer): string[] {
  return files.flatMap((f) => {
    const doc = split(f.bytes, { path: f.path });
    return doc.units.map((u) =>
      lineKey({
        scope,
        modelId: fixer.modelId,
        promptVersion: fixer.promptVersion,
        kind: u.kind,
        text: u.text,
      }),
    );
  });
}

/** Counts the writes a store receives. */
function spied(store: LineStore): LineStore & { writes: number } {
  const spy = {
    kind: store.kind,
    writes: 0,
    get: (keys: readonly string[]) => store.get(keys),
    write: async (w: Parameters<LineStore['write']>[0]) => {
      spy.writes += 1;
      return store.write(w);
    },
    confirmServed: async (k: readonly string[]) => {
      spy.writes += 1;
      return store.confirmServed(k);
    },
    close: async () => {},
  };
  return spy;
}

/** Units the switch changed that the live cache held as fixpoints (not held entries), and their files. */
function waveOf(switched: FixResult, held: Set<string>): { units: number; files: number } {
  const wave = switched.trace.filter(
    (t) => t.after !== undefined && t.after !== t.before && !held.has(`${t.path}:${t.line}`),
  );
  return { units: wave.length, files: new Set(wave.map((t) => t.path)).size };
}

describe('shadow run against the actual switch', () => {
  it('deterministic candidate: the wave, files, model lines and tokens are exactly what the switch does; the live cache is untouched', async () => {
    const { store, files, held } = await liveAtFixpoint();
    const keys = liveKeys(files, liveConfig());
    const liveBefore: (CacheValue | undefined)[] = await store.get(keys);
    const statsBefore = await store.stats(scope);
    const spy = spied(store);

    const shadow = await shadowFiles(files, {
      store: spy,
      scope,
      budget: unlimited,
      current: liveConfig(),
      candidate: steadyCandidate(),
      recheck: steadyCandidate(),
    });
    const r = shadow.report;
    const c = r.counts;

    // Nothing was written to the live store; every live entry answers as before.
    expect(spy.writes).toBe(0);
    expect(await store.stats(scope)).toEqual(statsBefore);
    expect(await store.get(keys)).toEqual(liveBefore);

    // The switch, as the app would make it: the candidate on the same files with the same store.
    const switched = await fixFiles(files, {
      store,
      fixer: steadyCandidate(),
      scope,
      budget: unlimited,
      trace: 'all',
    });
    const s = switched.summary;
    const wave = waveOf(switched, held);
    console.log(
      `shadow (deterministic candidate): ${c.units} editable lines, ${c.currentFixpoints} live fixpoints, ` +
        `wave ${c.waveUnits} lines in ${c.waveFiles} files (change rate ${(r.changeRate * 100).toFixed(2)}%), ` +
        `agreement ${(r.agreement * 100).toFixed(2)}%, model lines ${c.candidateModelLines}, tokens ${c.candidateTokens.total}, ` +
        `fixpoint rate ${((r.fixpointRate ?? 0) * 100).toFixed(2)}%; switch: changed ${s.changedLines} lines in ${s.changedFiles} files, ` +
        `model lines ${s.modelLines}, tokens ${s.tokens.total}`,
    );
    expect(c.currentChanged).toBe(0);
    expect(c.currentFixpoints + c.currentHeld).toBe(c.units);
    expect(c.currentFixpoints).toBe(c.units - held.size);
    expect(c.waveUnits).toBeGreaterThan(0);
    expect(c.waveUnits).toBe(wave.units);
    expect(c.waveFiles).toBe(wave.files);
    expect(c.candidateChanged).toBe(s.changedLines);
    expect(c.changedFiles).toBe(s.changedFiles);
    expect(c.changedRepositories).toBe(1);
    expect(shadow.candidate.diff).toBe(switched.diff);
    expect(c.candidateModelLines).toBe(s.modelLines);
    expect(c.candidateModelRequests).toBe(s.modelRequests);
    expect(c.candidateTokens).toEqual(s.tokens);
    expect(c.candidateRejectedByReason).toEqual(s.rejectedByReason);
    expect(r.agreement).toBeCloseTo(1 - (s.changedLines - 0) / c.compared, 12);
    expect(c.currentModelLines).toBe(0);

    // Fixpoint rate: exact for a deterministic candidate; the same as `converge --no-cache` run 2.
    const rerun = await fixFiles(applied(files, switched), {
      store: new MemoryStore(),
      fixer: steadyCandidate(),
      scope,
      budget: unlimited,
      fileFixpoints: false,
    });
    expect(r.fixpointRate).toBe(1 - rerun.summary.changedUnits / rerun.summary.units);
    const converge = await convergeRuns(files, {
      runs: 2,
      storeForRun: () => new MemoryStore(),
      fixer: steadyCandidate(),
      scope,
      budget: unlimited,
    });
    expect(r.fixpointRate).toBe(converge.runs[1]!.fixpointRate);
  });

  it('noisy candidate without warm-up: the switch asks the same lines, but its answers are not the ones shadowed', async () => {
    const { store, files } = await liveAtFixpoint();
    const candidate = noisyCandidate();
    const shadow = await shadowFiles(files, {
      store,
      scope,
      budget: unlimited,
      current: liveConfig(),
      candidate,
      recheck: false,
    });
    // The same instance answers the switch: like a real model asked again, its flips fall elsewhere.
    const switched = await fixFiles(files, { store, fixer: candidate, scope, budget: unlimited });
    const c = shadow.report.counts;
    expect(switched.summary.modelLines).toBe(c.candidateModelLines);
    expect(switched.summary.modelRequests).toBe(c.candidateModelRequests);
    expect(switched.diff).not.toBe(shadow.candidate.diff);
    console.log(
      `noisy candidate, no warm-up: shadow predicted ${c.candidateChanged} changed lines, the switch changed ${switched.summary.changedLines}; ` +
        `tokens ${c.candidateTokens.total} vs ${switched.summary.tokens.total}`,
    );
  });

  it('noisy candidate with warm-up: the switch asks the model about 0 lines and makes exactly the predicted changes; live entries untouched', async () => {
    const { store, files, held } = await liveAtFixpoint();
    const keys = liveKeys(files, liveConfig());
    const liveBefore = await store.get(keys);
    const statsBefore = await store.stats(scope);

    const shadow = await shadowFiles(files, {
      store,
      scope,
      budget: unlimited,
      current: liveConfig(),
      candidate: noisyCandidate(),
      recheck: noisyCandidate(),
      warm: true,
    });
    const r = shadow.report;
    const c = r.counts;
    expect(r.warmed).toBe(true);
    expect(c.candidateModelLines).toBeGreaterThan(0);

    // Live keys answer exactly as before; the candidate's entries were added beside them.
    expect(await store.get(keys)).toEqual(liveBefore);
    const statsAfter = await store.stats(scope);
    expect(statsAfter.entries).toBeGreaterThan(statsBefore.entries);
    const candidateKeys = liveKeys(files, noisyCandidate());
    expect((await store.get(candidateKeys)).every((v) => v !== undefined)).toBe(true);

    // The switch with a fresh candidate instance: every line is a cache hit.
    const switched = await fixFiles(files, {
      store,
      fixer: noisyCandidate(),
      scope,
      budget: unlimited,
      trace: 'all',
    });
    const s = switched.summary;
    const wave = waveOf(switched, held);
    console.log(
      `shadow (noisy candidate, warmed): wave ${c.waveUnits} lines in ${c.waveFiles} files of ${c.currentFixpoints} live fixpoints ` +
        `(change rate ${(r.changeRate * 100).toFixed(2)}%), changed ${c.candidateChanged} lines in ${c.changedFiles} files, ` +
        `agreement ${(r.agreement * 100).toFixed(2)}%, warm-up tokens ${c.candidateTokens.total}, fixpoint rate ${((r.fixpointRate ?? 0) * 100).toFixed(2)}%; ` +
        `switch: model lines ${s.modelLines}, changed ${s.changedLines} lines in ${s.changedFiles} files`,
    );
    expect(s.modelLines).toBe(0);
    expect(s.tokens.total).toBe(0);
    expect(switched.diff).toBe(shadow.candidate.diff);
    expect(s.changedLines).toBe(c.candidateChanged);
    expect(s.changedFiles).toBe(c.changedFiles);
    expect(wave.units).toBe(c.waveUnits);
    expect(wave.files).toBe(c.waveFiles);
    expect(c.waveUnits).toBeGreaterThan(0);

    // Fixpoint rate of a seeded noisy candidate: exact against a fresh instance asked about the same output
    // without a cache (the flips hash the call counter, so only the same sequence of calls is comparable).
    const rerun = await fixFiles(applied(files, switched), {
      store: new MemoryStore(),
      fixer: noisyCandidate(),
      scope,
      budget: unlimited,
      fileFixpoints: false,
    });
    expect(r.fixpointRate).toBe(1 - rerun.summary.changedUnits / rerun.summary.units);
    expect(r.fixpointRate).toBeLessThan(1);
    // `converge --no-cache` asks with one instance whose counter has moved on: the same expectation, other flips.
    const converge = await convergeRuns(files, {
      runs: 2,
      storeForRun: () => new MemoryStore(),
      fixer: noisyCandidate(),
      scope,
      budget: unlimited,
    });
    console.log(
      `noisy candidate fixpoint rate: shadow ${((r.fixpointRate ?? 0) * 100).toFixed(2)}%, converge --no-cache run 2 ${(converge.runs[1]!.fixpointRate * 100).toFixed(2)}%`,
    );
    expect(Math.abs(r.fixpointRate! - converge.runs[1]!.fixpointRate)).toBeLessThan(0.05);
  });

  it('current-side misses: asked of the current model (tokens apart from the switch) or left unknown', async () => {
    const store = new MemoryStore();
    const files = realFiles();
    const asked = await shadowFiles(files, {
      store,
      scope,
      budget: unlimited,
      current: liveConfig(),
      candidate: steadyCandidate(),
      recheck: false,
    });
    expect(asked.report.counts.currentFixpoints).toBe(0);
    expect(asked.report.counts.currentModelLines).toBeGreaterThan(0);
    expect(asked.report.counts.currentTokens.total).toBeGreaterThan(0);
    expect(asked.report.counts.currentChanged).toBeGreaterThan(0);
    expect(asked.report.counts.compared).toBe(asked.report.counts.units);
    expect(asked.report.fixpointRate).toBeUndefined();

    const unknown = await shadowFiles(files, {
      store,
      scope,
      budget: unlimited,
      current: liveConfig(),
      candidate: steadyCandidate(),
      currentMisses: 'unknown',
      recheck: false,
    });
    const u = unknown.report.counts;
    expect(u.currentModelLines).toBe(0);
    expect(u.currentTokens.total).toBe(0);
    expect(u.currentUnknown).toBe(u.units);
    expect(u.compared).toBe(0);
    expect(u.waveUnits).toBe(0);
    // The candidate side does not depend on how the current side was asked.
    expect(unknown.candidate.diff).toBe(asked.candidate.diff);
    expect(await store.stats()).toMatchObject({ entries: 0 });
  });

  it('refuses a candidate with the same keys as the current configuration', async () => {
    await expect(
      shadowFiles(realFiles(), {
        store: new MemoryStore(),
        scope,
        budget: unlimited,
        current: liveConfig(),
        candidate: liveConfig(),
      }),
    ).rejects.toThrow(/same model id and prompt version/);
  });

  it('an over-budget candidate makes its report incomplete and every gate fail closed', async () => {
    const { store, files } = await liveAtFixpoint();
    const shadow = await shadowFiles(files, {
      store,
      scope,
      budget: { maxLines: 10, maxTokens: Infinity },
      current: liveConfig(),
      candidate: steadyCandidate(),
      prices: { promptPer1k: 0.001, completionPer1k: 0.002 },
      gates: { maxChangeRate: 1, minFixpointRate: 0, maxCost: 1e9 },
    });
    expect(shadow.report.complete).toBe(false);
    expect(shadow.report.counts.candidateOverBudget).toBeGreaterThan(0);
    expect(shadow.report.gates.map((g) => g.passed)).toEqual([false, false, false]);
    expect(shadow.report.gates[0]!.message).toMatch(/over budget.*incomplete/);
    expect(shadow.report.passed).toBe(false);
  });
});

describe('shadow report figures', () => {
  const labels = {
    current: { modelId: 'a', promptVersion: 'p', label: 'a' },
    candidate: { modelId: 'b', promptVersion: 'p', label: 'b' },
  };
  const counts = (over: Partial<ShadowCounts>): ShadowCounts => ({ ...emptyShadowCounts(), ...over });

  it('computes rates, cost and gate verdicts from the counts', () => {
    const report = shadowReport(
      counts({
        repositories: 1,
        units: 200,
        currentFixpoints: 100,
        waveUnits: 5,
        candidateChanged: 10,
        compared: 200,
        agreed: 190,
        candidateTokens: { prompt: 10_000, completion: 2_000, total: 12_000 },
        recheckRuns: 1,
        recheckUnits: 200,
        recheckChanged: 4,
      }),
      {
        ...labels,
        prices: { promptPer1k: 0.5, completionPer1k: 1.5 },
        gates: { maxChangeRate: 0.04, minFixpointRate: 0.97, maxCost: 10 },
      },
    );
    expect(report.changeRate).toBe(0.05);
    expect(report.waveShareOfChanges).toBe(0.5);
    expect(report.agreement).toBe(0.95);
    expect(report.fixpointRate).toBe(0.98);
    expect(report.cost).toEqual({ switch: 8, currentSide: 0, recheck: 0 });
    expect(report.gates).toEqual([
      expect.objectContaining({ gate: 'max-change-rate', value: 0.05, passed: false }),
      expect.objectContaining({ gate: 'min-fixpoint-rate', value: 0.98, passed: true }),
      expect.objectContaining({ gate: 'max-cost', value: 8, passed: true }),
    ]);
    expect(report.gates[0]!.message).toBe(
      'change rate 5.00% (5 of 100 settled lines) is above the maximum 4.00%',
    );
    expect(report.passed).toBe(false);
  });

  it('a cost gate without prices and a fixpoint gate without a recheck fail, saying why', () => {
    const report = shadowReport(counts({ units: 10 }), {
      ...labels,
      gates: { minFixpointRate: 0.9, maxCost: 1 },
    });
    expect(report.gates.map((g) => g.message)).toEqual([
      'the fixpoint rate was not measured (no recheck)',
      'the cost was not estimated (no token prices)',
    ]);
  });

  it('merges the counts of several repositories by summing them', () => {
    const a = counts({
      repositories: 1,
      changedRepositories: 1,
      units: 10,
      candidateRejectedByReason: { 'length-ratio': 2 },
      candidateTokens: { prompt: 1, completion: 2, total: 3 },
    });
    const b = counts({
      repositories: 1,
      units: 5,
      candidateRejectedByReason: { 'length-ratio': 1, 'lost-link': 1 },
      candidateTokens: { prompt: 10, completion: 20, total: 30 },
    });
    const merged = mergeShadowCounts([a, b]);
    expect(merged).toMatchObject({
      repositories: 2,
      changedRepositories: 1,
      units: 15,
      candidateRejectedByReason: { 'length-ratio': 3, 'lost-link': 1 },
      candidateTokens: { prompt: 11, completion: 22, total: 33 },
    });
  });
});
