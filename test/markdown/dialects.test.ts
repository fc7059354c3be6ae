// Site generators' syntax: markers and options frozen, bodies split on their own, their structure checked.
import { describe, expect, it } from 'vitest';
import { blockSignature, join, split, type MarkdownDocument } from '../../src/markdown/index.js';
import { withPlainProse } from './structure.js';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function status(doc: MarkdownDocument): string[] {
  return doc.lines.map((l) => (l.editable ? `u${l.unit}` : l.reason!));
}

/** The file with line `line` (1-based) given another text: what the engine would write. */
function patched(doc: MarkdownDocument, line: number, text: string): string {
  return decode(join(doc, new Map([[line - 1, text]])));
}

describe('MkDocs admonitions, details and content tabs', () => {
  const source = [
    '!!! note "A title"',
    '',
    '    The body is a paragraph',
    '    over two lines.',
    '',
    '    ```python',
    '    print("code stays code")',
    '    ```',
    '',
    '    - an item',
    '    - another',
    '',
    '??? tip',
    '    A body right under its marker.',
    '',
    '=== "Tab"',
    '',
    '    !!! warning',
    '',
    '        Nested two levels deep.',
    '',
    'After the container.',
    '',
  ].join('\n');
  const doc = split(source, { path: 'a.md' });

  it('freezes marker lines and makes body paragraphs units of their own', () => {
    expect(status(doc)).toEqual([
      'dialect',
      'blank',
      'u0',
      'u0',
      'blank',
      'code',
      'code',
      'code',
      'blank',
      'u1',
      'u2',
      'blank',
      'dialect',
      'u3',
      'blank',
      'dialect',
      'blank',
      'dialect',
      'blank',
      'u4',
      'blank',
      'u5',
    ]);
    expect(doc.units.map((u) => u.text)).toEqual([
      'The body is a paragraph\nover two lines.',
      'an item',
      'another',
      'A body right under its marker.',
      'Nested two levels deep.',
      'After the container.',
    ]);
  });

  it('keeps the indentation in the prefix', () => {
    expect(doc.lines[2]).toMatchObject({
      prefix: '    ',
      text: 'The body is a paragraph',
      kind: 'paragraph',
    });
    expect(doc.lines[9]).toMatchObject({ prefix: '    - ', text: 'an item', kind: 'list-item' });
    expect(doc.lines[19]).toMatchObject({ prefix: '        ', text: 'Nested two levels deep.' });
  });

  it('puts each body into the block signature, so an edit that breaks its structure is seen', () => {
    const signature = blockSignature(source, 'a.md');
    expect(signature).toContain('dialect:admonition');
    expect(signature).toContain('dialect:tab');
    // remark sees the body as one indented code block: the list only shows up in the nested signature.
    expect(signature.filter((t) => t === 'listItem')).toHaveLength(2);
    expect(blockSignature(withPlainProse(doc), 'a.md')).toEqual(signature);
    // A body line turned into a list item, a heading, a fence: the file's remark tree is the same
    // (the body is code there), but the signature is not.
    for (const text of ['- not a list before', '# Heading now', '```']) {
      const after = patched(doc, 3, text);
      expect(after).not.toBe(source);
      expect(blockSignature(after, 'a.md'), text).not.toEqual(signature);
    }
  });

  it('leaves admonitions inside code blocks alone', () => {
    const shown = split('```markdown\n!!! note\n\n    Body.\n```\n', { path: 'a.md' });
    expect(status(shown)).toEqual(['code', 'code', 'code', 'code', 'code']);
  });

  it('does not open a body inside a blockquote (the markers are still frozen)', () => {
    const quoted = split('> !!! note\n>\n>     Quoted body.\n', { path: 'a.md' });
    expect(status(quoted)).toEqual(['dialect', 'blank', 'code']);
  });
});

describe('MyST directives', () => {
  it('colon fences: opener, options and closer frozen, body prose; nesting takes more colons', () => {
    const doc = split(
      [
        '::::{note}',
        ':class: dropdown',
        ':name: a-note',
        'Outer body.',
        '',
        ':::{tip}',
        'Inner body.',
        ':::',
        '::::',
        '',
      ].join('\n'),
      { path: 'a.md' },
    );
    expect(status(doc)).toEqual([
      'dialect',
      'dialect',
      'dialect',
      'u0',
      'blank',
      'dialect',
      'u1',
      'dialect',
      'dialect',
    ]);
  });

  it('a YAML options block after the opener is frozen', () => {
    const doc = split('```{admonition} Title\n---\nclass: tip\n---\nThe body.\n```\n', { path: 'a.md' });
    expect(status(doc)).toEqual(['dialect', 'dialect', 'dialect', 'dialect', 'u0', 'dialect']);
  });

  it('fenced directives: markdown bodies are opened up, other bodies stay frozen', () => {
    const doc = split(
      [
        '```{warning}',
        'Fenced *body* text.',
        '```',
        '',
        '```{code-block} python',
        'x = 1',
        '```',
        '',
        ':::{math}',
        'e = mc^2',
        ':::',
        '',
        ':::{list-table}',
        '* - Cell',
        ':::',
        '',
        ':::{toctree}',
        'intro',
        ':::',
        '',
      ].join('\n'),
      { path: 'a.md' },
    );
    expect(status(doc)).toEqual([
      'dialect',
      'u0',
      'dialect',
      'blank',
      'code',
      'code',
      'code',
      'blank',
      'dialect',
      'math',
      'dialect',
      'blank',
      'dialect',
      'table',
      'dialect',
      'blank',
      'dialect',
      'dialect',
      'dialect',
    ]);
  });

  it('a closer may be indented up to 3 spaces more than its opener, which an unclosed opener does not change', () => {
    const doc = split(':::{note}\nNever closed.\n\n- Item.\n\n  :::{tip}\n  Body.\n     :::\n', {
      path: 'a.md',
    });
    expect(status(doc)).toEqual(['dialect', 'u0', 'blank', 'u1', 'blank', 'dialect', 'u2', 'dialect']);
  });

  it('an opener without a closer, and a stray closer, are frozen on their own', () => {
    const doc = split(':::{note}\nText.\n\n:::\n', { path: 'a.md' });
    expect(status(doc)).toEqual(['dialect', 'u0', 'blank', 'dialect']);
  });

  it('targets, comments and field lists', () => {
    const doc = split('(my-target)=\n# Title\n\n% a comment\n\n:name: The field text\n:other: More\n', {
      path: 'a.md',
    });
    expect(status(doc)).toEqual(['dialect', 'u0', 'blank', 'dialect', 'blank', 'u1', 'u2']);
    expect(doc.lines[5]).toMatchObject({ prefix: ':name: ', text: 'The field text' });
  });
});

