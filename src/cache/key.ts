// The one module that builds cache keys: line keys, their Redis form, and the patterns operators scan.
import { createHash } from 'node:crypto';
import type { LineKind } from '../markdown/types.js';
import type { KeyInput } from './types.js';
import { isWellFormed } from './unicode.js';

/**
 * Bumping this makes every existing entry unreachable (invalidation without purges). 2: entries are keyed
 * by prose units (a paragraph over its wrapped lines), not by single lines.
 */
export const CACHE_SCHEMA_VERSION = 2;

/** Characters of the scope tag: base64url of sha256(scope), 42 bits; only spreads scopes over slots. */
const SCOPE_TAG_LENGTH = 7;
/** Full sha256 (32 bytes): 43 base64url characters in a line key, 32 raw bytes in a Redis key. */
const DIGEST_BYTES = 32;
const DIGEST_CHARS = 43;
/** `<scopeTag>.<digest>`: fixed length, so tag and digest never need a parser. */
export const LINE_KEY_LENGTH = SCOPE_TAG_LENGTH + 1 + DIGEST_CHARS;

const LINE_KEY_PATTERN = /^[A-Za-z0-9_-]{7}\.[A-Za-z0-9_-]{43}$/;
const DOT = 0x2e;
const UTF8 = 0;
const UTF16LE = 1;

interface Field {
  readonly encoding: typeof UTF8 | typeof UTF16LE;
  readonly text: string;
  readonly bytes: number;
}

function field(text: string): Field {
  // Lone surrogates would all become U+FFFD in UTF-8, so two different strings could share a key; such
  // strings are hashed as UTF-16 code units behind a different marker instead.
  if (isWellFormed(text)) return { encoding: UTF8, text, bytes: Buffer.byteLength(text, 'utf8') };
  return { encoding: UTF16LE, text, bytes: text.length * 2 };
}

/** Canonical, unambiguous serialisation: per field one encoding byte, a u32 length, the bytes. */
function serialise(texts: readonly string[]): Buffer {
  const fields = texts.map(field);
  const size = fields.reduce((n, f) => n + 5 + f.bytes, 0);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const f of fields) {
    out[at] = f.encoding;
    out.writeUInt32BE(f.bytes, at + 1);
    at += 5;
    at += out.write(f.text, at, f.bytes, f.encoding === UTF8 ? 'utf8' : 'utf16le');
  }
  return out;
}

/** Short tag of a scope; every key of a scope carries it (Redis Cluster hash tag, purge pattern). */
export function scopeTag(scope: string): string {
  const digest = createHash('sha256')
    .update(serialise(['docs-fix scope tag', scope]))
    .digest('base64url');
  return digest.slice(0, SCOPE_TAG_LENGTH);
}

/**
 * The key of one line: `<scopeTag>.<base64url sha256>` over schema version, scope, model id, prompt version,
 * kind and exact text. Pure; the same input always gives the same key, any change gives another.
 */
export function lineKey(input: KeyInput): string {
  const digest = createHash('sha256')
    .update(
      serialise([
        String(CACHE_SCHEMA_VERSION),
        input.scope,
        input.modelId,
        input.promptVersion,
        input.kind,
        input.text,
      ]),
    )
    .digest('base64url');
  return `${scopeTag(input.scope)}.${digest}`;
}

export function isLineKey(key: string): boolean {
  return LINE_KEY_PATTERN.test(key);
}

/** The scope tag a line key carries (its first characters). */
export function lineKeyTag(key: string): string {
  return key.slice(0, SCOPE_TAG_LENGTH);
}

/** Throws a `TypeError` naming the key when it is not a `lineKey` result (a caller bug, not a cache failure). */
export function assertLineKey(key: string): void {
  if (!isLineKey(key))
    throw new TypeError(`not a line key: ${JSON.stringify(key)} (build keys with lineKey)`);
}

const redisHeads = new Map<string, Buffer>();

function redisHead(prefix: string, tag: string): Buffer {
  const id = `${prefix}\u0000${tag}`;
  let head = redisHeads.get(id);
  if (!head) {
    // `{tag}` is the Redis Cluster hash tag: all keys of a scope live in one slot, so a batch is one MGET.
    head = Buffer.from(`${prefix}:{${tag}}`, 'utf8');
    if (redisHeads.size > 10_000) redisHeads.clear();
    redisHeads.set(id, head);
  }
  return head;
}

/**
 * The Redis key of a line: `<prefix>:{<scopeTag>}` followed by the 32 raw digest bytes (44 bytes with the
 * default prefix `df`, which fits jemalloc's 48-byte class; base64url text would take the 64-byte class).
 * The line key must be valid (see `isLineKey`); on this hot path only its shape and digest are checked.
 */
