// GFM extension cases. The GFM spec (cmark-gfm's spec.txt) is not shipped by any installed npm package,
// so these are written by hand after its extension sections: tables, task lists, strikethrough,
// autolinks, footnotes and disallowed raw HTML.
import { describe, expect, it } from 'vitest';
import { join, split } from '../../src/markdown/index.js';
import { checkFile, sameBytes } from './structure.js';

const cases: Record<string, string> = {
  table: '| foo | bar |\n| --- | --- |\n| baz | bim |\n',
  'table alignment': '| abc | defghi |\n:-: | -----------:\nbar | baz\n',
  'table escaped pipes': '| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |\n',
  'table ended by a block quote': '| abc | def |\n| --- | --- |\n| bar | baz |\n> bar\n',
  'table ended by a blank line': '| abc | def |\n| --- | --- |\n| bar | baz |\nbar\n\nbar\n',
  'not a table (cell count)': '| abc | def |\n| --- |\n| bar |\n',
  'table short and long rows': '| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |\n',
  'table header only': '| abc | def |\n| --- | --- |\n',
  'table in a list': '- item\n\n  | a | b |\n  | - | - |\n  | 1 | 2 |\n',
  'task list': '- [ ] foo\n- [x] bar\n',
  'nested task list': '- [x] foo\n  - [ ] bar\n  - [x] baz\n- [ ] bim\n',
  'task list upper-case X and ordered': '1. [X] done\n2. [ ] open\n',
  'not a task (no space)': '- [x]no space\n',
  strikethrough: '~~Hi~~ Hello, ~there~ world!\n',
  'strikethrough across lines': 'This ~~has a\n\nnew paragraph~~.\n',
  'autolink www': 'www.commonmark.org/help for more information.\n',
  'autolink url and email': 'Visit https://encrypted.google.com/search?q=Markup+(business)\nfoo@bar.baz\n',
  'autolink trailing punctuation': '(Visit https://encrypted.google.com/search?q=Markup+(business))\n',
  footnotes:
    'Here is a footnote reference,[^1] and another.[^longnote]\n\n[^1]: Here is the footnote.\n\n[^longnote]: Here is one with multiple blocks.\n\n    Subsequent paragraphs are indented.\n\n        { some.code() }\n\n    More text.\n',
  'disallowed raw html':
    '<strong> <title> <style> <em>\n\n<blockquote>\n  <xmp> is disallowed.  <XMP> is also disallowed.\n</blockquote>\n',
};

describe('GFM extensions', () => {
  for (const [name, markdown] of Object.entries(cases)) {
    it(`${name}: round-trips and keeps its structure`, () => {
      const bytes = new TextEncoder().encode(markdown);
      const doc = split(bytes, { path: 'gfm.md' });
      expect(sameBytes(join(doc, new Map()), bytes)).toBe(true);
      expect(checkFile(bytes, 'gfm.md').structureDiff).toBeUndefined();
    });
  }

  it('freezes table rows, including rows without pipes that continue a table', () => {
    const doc = split(cases['table ended by a blank line']!, { path: 'gfm.md' });
    expect(doc.lines.map((u) => u.reason ?? 'editable')).toEqual([
      'table',
      'table',
      'table',
      'table',
      'blank',
      'editable',
    ]);
  });

  it('puts task checkboxes in the prefix', () => {
    const doc = split(cases['nested task list']!, { path: 'gfm.md' });
    expect(doc.lines.map((u) => [u.prefix, u.text])).toEqual([
      ['- [x] ', 'foo'],
      ['  - [ ] ', 'bar'],
      ['  - [x] ', 'baz'],
      ['- [ ] ', 'bim'],
    ]);
  });

  it('keeps footnote text editable and code inside footnotes frozen', () => {
    const doc = split(cases.footnotes!, { path: 'gfm.md' });
    const byLine = (n: number) => doc.lines[n - 1]!;
    expect(byLine(3)).toMatchObject({ kind: 'footnote-definition', prefix: '[^1]: ', editable: true });
    expect(byLine(7)).toMatchObject({ kind: 'footnote-definition', prefix: '    ', editable: true });
    expect(byLine(9)).toMatchObject({ kind: 'code', editable: false });
  });
});
