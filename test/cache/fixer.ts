// A test-local miniature of the engine's fixer loop over a store: lookup, ask the model about misses,
// store under the invariant, confirm served rewrites. The real engine lives in src/engine.
import { lineKey, type LineStore, type StoreWrite } from '../../src/cache/index.js';

export const REJECT = Symbol('reject');
export type Answer = string | typeof REJECT;
export type Model = (text: string) => Promise<Answer>;

export const keyOf = (scope: string, text: string): string =>
  lineKey({ scope, modelId: 'noisy', promptVersion: 'v1', kind: 'paragraph', text });

/** One fixer pass over some lines: lookup, ask the model about misses, store under the invariant, confirm. */
export async function fixLines(
  store: LineStore,
  scope: string,
  lines: readonly string[],
  model: Model,
): Promise<{ out: string[]; asked: number }> {
  const distinct = [...new Set(lines)];
  const values = await store.get(distinct.map((t) => keyOf(scope, t)));
  const served = new Map<string, string>();
  const writes: StoreWrite[] = [];
  const confirm: string[] = [];
  let asked = 0;
  for (const [i, text] of distinct.entries()) {
    const value = values[i];
    const key = keyOf(scope, text);
    if (value?.type === 'rewrite') {
      served.set(text, value.text);
      confirm.push(keyOf(scope, value.text));
      continue;
    }
    if (value) {
      served.set(text, text);
      continue;
    }
    asked += 1;
    const answer = await model(text);
    if (answer === REJECT) {
      writes.push({ op: 'held', key, reason: 'rejected' });
      served.set(text, text);
    } else if (answer === text) {
      writes.push({ op: 'fixpoint', key });
      served.set(text, text);
    } else {
      writes.push({ op: 'rewrite', key, toKey: keyOf(scope, answer), text: answer });
      served.set(text, answer);
    }
  }
  await store.write(writes);
  await store.confirmServed(confirm);
  return { out: lines.map((t) => served.get(t)!), asked };
}
