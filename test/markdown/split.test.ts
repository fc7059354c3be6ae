import { describe, expect, it } from 'vitest';
import {
  blockSignature,
  join,
  LineReplacementError,
  split,
  type SourceLine,
  type MarkdownDocument,
} from '../../src/markdown/index.js';
import { sameBytes, withPlainProse } from './structure.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

function unit(doc: MarkdownDocument, line: number): SourceLine {
  const found = doc.lines[line - 1];
  if (!found) throw new Error(`no line ${line}`);
  return found;
}

function parts(u: SourceLine): [string, string, string] {
  return [u.prefix, u.text, u.suffix];
}

describe('split: line units', () => {
  it('covers every byte: prefix + text + suffix is the line, line ending included', () => {
    const source = '# Title #\r\n\r\n> - [ ] Task  \n>   more\\\n';
    const doc = split(source, { path: 'a.md' });
    expect(doc.lines.map((u) => u.prefix + u.text + u.suffix).join('')).toBe(source);
    expect(doc.lines.map((u) => u.line)).toEqual([1, 2, 3, 4]);
    expect(doc.lines.map((u) => u.index)).toEqual([0, 1, 2, 3]);
  });

  it('puts markers in the prefix and hard breaks, closing hashes and endings in the suffix', () => {
    const doc = split('## Title ##  \n\n> 1. [x] Done  \n>    next\\\n>    last\n', { path: 'a.md' });
    expect(parts(unit(doc, 1))).toEqual(['## ', 'Title', ' ##  \n']);
    expect(parts(unit(doc, 3))).toEqual(['> 1. [x] ', 'Done', '  \n']);
    expect(parts(unit(doc, 4))).toEqual(['>    ', 'next', '\\\n']);
    expect(parts(unit(doc, 5))).toEqual(['>    ', 'last', '\n']);
    expect(unit(doc, 3).kind).toBe('list-item');
  });

  it('keeps a backslash on the last line of a paragraph (no hard break there) and escaped backslashes', () => {
    const doc = split('one\\\\\ntwo\\\n', { path: 'a.md' });
    expect(parts(unit(doc, 1))).toEqual(['', 'one\\\\', '\n']);
    expect(parts(unit(doc, 2))).toEqual(['', 'two\\', '\n']);
  });

  it('freezes setext underlines but not the heading text', () => {
    const doc = split('Title\n=====\n', { path: 'a.md' });
    expect(unit(doc, 1)).toMatchObject({ kind: 'heading', editable: true, text: 'Title' });
    expect(unit(doc, 2)).toMatchObject({ kind: 'heading', editable: false, reason: 'setext-underline' });
  });

  it('classifies frozen blocks with their reason', () => {
    const source = [
      '---',
      'title: x',
      '---',
      '',
      '```',
      'code',
      '```',
      '',
      '<div>',
      '</div>',
      '',
      '$$',
      'x',
      '$$',
      '',
      '[a]: /url',
      '',
      '***',
      '',
      '| a |',
      '| - |',
      '',
    ].join('\n');
    const doc = split(source, { path: 'a.md' });
    const status = doc.lines.map((u) => `${u.kind}:${u.editable ? 'editable' : u.reason}`);
    expect(status).toEqual([
      'front-matter:front-matter',
      'front-matter:front-matter',
      'front-matter:front-matter',
      'blank:blank',
      'code:code',
      'code:code',
      'code:code',
      'blank:blank',
      'html:html',
      'html:html',
      'blank:blank',
      'math:math',
      'math:math',
      'math:math',
      'blank:blank',
      'definition:definition',
      'blank:blank',
      'thematic-break:thematic-break',
      'blank:blank',
      'table-row:table',
      'table-row:table',
    ]);
  });

  it('freezes template lines but keeps placeholders quoted in code spans editable', () => {
    const doc = split('Hello {{ .Name }}.\n\nUse `{{ name }}` here.\n\n::: tip\nBody text.\n:::\n', {
      path: 'a.md',
    });
    expect(unit(doc, 1)).toMatchObject({ editable: false, reason: 'template' });
    expect(unit(doc, 3)).toMatchObject({ editable: true });
    expect(unit(doc, 5)).toMatchObject({ editable: false, reason: 'dialect' });
    expect(unit(doc, 6)).toMatchObject({ editable: true, text: 'Body text.' });
  });

  it('freezes the raw content of paired Hugo shortcodes, not of markdown ones', () => {
    const source =
      '{{< highlight go >}}\nfunc main\n{{< /highlight >}}\n\n{{% note %}}\nProse here.\n{{% /note %}}\n';
    const doc = split(source, { path: 'a.md' });
    expect(unit(doc, 2)).toMatchObject({ editable: false, reason: 'template' });
    expect(unit(doc, 6)).toMatchObject({ editable: true });
  });

  it('freezes lines longer than maxLineLength', () => {
    const long = 'word '.repeat(50).trim();
    const doc = split(`${long}\nshort\n`, { path: 'a.md', maxLineLength: 100 });
    expect(unit(doc, 1)).toMatchObject({ editable: false, reason: 'line-too-long' });
    expect(unit(doc, 2)).toMatchObject({ editable: true });
  });

  it('freezes lines without words', () => {
    const doc = split('![logo](logo.png)\n\n1234\n\n<b>Bold</b> words\n', { path: 'a.md' });
    expect(unit(doc, 1)).toMatchObject({ editable: false, reason: 'no-prose' });
    expect(unit(doc, 3)).toMatchObject({ editable: false, reason: 'no-prose' });
    expect(unit(doc, 5)).toMatchObject({ editable: true });
  });

  it('freezes a paragraph line that the next line could turn into a table header', () => {
    const doc = split('a | b | c\n|-|\n', { path: 'a.md' });
    expect(unit(doc, 1)).toMatchObject({ editable: false, reason: 'structure-risk' });
    // The danger is real: with one cell the same two lines are a table.
    expect(blockSignature('a\n|-|\n', 'a.md')[0]).toBe('table');
    expect(blockSignature('a | b | c\n|-|\n', 'a.md')[0]).toBe('paragraph');
  });

  it('keeps the footnote label in the prefix and the footnote text editable', () => {
    const doc = split('Text[^1].\n\n[^1]: The note.\n', { path: 'a.md' });
    expect(unit(doc, 3)).toMatchObject({
      kind: 'footnote-definition',
      prefix: '[^1]: ',
      text: 'The note.',
      editable: true,
    });
  });

  it('handles a task item whose checkbox stands alone on its line', () => {
    const doc = split('- [x]\n  Text\n', { path: 'a.md' });
    expect(unit(doc, 1)).toMatchObject({ editable: false, reason: 'no-prose' });
    expect(unit(doc, 2)).toMatchObject({ editable: true, text: 'Text' });
  });

  it('does not let a setext heading claim the definition lines before it', () => {
    const doc = split('[foo]: /url\nbar\n===\n', { path: 'a.md' });
    expect(unit(doc, 1)).toMatchObject({ kind: 'definition', editable: false });
    expect(unit(doc, 2)).toMatchObject({ kind: 'heading', editable: true, text: 'bar' });
  });
});

