// Reading a pull request back, unit by unit: docs-fix's rewrites, and what a person did to them.
import { describe, expect, it } from 'vitest';
import { edits, personDecisions, rewrites } from '../../src/engine/unit-edits.js';
import { split } from '../../src/markdown/index.js';

const doc = (text: string) => split(Buffer.from(text), { path: 'a.md' });
const BASE = '# Guide\n\nThis is teh\nguide for you.\n\n- We recieve it.\n- Fine item.\n';
const BOT = '# Guide\n\nThis is the\nguide for you.\n\n- We receive it.\n- Fine item.\n';

describe('rewrites', () => {
  it("pairs the units of docs-fix's commit with its parent's, wrapped paragraphs whole", () => {
    expect(rewrites(doc(BASE), doc(BOT))).toEqual([
      { kind: 'paragraph', before: 'This is teh\nguide for you.', after: 'This is the\nguide for you.' },
      { kind: 'list-item', before: 'We recieve it.', after: 'We receive it.' },
    ]);
    expect(rewrites(doc(BASE), doc(BASE))).toEqual([]);
  });

  it('is undefined when the versions are not the same lines with new texts', () => {
    expect(rewrites(doc(BASE), doc(`${BOT}\nMore.\n`))).toBeUndefined();
    // Same line count, other units: a wrapped paragraph turned into a heading and a paragraph.
    expect(rewrites(doc(BASE), doc(BOT.replace('This is the\n', '## This is the\n')))).toBeUndefined();
  });
});

describe("a person's commit against docs-fix's rewrites", () => {
  const proposed = rewrites(doc(BASE), doc(BOT))!;

  it('a unit put back is a revert; one written otherwise is theirs, and the rewrite it replaced is rewritten', () => {
    const person = doc(
      '# Guide\n\nThis is teh\nguide for you.\n\n- We do receive it.\n- Fine item.\n\nA new paragraph.\n',
    );
    const decided = personDecisions(edits(doc(BOT), person), proposed);
    expect(decided.reverted).toEqual([proposed[0]]);
    expect(decided.rewritten).toEqual([proposed[1]]);
    expect(decided.written).toEqual([
      { kind: 'list-item', text: 'We do receive it.' },
      { kind: 'paragraph', text: 'A new paragraph.' },
    ]);
  });

  it('a commit that leaves docs-fix’s texts alone decides nothing about them', () => {
    const person = doc(`${BOT}\nA new paragraph.\n`);
    expect(personDecisions(edits(doc(BOT), person), proposed)).toEqual({
      reverted: [],
      rewritten: [],
      written: [{ kind: 'paragraph', text: 'A new paragraph.' }],
    });
  });

  it('counts repeated units as multisets: one copy put back, another left', () => {
    const twice = '# Guide\n\nThis is the\nguide for you.\n\nThis is the\nguide for you.\n';
    const after = '# Guide\n\nThis is teh\nguide for you.\n\nThis is the\nguide for you.\n';
    expect(edits(doc(twice), doc(after))).toEqual({
      added: [{ kind: 'paragraph', text: 'This is teh\nguide for you.' }],
      removed: [{ kind: 'paragraph', text: 'This is the\nguide for you.' }],
    });
  });
});
