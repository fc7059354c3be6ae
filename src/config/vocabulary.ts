/**
 * A repository's vocabulary: terms the model must keep exactly as written (spelling and case). From the
 * config's `vocabulary` (a list of terms, and/or a file with one term per line) and from the word lists the
 * repository already keeps for other tools:
 * - Vale: `.vale.ini` names `StylesPath` and `Vocab = A, B`; each vocabulary's `accept.txt` is at
 *   `<StylesPath>/config/vocabularies/<name>/` (Vale 3) or `<StylesPath>/Vocab/<name>/` (Vale 2). Entries are
 *   regular expressions: plain terms are taken, `(?i)` is dropped, `\.`-style escapes are unescaped and
 *   one-letter classes are expanded (`[Oo]bservability`); other patterns cannot name one spelling and are
 *   skipped (counted).
 * - cspell: `words` of `cspell.json`, `.cspell.json` or `cspell.config.yaml` (JSON with comments or YAML).
 * Reading is injected (`readText`): the app reads through the GitHub layer, the CLI from disk.
 */

/** How `vocabulary` is written in the config: a list of terms, or terms and a file. */
export type VocabularyOption =
  readonly string[] | { readonly terms?: readonly string[]; readonly file?: string };

/** Vale's config file names, in the order Vale looks for them. */
export const VALE_CONFIG_FILES = ['.vale.ini', '_vale.ini', 'vale.ini', '.vale', '_vale'] as const;
/** cspell config files whose `words` are read. */
export const CSPELL_FILES = ['cspell.json', '.cspell.json', 'cspell.config.yaml'] as const;

/** The longest term kept (a "term" longer than this is a sentence, not vocabulary). */
const MAX_TERM_LENGTH = 100;
/** Most terms kept: a bigger list is cut (after sorting), and the cut is reported. */
export const MAX_TERMS = 5000;
/** Most spellings one Vale entry with letter classes expands to. */
const MAX_EXPANSIONS = 16;

export interface VocabularySource {
  /** The file (or `.github/docs-fix.yml` for inline terms). */
  readonly path: string;
  readonly terms: number;
  /** Entries that are not one spelling (regular expressions Vale reads), left out. */
  readonly skipped: number;
}

export interface Vocabulary {
  /** Distinct terms, sorted (code unit order): the order the prompt version hashes them in. */
  readonly terms: readonly string[];
  readonly sources: readonly VocabularySource[];
  /** Terms left out beyond `MAX_TERMS`. */
  readonly cut: number;
}

export const EMPTY_VOCABULARY: Vocabulary = { terms: [], sources: [], cut: 0 };

/** A word list file: one term per line; blank lines and `#` comments ignored. */
export function termsFromList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** `StylesPath` and `Vocab` of a `.vale.ini` (its core section, before the first `[section]`). */
export function parseValeIni(text: string): { stylesPath?: string; vocabularies: string[] } {
  let stylesPath: string | undefined;
  const vocabularies: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) break;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const m = /^([A-Za-z]+)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const value = m[2]!.trim().replace(/^"(.*)"$/, '$1');
    if (m[1] === 'StylesPath') stylesPath = value;
    else if (m[1] === 'Vocab')
      vocabularies.push(
        ...value
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean),
      );
  }
  return { ...(stylesPath ? { stylesPath } : {}), vocabularies };
}

/** Where a Vale vocabulary's `accept.txt` may be, relative to the repository root (Vale 3 first). */
export function valeAcceptPaths(iniPath: string, stylesPath: string, vocabulary: string): string[] {
  const base = normalisePath(joinPath(dirOf(iniPath), stylesPath));
  return [
    joinPath(base, `config/vocabularies/${vocabulary}/accept.txt`),
    joinPath(base, `Vocab/${vocabulary}/accept.txt`),
  ];
}

/**
 * The spellings an `accept.txt` entry stands for: itself when plain, the unescaped or expanded spellings
 * of a simple pattern, or none for a pattern that matches open-ended text.
 */
export function valeEntrySpellings(entry: string): string[] {
  let pattern = entry.replace(/^\(\?i\)/, '');
  // Word boundaries say nothing about spelling.
  pattern = pattern.replace(/^\\b|\\b$/g, '');
  let out = [''];
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || /[A-Za-z0-9]/.test(next)) return [];
      out = out.map((s) => s + next);
      i += 1;
    } else if (c === '[') {
      const close = pattern.indexOf(']', i);
      const inner = close < 0 ? '' : pattern.slice(i + 1, close);
      // Only a class of plain letters or digits: `[Oo]`, `[Dd]ocker`.
      if (close < 0 || !/^[\p{L}\p{N}]+$/u.test(inner)) return [];
      const letters = [...inner];
      out = out.flatMap((s) => letters.map((l) => s + l));
      if (out.length > MAX_EXPANSIONS) return [];
      i = close;
    } else if ('.*+?|(){}^$'.includes(c)) {
      return [];
    } else {
      out = out.map((s) => s + c);
    }
  }
  return out.filter((s) => s.trim() !== '');
}

