// Property: several writers racing on real Redis with a noisy model; afterwards the fixer is a fixpoint of
// its own output.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore, type LineStore } from '../../src/cache/index.js';
import { fixLines, REJECT, type Model } from './fixer.js';
import { randomPrefix, type RandomPrefix } from '../support/redis.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const UNIVERSE = ['A', 'B', 'C', 'D', 'E 🙂', 'F\r'] as const;

type Choice =
  { readonly kind: 'same' } | { readonly kind: 'reject' } | { readonly kind: 'to'; readonly to: number };

/** Answers from a generated list of choices, so it rewrites its own rewrites (A→B, B→C, C→B, ...). */
function noisyModel(choices: readonly Choice[]): Model {
  let call = 0;
  return async (text) => {
    const choice = choices[call++ % choices.length]!;
    if (choice.kind === 'same') return text;
    if (choice.kind === 'reject') return REJECT;
    return UNIVERSE[choice.to]!;
  };
}

const choiceArb: fc.Arbitrary<Choice> = fc.oneof(
  fc.constant({ kind: 'same' } as const),
  fc.constant({ kind: 'reject' } as const),
  fc.integer({ min: 0, max: UNIVERSE.length - 1 }).map((to) => ({ kind: 'to', to }) as const),
  fc.integer({ min: 0, max: UNIVERSE.length - 1 }).map((to) => ({ kind: 'to', to }) as const),
);

function scheduled(s: fc.Scheduler, store: LineStore, label: string): LineStore {
  const step = <T>(what: string, run: () => Promise<T>): Promise<T> =>
    s.schedule(Promise.resolve(), `${label} ${what}`).then(run);
  return {
    kind: store.kind,
    get: (keys) => step('get', () => store.get(keys)),
    write: (writes) => step('write', () => store.write(writes)),
    confirmServed: (keys) => step('confirm', () => store.confirmServed(keys)),
    close: () => store.close(),
  };
}

const never: Model = async (text) => {
  throw new Error(`the model was asked about ${JSON.stringify(text)} on a converged run`);
};

// The same property on a single Redis and on a 3-master, 3-replica cluster (writes acknowledged by replicas).
describe.each(['redis', 'redis cluster'] as const)(
  'convergence under racing writers on real %s',
  (target) => {
    const WRITERS = 3;
    let space: RandomPrefix | undefined;
    let cluster: RedisCluster | undefined;
    let stores: RedisStore[];

    beforeAll(async () => {
      if (target === 'redis cluster') cluster = await startRedisCluster();
      else space = randomPrefix();
      const prefix = space?.prefix ?? `dft-${randomBytes(4).toString('hex')}`;
      const redis = cluster ? { clusterNodes: cluster.clusterNodes } : space!.url;
      // Separate connections, so writers really race inside Redis, not only inside one socket.
      stores = await Promise.all(
        Array.from({ length: WRITERS }, () => new RedisStore({ redis, prefix }).connect()),
      );
    });
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await space?.cleanup();
      await cluster?.stop();
    });

    it('re-running the fixer on its own output changes nothing and asks nothing, after any interleaving', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(fc.array(fc.constantFrom(...UNIVERSE), { minLength: 1, maxLength: 8 }), {
            minLength: 2,
            maxLength: WRITERS,
          }),
          fc.array(choiceArb, { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 3 }),
          async (s, docs, choices, rounds) => {
            const scope = `prop:${randomBytes(6).toString('hex')}`;
            const model = noisyModel(choices);
            const askModel: Model = (text) => s.schedule(model(text), `model ${JSON.stringify(text)}`);
            // Each writer is a bot run that re-runs on its own output `rounds` times, racing the others.
            const runs = docs.map(async (doc, w) => {
              const store = scheduled(s, stores[w % stores.length]!, `w${w}`);
              const outputs: string[][] = [];
              let input: readonly string[] = doc;
              for (let r = 0; r < rounds; r++) {
                const { out } = await fixLines(store, scope, input, askModel);
                outputs.push(out);
                input = out;
              }
              return outputs;
            });
            const outputs = await s.waitFor(Promise.all(runs));

            // Within a writer, every round after the first changed nothing (even while others raced).
            for (const rounds of outputs) {
              for (let r = 1; r < rounds.length; r++) expect(rounds[r]).toEqual(rounds[r - 1]);
            }
            // After all writers: the fixer on any writer's output changes nothing and asks the model nothing.
            for (const rounds of outputs) {
              const last = rounds.at(-1)!;
              const again = await fixLines(stores[0]!, scope, last, never);
              expect(again).toEqual({ out: last, asked: 0 });
            }
            // And for every line at all: serve(serve(x)) == serve(x), the second pass asking nothing.
            for (const x of UNIVERSE) {
              const once = await fixLines(stores[1 % stores.length]!, scope, [x], model);
              const twice = await fixLines(stores[2 % stores.length]!, scope, once.out, never);
              expect(twice).toEqual({ out: once.out, asked: 0 });
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  },
);
