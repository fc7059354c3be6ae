// The offline provider with the real harper.js linter and the installed misspellings list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LineKind } from '../../../src/markdown/types.js';
import { createFixer, PROVIDERS } from '../../../src/model/index.js';
import {
  createOfflineFixer,
  DEFAULT_RULES,
  harperVersion,
  lintersStarted,
  misspellingsVersion,
  sharedHarper,
  type HarperSession,
  type OfflineFixerOptions,
} from '../../../src/model/offline/index.js';
import type { Budget, ModelUnit } from '../../../src/model/types.js';

const ALL: Budget = { maxLines: Infinity, maxTokens: Infinity };

/** Answers for units given as line arrays (ids 0..n-1). */
async function fix(
  units: string[][],
  options: OfflineFixerOptions = {},
): Promise<(readonly string[] | undefined)[]> {
  const fixer = createOfflineFixer(options);
  const result = await fixer.fixUnits(
    units.map((lines, id) => ({ id, kind: 'paragraph', lines })),
    ALL,
  );
  expect(result.failures).toEqual([]);
  return units.map((_, id) => result.answers.get(id));
}

/** One unit of one line, fixed. */
async function fixOne(text: string, options: OfflineFixerOptions = {}): Promise<string> {
  const [answer] = await fix([[text]], options);
  return answer!.join('\n');
}

describe('the UnitFixer contract', () => {
  it('answers every unit with its number of lines, by the caller’s ids, without tokens', async () => {
    const fixer = createOfflineFixer();
    const units: ModelUnit[] = [
      { id: 17, kind: 'paragraph', lines: ['Run the', 'the tests in the seperate', 'directory.'] },
      { id: 3, kind: 'heading', lines: ['Installation'] },
      { id: 99, kind: 'list-item', lines: ['Use `x`.', 'Then the the rest.'] },
    ];
    const result = await fixer.fixUnits(units, ALL);
    expect(result.failures).toEqual([]);
    expect(result.unanswered).toEqual([]);
    expect(result.overBudget).toEqual([]);
    expect([...result.answers.keys()].sort((a, b) => a - b)).toEqual([3, 17, 99]);
    for (const u of units) expect(result.answers.get(u.id)).toHaveLength(u.lines.length);
    expect(result.answers.get(17)).toEqual(['Run the', 'tests in the separate', 'directory.']);
    expect(result.answers.get(3)).toEqual(['Installation']);
    expect(result.answers.get(99)).toEqual(['Use `x`.', 'Then the rest.']);
    expect(result.tokens).toEqual({ prompt: 0, completion: 0, total: 0 });
    // Requests are Harper lint calls: one for both candidate units (the heading is not a candidate), and none
    // for the second look at the two changed units, which the prefilter clears.
    expect(result.requests).toBe(1);
  });

  it('makes no lint call at all when no unit can hold an error a rule fixes', async () => {
    const fixer = createOfflineFixer();
    const result = await fixer.fixUnits([{ id: 1, kind: 'paragraph', lines: ['Nothing to fix here.'] }], ALL);
    expect(result.requests).toBe(0);
    expect(result.answers.get(1)).toEqual(['Nothing to fix here.']);
  });

  it('answers the units that fit the line budget, in order, and returns the rest as over budget', async () => {
    const fixer = createOfflineFixer();
    const units: ModelUnit[] = [
      { id: 1, kind: 'paragraph', lines: ['One the the line.'] },
      { id: 2, kind: 'paragraph', lines: ['Two', 'lines.'] },
      { id: 3, kind: 'paragraph', lines: ['Three', 'more', 'lines.'] },
      { id: 4, kind: 'paragraph', lines: ['One.'] },
    ];
    const result = await fixer.fixUnits(units, { maxLines: 4, maxTokens: 0 });
    expect([...result.answers.keys()]).toEqual([1, 2]);
    expect(result.answers.get(1)).toEqual(['One the line.']);
    // A prefix: unit 4 would fit, but comes after one that did not.
    expect(result.overBudget).toEqual([3, 4]);
    const none = await fixer.fixUnits(units, { maxLines: 0, maxTokens: Infinity });
    expect(none.answers.size).toBe(0);
    expect(none.overBudget).toEqual([1, 2, 3, 4]);
    expect(none.requests).toBe(0);
  });

  it('rejects with the reason when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      createOfflineFixer().fixUnits([{ id: 1, kind: 'paragraph', lines: ['teh'] }], ALL, controller.signal),
    ).rejects.toThrow('shutting down');
  });

  it('leaves units unanswered, with the failure, when Harper fails (fail closed)', async () => {
    const broken: HarperSession = {
      version: harperVersion(),
      lint: () => Promise.reject(new Error('wasm trap')),
    };
    const result = await createOfflineFixer({ harper: broken }).fixUnits(
      [
        { id: 1, kind: 'paragraph', lines: ['A seperate line.'] },
        { id: 2, kind: 'paragraph', lines: ['Nothing to fix.'] },
      ],
      ALL,
    );
    expect(result.unanswered).toEqual([1]);
    expect(result.failures).toEqual([{ ids: [1], message: 'harper.js: wasm trap' }]);
    // A unit no rule could touch needs no lint to be answered.
    expect(result.answers.get(2)).toEqual(['Nothing to fix.']);
  });
});

