// Property tests (fast-check): split never throws, join(split(x), none) is byte-identical, and plain
// prose in editable lines keeps the block structure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { join, split, unitsOf, type MarkdownDocument } from '../../src/markdown/index.js';
import { checkFile, sameBytes } from './structure.js';

const encoder = new TextEncoder();

const FRAGMENTS = [
  '#',
  '# ',
  '## ',
  '###### ',
  '>',
  '> ',
  '-',
  '- ',
  '* ',
  '+ ',
  '1. ',
  '2) ',
  '10. ',
  '```',
  '~~~',
  '    ',
  '\t',
  '\n',
  '\r\n',
  '\r',
  '  \n',
  '\\\n',
  '\\',
  '<div>',
  '</div>',
  '<a\n',
  'href="x">',
  '<!--',
  '-->',
  '<br>',
  '{{',
  '}}',
  '{{< x >}}',
  '{{< /x >}}',
  '{{% y %}}',
  '{% raw %}',
  '{% endraw %}',
  '{{#include a.rs}}',
  ':::',
  '|',
  '| a |',
  '|---|',
  '-|-',
  ':-:',
  '---',
  '===',
  '***',
  '+++',
  '[x]: /u',
  '[x]',
  '[^1]: ',
  '[^1]',
  '$$',
  '$',
  '`',
  '![i](u)',
  '[ ] ',
  '[x] ',
  '*',
  '_',
  '~~',
  '"',
  "'",
  '(',
  ')',
  '[',
  ']',
  ':',
  'www.x.com',
  '<https://x.y>',
  'foo',
  'bar baz',
  'Word',
  ' ',
  '   ',
  '\uFEFF',
  'é',
  '日本',
  '😺',
];

const markdownish = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
const mdxFragments = fc
  .array(
    fc.constantFrom(
      ...FRAGMENTS,
      '<Foo>',
      '</Foo>',
      '<Foo />',
      '{x}',
      'import a from "b"\n',
      'export const a = 1\n',
    ),
    {
      maxLength: 30,
    },
  )
  .map((parts) => parts.join(''));

/** Lines of site generators' dialects (MkDocs, MyST, Docusaurus/VitePress), ignore comments, late front matter. */
const DIALECT_LINES = [
  '!!! note',
  '!!! warning "A title"',
  '??? tip',
  '???+ danger "Open"',
  '=== "Tab"',
  '===+ "Tab two"',
  ':::{note}',
  '::::{tip} Title',
  ':::{code-block} python',
  ':::{list-table}',
  ':::{myst-example}',
  ':::',
  '::::',
  '::: tip Title',
  ':::warning',
  '```{note}',
  '```{code-block} python',
  '```{toctree}',
  '```',
  '~~~',
  ':class: dropdown',
  ':name: a-label',
  '---',
  '+++',
  'title = "x"',
  'key: value',
  '{ .annotate }',
  '{ #id }',
  'Word { #id }',
  '[Button](#){ .md-button }',
  '(my-target)=',
  '% a comment',
  '*[HTML]: Hyper Text',
  '$$ x^2 $$',
  '$$',
  ':material-check: Done',
  '++ctrl+c++ to copy',
  '{ref}`target` here',
  '<!-- docs-fix-disable -->',
  '<!-- docs-fix-enable -->',
  '<!-- docs-fix-disable-next-line -->',
  '<!-- md:version 9.0 -->',
  '{% raw %}',
  '{% endraw %}',
  'Some prose words',
  'more prose',
  '- item',
  '1. item',
  '> quote',
  '# Heading',
  'Heading',
  '===',
  '| a | b |',
  '|---|---|',
  '<div>',
  '</div>',
  '',
];
const INDENTS = ['', '', '', '  ', '    ', '    ', '      ', '        ', '\t', '> '];
const dialectish = fc
  .array(fc.tuple(fc.constantFrom(...INDENTS), fc.constantFrom(...DIALECT_LINES)), { maxLength: 30 })
  .chain((lines) =>
    fc
      .constantFrom('\n', '\r\n')
      .map((eol) => lines.map(([indent, line]) => (line === '' ? '' : indent + line)).join(eol)),
  );

function roundTrips(input: string | Uint8Array, path: string): boolean {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  return sameBytes(join(split(input, { path }), new Map()), bytes);
}

/** Units cover exactly the editable lines, each a run of consecutive lines of one kind, and can be rebuilt. */
function unitsAreSound(doc: MarkdownDocument): void {
  const covered = new Set<number>();
  doc.units.forEach((unit, u) => {
    expect(unit.index).toBe(u);
    expect(unit.lines.length).toBeGreaterThan(0);
    unit.lines.forEach((index, k) => {
      const line = doc.lines[index]!;
      expect(line.editable).toBe(true);
      expect(line.unit).toBe(u);
      expect(line.kind).toBe(unit.kind);
      if (k > 0) expect(index).toBe(unit.lines[k - 1]! + 1);
      covered.add(index);
    });
    expect(unit.text).toBe(unit.lines.map((i) => doc.lines[i]!.text).join('\n'));
  });
  for (const line of doc.lines) expect(covered.has(line.index)).toBe(line.editable);
  expect(unitsOf(doc.lines)).toEqual(doc.units);
}

describe('split/join properties', () => {
  it('groups editable lines into sound prose units', () => {
    fc.assert(
      fc.property(markdownish, (s) => {
        unitsAreSound(split(s, { path: 'p.md' }));
        unitsAreSound(split(s, { path: 'p.mdx' }));
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => roundTrips(s, 'p.md')),
      { numRuns: 500 },
    );
  });

  it('round-trips arbitrary unicode strings (lone surrogates are skipped, still byte-identical)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        (s) => roundTrips(s, 'p.md') && roundTrips(s, 'p.mdx'),
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips markdown-ish strings as .md and .mdx', () => {
    fc.assert(
      fc.property(markdownish, (s) => roundTrips(s, 'p.md') && roundTrips(s, 'p.mdx')),
      { numRuns: 1000 },
    );
  });

  it('round-trips random bytes; invalid UTF-8 is skipped', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const doc = split(bytes, { path: 'p.md' });
        expect(sameBytes(join(doc, new Map()), bytes)).toBe(true);
        let valid = true;
        try {
          strict.decode(bytes);
        } catch {
          valid = false;
        }
        if (bytes.includes(0)) expect(doc.skipped?.reason).toBe('binary');
        else if (!valid) expect(doc.skipped?.reason).toBe('invalid-utf8');
        else expect(doc.skipped).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the block structure of markdown-ish strings when editable lines become plain prose', () => {
    fc.assert(
      fc.property(markdownish, (s) => {
        expect(checkFile(encoder.encode(s), 'p.md').structureDiff).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('round-trips dialect-ish documents, with sound units', () => {
    fc.assert(
      fc.property(dialectish, (s) => {
        for (const path of ['p.md', 'p.mdx']) {
          expect(roundTrips(s, path)).toBe(true);
          const doc = split(s, { path });
          unitsAreSound(doc);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the block structure (nested bodies included) of dialect-ish documents under plain prose', () => {
    fc.assert(
      fc.property(dialectish, (s) => {
        expect(checkFile(encoder.encode(s), 'p.md').structureDiff).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the block structure of MDX-ish strings too', () => {
    fc.assert(
      fc.property(mdxFragments, (s) => {
        expect(checkFile(encoder.encode(s), 'p.mdx').structureDiff).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});
