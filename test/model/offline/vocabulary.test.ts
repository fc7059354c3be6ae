// The curated misspellings list as the offline editor reads it, and the repository's own words.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commonMisspellings, parseSuggestWords } from '../../../src/model/offline/misspellings.js';
import { packageDir } from '../../../src/model/offline/packages.js';
import { repositoryVocabulary } from '../../../src/model/offline/vocabulary.js';

describe('common misspellings', () => {
  it('keeps single corrections only; several corrections, or the same word listed twice differently, are ambiguous', () => {
    const { corrections, ambiguous } = parseSuggestWords(
      ['teh->the', 'wich->which, witch', 'Amercia->America', 'colum->column', 'colum->columns'],
      'test',
    );
    expect([...corrections]).toEqual([
      ['teh', 'the'],
      ['amercia', 'America'],
    ]);
    expect(ambiguous).toBe(2);
  });

  it('fails loudly on data in another format', () => {
    expect(() => parseSuggestWords(['teh the'], 'dict.json')).toThrow(/dict\.json: suggestWords\[0\]/);
    expect(() => parseSuggestWords([42], 'dict.json')).toThrow(/is not "wrong->right"/);
  });

  it('reads the installed list: its version, tens of thousands of single corrections', () => {
    const list = commonMisspellings();
    const pkg = JSON.parse(
      readFileSync(`${packageDir('@cspell/dict-en-common-misspellings')}/package.json`, 'utf8'),
    ) as {
      version: string;
    };
    expect(list.version).toBe(pkg.version);
    expect(list.corrections.size).toBeGreaterThan(50_000);
    expect(list.corrections.get('seperate')).toBe('separate');
    expect(list.corrections.get('infomation')).toBe('information');
    expect(list.corrections.has('wich')).toBe(false);
    expect(list.corrections.has('cmdlets')).toBe(false);
  });
});

describe('repositoryVocabulary', () => {
  const units = [
    'Run `seperate --all` first, see [the guide](https://docs.example/recieve).',
    'The seperate step is optional.',
    'We enviroment and a wierd thing.',
    'Another enviroment here.',
    'A third enviroment there, and wierd again.',
    'A third enviroment there, and wierd again.',
  ];

  it('counts every word of inline code, link destinations and URLs, and listed misspellings used in enough units', () => {
    const vocabulary = repositoryVocabulary(units);
    // From code and the destination, whatever they are.
    for (const w of ['seperate', 'all', 'recieve', 'docs', 'example', 'https'])
      expect(vocabulary.has(w)).toBe(true);
    // `enviroment` is in three distinct units; `wierd` in two (the repeated unit counts once).
    expect(vocabulary.has('enviroment')).toBe(true);
    expect(vocabulary.has('wierd')).toBe(false);
    // Frequent words that the offline editor never replaces are not listed by default.
    expect(vocabulary.has('the')).toBe(false);
    expect(vocabulary.has('guide')).toBe(false);
  });

  it('takes the threshold and which prose words may count', () => {
    expect(repositoryVocabulary(units, { minUnits: 2 }).has('wierd')).toBe(true);
    const all = repositoryVocabulary(units, { minUnits: 2, candidate: () => true });
    expect(all.has('a')).toBe(true);
    expect(all.has('third')).toBe(false);
  });
});
