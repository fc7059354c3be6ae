// Maintainers stay in charge, at the engine: the repository's vocabulary in admission, rejections a
// maintainer recorded, and the language guard with file-level fixpoints.
import { describe, expect, it } from 'vitest';
import { MemoryStore, rejectionKey, type Rejection } from '../../src/cache/index.js';
import { admitRewrite } from '../../src/engine/admission.js';
import { explainLine } from '../../src/engine/explain.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { EngineContext, SourceFile } from '../../src/engine/types.js';
import { changedTerm, vocabularyMatcher } from '../../src/engine/vocabulary.js';
import { buildMessages, createFixer, defaultTemplate, promptVersion } from '../../src/model/index.js';
import type { Budget, UnitFixer } from '../../src/model/types.js';
import { scriptedFixer, unitTextOf } from '../support/scripted-fixer.js';

const unlimited: Budget = { maxLines: Infinity, maxTokens: Infinity };
const file = (path: string, text: string): SourceFile => ({ path, bytes: Buffer.from(text) });
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
const ctxOf = (
  fixer: UnitFixer,
  store = new MemoryStore(),
  over: Partial<EngineContext> = {},
): EngineContext => ({
  store,
  fixer,
  scope: 'installation:1',
  budget: unlimited,
  ...over,
});

describe('vocabulary in admission', () => {
  const vocabulary = ['GitHub', 'gRPC', 'Node.js', 'Colour Picker', 'C++'];
  const admit = (before: string, after: string) =>
    admitRewrite({ kind: 'paragraph', before: [before], after: [after] }, { vocabulary });

  it('rejects an answer that changes, drops or re-cases an occurrence of a term', () => {
    const cases: [string, string][] = [
      ['Push it to GitHub today.', 'Push it to Github today.'],
      ['Push it to GitHub today.', 'Push it today.'],
      ['Call gRPC and gRPC again.', 'Call gRPC and GRPC again.'],
      ['Install Node.js first.', 'Install Node.JS first.'],
      ['Open the Colour Picker now.', 'Open the Color Picker now.'],
      ['Write C++ code.', 'Write C code.'],
    ];
    for (const [before, after] of cases) {
      const verdict = admit(before, after);
      expect(verdict, after).toMatchObject({ ok: false, reason: 'vocabulary-changed' });
    }
    expect(admit('Push it to GitHub today.', 'Push it to Github today.')).toMatchObject({
      detail: expect.stringContaining('"GitHub" occurs once in the unit and 0 times in the answer'),
    });
  });

  it('lets a term move, and lets the model fix what is not an occurrence', () => {
    expect(admit('GitHub hosts teh code.', 'GitHub hosts the code.')).toEqual({ ok: true });
    expect(admit('Teh code is on GitHub.', 'GitHub has the code.')).toEqual({ ok: true });
    // `Github` is not an occurrence of `GitHub`: fixing it to the term is what the vocabulary is for.
    expect(admit('Push it to Github today.', 'Push it to GitHub today.')).toEqual({ ok: true });
    // Inside a longer word it is not the term either.
    expect(admit('The GitHubber wrote teh code.', 'The GitHubber wrote the code.')).toEqual({ ok: true });
    // Without a vocabulary nothing is checked.
    expect(admitRewrite({ kind: 'paragraph', before: ['On GitHub.'], after: ['On Github.'] })).toEqual({
      ok: true,
    });
  });

  it('matches terms that start or end with punctuation, and many terms quickly', () => {
    const m = vocabularyMatcher(['.NET', 'C#', 'Node.js']);
    expect(m.occurrences('Use .NET and C# with Node.js, not Node.jsx.')).toEqual(
      new Map([
        ['.NET', 1],
        ['C#', 1],
        ['Node.js', 1],
      ]),
    );
    const big = Array.from({ length: 5000 }, (_, i) => `Term${i}`);
    expect(
      changedTerm(vocabularyMatcher(big), 'Use Term42 and Term4999.', 'Use term42 and Term4999.'),
    ).toEqual({ term: 'Term42', before: 1, after: 0 });
  });
});

