// Ignore comments and `docs-fix: false`: the maintainer switches docs-fix off for a region, a line, a file.
import { describe, expect, it } from 'vitest';
import { split, type MarkdownDocument } from '../../src/markdown/index.js';

function status(doc: MarkdownDocument): string[] {
  return doc.lines.map((l) => (l.editable ? `u${l.unit}` : l.reason!));
}

describe('ignore comments', () => {
  it('freezes the lines from docs-fix-disable to docs-fix-enable as disabled', () => {
    const doc = split(
      'Before.\n\n<!-- docs-fix-disable -->\nInside.\n\n- Item.\n\n<!-- docs-fix-enable -->\nAfter.\n',
      { path: 'a.md' },
    );
    expect(status(doc)).toEqual([
      'u0',
      'blank',
      'html',
      'disabled',
      'blank',
      'disabled',
      'blank',
      'html',
      'u1',
    ]);
  });

  it('runs to the end of the file without an enable comment, and frozen lines keep their own reason', () => {
    const doc = split('<!-- docs-fix-disable -->\n\nText.\n\n```\ncode\n```\n', { path: 'a.md' });
    expect(status(doc)).toEqual(['html', 'blank', 'disabled', 'blank', 'code', 'code', 'code']);
  });

  it('disable-next-line: the next non-blank line, with the rest of its paragraph', () => {
    const doc = split(
      '<!-- docs-fix-disable-next-line -->\n\nA wrapped\nparagraph.\n\nNext one.\n\n<!-- docs-fix-disable-next-line -->\n# Heading\nText.\n',
      { path: 'a.md' },
    );
    expect(status(doc)).toEqual([
      'html',
      'blank',
      'disabled',
      'disabled',
      'blank',
      'u0',
      'blank',
      'html',
      'disabled',
      'u1',
    ]);
  });

  it('a paragraph partly switched off by inline comments is frozen whole', () => {
    const doc = split(
      'One <!-- docs-fix-disable --> two\nthree <!-- docs-fix-enable --> four\nfive.\n\nSix.\n',
      {
        path: 'a.md',
      },
    );
    expect(status(doc)).toEqual(['disabled', 'disabled', 'disabled', 'blank', 'u0']);
  });

  it('ignores the comment text in code blocks and code spans: it documents the feature there', () => {
    const doc = split(
      '```html\n<!-- docs-fix-disable -->\n```\n\nWrite `<!-- docs-fix-disable -->` to stop.\n\nText.\n',
      {
        path: 'a.md',
      },
    );
    expect(status(doc)).toEqual(['code', 'code', 'code', 'blank', 'u0', 'blank', 'u1']);
  });

  it('needs the exact name: docs-fix-disabled or docs-fix-disable-line are not ignore comments', () => {
    const doc = split('<!-- docs-fix-disabled -->\nText.\n\n<!-- docs-fix-disable-line -->\nMore.\n', {
      path: 'a.md',
    });
    expect(status(doc)).toEqual(['html', 'u0', 'blank', 'html', 'u1']);
  });

  it('takes a reason after the name, and works in container bodies split on their own', () => {
    const doc = split(
      '!!! note\n\n    <!-- docs-fix-disable-next-line because the wording is legal -->\n    Body text.\n\n    Other text.\n',
      { path: 'a.md' },
    );
    expect(status(doc)).toEqual(['dialect', 'blank', 'html', 'disabled', 'blank', 'u0']);
  });

  it('MDX: comment expressions', () => {
    const doc = split('{/* docs-fix-disable-next-line */}\nFrozen.\n\nEditable.\n', { path: 'a.mdx' });
    expect(status(doc)).toEqual(['jsx', 'disabled', 'blank', 'u0']);
  });
});

describe('docs-fix: false in the front matter', () => {
  it('freezes every line of the file, YAML, TOML and front matter after blank lines', () => {
    const sources = [
      '---\ntitle: x\ndocs-fix: false\n---\n\n# Title\n\nText.\n',
      '+++\ntitle = "x"\ndocs-fix = false\n+++\n\n# Title\n\nText.\n',
      '\n+++\n"docs-fix" = false\n+++\n\n# Title\n\nText.\n',
    ];
    for (const source of sources) {
      const doc = split(source, { path: 'a.md' });
      expect(doc.units, source).toEqual([]);
      expect(
        doc.lines.filter((l) => l.reason === 'disabled').map((l) => l.text),
        source,
      ).toEqual(['Title', 'Text.']);
    }
  });

  it('only as a top-level key set to false', () => {
    for (const source of [
      '---\ndocs-fix: true\n---\n\nText.\n',
      '---\nparams:\n  docs-fix: false\n---\n\nText.\n',
      '---\ntitle: x\n---\n\ndocs-fix: false\n',
    ]) {
      expect(split(source, { path: 'a.md' }).units.length, source).toBe(1);
    }
  });
});