describe('Docusaurus and VitePress containers', () => {
  it('freezes the marker lines, keeps the body prose, in .md and .mdx', () => {
    for (const path of ['a.md', 'a.mdx']) {
      const doc = split(':::tip[Pro tip]\nBody text.\n:::\n\n::: warning Title\nMore text.\n:::\n', { path });
      expect(status(doc), path).toEqual(['dialect', 'u0', 'dialect', 'blank', 'dialect', 'u1', 'dialect']);
    }
  });

  it('splits the body on its own: an indented line under the opener is code there', () => {
    const doc = split(':::note\n    indented\n:::\n', { path: 'a.md' });
    // remark alone sees a paragraph continuation line; the container's own parse sees indented code.
    expect(status(doc)).toEqual(['dialect', 'code', 'dialect']);
  });
});

describe('one-line syntax', () => {
  it('attribute lists: a line of its own is frozen, one ending a line goes to the suffix', () => {
    const doc = split('## Title { #custom-id }\n\nA paragraph\n{ .annotate }\n\n[Go](#){ .md-button }\n', {
      path: 'a.md',
    });
    expect(doc.lines[0]).toMatchObject({ text: 'Title', suffix: ' { #custom-id }\n', editable: true });
    expect(status(doc)).toEqual(['u0', 'blank', 'u1', 'dialect', 'blank', 'u2']);
    expect(doc.lines[5]).toMatchObject({ text: '[Go](#)', suffix: '{ .md-button }\n' });
  });

  it('leaves braces to MDX in .mdx files', () => {
    const doc = split('Some text {props.x}\n', { path: 'a.mdx' });
    expect(doc.lines[0]).toMatchObject({ editable: false, reason: 'jsx' });
  });

  it('HTML comments starting or ending a line stay out of the text (MkDocs Material annotations)', () => {
    const doc = split('### <!-- md:version --> Version\n\nDone <!-- md:flag -->\n', { path: 'a.md' });
    expect(doc.lines[0]).toMatchObject({ prefix: '### <!-- md:version --> ', text: 'Version' });
    expect(doc.lines[2]).toMatchObject({ text: 'Done', suffix: ' <!-- md:flag -->\n' });
  });

  it('definition list markers go to the prefix and start a unit of their own', () => {
    const doc = split('`term`\n:   The definition\n    wraps here.\n', { path: 'a.md' });
    expect(doc.units.map((u) => u.text)).toEqual(['`term`', 'The definition\nwraps here.']);
    expect(doc.lines[1]).toMatchObject({ prefix: ':   ', text: 'The definition' });
  });

  it('a field name goes to the prefix only in a field list: an icon starting a wrapped line stays text', () => {
    const doc = split('Intro text\n:material-check: continues here.\n\n:name: A field\n:other: Another\n', {
      path: 'a.md',
    });
    expect(doc.units.map((u) => u.text)).toEqual([
      'Intro text\n:material-check: continues here.',
      'A field',
      'Another',
    ]);
  });

  it('abbreviations are definitions', () => {
    const doc = split('The HTML spec.\n\n*[HTML]: Hyper Text Markup Language\n', { path: 'a.md' });
    expect(doc.lines[2]).toMatchObject({ kind: 'definition', reason: 'definition' });
  });

  it('display math on one line is math', () => {
    const doc = split('Text:\n\n$$ x^2 + y^2 $$\n\nAnd $x$ inline stays prose.\n', { path: 'a.md' });
    expect(status(doc)).toEqual(['u0', 'blank', 'math', 'blank', 'u1']);
  });

  it('icon shortcodes are not words', () => {
    const doc = split('- :material-check: &nbsp;\n- :material-check: Done\n', { path: 'a.md' });
    expect(status(doc)).toEqual(['no-prose', 'u0']);
  });
});

describe('front matter after blank lines (Hugo, Zola)', () => {
  it('is frozen as front matter, TOML and YAML', () => {
    for (const fence of ['+++', '---']) {
      const doc = split(`\n\n${fence}\ntitle = "x"\n${fence}\n\nText.\n`, { path: 'a.md' });
      expect(status(doc), fence).toEqual([
        'blank',
        'blank',
        'front-matter',
        'front-matter',
        'front-matter',
        'blank',
        'u0',
      ]);
    }
  });

  it('needs its closing fence', () => {
    const doc = split('\n---\nSome text\n', { path: 'a.md' });
    expect(status(doc)).toEqual(['blank', 'thematic-break', 'u0']);
  });
});