export function redisLineKey(prefix: string, key: string): Buffer {
  if (key.length !== LINE_KEY_LENGTH || key.charCodeAt(SCOPE_TAG_LENGTH) !== DOT) assertLineKey(key);
  const head = redisHead(prefix, lineKeyTag(key));
  const out = Buffer.allocUnsafe(head.length + DIGEST_BYTES);
  head.copy(out, 0);
  const written = out.write(key.slice(SCOPE_TAG_LENGTH + 1), head.length, DIGEST_BYTES, 'base64url');
  if (written !== DIGEST_BYTES) assertLineKey(key);
  return out;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** SCAN pattern for every line entry of one scope (and any scope sharing its 42-bit tag). */
export function redisScopePattern(prefix: string, scope: string): string {
  return `${escapeGlob(`${prefix}:{${scopeTag(scope)}}`)}*`;
}

/** SCAN pattern for every line entry under a prefix. */
export function redisPrefixPattern(prefix: string): string {
  return `${escapeGlob(`${prefix}:{`)}*`;
}

/** Range of embedded/memory keys of one scope: `[start, end)` in byte order. */
export function scopeKeyRange(scope: string): { readonly start: string; readonly end: string } {
  const tag = scopeTag(scope);
  // '/' follows '.' in ASCII, so the range covers exactly the keys `<tag>.<digest>`.
  return { start: `${tag}.`, end: `${tag}/` };
}

/** What a file-level fixpoint entry is keyed by, besides the line key inputs it summarises. */
export interface FileKeyInput {
  readonly scope: string;
  readonly modelId: string;
  readonly promptVersion: string;
  /**
   * The file's content identity: `git-blob:<sha1 hex>` for content read from GitHub by blob SHA, else
   * `sha256:<hex>` of the exact bytes (see `contentId`). The two forms never collide.
   */
  readonly content: string;
  /** Which parser splits the file (`md` or `mdx`): the same bytes split differently under each. */
  readonly parser: string;
  /** The splitter's classification version: a new one may make a frozen line editable. */
  readonly splitterVersion: number;
  /**
   * The languages the run edits (`languages` of the config, sorted, comma-joined; `*` for all), when the
   * language guard ran: it decides which units are frozen, so a content settled under one set is not
   * settled under another. Absent when the guard did not run (keys as before the guard existed).
   */
  readonly languages?: string;
}

/**
 * The key of a file-level fixpoint: "every line of this content is a fixpoint or frozen under these inputs".
 * Same shape as a line key (same scope tag, same stores), hashed under its own domain so it can never
 * equal a line key.
 */
export function fileKey(input: FileKeyInput): string {
  const digest = createHash('sha256')
    .update(
      serialise([
        'docs-fix file fixpoint',
        String(CACHE_SCHEMA_VERSION),
        input.scope,
        input.modelId,
        input.promptVersion,
        input.parser,
        String(input.splitterVersion),
        input.content,
        // Appended only when present: the serialisation is prefix-free, so keys with and without it differ.
        ...(input.languages === undefined ? [] : [`languages=${input.languages}`]),
      ]),
    )
    .digest('base64url');
  return `${scopeTag(input.scope)}.${digest}`;
}

/** Bump to make every recorded rejection unreachable (it never needs to: they are keyed by text). */
export const REJECTION_KEY_VERSION = 1;

/** What a maintainer's rejection of a unit's rewrite is keyed by. */
export interface RejectionKeyInput {
  /** The installation's scope, as for lines: a rejection never crosses installations. */
  readonly scope: string;
  /** `owner/name` (compared without case, as GitHub does). */
  readonly repository: string;
  readonly kind: LineKind;
  /** The unit's exact text (its lines joined with `\n`). */
  readonly text: string;
}

/**
 * The key of a maintainer's rejection: "in this repository, leave this unit as it is". Same shape as a line
 * key (same scope tag, so the same stores, purges and Redis Cluster slot), hashed under its own domain.
 *
 * The model id and the prompt version are deliberately not in it: a maintainer said no to changing this
 * paragraph, not to one model's wording of the change, and a new model or prompt (a new vocabulary term
 * changes the prompt version) must not bring the rejected edits back. The unit's text is: once someone
 * edits the paragraph it is a new question. Nor is the cache schema version, for the same reason.
 */
export function rejectionKey(input: RejectionKeyInput): string {
  const digest = createHash('sha256')
    .update(
      serialise([
        'docs-fix rejection',
        String(REJECTION_KEY_VERSION),
        input.scope,
        input.repository.toLowerCase(),
        input.kind,
        input.text,
      ]),
    )
    .digest('base64url');
  return `${scopeTag(input.scope)}.${digest}`;
}

/** The git blob SHA of some bytes: sha1 of `blob <length>\0` and the bytes, as git computes it. */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** Content identity of a blob known only by its SHA (a tree entry), for lookups before reading it. */
export function blobContentId(blobSha: string): string {
  return `git-blob:${blobSha.toLowerCase()}`;
}

/**
 * Content identity for `fileKey`: the git blob SHA when GitHub gave one and it matches the bytes (so a tree
 * entry can be looked up before its blob is read), else sha256 of the bytes. Never stands for other bytes.
 */
export function contentId(bytes: Uint8Array, blobSha?: string): string {
  if (blobSha !== undefined && gitBlobSha(bytes) === blobSha.toLowerCase()) return blobContentId(blobSha);
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** CRC16-XMODEM table (polynomial 0x1021), as Redis Cluster hashes keys to slots. */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** The bytes Redis Cluster hashes: the first non-empty `{...}` of the key (its hash tag), else the whole key. */
export function clusterHashPart(key: string | Uint8Array): Uint8Array {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = bytes.indexOf(OPEN_BRACE);
  if (open < 0) return bytes;
  const close = bytes.indexOf(CLOSE_BRACE, open + 1);
  if (close < 0 || close === open + 1) return bytes;
  return bytes.subarray(open + 1, close);
}

/** The Redis Cluster slot (0..16383) of a key: CRC16 of its hash tag (or of the whole key) mod 16384. */
export function clusterSlot(key: string | Uint8Array): number {
  let crc = 0;
  for (const byte of clusterHashPart(key))
    crc = ((crc << 8) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!) & 0xffff;
  return crc & 16383;
}