/** A Vale `accept.txt`: its spellings, and how many entries could not be read as spellings. */
export function valeAcceptTerms(text: string): { terms: string[]; skipped: number } {
  const terms: string[] = [];
  let skipped = 0;
  for (const entry of termsFromList(text)) {
    const spellings = valeEntrySpellings(entry);
    if (spellings.length === 0) skipped += 1;
    terms.push(...spellings);
  }
  return { terms, skipped };
}

/**
 * The `words` of a cspell config (JSON with comments, or YAML for `.yaml`/`.yml`; the YAML parser loads only
 * for a YAML config, not on every CLI run).
 */
export async function cspellWords(text: string, path: string): Promise<string[]> {
  const parsed: unknown = /\.ya?ml$/i.test(path)
    ? (await import('yaml')).parse(text)
    : JSON.parse(stripJsonComments(text));
  const words = (parsed as { words?: unknown } | null)?.words;
  if (words === undefined) return [];
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) {
    throw new Error(`${path}: "words" is not a list of strings`);
  }
  return words;
}

/** Removes `//` and `/* *\/` comments outside strings, and trailing commas (cspell.json allows both). */
function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 1;
      } else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else {
      out += c;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

/** What loading needs: the repository's root entries, and a way to read a file (undefined: missing). */
export interface VocabularyReader {
  /** Names of the files at the repository root (to know which word lists exist without asking for each). */
  readonly rootFiles: ReadonlySet<string>;
  readText(path: string): Promise<string | undefined>;
}

/** A word list the config names or the repository has, that cannot be read as one. */
export class VocabularyError extends Error {
  readonly code = 'VOCABULARY';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'VocabularyError';
  }
}

/**
 * The repository's vocabulary. Throws `VocabularyError` for a file the config names that does not exist,
 * or a word list that cannot be parsed (so that a repository never runs with half its vocabulary).
 */
export async function loadVocabulary(
  option: VocabularyOption,
  reader: VocabularyReader,
  configPath: string,
): Promise<Vocabulary> {
  const sources: VocabularySource[] = [];
  const all: string[] = [];
  const add = (path: string, terms: readonly string[], skipped = 0): void => {
    sources.push({ path, terms: terms.length, skipped });
    all.push(...terms);
  };
  const inline = Array.isArray(option) ? option : ((option as { terms?: string[] }).terms ?? []);
  if (inline.length > 0) add(configPath, inline);
  const file = Array.isArray(option) ? undefined : (option as { file?: string }).file;
  if (file) {
    const path = normalisePath(file);
    const text = await reader.readText(path);
    if (text === undefined)
      throw new VocabularyError(configPath, `vocabulary.file ${path} does not exist in the repository`);
    add(path, termsFromList(text));
  }
  const ini = VALE_CONFIG_FILES.find((name) => reader.rootFiles.has(name));
  if (ini) {
    const text = await reader.readText(ini);
    const { stylesPath, vocabularies } = parseValeIni(text ?? '');
    for (const name of stylesPath ? vocabularies : []) {
      for (const path of valeAcceptPaths(ini, stylesPath!, name)) {
        const accept = await reader.readText(path);
        if (accept === undefined) continue;
        const { terms, skipped } = valeAcceptTerms(accept);
        add(path, terms, skipped);
        break;
      }
    }
  }
  for (const name of CSPELL_FILES) {
    if (!reader.rootFiles.has(name)) continue;
    const text = await reader.readText(name);
    if (text === undefined) continue;
    try {
      add(name, await cspellWords(text, name));
    } catch (err) {
      throw new VocabularyError(name, `cannot be read as a cspell config: ${(err as Error).message}`);
    }
  }
  return { ...normaliseTerms(all), sources };
}

/** Trimmed, distinct, sorted terms of a sane length; the rest beyond `MAX_TERMS` counted as cut. */
export function normaliseTerms(terms: readonly string[]): { terms: string[]; cut: number } {
  const distinct = [...new Set(terms.map((t) => t.trim()))].filter(
    (t) => t !== '' && t.length <= MAX_TERM_LENGTH && !/[\n\r]/.test(t),
  );
  distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { terms: distinct.slice(0, MAX_TERMS), cut: Math.max(0, distinct.length - MAX_TERMS) };
}

function dirOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at < 0 ? '' : path.slice(0, at);
}

function joinPath(dir: string, path: string): string {
  if (path.startsWith('/')) return path;
  return dir === '' ? path : `${dir}/${path}`;
}

/** `./a/../b/c` → `b/c`; never above the root (a path that tries is kept inside it). */
function normalisePath(path: string): string {
  const out: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}