describe('vocabulary in the prompt', () => {
  it('is part of the prompt version (order-free), and no vocabulary keeps the version it had', () => {
    const none = promptVersion(defaultTemplate(''));
    expect(promptVersion(defaultTemplate('', undefined, []))).toBe(none);
    const a = promptVersion(defaultTemplate('', undefined, ['gRPC', 'GitHub']));
    expect(a).not.toBe(none);
    expect(promptVersion(defaultTemplate('', undefined, ['GitHub', 'gRPC', 'GitHub']))).toBe(a);
    expect(createFixer({ provider: 'echo', model: 'e', vocabulary: ['GitHub'] }).promptVersion).not.toBe(
      createFixer({ provider: 'echo', model: 'e' }).promptVersion,
    );
  });

  it('names the terms a request holds, with the spelling to keep', () => {
    const template = defaultTemplate('', undefined, ['GitHub', 'gRPC', 'Kubernetes']);
    const [system] = buildMessages(template, [
      { id: 0, kind: 'paragraph', lines: ['Push to github and grpc.'] },
    ]);
    expect(system!.content).toContain('keep every occurrence exactly as written');
    expect(system!.content).toContain('["GitHub","gRPC"]');
    expect(system!.content).not.toContain('Kubernetes');
    const [plain] = buildMessages(template, [{ id: 0, kind: 'paragraph', lines: ['Nothing here.'] }]);
    expect(plain!.content).not.toContain('Terms of this repository');
  });
});

describe('vocabulary in a run', () => {
  it('a model that re-cases a term changes nothing there; cached rewrites meet a new term too', async () => {
    const doc = '# Setup\n\nPush teh code to GitHub.\n\nRun teh tests.\n';
    const fixer = scriptedFixer((u) => unitTextOf(u).replace('teh', 'the').replace('GitHub', 'Github'));
    const store = new MemoryStore();
    const guarded = await fixFiles([file('a.md', doc)], ctxOf(fixer, store, { vocabulary: ['GitHub'] }));
    expect(text(guarded.patches[0]!.after)).toBe('# Setup\n\nPush teh code to GitHub.\n\nRun the tests.\n');
    expect(guarded.summary.rejectedByReason).toEqual({ 'vocabulary-changed': 1 });

    // Without the term the same model's rewrite is stored and served; adding the term later withholds it.
    const plain = new MemoryStore();
    const first = await fixFiles([file('a.md', doc)], ctxOf(fixer, plain));
    expect(text(first.patches[0]!.after)).toContain('Push the code to Github.');
    const later = await fixFiles([file('a.md', doc)], ctxOf(fixer, plain, { vocabulary: ['GitHub'] }));
    expect(text(later.patches[0]!.after)).toContain('Push teh code to GitHub.');
    expect(later.summary.withheldByReason).toEqual({ 'vocabulary-changed': 1 });
  });
});