describe('split: MDX', () => {
  it('freezes ESM, JSX tags and expressions, keeps prose inside JSX editable', () => {
    const source = 'import X from "x"\n\n<Note>\n  Inside text.\n</Note>\n\nA {value} here.\n\n{1 + 1}\n';
    const doc = split(source, { path: 'a.mdx' });
    expect(unit(doc, 1)).toMatchObject({ kind: 'esm', reason: 'esm' });
    expect(unit(doc, 3)).toMatchObject({ kind: 'jsx', reason: 'jsx' });
    expect(unit(doc, 4)).toMatchObject({ editable: true, prefix: '  ', text: 'Inside text.' });
    expect(unit(doc, 5)).toMatchObject({ kind: 'jsx', reason: 'jsx' });
    expect(unit(doc, 7)).toMatchObject({ editable: false, reason: 'jsx' });
    expect(unit(doc, 9)).toMatchObject({ kind: 'jsx', reason: 'jsx' });
  });

  it('parses .md without MDX: `<` and `{` are text there', () => {
    const doc = split('A {value} and a < b.\n', { path: 'a.md' });
    expect(doc.skipped).toBeUndefined();
    expect(unit(doc, 1).editable).toBe(true);
  });
});

describe('split: skipped files stay byte-identical', () => {
  const cases: [string, Uint8Array, string, string][] = [
    ['invalid UTF-8', Uint8Array.from([0x61, 0xff, 0x0a]), 'a.md', 'invalid-utf8'],
    ['a NUL byte', Uint8Array.from([0x61, 0x00, 0x0a]), 'a.md', 'binary'],
    ['an MDX syntax error', encode('# Hi\n\n<Open\n'), 'a.mdx', 'parse-error'],
  ];
  for (const [what, bytes, path, reason] of cases) {
    it(`skips ${what}`, () => {
      const doc = split(bytes, { path });
      expect(doc.skipped?.reason).toBe(reason);
      expect(doc.lines).toEqual([]);
      expect(sameBytes(join(doc, new Map()), bytes)).toBe(true);
    });
  }

  it('skips files over maxBytes', () => {
    const bytes = encode('x'.repeat(101));
    const doc = split(bytes, { path: 'big.md', maxBytes: 100 });
    expect(doc.skipped).toMatchObject({ reason: 'too-large' });
    expect(doc.skipped?.message).toContain('big.md');
  });

  it('reports an MDX parse error vfile style, with line and column', () => {
    const doc = split('# Hi\n\nText {open\n', { path: 'docs/a.mdx' });
    expect(doc.skipped).toMatchObject({ reason: 'parse-error', line: 3 });
    expect(doc.skipped?.message).toMatch(/^docs\/a\.mdx:3:\d+: /);
  });

  it('names the first invalid UTF-8 byte by line and column', () => {
    const doc = split(Uint8Array.from([0x6f, 0x6b, 0x0d, 0x0a, 0x61, 0xc3, 0xa9, 0xe2, 0x28]), {
      path: 'a.md',
    });
    expect(doc.skipped).toMatchObject({ reason: 'invalid-utf8', line: 2, column: 4 });
    expect(doc.skipped?.message).toBe('a.md:2:4: not valid UTF-8 (byte 0xe2 at offset 7)');
  });

  it('skips a string with a lone surrogate (it has no UTF-8 form)', () => {
    expect(split('a\uD800b', { path: 'a.md' }).skipped?.reason).toBe('invalid-utf8');
  });
});

