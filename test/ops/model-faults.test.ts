// Issue 8, model endpoint faults: the simulator over HTTP answers each scripted fault once, then normally.
// Each case is a push through the whole stack (signed webhook → BullMQ → worker → fake GitHub); the run must
// complete, change only what admission accepted, and say what happened on its check run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimServerFault } from '../support/sim-server.js';
import { startStack, waitFor, type Stack } from '../server/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    // One request per run (fewer lines than a batch), a short timeout so the timeout case is quick.
    extraEnv: { DOCS_FIX_BATCH_SIZE: '40', DOCS_FIX_MODEL_CONCURRENCY: '1' },
    workerTuning: { model: { timeoutMs: 2000, maxRetries: 3 } },
  });
});
afterAll(async () => stack?.close());

// Distinct lines per case: the same lines again would be served from the cache, without the model.
const before = (k: number): string =>
  `# Guide ${k}\n\nRecieve message ${k}.\n\nTeh line ${k}.\n\nLine ${k} in order to test.\n`;
const fixed = (k: number): string =>
  `# Guide ${k}\n\nReceive message ${k}.\n\nThe line ${k}.\n\nLine ${k} to test.\n`;

let n = 0;
async function pushWithFaults(...faults: SimServerFault[]) {
  const { fake, sim } = stack;
  const k = (n += 1);
  const name = `octo/faults-${k}`;
  fake.createRepo(name, { files: { 'README.md': '# Readme\n' }, installed: true });
  const push = fake.pushCommit(name, { files: { 'docs/guide.md': before(k) } });
  const firstRequest = sim.requests.length;
  sim.server.enqueue(...faults);
  expect((await stack.deliver('push', fake.pushEvent(push))).status).toBe(200);
  const check = await waitFor(
    `the check run of ${name}`,
    () =>
      fake
        .checkRuns(name)
        .find((c) => c['head_sha'] === push.after && c['status'] === 'completed' && c['name'] === 'docs-fix'),
    60_000,
  );
  return {
    name,
    before: before(k),
    fixed: fixed(k),
    check,
    summary: (check['output'] as { summary: string }).summary,
    proposed: fake.readFile(name, 'docs-fix/main', 'docs/guide.md'),
    pulls: fake.pulls(name),
    requests: sim.requests.slice(firstRequest),
  };
}

describe('model endpoint faults', () => {
  it('500 then OK: retried, the run completes with the fixes', async () => {
    const run = await pushWithFaults({ type: 'status', status: 500 });
    expect(run.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(run.proposed).toBe(run.fixed);
    expect(run.pulls).toHaveLength(1);
  });

  it('429 with Retry-After: waits, retries, completes', async () => {
    const run = await pushWithFaults({ type: 'status', status: 429, retryAfter: '1' });
    expect(run.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(run.proposed).toBe(run.fixed);
  });

  it('a timeout: the request is abandoned and retried, the run completes', async () => {
    const run = await pushWithFaults({ type: 'delay', ms: 5000 });
    expect(run.requests.length).toBeGreaterThanOrEqual(2);
    expect(run.proposed).toBe(run.fixed);
  });

  it('malformed JSON once: asked again, the run completes with the fixes', async () => {
    const run = await pushWithFaults({ type: 'malformed' });
    expect(run.requests).toHaveLength(2);
    expect(run.proposed).toBe(run.fixed);
  });

  it('malformed JSON twice: the lines stay unchanged, the run completes and says the model did not answer', async () => {
    const run = await pushWithFaults({ type: 'malformed' }, { type: 'malformed-body' });
    expect(run.requests).toHaveLength(2);
    expect(run.pulls).toHaveLength(0);
    expect(run.proposed).toBeUndefined();
    expect(run.summary).toMatch(
      /Paragraphs and headings the model did not answer \(left unchanged\) \| 4 \|/,
    );
  });

  it('missing units: the unanswered unit stays as it was, the others are fixed', async () => {
    // Prompt ids follow the distinct units of the request; find which one was dropped from the log.
    const run = await pushWithFaults({ type: 'drop-units', ids: [1] });
    const dropped = run.requests[0]!.units!.find((u) => u.id === 1)!.lines.join('\n');
    expect(run.before).toContain(dropped);
    expect(run.proposed).toBeDefined();
    expect(run.proposed).toContain(dropped);
    expect(run.summary).toMatch(
      /Paragraphs and headings the model did not answer \(left unchanged\) \| 1 \|/,
    );
    const fixedLines = run.fixed.split('\n');
    const proposedLines = run.proposed!.split('\n');
    // Every other line got its fix.
    run.before.split('\n').forEach((line, i) => {
      if (line !== dropped) expect(proposedLines[i]).toBe(fixedLines[i]);
    });
  });

  it.each([
    ['answers with a line more', { type: 'extra-line' } as const],
    ['prompt-injected answers', { type: 'injection' } as const],
  ])('%s: rejected by admission, units unchanged, no pull request, the summary says so', async (_, fault) => {
    const run = await pushWithFaults(fault);
    expect(run.pulls).toHaveLength(0);
    expect(run.proposed).toBeUndefined();
    expect(run.check['conclusion']).toBe('success');
    expect(run.summary).toMatch(/Paragraphs and headings held \(a rewrite was rejected\) \| 4 \|/);
  });
});
