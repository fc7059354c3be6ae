/**
 * The spans of a line of markdown prose that a copy editor must leave byte-identical: inline code,
 * math, HTML, autolinks and bare URLs, link destinations and reference labels, footnote references,
 * template placeholders, MyST roles, icon/emoji and key shortcodes, character references and backslash
 * escapes.
 *
 * One scanner for three users: the prompt names these spans, the simulator edits only the text between
 * them, and admission control compares them before and after. It is a conservative approximation of
 * CommonMark/GFM inline parsing for a single line: when in doubt a span counts as protected.
 */

export const PROTECTED_KINDS = [
  'code',
  'math',
  'html',
  'entity',
  'autolink',
  'url',
  'link-destination',
  'link-label',
  'footnote',
  'template',
  /** A MyST role, name and target as one span: {ref}`target` (a space between them would break it). */
  'role',
  /** Icon and emoji shortcodes (`:material-check:`, `:tada:`) and keys (`++ctrl+c++`) of pymdownx. */
  'shortcode',
  'escape',
] as const;
export type ProtectedKind = (typeof PROTECTED_KINDS)[number];

export interface InlineSegment {
  /** `text` is editable prose; every other type must survive an edit exactly. */
  readonly type: 'text' | ProtectedKind;
  readonly value: string;
  /** True for prose inside a link's or image's text (admission lets it change; the simulator leaves it). */
  readonly inLink?: boolean;
}

const ASCII_PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;
const AUTOLINK = /^<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>/;
const EMAIL_AUTOLINK =
  /^<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*>/;
const HTML_TAG =
  /^(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*\/?>|<\/[A-Za-z][A-Za-z0-9-]*\s*>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<![A-Za-z][^>]*>|<!\[CDATA\[[\s\S]*?\]\]>)/;
