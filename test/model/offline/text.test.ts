// What the offline editor may touch in a unit, and edits that keep the unit's lines.
import { describe, expect, it } from 'vitest';
import { applyEdits, removeDoubled, replaceWord } from '../../../src/model/offline/edits.js';
import { analyseUnit, casing, matchCase } from '../../../src/model/offline/text.js';

const words = (text: string): string[] => analyseUnit(text).words.map((w) => w.word);

describe('analyseUnit', () => {
  it('finds the plain words with their offsets, without surrounding punctuation', () => {
    const unit = analyseUnit('Open the **seperate** file, (then) save.');
    expect(words(unit.text)).toEqual(['Open', 'the', 'seperate', 'file', 'then', 'save']);
    const w = unit.words[2]!;
    expect(unit.text.slice(w.start, w.end)).toBe('seperate');
    expect(unit.text.slice(w.tokenStart, w.tokenEnd)).toBe('**seperate**');
  });

  it('leaves out every word inside or touching a protected span, and collects those words as the unit’s own', () => {
    const text =
      'Use `seperate()` or [teh docs](./recieve.md) at https://wich.example/thier and {{ untill }} $accross$ <b title="occured">x</b> sub[d]omains';
    const unit = analyseUnit(text);
    expect(words(text)).toEqual(['Use', 'or', 'teh', 'at', 'and']);
    for (const w of ['seperate', 'recieve', 'md', 'wich', 'thier', 'untill', 'accross', 'occured', 'd']) {
      expect(unit.codeWords.has(w)).toBe(true);
    }
    expect(unit.codeWords.has('teh')).toBe(false);
    expect(unit.protectedRanges.length).toBeGreaterThanOrEqual(7);
  });

  it('marks sentence starts, across line breaks too, and splits hyphenated compounds into parts', () => {
    const unit = analyseUnit('Teh end. Teh next\nline starts here. JSON-serializeable data');
    const starts = unit.words.filter((w) => w.sentenceStart).map((w) => w.word);
    expect(starts).toEqual(['Teh', 'Teh', 'JSON']);
    const parts = unit.words.filter((w) => w.compoundPart).map((w) => w.word);
    expect(parts).toEqual(['JSON', 'serializeable']);
    expect(unit.words.find((w) => w.word === 'line')!.sentenceStart).toBe(false);
  });

  it('keeps apostrophes inside words and skips tokens with digits, slashes or dots inside', () => {
    expect(words("doesn't it’s v2 a/b file.md e.g. ok")).toEqual(["doesn't", 'it’s', 'ok']);
  });
});

describe('case', () => {
  it('corrects lower case and capitalised words only, and keeps a proper noun’s own capitals', () => {
    expect(casing('teh')).toBe('lower');
    expect(casing('Teh')).toBe('capitalised');
    expect(casing('TEH')).toBe('other');
    expect(casing('ErrorRecord')).toBe('other');
    expect(matchCase('Teh', 'the')).toBe('The');
    expect(matchCase('teh', 'the')).toBe('the');
    expect(matchCase('amercia', 'America')).toBe('America');
  });
});

describe('edits that keep the lines', () => {
  const doubled = (lines: string[], word: string): string[] | undefined => {
    const unit = analyseUnit(lines.join('\n'));
    const i = unit.words.findIndex(
      (w, k) => w.word === word && unit.words[k + 1]?.word.toLowerCase() === word,
    );
    const edit = removeDoubled(unit.text, unit.words[i]!, unit.words[i + 1]!);
    return edit ? applyEdits(lines, [edit]) : undefined;
  };

  it('removes the second copy of a doubled word, on one line and across a line break', () => {
    expect(doubled(['Open the the file.'], 'the')).toEqual(['Open the file.']);
    expect(doubled(['Run the', 'the tests now.'], 'the')).toEqual(['Run the', 'tests now.']);
  });

  it('removes the first copy when the second is alone on its line, and gives up when both are', () => {
    expect(doubled(['Run the', 'the', 'tests.'], 'the')).toEqual(['Run', 'the', 'tests.']);
    expect(doubled(['the', 'the'], 'the')).toBeUndefined();
  });

  it('applies several replacements, drops an overlapping one, and refuses a result that loses a line', () => {
    const lines = ['Teh cat', 'is seperate.'];
    const unit = analyseUnit(lines.join('\n'));
    const [teh, , , sep] = unit.words;
    expect(applyEdits(lines, [replaceWord(sep!, 'separate'), replaceWord(teh!, 'The')])).toEqual([
      'The cat',
      'is separate.',
    ]);
    expect(
      applyEdits(lines, [
        replaceWord(teh!, 'The'),
        { start: teh!.start, end: teh!.end + 2, replacement: 'X' },
      ]),
    ).toEqual(['The cat', 'is seperate.']);
    expect(applyEdits(lines, [{ start: 7, end: 8, replacement: ' ' }])).toBeUndefined();
    expect(applyEdits(lines, [{ start: 0, end: 7, replacement: '' }])).toBeUndefined();
    expect(applyEdits(lines, [{ start: 0, end: 0, replacement: ' ' }])).toBeUndefined();
  });
});