describe('model id, prompt version and label', () => {
  it('names the engine, data and rule-set versions; a different rule set is a different model', () => {
    const fixer = createOfflineFixer();
    expect(fixer.modelId).toContain(`harper.js=${harperVersion()}`);
    expect(fixer.modelId).toContain(`en-common-misspellings=${misspellingsVersion()}`);
    expect(fixer.modelId).toContain(`rules=${DEFAULT_RULES.join('+')}`);
    expect(fixer.label).toBe(
      `offline editor: harper.js ${harperVersion()} + common misspellings ${misspellingsVersion()}, rules ${DEFAULT_RULES.join(', ')}`,
    );
    const others = [
      createOfflineFixer({ rules: ['repeated-word'] }),
      createOfflineFixer({ rules: ['repeated-word', 'common-misspelling'] }),
      createOfflineFixer({ rules: [...DEFAULT_RULES, 'a-an'] }),
    ];
    const ids = new Set([fixer.modelId, ...others.map((f) => f.modelId)]);
    expect(ids.size).toBe(4);
    // Order and duplicates do not make another model.
    expect(createOfflineFixer({ rules: [...DEFAULT_RULES].reverse().concat(DEFAULT_RULES) }).modelId).toBe(
      fixer.modelId,
    );
    expect(() => createOfflineFixer({ rules: ['grammar' as never] })).toThrow(
      /unknown offline rule "grammar"/,
    );
  });

  it('puts the vocabulary in the prompt version (its order and duplicates aside)', () => {
    const none = createOfflineFixer();
    const a = createOfflineFixer({ vocabulary: ['Kubernetes', 'seperate'] });
    const b = createOfflineFixer({ vocabulary: ['seperate', 'Kubernetes', ' seperate '] });
    expect(a.promptVersion).not.toBe(none.promptVersion);
    expect(b.promptVersion).toBe(a.promptVersion);
    expect(a.modelId).toBe(none.modelId);
  });
});

