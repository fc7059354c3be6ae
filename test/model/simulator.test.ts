// The offline simulator: a scripted copy editor that leaves protected spans alone and, like real models,
// is not idempotent at flipRate > 0.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protectedSpans } from '../../src/model/protected.js';
import {
  copyEdit,
  copyEditUnit,
  createSimulator,
  flipPhrase,
  MISSPELLINGS,
  WORDY_PHRASES,
} from '../../src/model/simulator.js';
import { startSimServer } from '../../src/model/sim-server.js';
import { corpusLines, hasCorpus } from './corpus-lines.js';

describe('copy edits', () => {
  it('has a real list of common misspellings, each corrected in context with its case kept', () => {
    const entries = Object.entries(MISSPELLINGS);
    expect(entries.length).toBeGreaterThanOrEqual(100);
    for (const [wrong, right] of entries) {
      expect(copyEdit(`We saw ${wrong} here.`)).toBe(`We saw ${right} here.`);
      // A correction is never itself a listed misspelling (the edits are idempotent).
      expect(MISSPELLINGS[right]).toBeUndefined();
    }
    expect(copyEdit('Teh cat will recieve it.')).toBe('The cat will receive it.');
    expect(copyEdit('SEPERATE the OCCURED events')).toBe('SEPARATE the OCCURRED events');
    expect(copyEdit('Thier enviroment is wierd, definately.')).toBe(
      'Their environment is weird, definitely.',
    );
  });

  it('removes doubled words but keeps the legitimate ones', () => {
    expect(copyEdit('Open the the file and and save it.')).toBe('Open the file and save it.');
    expect(copyEdit('The The end')).toBe('The end');
    expect(copyEdit('He said that that was fine, and it had had time.')).toBe(
      'He said that that was fine, and it had had time.',
    );
  });

  it('shortens wordy phrases, keeping the sentence case', () => {
    expect(copyEdit('In order to build, run it.')).toBe('To build, run it.');
    expect(copyEdit('It fails due to the fact that the key is missing.')).toBe(
      'It fails because the key is missing.',
    );
    expect(copyEdit('At this point in time we utilize a number of caches prior to sending.')).toBe(
      'Now we use several caches before sending.',
    );
    expect(copyEdit('The server is able to make use of\u00a0it.')).toBe('The server can use\u00a0it.');
    for (const [phrase, plain] of WORDY_PHRASES) expect(copyEdit(`We ${phrase} x.`)).toBe(`We ${plain} x.`);
  });

  it('never touches inline code, URLs, links, HTML, templates, math or technical words', () => {
    const untouched = [
      'Call `teh()` or ``recieve `x` seperate``.',
      'See https://example.com/teh/recieve?wich=1 and www.seperate.org.',
      'Read [the guide](./recieve.md "teh title") and <https://teh.example>.',
      'Use [teh docs][recieve-label] or [seperate].',
      'Type {{ .Params.teh }} or {% recieve %} or ${seperate} or {thier}.',
      'Wrap it in <span title="teh">text</span> &nbsp;.',
      'Math $teh + recieve$ stays.',
      'Files src/recieve.ts, recieve_data, recieveData and v2teh stay.',
      'Mail teh@recieve.com for help.',
      'A footnote[^teh] and an escape \\*teh\\*.',
    ];
    for (const line of untouched) {
      const out = copyEdit(line);
      expect(protectedSpans(out), line).toEqual(protectedSpans(line));
    }
    expect(copyEdit('Call `teh()` to recieve.')).toBe('Call `teh()` to receive.');
    expect(copyEdit('Read [teh docs](https://x.io/teh) in teh morning.')).toBe(
      'Read [teh docs](https://x.io/teh) in the morning.',
    );
    expect(copyEdit('Files src/recieve.ts and recieve_data recieve data.')).toBe(
      'Files src/recieve.ts and recieve_data receive data.',
    );
  });

  it('keeps protected spans for any mix of prose and protected tokens (property)', () => {
    const word = fc.constantFrom(
      'teh',
      'the',
      'the the',
      'in order to',
      'recieve',
      'code',
      'For example',
      "don't",
      'a',
    );
    const token = fc.constantFrom(
      '`teh`',
      'https://example.com/teh',
      '[teh](https://a.b/recieve)',
      '{{ teh }}',
      '<b>',
      '$x$',
      'path/to/teh.md',
      '[^1]',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(word, token), { minLength: 1, maxLength: 12 }), (parts) => {
        const line = parts.join(' ');
        const out = copyEdit(line);
        expect(protectedSpans(out)).toEqual(protectedSpans(line));
        expect(copyEdit(out)).toBe(out);
        const flipped = flipPhrase(out, 3);
        expect(protectedSpans(flipped)).toEqual(protectedSpans(line));
      }),
    );
  });
});

