// The language guard: golden fixtures (one Vue docs page in English and in five of its translations, the
// mkdocs-material page with Latin filler), and the cases it must leave alone: English with code and names.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { data } from 'franc-min/data.js';
import {
  freezeOtherLanguages,
  guessLanguage,
  KNOWN_LANGUAGES,
  LANGUAGE_CODES,
} from '../../src/engine/language.js';
import { split, unitsOf } from '../../src/markdown/index.js';
import type { MarkdownDocument } from '../../src/markdown/types.js';

const dir = new URL('../fixtures/languages/', import.meta.url);
const update = process.env.UPDATE === '1';
const fixtures = readdirSync(dir).filter((n) => n.endsWith('.md'));
const docOf = (text: string, path = 'x.md'): MarkdownDocument => split(Buffer.from(text), { path });

/** Per source line: `editable`, or the reason it is frozen; only lines the splitter left editable. */
function languageView(before: MarkdownDocument, after: MarkdownDocument): string {
  const rows = before.lines.flatMap((line, i) => {
    if (!line.editable) return [];
    const now = after.lines[i]!;
    return [`${line.line}\t${now.editable ? 'editable' : now.reason}\t${line.text.slice(0, 60)}`];
  });
  return `${rows.join('\n')}\n`;
}

describe('golden fixtures (languages: [en])', () => {
  for (const name of fixtures) {
    it(name, () => {
      const path = new URL(name, dir);
      const before = split(readFileSync(path), { path: name });
      const after = freezeOtherLanguages(before, ['en']);
      const golden = new URL(name.replace(/\.md$/, '.languages.tsv'), dir);
      const actual = languageView(before, after);
      if (update) writeFileSync(golden, actual);
      expect(actual).toBe(readFileSync(golden, 'utf8'));
    });
  }

  it('freezes every unit of a translation under its language, none of the English original', () => {
    const expected: Record<string, string> = { fr: 'fr', 'zh-cn': 'zh', ja: 'ja', de: 'de', ru: 'ru' };
    const english = split(readFileSync(new URL('vue-lifecycle.en.md', dir)), { path: 'en.md' });
    expect(freezeOtherLanguages(english, ['en'])).toBe(english);
    for (const [suffix, code] of Object.entries(expected)) {
      const doc = split(readFileSync(new URL(`vue-lifecycle.${suffix}.md`, dir)), { path: `${suffix}.md` });
      const after = freezeOtherLanguages(doc, ['en']);
      const reasons = new Set(
        doc.lines.filter((l) => l.editable).map((l) => after.lines[l.index]!.reason ?? 'editable'),
      );
      expect([...reasons], suffix).toEqual([`language:${code}`]);
      expect(after.units, suffix).toEqual([]);
      // The language the repository edits is edited.
      expect(freezeOtherLanguages(doc, ['en', code]), suffix).toBe(doc);
    }
  });

  it('lines keep their bytes; the units left are renumbered as the splitter numbers them', () => {
    const doc = docOf(
      '# Guide\n\nThis guide shows how the cache keeps the docs at a fixpoint.\n\n' +
        "Chaque instance d'un composant Vue passe par une série d'étapes d'initialisation lorsqu'elle est créée.\n\n" +
        'The last paragraph is English again.\n',
    );
    const after = freezeOtherLanguages(doc, ['en']);
    expect(after.lines.map((l) => l.prefix + l.text + l.suffix)).toEqual(
      doc.lines.map((l) => l.prefix + l.text + l.suffix),
    );
    expect(after.lines[4]).toMatchObject({ editable: false, reason: 'language:fr' });
    expect(after.lines[4]!.unit).toBeUndefined();
    expect(after.units.map((u) => u.text)).toEqual([
      'Guide',
      'This guide shows how the cache keeps the docs at a fixpoint.',
      'The last paragraph is English again.',
    ]);
    expect(after.units).toEqual(unitsOf(after.lines));
  });
});

describe('what the guard must leave editable', () => {
  const english = [
    'Run `cargo build --release` to build the binary in `target/release`.',
    'Perform a dry-run resize to a specific size (no changes made):',
    'Get-TestConnection cmdlet for non-Windows Systems',
    'Kenneth Hansen and Angel Calvo have left Microsoft',
    "`guid` string - e.g. '5e1286fc-da97-479e-918b-6bfb0c3d1c72'.",
    'Use [`useState`](/reference/react/useState) and [`useEffect`](/reference/react/useEffect) in React.',
    'Setting up a MessageChannel between two renderers',
    'Fixed rendering of arrow heads in Mermaid.js class diagrams',
    'Evan You (尤雨溪) created Vue in 2014.',
  ];
  for (const text of english) {
    it(JSON.stringify(text), () => {
      const doc = docOf(`${text}\n`);
      expect(freezeOtherLanguages(doc, ['en'])).toBe(doc);
    });
  }

  it('a file of short English units with no determined unit stays editable (tldr style)', () => {
    const text =
      '# fsadm\n\n> Check or resize a filesystem on a device.\n\n- Check a filesystem for errors:\n\n`fsadm check {{/dev/vg_name/lv_name}}`\n\n- Perform a dry-run resize to a specific size (no changes made):\n';
    const doc = docOf(text);
    expect(freezeOtherLanguages(doc, ['en'])).toBe(doc);
  });

  it("languages: ['*'] turns the guard off", () => {
    const doc = docOf("Chaque instance d'un composant Vue passe par une série d'étapes d'initialisation.\n");
    expect(freezeOtherLanguages(doc, ['en']).units).toEqual([]);
    expect(freezeOtherLanguages(doc, ['*'])).toBe(doc);
  });
});

describe('guessLanguage', () => {
  it('decides by script where the script says it', () => {
    expect(
      guessLanguage(
        'Vue（発音は /vjuː/、**view** と同様）は、ユーザーインターフェースの構築のための JavaScript フレームワークです。',
      ).code,
    ).toBe('ja');
    expect(guessLanguage('Vue 是一款用于构建用户界面的 JavaScript 框架。').code).toBe('zh');
    expect(guessLanguage('Vue는 사용자 인터페이스를 구축하기 위한 JavaScript 프레임워크입니다.').code).toBe(
      'ko',
    );
  });

  it('too little prose is undetermined (the file decides)', () => {
    expect(guessLanguage('`npm install`').code).toBe('und');
    expect(guessLanguage('Propriétés calculées').code).toBe('und');
  });

  it('every language franc-min detects has a code in the table, and the table names nothing else', () => {
    const franc = new Set(Object.values(data).flatMap((languages) => Object.keys(languages)));
    // Languages franc tells by their script alone are in its expressions, not its trigram data.
    for (const code of [
      'cmn',
      'jpn',
      'kor',
      'ben',
      'tel',
      'tam',
      'guj',
      'kan',
      'mal',
      'mya',
      'pan',
      'amh',
      'tha',
      'sin',
      'ell',
    ])
      franc.add(code);
    for (const code of franc) expect(LANGUAGE_CODES[code], code).toBeDefined();
    expect(Object.keys(LANGUAGE_CODES).filter((c) => !franc.has(c))).toEqual([]);
    expect(KNOWN_LANGUAGES.has('en')).toBe(true);
    expect(KNOWN_LANGUAGES.has('zh')).toBe(true);
  });
});