describe('repeated-word', () => {
  it('removes a doubled word, on one line or across a line break, keeping every line', async () => {
    expect(await fixOne('Open the the file.')).toBe('Open the file.');
    expect(await fixOne('The the result is kept.')).toBe('The result is kept.');
    expect(await fix([['Run the', 'the tests.']])).toEqual([['Run the', 'tests.']]);
    expect(await fix([['Run the', 'the', 'tests.']])).toEqual([['Run', 'the', 'tests.']]);
    expect(await fixOne('It is is the the the end.')).toBe('It is is the end.');
  });

  it('removes the doubles Harper leaves alone as possible homographs with its own rule', async () => {
    expect(await fixOne('The rendered page page displays the value value.')).toBe(
      'The rendered page displays the value.',
    );
    expect(await fixOne('You can can implement it.')).toBe('You can implement it.');
    // Two rules, each with its own measurement: either one alone leaves the other's doubles.
    expect(await fixOne('The page page and the the end.', { rules: ['repeated-word'] })).toBe(
      'The page page and the end.',
    );
    expect(await fixOne('The page page and the the end.', { rules: ['repeated-homograph'] })).toBe(
      'The page and the the end.',
    );
  });

  it('leaves grammatical doubles, names, hyphenated words, links and code alone', async () => {
    for (const text of [
      'He said that that was fine, and it had had time.',
      'What it is is a cache.',
      'Walla Walla and PowerShell PowerShell stay.',
      'It protects Amazon Web Services services and their data.',
      'Pass the dash dash global flag, hint hint.',
      'Tags are not usable in in-DOM templates.',
      'It is similar to [to transforming arrays](/learn).',
      'Call the `the` function.',
      'Use the **the** keyword.',
      'Read the. The next one.',
    ]) {
      expect(await fixOne(text)).toBe(text);
    }
    expect(await fix([['the', 'the']])).toEqual([['the', 'the']]);
  });
});

describe('common-misspelling', () => {
  it('corrects a listed misspelling when Harper’s first suggestion is the list’s correction', async () => {
    expect(await fixOne('We will recieve infomation about enviroments.')).toBe(
      'We will receive information about environments.',
    );
    expect(await fixOne('Seperate the files.')).toBe('Separate the files.');
    // Harper ranks `air` before `are` and `writhing` before `writing`: among its first three is enough.
    expect(await fixOne('All templates aer valid and support writting.')).toBe(
      'All templates are valid and support writing.',
    );
    expect(await fixOne('A JSON-serializeable object.')).toBe('A JSON-serializable object.');
    // A misspelling at the start of a wrapped line is corrected, not capitalised.
    expect(await fix([['Set each parameter', 'seperately when needed.']])).toEqual([
      ['Set each parameter', 'separately when needed.'],
    ]);
  });

  it('leaves technical words, names, acronyms and words that are not in the list alone', async () => {
    for (const text of [
      'We use cmdlets and config with ErrorRecord in each runspace and hashtable.',
      'Visual Studio Code, Loom, Canva, Notion and Mark Skelton.',
      'The TEH flag and the SEPERATE constant.',
      'The foo bar baz of the wibble.',
    ]) {
      expect(await fixOne(text)).toBe(text);
    }
  });

  it('never touches code, links, URLs, HTML, templates or math, nor a word the unit itself uses in code', async () => {
    for (const text of [
      'Call `recieve()` or see [the docs](./recieve.md "teh title").',
      'See https://example.com/recieve?wich=1 and <https://teh.example>.',
      'Type {{ .Params.recieve }} or {% teh %} and $recieve + x$ or <span title="teh">ok</span>.',
      'The `seperate` flag: pass seperate to split.',
      'Test if the specified [d]irectory exists.',
    ]) {
      expect(await fixOne(text)).toBe(text);
    }
  });

  it('never changes a vocabulary word', async () => {
    expect(await fixOne('The seperate tool and recieve.', { vocabulary: ['seperate'] })).toBe(
      'The seperate tool and receive.',
    );
  });

  it('keeps a unit made only of protected syntax unchanged', async () => {
    for (const text of [
      '`teh` [recieve](https://teh.example/recieve)',
      '{{ teh }}',
      '<https://wich.example>',
    ]) {
      const fixer = createOfflineFixer();
      const result = await fixer.fixUnits([{ id: 1, kind: 'paragraph', lines: [text] }], ALL);
      expect(result.answers.get(1)).toEqual([text]);
      expect(result.requests).toBe(0);
    }
  });
});