describe('non-idempotence', () => {
  const lines = hasCorpus
    ? corpusLines(['rust-lang__book', 'vuejs__docs', 'electron__electron', 'gohugoio__hugoDocs'], 1500)
    : [];

  /** Share of lines whose second answer differs from the first (re-asking about its own output). */
  function reaskChangeRate(flipRate: number, seed = 1): number {
    const sim = createSimulator({ seed, flipRate });
    let changed = 0;
    for (const { text } of lines) {
      const first = sim.editUnit([text]);
      if (sim.editUnit(first).join('\n') !== first.join('\n')) changed += 1;
    }
    return changed / lines.length;
  }

  it.skipIf(!hasCorpus)(
    `re-asking about its own output changes a share of corpus lines at flipRate > 0, none at 0${hasCorpus ? '' : ' (set DOCS_FIX_CORPUS to run)'}`,
    () => {
      expect(lines.length).toBeGreaterThan(3000);
      const atDefault = reaskChangeRate(0.05);
      const atHalf = reaskChangeRate(0.5);
      const atZero = reaskChangeRate(0);
      // A number to read, not a constant to match: printed by `npx vitest run test/model/simulator.test.ts`.
      console.log(
        `simulator re-ask change rate over ${lines.length} corpus lines: flipRate 0.05 -> ${(atDefault * 100).toFixed(2)}%, 0.5 -> ${(atHalf * 100).toFixed(2)}%, 0 -> ${(atZero * 100).toFixed(2)}%`,
      );
      expect(atZero).toBe(0);
      expect(atDefault).toBeGreaterThan(0);
      expect(atHalf).toBeGreaterThan(atDefault);
    },
  );

  it('can answer differently when asked twice about the same text', () => {
    const sim = createSimulator({ seed: 3, flipRate: 0.5 });
    const text = 'For example, you do not usually need the entire file.';
    const answers = new Set(Array.from({ length: 40 }, () => sim.editUnit([text])[0]!));
    expect(answers.size).toBeGreaterThan(1);
    for (const a of answers) expect(copyEdit(a)).toBe(a);
  });

  it('is deterministic given the seed and the sequence of calls', () => {
    const texts = Array.from({ length: 200 }, (_, i) => `Line ${i}: for example, it does not often work.`);
    const run = (seed: number): string[] => {
      const sim = createSimulator({ seed, flipRate: 0.3 });
      return texts.map((t) => sim.editUnit([t])[0]!);
    };
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });
});

describe('units', () => {
  it('edits a unit as one text across its line breaks, keeping its number of lines', () => {
    expect(copyEditUnit(['Run the', 'the tests before', 'you push.'])).toEqual([
      'Run the',
      'tests before',
      'you push.',
    ]);
    expect(copyEditUnit(['We do this in order', 'to build it.'])).toEqual(['We do this to', 'build it.']);
    expect(copyEditUnit(['Teh first line', 'and teh second.'])).toEqual([
      'The first line',
      'and the second.',
    ]);
  });

  it('edits line by line when editing the whole would empty a line', () => {
    // The doubled word is a whole line: removing it would leave an empty line, which ends a paragraph.
    expect(copyEditUnit(['Read the', 'the', 'recieved docs.'])).toEqual([
      'Read the',
      'the',
      'received docs.',
    ]);
  });

  it('sentence-case capitalises and ends whatever it is given: a whole unit, or a fragment', () => {
    const rules = ['sentence-case'] as const;
    expect(copyEditUnit(['the data store. (This sample does not', 'show how'], rules)).toEqual([
      'The data store. (This sample does not',
      'show how.',
    ]);
    // Given the same lines one at a time (line units), every continuation line is damaged.
    expect(
      ['the data store. (This sample does not', 'show how'].map((l) => copyEditUnit([l], rules)[0]),
    ).toEqual(['The data store. (This sample does not.', 'Show how.']);
    expect(copyEditUnit(['Already a sentence.'], rules)).toEqual(['Already a sentence.']);
    expect(copyEditUnit(['`code` first, then [a link](https://x.y)'], rules)).toEqual([
      '`code` first, then [a link](https://x.y)',
    ]);
  });

  it('never answers with another number of lines without a fault', () => {
    const sim = createSimulator({
      seed: 5,
      flipRate: 0.5,
      rules: ['spelling', 'wordy', 'doubled', 'contractions'],
    });
    const units = [
      ['You do', 'not need it.'],
      ['It is', 'not the the', 'same.'],
      ['In order', 'to'],
      ['the', 'the'],
    ];
    for (let i = 0; i < 50; i += 1) {
      for (const unit of units) {
        const out = sim.editUnit(unit);
        expect(out).toHaveLength(unit.length);
        for (const line of out) expect(line).toMatch(/^\S(.*\S)?$/);
      }
    }
  });
});

describe('sim server', () => {
  it('lists a model and answers chat completions in the prompt format', async () => {
    const server = await startSimServer({ sim: { flipRate: 0 } });
    try {
      const models = (await (await fetch(`${server.baseURL}/models`)).json()) as { data: { id: string }[] };
      expect(models.data[0]!.id).toBe('docs-fix-sim');
      const res = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'm',
          messages: [
            { role: 'system', content: 'x' },
            {
              role: 'user',
              content: JSON.stringify({
                units: [{ id: 1, kind: 'paragraph', lines: ['Teh end of', 'the the story.'] }],
              }),
            },
          ],
        }),
      });
      const body = (await res.json()) as {
        choices: { message: { content: string } }[];
        usage: { total_tokens: number };
      };
      expect(JSON.parse(body.choices[0]!.message.content)).toEqual({
        units: [{ id: 1, lines: ['The end of', 'the story.'] }],
      });
      expect(body.usage.total_tokens).toBeGreaterThan(0);
      const bad = await fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        body: '{"messages":[]}',
      });
      expect(bad.status).toBe(400);
    } finally {
      await server.close();
    }
  });
});