describe('join', () => {
  it('is byte-identical without replacements: BOM, CRLF, lone CR, no final newline, empty', () => {
    for (const source of ['\uFEFF# T\r\n\r\ntext\rmore\n\tx  \n', 'no newline', '', '\n', '\r\n\r', ' \t ']) {
      const bytes = encode(source);
      const doc = split(bytes, { path: 'a.md' });
      expect(sameBytes(join(doc, new Map()), bytes)).toBe(true);
    }
  });

  it('keeps the BOM outside the line units', () => {
    const doc = split(encode('\uFEFFHello\n'), { path: 'a.md' });
    expect(doc.bom).toBe(true);
    expect(unit(doc, 1).prefix + unit(doc, 1).text).toBe('Hello');
    expect([...join(doc, new Map([[0, 'Bye']]))].slice(0, 3)).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('replaces the text of editable lines, keeping prefix and suffix', () => {
    const doc = split('- Teh item  \r\n', { path: 'a.md' });
    expect(decode(join(doc, new Map([[0, 'The item']])))).toBe('- The item  \r\n');
  });

  it('throws a programming error for frozen lines, unknown lines and line breaks', () => {
    const doc = split('```\ncode\n```\ntext\n', { path: 'a.md' });
    expect(() => join(doc, new Map([[1, 'x']]))).toThrow(LineReplacementError);
    expect(() => join(doc, new Map([[1, 'x']]))).toThrow(/frozen \(code\)/);
    expect(() => join(doc, new Map([[9, 'x']]))).toThrow(/no such line/);
    expect(() => join(doc, new Map([[3, 'a\nb']]))).toThrow(/line break/);
  });
});

describe('blockSignature', () => {
  it('lists block types in document order, nested blocks included, not inline nodes', () => {
    expect(blockSignature('# T\n\n> - a *b*\n\n```\nc\n```\n', 'a.md')).toEqual([
      'heading',
      'blockquote',
      'list',
      'listItem',
      'paragraph',
      'code',
    ]);
  });

  it('sees a structural change', () => {
    expect(blockSignature('a\nb\n', 'a.md')).not.toEqual(blockSignature('a\n===\n', 'a.md'));
  });

  it('uses the MDX parser for .mdx and reports parse errors', () => {
    expect(blockSignature('<A>\n\nx\n\n</A>\n', 'a.mdx')).toEqual(['mdxJsxFlowElement', 'paragraph']);
    expect(blockSignature('<A>\n\nx\n\n</A>\n', 'a.md')).toEqual(['html', 'paragraph', 'html']);
    expect(blockSignature('{oops\n', 'a.mdx')).toEqual(['parse-error']);
  });

  it('gives the same answer from the split() cache and from a fresh parse', () => {
    const source = '# A\n\n- b\n- c\n';
    const fresh = blockSignature(source, 'cache.md');
    split(source, { path: 'cache.md' });
    const cached = blockSignature(source, 'cache.md');
    expect(cached).toEqual(fresh);
    cached.push('mutated');
    expect(blockSignature(source, 'cache.md')).toEqual(fresh);
  });

  it('is unchanged when editable lines are replaced with plain prose', () => {
    const source = '# Title\n\n> Quote\nlazy\n\n- item\n  more\n\nPara  \nnext\\\nend\n';
    const doc = split(source, { path: 'a.md' });
    expect(blockSignature(withPlainProse(doc), 'a.md')).toEqual(blockSignature(source, 'a.md'));
  });
});