describe('one fix revealing the next', () => {
  it('applies the rules to their own output until nothing changes, or once with maxPasses 1', async () => {
    expect(await fixOne('Teh the cat.')).toBe('The cat.');
    expect(await fixOne('Teh the cat.', { maxPasses: 1 })).toBe('The the cat.');
  });
});

describe('a-an (measured, not on by default)', () => {
  const aAn = { rules: ['a-an'] } as const;

  it('is not a default rule', async () => {
    expect(DEFAULT_RULES).not.toContain('a-an');
    expect(await fixOne('Convert a input string.')).toBe('Convert a input string.');
  });

  it('swaps a/an before a lower-case word Harper knows', async () => {
    expect(await fixOne('Convert a input string.', aAn)).toBe('Convert an input string.');
    expect(await fixOne('This is an chance.', aAn)).toBe('This is a chance.');
    expect(await fixOne('A example follows.', aAn)).toBe('An example follows.');
  });

  it('leaves pronunciation cases, letters, acronyms, function words and labels alone', async () => {
    for (const text of [
      'Add a user in an hour, a one-time step.',
      'Assemblies A and B, an SQL query, a HTML page.',
      'We decided as a as a group, it is a an issue.',
      'Create a [n]on-empty file.',
      'Nam vehicula nunc mauris, a ultricies libero.',
    ]) {
      expect(await fixOne(text, aAn)).toBe(text);
    }
  });
});

describe('real units from ../shared/corpus (test/fixtures/offline/corpus-units.json)', () => {
  interface Entry {
    repository: string;
    path: string;
    why: string;
    kind: LineKind;
    lines: string[];
    expected: string[];
  }
  const entries = JSON.parse(
    readFileSync(new URL('../../fixtures/offline/corpus-units.json', import.meta.url), 'utf8'),
  ) as Entry[];

  it('fixes the published typos and leaves every other word and line as it was', async () => {
    const fixer = createOfflineFixer();
    const result = await fixer.fixUnits(
      entries.map((e, id) => ({ id, kind: e.kind, lines: e.lines })),
      ALL,
    );
    expect(result.failures).toEqual([]);
    entries.forEach((e, id) => {
      expect(result.answers.get(id), `${e.repository}/${e.path}: ${e.why}`).toEqual(e.expected);
    });
    expect(entries.filter((e) => e.expected.join('\n') !== e.lines.join('\n')).length).toBeGreaterThanOrEqual(
      5,
    );
  });
});

describe('the provider', () => {
  it('is one of the providers, and createFixer builds it with the vocabulary', async () => {
    expect(PROVIDERS).toContain('offline');
    const fixer = createFixer({ provider: 'offline', model: 'ignored', vocabulary: ['seperate'] });
    expect(fixer.modelId).toBe(createOfflineFixer().modelId);
    expect(fixer.promptVersion).toBe(createOfflineFixer({ vocabulary: ['seperate'] }).promptVersion);
    const result = await fixer.fixUnits(
      [
        { id: 4, kind: 'paragraph', lines: ['Open the', 'the seperate file.'] },
        { id: 9, kind: 'heading', lines: ['Teh end'] },
      ],
      ALL,
    );
    expect(result.answers).toEqual(
      new Map([
        [4, ['Open the', 'seperate file.']],
        [9, ['The end']],
      ]),
    );
  });
});

describe('one linter per process', () => {
  it('is shared by every fixer the process builds, as a worker builds one per job', async () => {
    expect(sharedHarper()).toBe(sharedHarper());
    for (const vocabulary of [[], ['Lanternfish'], ['seperate']]) {
      const fixer = createFixer({ provider: 'offline', model: 'ignored', vocabulary });
      const result = await fixer.fixUnits([{ id: 1, kind: 'paragraph', lines: ['Run the the job.'] }], ALL);
      expect(result.requests).toBe(1);
    }
    expect(lintersStarted()).toBe(1);
  });
});
