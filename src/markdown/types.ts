/** The kinds of source line the splitter distinguishes. */
export const LINE_KINDS = [
  'paragraph',
  'heading',
  'list-item',
  'blockquote',
  'table-row',
  'code',
  'html',
  'front-matter',
  'math',
  'definition',
  'footnote-definition',
  'thematic-break',
  'jsx',
  'esm',
  'template',
  /** Syntax of a site generator's markdown dialect: admonition, tab, directive and container lines, options, attribute lists. */
  'dialect',
  'blank',
] as const;
export type LineKind = (typeof LINE_KINDS)[number];

/** Why a line is frozen (never sent to the model). */
export type FrozenReason =
  | 'code'
  | 'html'
  | 'front-matter'
  | 'math'
  | 'definition'
  | 'footnote-definition'
  | 'thematic-break'
  | 'table'
  | 'jsx'
  | 'esm'
  | 'template'
  | 'blank'
  | 'no-prose'
  | 'line-too-long'
  | 'setext-underline'
  | 'lazy-continuation'
  /** Editing this line could change the block structure (e.g. the next line could turn it into a table header). */
  | 'structure-risk'
  /**
   * Syntax that CommonMark does not know but a site generator does (MkDocs admonitions and tabs, MyST
   * directives, options, targets and comments, Docusaurus/VitePress containers, attribute lists), and the
   * bodies of directives that are not markdown.
   */
  | 'dialect'
  /** Switched off by the maintainer: `<!-- docs-fix-disable -->` regions, `docs-fix-disable-next-line`, `docs-fix: false`. */
  | 'disabled'
  /** Prose in a language the repository does not ask docs-fix to edit (the engine's language guard). */
  | `language:${string}`;

/** Why a whole file is left untouched. */
export type SkipReason = 'invalid-utf8' | 'binary' | 'too-large' | 'parse-error';

/** One source line: `prefix + text + suffix` is exactly the line's bytes, line ending included. */
export interface SourceLine {
  /** 0-based index into `MarkdownDocument.lines`. */
  readonly index: number;
  /** 1-based line number in the file. */
  readonly line: number;
  /** Indentation, blockquote and list markers, heading `#`s: never shown to the model. */
  readonly prefix: string;
  /** The prose a model may edit (for frozen lines: the rest of the line). */
  readonly text: string;
  /** Hard-break spaces or backslash, closing `#`s of ATX headings, and the line ending. */
  readonly suffix: string;
  readonly kind: LineKind;
  readonly editable: boolean;
  /** Set on frozen lines. */
  readonly reason?: FrozenReason;
  /** Editable lines: index into `MarkdownDocument.units` of the prose unit the line belongs to. */
  readonly unit?: number;
}

/**
 * What the model edits: the editable lines of one paragraph (or heading, list item paragraph, blockquote
 * paragraph, at any depth) that follow each other with no frozen line between them. A hard-wrapped paragraph
 * is one unit, as a reader reads it (a soft line break renders as a space); a frozen line inside a paragraph
 * splits it. Each line keeps its own prefix and suffix outside the unit.
 */
export interface ProseUnit {
  /** 0-based index into `MarkdownDocument.units`. */
  readonly index: number;
  readonly kind: LineKind;
  /** Indexes into `MarkdownDocument.lines` of the unit's lines: consecutive, in order, at least one. */
  readonly lines: readonly number[];
  /** The lines' texts joined with `\n`: what the model sees and what the cache key is built from. */
  readonly text: string;
}

export interface SkippedFile {
  readonly reason: SkipReason;
  /** What happened and where, vfile style: `file.mdx:3:7: Unexpected character ...`. */
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface MarkdownDocument {
  readonly path: string;
  /** The exact input bytes; `join(doc, none)` returns them unchanged. */
  readonly source: Uint8Array;
  /** True when the file starts with a UTF-8 byte order mark (kept outside every line unit). */
  readonly bom: boolean;
  /** Empty when the file is skipped. */
  readonly lines: readonly SourceLine[];
  /** The prose units over `lines` (see `ProseUnit`), in document order; empty when the file is skipped. */
  readonly units: readonly ProseUnit[];
  /** The block structure split() parsed (see `blockSignature`); absent when the file is skipped. */
  readonly blockSignature?: readonly string[];
  readonly skipped?: SkippedFile;
}

export interface SplitOptions {
  /** Used to pick the parser (`.mdx` → remark-mdx) and in messages. */
  readonly path: string;
  /** Files larger than this are skipped as `too-large` (default 1 MiB). */
  readonly maxBytes?: number;
  /** Lines longer than this many characters are frozen as `line-too-long` (default 2,000). */
  readonly maxLineLength?: number;
}

/** Replacement texts for editable lines, by `SourceLine.index`. */
export type Replacements = ReadonlyMap<number, string>;

/** Replacement lines for prose units, by `ProseUnit.index`: as many lines as the unit has. */
export type UnitReplacements = ReadonlyMap<number, readonly string[]>;