const ENTITY = /^&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});/;
const BARE_URL = /^(?:(?:https?|ftp):\/\/|www\.)[^\s<>]+/i;
const EMAIL = /^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const ROLE = /^\{[A-Za-z][\w:.+-]*\}(?=`)/;
/** `:name:` not inside a word or a run of colons (so `a:b:c` and times like `10:30:00` stay text). */
const ICON = /^:[a-z0-9_+-]+:(?![\w:])/;
const KEYS = /^\+\+[\w-]+(?:\+[\w-]+)*\+\+/;
const TEMPLATES: readonly [string, string][] = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['{#', '#}'],
  ['${', '}'],
  ['<%', '%>'],
];

/** Splits one line of prose into editable text and protected segments; concatenating the values gives the line back. */
export function scanInline(line: string): InlineSegment[] {
  return new Scanner(line, false).run();
}

/** Protected segments of a line, grouped by kind, each in order of appearance. */
export function protectedSpans(line: string): Record<ProtectedKind, string[]> {
  const spans = Object.fromEntries(PROTECTED_KINDS.map((k) => [k, [] as string[]])) as Record<
    ProtectedKind,
    string[]
  >;
  for (const s of scanInline(line)) if (s.type !== 'text') spans[s.type].push(s.value);
  return spans;
}

class Scanner {
  private readonly out: InlineSegment[] = [];
  private text = '';
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly inLink: boolean,
  ) {}

  run(): InlineSegment[] {
    while (this.pos < this.src.length) {
      if (!this.step()) {
        this.text += this.src[this.pos];
        this.pos += 1;
      }
    }
    this.flush();
    return this.out;
  }

  private emit(type: ProtectedKind, value: string): true {
    this.flush();
    this.out.push({ type, value });
    this.pos += value.length;
    return true;
  }

  private flush(): void {
    if (this.text === '') return;
    this.out.push(
      this.inLink ? { type: 'text', value: this.text, inLink: true } : { type: 'text', value: this.text },
    );
    this.text = '';
  }

  /** Tries every construct at `pos`; returns false when the character there is plain text. */
  private step(): boolean {
    const rest = this.src.slice(this.pos);
    const c = rest[0]!;
    if (c === '\\' && rest.length > 1 && ASCII_PUNCT.test(rest[1]!))
      return this.emit('escape', rest.slice(0, 2));
    if (c === '`') return this.emit('code', codeSpan(rest));
    if (c === '<') {
      const m = AUTOLINK.exec(rest) ?? EMAIL_AUTOLINK.exec(rest);
      if (m) return this.emit('autolink', m[0]);
      if (rest.startsWith('<%')) return this.template(rest);
      const h = HTML_TAG.exec(rest);
      if (h) return this.emit('html', h[0]);
      return false;
    }
    if (c === '&') {
      const m = ENTITY.exec(rest);
      return m ? this.emit('entity', m[0]) : false;
    }
    if (c === '{') {
      const role = ROLE.exec(rest);
      if (role) return this.emit('role', role[0] + codeSpan(rest.slice(role[0].length)));
      return this.template(rest);
    }
    if (c === ':' && !/[\w:]/.test(this.src[this.pos - 1] ?? '')) {
      const icon = ICON.exec(rest);
      return icon ? this.emit('shortcode', icon[0]) : false;
    }
    if (c === '+' && rest[1] === '+' && this.src[this.pos - 1] !== '+') {
      const keys = KEYS.exec(rest);
      return keys ? this.emit('shortcode', keys[0]) : false;
    }
    if (c === '$') {
      if (rest.startsWith('${')) return this.template(rest);
      return this.math(rest);
    }
    if (c === '[' || (c === '!' && rest[1] === '[')) return this.link(rest);
    if (/[A-Za-z0-9]/.test(c) && !/[A-Za-z0-9_]/.test(this.src[this.pos - 1] ?? '')) {
      const url = BARE_URL.exec(rest);
      if (url) return this.emit('url', trimUrl(url[0]));
      const email = EMAIL.exec(rest);
      if (email) return this.emit('url', email[0].replace(/[.-]+$/, ''));
    }
    return false;
  }

  private template(rest: string): boolean {
    for (const [open, close] of TEMPLATES) {
      if (!rest.startsWith(open)) continue;
      const end = rest.indexOf(close, open.length);
      if (end >= 0) return this.emit('template', rest.slice(0, end + close.length));
      break;
    }
    // Single braces (MDX expressions, `{#id}` heading attributes), or an opener closed on a later line:
    // an unclosed one is protected to the end of the line.
    const brace = rest.indexOf('{');
    const end = brace < 0 ? -1 : matchingClose(rest, brace, '{', '}');
    return this.emit('template', end < 0 ? rest : rest.slice(0, end + 1));
  }

  private math(rest: string): boolean {
    const fence = rest.startsWith('$$') ? '$$' : '$';
    const end = rest.indexOf(fence, fence.length);
    // A lone dollar sign (a price) is plain text.
    if (end < 0) return false;
    return this.emit('math', rest.slice(0, end + fence.length));
  }

  private link(rest: string): boolean {
    const open = rest[0] === '!' ? 2 : 1;
    if (rest[open] === '^') {
      const end = rest.indexOf(']');
      return end > 0 ? this.emit('footnote', rest.slice(0, end + 1)) : false;
    }
    const close = matchingClose(rest, open - 1, '[', ']');
    if (close < 0) return false;
    const after = rest.slice(close + 1);
    const inner = rest.slice(open, close);
    if (after.startsWith('(')) {
      const end = matchingClose(after, 0, '(', ')');
      if (end < 0) return false;
      this.bracketText(rest.slice(0, open), inner);
      return this.emit('link-destination', '](' + after.slice(1, end + 1));
    }
    if (after.startsWith('[')) {
      const end = after.indexOf(']');
      if (end < 0) return false;
      // `[text][]` uses the text as its label; `[text][label]` keeps the text editable.
      if (end === 1) return this.emit('link-label', rest.slice(0, close + 1 + end + 1));
      this.bracketText(rest.slice(0, open), inner);
      return this.emit('link-label', '][' + after.slice(1, end + 1));
    }
    // A shortcut reference (or literal brackets, or a task-list box): the text is the label.
    return this.emit('link-label', rest.slice(0, close + 1));
  }

  /** Emits `[` (or `![`) as text, then the link text scanned on its own, leaving `pos` on the `]`. */
  private bracketText(opener: string, inner: string): void {
    this.text += opener;
    this.flush();
    const segments = new Scanner(inner, true).run();
    this.out.push(...segments);
    this.pos += opener.length + inner.length;
  }
}

/** A code span `` `x` `` with a matching backtick run, or else the unmatched run itself (still protected). */
function codeSpan(rest: string): string {
  const run = /^`+/.exec(rest)![0];
  let i = run.length;
  while (i < rest.length) {
    const next = rest.indexOf(run, i);
    if (next < 0) break;
    let end = next;
    while (rest[end] === '`') end += 1;
    if (end - next === run.length) return rest.slice(0, end);
    i = end;
  }
  return run;
}

/** Index of the bracket that closes the one at `start`, honouring nesting and backslash escapes; -1 if none. */
function matchingClose(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < s.length; i += 1) {
    const c = s[i];
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (c === '`' && open !== '{') {
      i += codeSpan(s.slice(i)).length - 1;
      continue;
    }
    if (c === open) depth += 1;
    else if (c === close) {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** GFM autolink literal end: trailing punctuation is not part of the URL, nor an unbalanced `)`. */
function trimUrl(url: string): string {
  let u = url;
  for (;;) {
    const last = u[u.length - 1];
    if (last && /[?!.,:*_~'"]/.test(last)) {
      u = u.slice(0, -1);
      continue;
    }
    if (last === ')') {
      const opens = u.split('(').length - 1;
      const closes = u.split(')').length - 1;
      if (closes > opens) {
        u = u.slice(0, -1);
        continue;
      }
    }
    if (last === ';' && /&[A-Za-z0-9]+;$/.test(u)) {
      u = u.replace(/&[A-Za-z0-9]+;$/, '');
      continue;
    }
    return u;
  }
}