describe("a maintainer's rejection", () => {
  const rejection: Rejection = {
    pullRequest: 12,
    how: 'closed',
    by: 'alice',
    at: '2026-11-30T10:00:00Z',
    proposed: 'Run the tests.',
  };
  const reject = async (store: MemoryStore, repository: string, textOf: string): Promise<void> =>
    store.write([
      {
        op: 'reject',
        key: rejectionKey({ scope: 'installation:1', repository, kind: 'paragraph', text: textOf }),
        rejection,
      },
    ]);

  it('serves the unit as it is in that repository only, without asking the model, and traces who', async () => {
    const doc = 'Run teh tests.\n\nTeh second one.\n';
    const fixer = scriptedFixer((u) => unitTextOf(u).replace(/teh/i, (m) => (m === 'Teh' ? 'The' : 'the')));
    const store = new MemoryStore();
    await reject(store, 'octo/docs', 'Run teh tests.');

    const here = await fixFiles([file('a.md', doc)], ctxOf(fixer, store, { repository: 'Octo/Docs' }));
    expect(text(here.patches[0]!.after)).toBe('Run teh tests.\n\nThe second one.\n');
    expect(fixer.seen).toEqual(['Teh second one.']);
    expect(here.summary.rejectedByMaintainer).toBe(1);
    expect(here.trace.find((t) => t.outcome === 'rejected-by-maintainer')).toEqual({
      path: 'a.md',
      line: 1,
      lines: 1,
      outcome: 'rejected-by-maintainer',
      before: 'Run teh tests.',
      maintainer: { by: 'alice', pullRequest: 12, how: 'closed' },
    });
    expect(here.files[0]?.fileFixpointStored).toBeUndefined();

    // A cached rewrite is not served either; another repository (or the CLI with none) gets it.
    const again = await fixFiles([file('a.md', doc)], ctxOf(fixer, store, { repository: 'octo/docs' }));
    expect(again.summary.rejectedByMaintainer).toBe(1);
    expect(again.summary.rewriteHits).toBe(1);
    expect(text(again.patches[0]!.after)).toBe('Run teh tests.\n\nThe second one.\n');
    const elsewhere = await fixFiles([file('a.md', doc)], ctxOf(fixer, store, { repository: 'octo/other' }));
    expect(text(elsewhere.patches[0]!.after)).toBe('Run the tests.\n\nThe second one.\n');
    const none = await fixFiles([file('a.md', doc)], ctxOf(fixer, store));
    expect(none.summary.rejectedByMaintainer).toBe(0);
  });

  it('explain says who rejected it, in which pull request, and how to undo it', async () => {
    const store = new MemoryStore();
    await reject(store, 'octo/docs', 'Run teh tests.');
    const fixer = scriptedFixer((u) => unitTextOf(u));
    const e = await explainLine(
      { file: file('a.md', 'Run teh tests.\n'), line: 1 },
      { store, fixer, scope: 'installation:1', repository: 'octo/docs' },
    );
    expect(e.maintainer).toEqual(rejection);
    expect(e.next.outcome).toBe('rejected-by-maintainer');
    expect(e.next.why).toContain('@alice closed pull request #12 without merging it (2026-11-30)');
    expect(e.next.why).toContain('`/docs-fix forget` on #12');
    const other = await explainLine(
      { file: file('a.md', 'Run teh tests.\n'), line: 1 },
      { store, fixer, scope: 'installation:1', repository: 'octo/other' },
    );
    expect(other.maintainer).toBeUndefined();
    expect(other.next.outcome).toBe('miss');
  });
});

describe('languages in a run', () => {
  const french =
    "Chaque instance d'un composant Vue passe par une série d'étapes d'initialisation lorsqu'elle est créée, par exemple.\n";
  const doc = `# Guide\n\nRun teh tests before you push, and read the guide that comes with them.\n\nThis page is written in English, with one quote in French below.\n\n${french}`;
  // A model that capitalises and punctuates what it is given, as models do (it would touch the French too).
  const fixer = scriptedFixer((u) => `${unitTextOf(u).replace('teh', 'the').replace(/\.$/, '')}!`);

  it('freezes the French unit (never sent, counted by reason) and edits the English ones', async () => {
    const result = await fixFiles(
      [file('a.md', doc)],
      ctxOf(fixer, new MemoryStore(), { languages: ['en'] }),
    );
    expect(fixer.seen).not.toContain(french.trimEnd());
    expect(result.summary.frozenByReason).toMatchObject({ 'language:fr': 1 });
    expect(text(result.patches[0]!.after)).toContain(french);
    expect(result.keyInputs.languages).toBe('en');
    const all = await fixFiles([file('a.md', doc)], ctxOf(fixer, new MemoryStore(), { languages: ['*'] }));
    expect(text(all.patches[0]!.after)).not.toContain(french);
  });

  it('a content settled under one set of languages is not settled under another', async () => {
    const store = new MemoryStore();
    const echo = createFixer({ provider: 'echo', model: 'echo' });
    const first = await fixFiles([file('a.md', doc)], ctxOf(echo, store, { languages: ['en'] }));
    expect(first.summary.fileFixpointsStored).toBe(1);
    const same = await fixFiles([file('a.md', doc)], ctxOf(echo, store, { languages: ['en'] }));
    expect(same.summary.fileFixpointHits).toBe(1);
    const other = await fixFiles([file('a.md', doc)], ctxOf(echo, store, { languages: ['en', 'fr'] }));
    expect(other.summary.fileFixpointHits).toBe(0);
    expect(other.summary.modelUnits).toBe(1);
    expect(other.summary.fixpointHits).toBe(3);
  });
});
