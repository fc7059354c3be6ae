// The real HTTP client (fetch) against the simulator's OpenAI-compatible server, with scripted faults.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { admitRewrite } from '../../src/engine/admission.js';
import { createFixer, type FixerOptions } from '../../src/model/index.js';
import type { Budget, ModelUnit } from '../../src/model/types.js';
import { startTestSimServer, type TestSimServer } from '../support/sim-server.js';

const NO_LIMIT: Budget = { maxLines: Infinity, maxTokens: Infinity };

let sim: TestSimServer;
beforeAll(async () => {
  sim = await startTestSimServer({ seed: 1, flipRate: 0 });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.requests.length = 0;
  sim.setDelay(0);
});

/** One-line units with engine ids far from the prompt's 1..n, each with a misspelling the simulator fixes. */
function lines(n: number): ModelUnit[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1000 + i * 7,
    kind: 'paragraph',
    lines: [`Line ${i}: teh answer.`],
  }));
}
const fixed = (i: number): string[] => [`Line ${i}: the answer.`];

function fixer(overrides: Partial<FixerOptions> = {}) {
  const slept: number[] = [];
  const f = createFixer({
    provider: 'openai',
    model: 'docs-fix-sim',
    baseURL: sim.baseURL,
    apiKey: 'test-key',
    batchSize: 4,
    concurrency: 1,
    maxRetries: 2,
    timeoutMs: 5_000,
    sleep: async (ms) => {
      slept.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  return { fixer: f, slept };
}

describe('HTTP client against the sim server', () => {
  it('splits units into batches, numbers them 1..n per request and maps answers back to engine ids', async () => {
    const { fixer: f } = fixer();
    const input = lines(10);
    const result = await f.fixUnits(input, NO_LIMIT);
    expect(result.requests).toBe(3);
    expect(sim.requests.map((r) => r.units?.length)).toEqual([4, 4, 2]);
    expect(sim.requests[1]!.units!.map((u) => u.id)).toEqual([1, 2, 3, 4]);
    expect(sim.requests[1]!.units![0]!.lines).toEqual(input[4]!.lines);
    expect(sim.requests[0]!.authorization).toBe('Bearer test-key');
    expect(sim.requests[0]!.responseFormat).toBe('json_schema');
    expect(sim.requests[0]!.model).toBe('docs-fix-sim');
    input.forEach((l, i) => expect(result.answers.get(l.id)).toEqual(fixed(i)));
    expect(result.unanswered).toEqual([]);
    expect(result.failures).toEqual([]);
  });

  it('sums token usage from the responses', async () => {
    const { fixer: f } = fixer();
    const result = await f.fixUnits(lines(9), NO_LIMIT);
    const reported = sim.requests.reduce((n, r) => n + (r.totalTokens ?? 0), 0);
    expect(reported).toBeGreaterThan(0);
    expect(result.tokens.total).toBe(reported);
    expect(result.tokens.prompt + result.tokens.completion).toBe(reported);
  });

  it('estimates tokens when the endpoint reports no usage', async () => {
    const { fixer: f } = fixer();
    sim.enqueue({ type: 'no-usage' });
    const result = await f.fixUnits(lines(2), NO_LIMIT);
    expect(result.tokens.total).toBeGreaterThan(0);
  });

  it('leaves a line the answer left out unanswered, without guessing or retrying', async () => {
    const { fixer: f } = fixer();
    const input = lines(4);
    sim.enqueue({ type: 'drop-units', ids: [2] });
    const result = await f.fixUnits(input, NO_LIMIT);
    expect(result.requests).toBe(1);
    expect(result.unanswered).toEqual([input[1]!.id]);
    expect(result.answers.has(input[1]!.id)).toBe(false);
    expect(result.answers.get(input[0]!.id)).toEqual(fixed(0));
    expect(result.failures[0]!.ids).toEqual([input[1]!.id]);
  });

  it('ignores and counts unknown, invalid and duplicate ids', async () => {
    const { fixer: f } = fixer();
    const input = lines(3);
    sim.enqueue({ type: 'extra-ids' });
    const result = await f.fixUnits(input, NO_LIMIT);
    expect(result.ignoredAnswers).toBe(4);
    input.forEach((l, i) => expect(result.answers.get(l.id)).toEqual(fixed(i)));
  });

  it('retries a 500 with backoff and jitter, then succeeds', async () => {
    const { fixer: f, slept } = fixer();
    sim.enqueue({ type: 'status', status: 500 });
    const result = await f.fixUnits(lines(3), NO_LIMIT);
    expect(result.requests).toBe(2);
    expect(result.unanswered).toEqual([]);
    expect(slept).toEqual([375]); // 500 ms * (0.5 + 0.5 / 2)
  });

  it('retries a dropped connection', async () => {
    const { fixer: f } = fixer();
    sim.enqueue({ type: 'reset' });
    const result = await f.fixUnits(lines(3), NO_LIMIT);
    expect(result.requests).toBe(2);
    expect(result.answers.size).toBe(3);
  });

  it('honours Retry-After in seconds on 429 and 503', async () => {
    const { fixer: f, slept } = fixer();
    sim.enqueue(
      { type: 'status', status: 429, retryAfter: '7' },
      { type: 'status', status: 503, retryAfter: '2' },
    );
    const result = await f.fixUnits(lines(2), NO_LIMIT);
    expect(slept).toEqual([7000, 2000]);
    expect(result.requests).toBe(3);
    expect(result.answers.size).toBe(2);
  });

  it('honours Retry-After as an HTTP date, and caps a very long one', async () => {
    const { fixer: f, slept } = fixer();
    const date = new Date(Date.now() + 30_000).toUTCString();
    sim.enqueue(
      { type: 'status', status: 429, retryAfter: date },
      { type: 'status', status: 429, retryAfter: '86400' },
    );
    await f.fixUnits(lines(1), NO_LIMIT);
    expect(slept[0]).toBeGreaterThan(25_000);
    expect(slept[0]).toBeLessThanOrEqual(30_000);
    expect(slept[1]).toBe(60_000);
  });

  it('gives up after maxRetries and reports the failure with its status', async () => {
    const { fixer: f, slept } = fixer({ maxRetries: 2 });
    const input = lines(2);
    sim.enqueue(...Array.from({ length: 3 }, () => ({ type: 'status' as const, status: 502 })));
    const result = await f.fixUnits(input, NO_LIMIT);
    expect(result.requests).toBe(3);
    expect(slept).toHaveLength(2);
    expect(slept[1]).toBeGreaterThan(slept[0]!);
    expect(result.unanswered).toEqual(input.map((l) => l.id));
    expect(result.failures).toMatchObject([{ status: 502 }]);
  });

  it('does not retry a 401 and sends no further batches', async () => {
    const { fixer: f } = fixer({ batchSize: 2 });
    const input = lines(6);
    sim.enqueue({ type: 'status', status: 401 });
    const result = await f.fixUnits(input, NO_LIMIT);
    expect(result.requests).toBe(1);
    expect([...result.unanswered].sort()).toEqual(input.map((l) => l.id).sort());
    expect(result.failures).toMatchObject([{ status: 401 }]);
  });

  it('retries a timed-out request, and leaves the units unanswered when it keeps timing out', async () => {
    const { fixer: f } = fixer({ timeoutMs: 150, maxRetries: 1 });
    sim.enqueue({ type: 'delay', ms: 600 });
    const once = await f.fixUnits(lines(2), NO_LIMIT);
    expect(once.requests).toBe(2);
    expect(once.answers.size).toBe(2);

    sim.enqueue({ type: 'delay', ms: 600 }, { type: 'delay', ms: 600 });
    const input = lines(2);
    const twice = await f.fixUnits(input, NO_LIMIT);
    expect(twice.requests).toBe(2);
    expect(twice.unanswered).toEqual(input.map((l) => l.id));
    expect(twice.failures[0]!.message).toMatch(/timed out/);
  });

  it('retries a malformed answer once, then reports the units unanswered', async () => {
    const { fixer: f } = fixer();
    sim.enqueue({ type: 'malformed' });
    const recovered = await f.fixUnits(lines(2), NO_LIMIT);
    expect(recovered.requests).toBe(2);
    expect(recovered.answers.size).toBe(2);

    const input = lines(2);
    sim.enqueue({ type: 'malformed' }, { type: 'malformed-body' });
    const result = await f.fixUnits(input, NO_LIMIT);
    expect(result.requests).toBe(2);
    expect(result.unanswered).toEqual(input.map((l) => l.id));
    expect(result.failures[0]!.message).toMatch(/not JSON/);
  });

  it('falls back from structured output to JSON mode to none as the endpoint rejects them', async () => {
    const { fixer: f } = fixer();
    sim.enqueue(
      { type: 'status', status: 400, message: "response_format type 'json_schema' is not supported" },
      { type: 'status', status: 400, message: "Unsupported parameter: 'response_format'" },
    );
    const result = await f.fixUnits(lines(5), NO_LIMIT);
    expect(result.answers.size).toBe(5);
    expect(sim.requests.map((r) => r.responseFormat)).toEqual([
      'json_schema',
      'json_object',
      undefined,
      undefined,
    ]);
  });

  it('falls back to JSON mode on an endpoint without structured output, and keeps it for later batches', async () => {
    const own = await startTestSimServer({ flipRate: 0, responseFormats: ['json_object'] });
    try {
      const { fixer: f } = fixer({ baseURL: own.baseURL });
      const result = await f.fixUnits(lines(6), NO_LIMIT);
      lines(6).forEach((l, i) => expect(result.answers.get(l.id)).toEqual(fixed(i)));
      expect(own.requests.map((r) => [r.responseFormat, r.status ?? 200])).toEqual([
        ['json_schema', 400],
        ['json_object', 200],
        ['json_object', 200],
      ]);
    } finally {
      await own.close();
    }
  });

  it('sends a multi-line unit with its lines and gets them back, words moved between them', async () => {
    const { fixer: f } = fixer();
    const unit: ModelUnit = { id: 5, kind: 'list-item', lines: ['Run the', 'the tests before', 'you push.'] };
    const result = await f.fixUnits([unit], NO_LIMIT);
    expect(sim.requests[0]!.units).toEqual([{ id: 1, lines: unit.lines }]);
    expect(result.answers.get(5)).toEqual(['Run the', 'tests before', 'you push.']);
  });

  it('sends no more source lines than the line budget; a unit goes whole or not at all', async () => {
    const { fixer: f } = fixer();
    const input = lines(10);
    const result = await f.fixUnits(input, { maxLines: 3, maxTokens: Infinity });
    expect(sim.requests.flatMap((r) => r.units ?? [])).toHaveLength(3);
    expect(result.answers.size).toBe(3);
    expect(result.overBudget).toEqual(input.slice(3).map((l) => l.id));

    sim.requests.length = 0;
    const wide: ModelUnit[] = [
      { id: 1, kind: 'paragraph', lines: ['One', 'two'] },
      { id: 2, kind: 'paragraph', lines: ['Three', 'four', 'five'] },
    ];
    const partial = await f.fixUnits(wide, { maxLines: 4, maxTokens: Infinity });
    expect(partial.overBudget).toEqual([2]);
    expect(sim.requests.flatMap((r) => r.units ?? []).map((u) => u.lines.length)).toEqual([2]);
  });

  it('batches by source lines: a unit longer than a batch goes alone', async () => {
    const { fixer: f } = fixer({ batchSize: 4 });
    const units: ModelUnit[] = [
      { id: 1, kind: 'paragraph', lines: ['a1', 'a2'] },
      { id: 2, kind: 'paragraph', lines: ['b1', 'b2', 'b3'] },
      { id: 3, kind: 'paragraph', lines: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'] },
      { id: 4, kind: 'paragraph', lines: ['d1'] },
    ];
    await f.fixUnits(units, NO_LIMIT);
    expect(sim.requests.map((r) => r.units!.map((u) => u.lines.length))).toEqual([[2], [3], [6], [1]]);
  });

  it('stops sending once the token budget is spent; the remaining batches are over budget', async () => {
    const { fixer: f } = fixer({ batchSize: 2 });
    const input = lines(8);
    const result = await f.fixUnits(input, { maxLines: Infinity, maxTokens: 1 });
    expect(result.requests).toBe(1);
    expect(result.answers.size).toBe(2);
    expect(result.overBudget).toEqual(input.slice(2).map((l) => l.id));
    expect(result.tokens.total).toBe(sim.requests[0]!.totalTokens);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    // A server of its own: timed-out requests of other tests may still be in flight on the shared one.
    const own = await startTestSimServer({ flipRate: 0 });
    try {
      own.setDelay(40);
      const { fixer: f } = fixer({ batchSize: 1, concurrency: 3, baseURL: own.baseURL });
      const result = await f.fixUnits(lines(12), NO_LIMIT);
      expect(result.requests).toBe(12);
      expect(own.maxInFlight()).toBe(3);
    } finally {
      await own.close();
    }
  });

  it('rejects when the run is aborted', async () => {
    sim.setDelay(2_000);
    const { fixer: f } = fixer();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    await expect(f.fixUnits(lines(2), NO_LIMIT, controller.signal)).rejects.toThrow('run cancelled');
  });

  it('returns hostile answers as answers: admission, not the client, rejects them', async () => {
    const { fixer: f } = fixer();
    const input: ModelUnit[] = [{ id: 1, kind: 'paragraph', lines: ['Run `npm test`', 'to check.'] }];
    sim.enqueue({ type: 'extra-line' }, { type: 'injection' });
    const extra = await f.fixUnits(input, NO_LIMIT);
    const injected = await f.fixUnits(input, NO_LIMIT);
    expect(extra.answers.get(1)).toHaveLength(3);
    const verdicts = [extra.answers.get(1)!, injected.answers.get(1)!].map((answer) =>
      admitRewrite({ kind: 'paragraph', before: input[0]!.lines, after: answer }),
    );
    expect(verdicts.map((v) => (v.ok ? 'ok' : v.reason))).toEqual(['line-count', 'link-changed']);
  });
});

describe('createFixer providers', () => {
  it('echo answers every unit unchanged, offline', async () => {
    const f = createFixer({ provider: 'echo', model: 'ignored' });
    expect(f.label).toBe('echo (returns every unit unchanged)');
    const input = lines(5);
    const result = await f.fixUnits(input, NO_LIMIT);
    input.forEach((l) => expect(result.answers.get(l.id)).toEqual(l.lines));
  });

  it('sim runs in process, is labelled as a simulator, and puts its settings into the model id', async () => {
    const f = createFixer({ provider: 'sim', model: 'ignored', sim: { seed: 7, flipRate: 0 } });
    expect(f.label).toMatch(/offline simulator/);
    expect(f.label).toMatch(/not a language model/);
    expect(f.modelId).toContain('seed=7');
    expect(f.modelId).toContain('flip=0');
    expect(createFixer({ provider: 'sim', model: 'x', sim: { seed: 8 } }).modelId).not.toBe(f.modelId);
    const result = await f.fixUnits(lines(3), NO_LIMIT);
    expect(result.answers.get(1000)).toEqual(fixed(0));
  });

  it('keys an endpoint model by its name and the endpoint host', () => {
    const a = createFixer({ provider: 'openai', model: 'llama-3', baseURL: 'http://127.0.0.1:8000/v1' });
    const b = createFixer({ provider: 'openai', model: 'llama-3', baseURL: 'http://127.0.0.1:11434/v1' });
    expect(a.modelId).toBe('llama-3@127.0.0.1:8000');
    expect(b.modelId).not.toBe(a.modelId);
    expect(createFixer({ provider: 'openai', model: 'gpt-4o-mini' }).modelId).toBe(
      'gpt-4o-mini@api.openai.com',
    );
  });

  it('puts the style guide into the prompt version, and nothing run-specific', () => {
    const a = createFixer({ provider: 'echo', model: 'm' });
    const b = createFixer({ provider: 'echo', model: 'm', batchSize: 3 });
    const c = createFixer({ provider: 'echo', model: 'm', styleGuide: 'Use American spelling.' });
    expect(a.promptVersion).toMatch(/^[0-9a-f]{16}$/);
    expect(b.promptVersion).toBe(a.promptVersion);
    expect(c.promptVersion).not.toBe(a.promptVersion);
  });
});
