// Prose units: what the model edits is what the reader reads, a whole paragraph over its wrapped lines.
import { describe, expect, it } from 'vitest';
import { split } from '../../src/markdown/index.js';

const unitTexts = (markdown: string, path = 'u.md'): string[] =>
  split(markdown, { path }).units.map((u) => u.text);

describe('prose units', () => {
  it('a hard-wrapped paragraph is one unit, whatever its container', () => {
    expect(unitTexts('Run the\nthe tests\nbefore you push.\n\nNext one.\n')).toEqual([
      'Run the\nthe tests\nbefore you push.',
      'Next one.',
    ]);
    expect(unitTexts('- An item that\n  wraps here.\n- Another.\n')).toEqual([
      'An item that\nwraps here.',
      'Another.',
    ]);
    expect(unitTexts('> A quote\n> that wraps\nlazily.\n')).toEqual(['A quote\nthat wraps\nlazily.']);
    expect(unitTexts('1. Item\n\n   > Nested quote\n   > wraps.\n')).toEqual([
      'Item',
      'Nested quote\nwraps.',
    ]);
  });

  it('headings are units; a setext heading over two lines is one unit without its underline', () => {
    expect(unitTexts('# Title\n\nA setext\nheading\n=======\n')).toEqual(['Title', 'A setext\nheading']);
  });

  it('a frozen line inside a paragraph splits the unit around it', () => {
    const doc = split('First part of\n{{< shortcode >}}\nthe paragraph.\n', { path: 'u.md' });
    expect(doc.lines[1]!.reason).toBe('template');
    expect(doc.units.map((u) => u.text)).toEqual(['First part of', 'the paragraph.']);
  });

  it('hard breaks stay in the line suffix, inside the unit', () => {
    const doc = split('Two spaces  \nthen more\\\nand the end.\n', { path: 'u.md' });
    expect(doc.units).toHaveLength(1);
    expect(doc.units[0]!.text).toBe('Two spaces\nthen more\nand the end.');
    expect(doc.lines.map((l) => l.suffix)).toEqual(['  \n', '\\\n', '\n']);
  });

  it('adjacent paragraphs of different blocks never merge, even with no blank line between them', () => {
    // A heading interrupts a paragraph; a list item starts its own block.
    expect(unitTexts('Some text\n# Heading\nmore text\n- item\n')).toEqual([
      'Some text',
      'Heading',
      'more text',
      'item',
    ]);
  });
});
