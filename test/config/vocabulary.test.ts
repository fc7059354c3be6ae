// Word lists a repository keeps for other tools, read as docs-fix's vocabulary.
import { describe, expect, it } from 'vitest';
import { parseRepoConfigYaml } from '../../src/config/parse.js';
import {
  cspellWords,
  loadVocabulary,
  MAX_TERMS,
  normaliseTerms,
  parseValeIni,
  valeAcceptPaths,
  valeAcceptTerms,
  valeEntrySpellings,
  VocabularyError,
  type VocabularyReader,
} from '../../src/config/vocabulary.js';

const reader = (files: Record<string, string>): VocabularyReader & { read: string[] } => {
  const read: string[] = [];
  return {
    read,
    rootFiles: new Set(Object.keys(files).filter((p) => !p.includes('/'))),
    readText: async (path) => {
      read.push(path);
      return files[path];
    },
  };
};

describe('Vale', () => {
  it('reads StylesPath and every Vocab of the core section', () => {
    expect(
      parseValeIni(
        '# comment\nStylesPath = "docs/styles"\nMinAlertLevel = suggestion\nVocab = Base, Product\n\n[*.md]\nVocab = Ignored\n',
      ),
    ).toEqual({ stylesPath: 'docs/styles', vocabularies: ['Base', 'Product'] });
    expect(parseValeIni('[*]\nBasedOnStyles = Vale\n')).toEqual({ vocabularies: [] });
  });

  it("finds accept.txt where Vale 3 keeps it, then where Vale 2 did, relative to the .vale.ini's folder", () => {
    expect(valeAcceptPaths('.vale.ini', 'styles', 'Base')).toEqual([
      'styles/config/vocabularies/Base/accept.txt',
      'styles/Vocab/Base/accept.txt',
    ]);
    expect(valeAcceptPaths('.vale.ini', './.github/styles/', 'Base')[0]).toBe(
      '.github/styles/config/vocabularies/Base/accept.txt',
    );
  });

  it('takes the spellings an entry names and skips open-ended patterns', () => {
    expect(valeEntrySpellings('GitHub')).toEqual(['GitHub']);
    expect(valeEntrySpellings('(?i)GitHub')).toEqual(['GitHub']);
    expect(valeEntrySpellings('Node\\.js')).toEqual(['Node.js']);
    expect(valeEntrySpellings('[Oo]bservability')).toEqual(['Observability', 'observability']);
    expect(valeEntrySpellings('\\bgRPC\\b')).toEqual(['gRPC']);
    for (const pattern of ['[pP]y.*\\b', 'colou?r', '(foo|bar)', 'a+b', '\\w+', '[a-z]ing'])
      expect(valeEntrySpellings(pattern), pattern).toEqual([]);
    expect(valeAcceptTerms('# names\nGitHub\n\n[pP]y.*\\b\nABC-DEF\n')).toEqual({
      terms: ['GitHub', 'ABC-DEF'],
      skipped: 1,
    });
  });
});

describe('cspell', () => {
  it('reads words from JSON with comments and trailing commas, and from YAML', async () => {
    expect(
      await cspellWords('// c\n{ "words": ["gRPC", "url//path", /* x */ "Kubernetes",], }\n', 'cspell.json'),
    ).toEqual(['gRPC', 'url//path', 'Kubernetes']);
    expect(
      await cspellWords('version: "0.2"\nwords:\n  - gRPC\n  - Kubernetes\n', 'cspell.config.yaml'),
    ).toEqual(['gRPC', 'Kubernetes']);
    expect(await cspellWords('{"version": "0.2"}', '.cspell.json')).toEqual([]);
    await expect(cspellWords('{"words": "gRPC"}', 'cspell.json')).rejects.toThrow(
      '"words" is not a list of strings',
    );
  });
});

describe('loadVocabulary', () => {
  it('joins the config, its file, Vale and cspell; distinct and sorted, with where each came from', async () => {
    const files = reader({
      '.vale.ini': 'StylesPath = styles\nVocab = Docs, Missing\n',
      'styles/config/vocabularies/Docs/accept.txt': 'GitHub\n[pP]y.*\n',
      'cspell.json': '{"words": ["gRPC", "GitHub"]}',
      'docs/terms.txt': '# terms\nKubernetes\n',
      'README.md': '',
    });
    const v = await loadVocabulary(
      { terms: ['Zig', 'GitHub'], file: './docs/terms.txt' },
      files,
      'docs-fix.yml',
    );
    expect(v.terms).toEqual(['GitHub', 'Kubernetes', 'Zig', 'gRPC']);
    expect(v.sources).toEqual([
      { path: 'docs-fix.yml', terms: 2, skipped: 0 },
      { path: 'docs/terms.txt', terms: 1, skipped: 0 },
      { path: 'styles/config/vocabularies/Docs/accept.txt', terms: 1, skipped: 1 },
      { path: 'cspell.json', terms: 2, skipped: 0 },
    ]);
    // Vale 2's folder is tried for a vocabulary Vale 3's lacks; nothing is read for absent root files.
    expect(files.read).toContain('styles/Vocab/Missing/accept.txt');
    expect(files.read).not.toContain('.cspell.json');
  });

  it('a file the config names must exist; a broken word list is an error naming it', async () => {
    await expect(loadVocabulary({ file: 'terms.txt' }, reader({}), '.github/docs-fix.yml')).rejects.toThrow(
      '.github/docs-fix.yml: vocabulary.file terms.txt does not exist in the repository',
    );
    await expect(loadVocabulary([], reader({ 'cspell.json': '{"words": [' }), 'x')).rejects.toBeInstanceOf(
      VocabularyError,
    );
    expect(await loadVocabulary([], reader({}), 'x')).toEqual({ terms: [], sources: [], cut: 0 });
  });

  it('cuts a huge list, and drops what is not a term', () => {
    const many = Array.from({ length: MAX_TERMS + 7 }, (_, i) => `t${String(i).padStart(5, '0')}`);
    expect(normaliseTerms(many)).toMatchObject({ cut: 7 });
    expect(normaliseTerms(['  a  ', 'a', '', 'x'.repeat(101), 'two\nlines'])).toEqual({
      terms: ['a'],
      cut: 0,
    });
  });
});

describe('the options', () => {
  it('vocabulary takes a list or {terms, file}; languages takes known codes or *', () => {
    const ok = (yaml: string) => parseRepoConfigYaml(yaml, '.github/docs-fix.yml');
    expect(ok('')).toMatchObject({ ok: true, config: { vocabulary: [], languages: ['en'] } });
    expect(ok('vocabulary: [gRPC]\nlanguages: [en, fr]\n')).toMatchObject({
      ok: true,
      config: { vocabulary: ['gRPC'], languages: ['en', 'fr'] },
    });
    expect(ok('vocabulary: {file: docs/terms.txt}\nlanguages: ["*"]\n')).toMatchObject({ ok: true });
    const bad = ok('languages: [english]\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.message).toContain('.github/docs-fix.yml:1');
      expect(bad.error.message).toContain('expected a language code such as en, fr');
    }
    expect(ok('vocabulary: {words: [x]}\n').ok).toBe(false);
    expect(ok('languages: []\n').ok).toBe(false);
  });
});
