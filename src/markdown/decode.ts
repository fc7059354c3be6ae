// Turns the input into text the parser can read, or into a reason to leave the file alone.
import type { SkippedFile } from './types.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

// With the `u` flag a surrogate range only matches halves that are not part of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const DEFAULT_MAX_BYTES = 1024 * 1024;

export interface DecodedSource {
  readonly source: Uint8Array;
  /** The text after the byte order mark, if any. */
  readonly text: string;
  readonly bom: boolean;
  readonly skipped?: SkippedFile;
}

function skip(path: string, reason: SkippedFile['reason'], what: string): SkippedFile {
  return { reason, message: `${path}: ${what}` };
}

export function decodeSource(input: Uint8Array | string, path: string, maxBytes: number): DecodedSource {
  if (typeof input === 'string') {
    const source = encoder.encode(input);
    // A string with a lone surrogate has no UTF-8 form: encoding would replace it, so it cannot round-trip.
    if (LONE_SURROGATE.test(input)) {
      return {
        source,
        text: '',
        bom: false,
        skipped: skip(path, 'invalid-utf8', 'not valid UTF-8 (lone surrogate)'),
      };
    }
    return checked(source, input, path, maxBytes);
  }
  if (input.length > maxBytes) return tooLarge(input, path, maxBytes);
  if (input.indexOf(0) !== -1) {
    return {
      source: input,
      text: '',
      bom: false,
      skipped: skip(path, 'binary', 'contains a NUL byte (binary file)'),
    };
  }
  let text: string;
  try {
    text = utf8.decode(input);
  } catch {
    return { source: input, text: '', bom: false, skipped: invalidUtf8(input, path) };
  }
  return withBom(input, text);
}

function checked(source: Uint8Array, text: string, path: string, maxBytes: number): DecodedSource {
  if (source.length > maxBytes) return tooLarge(source, path, maxBytes);
  if (text.includes('\0')) {
    return {
      source,
      text: '',
      bom: false,
      skipped: skip(path, 'binary', 'contains a NUL byte (binary file)'),
    };
  }
  return withBom(source, text);
}

function tooLarge(source: Uint8Array, path: string, maxBytes: number): DecodedSource {
  return {
    source,
    text: '',
    bom: false,
    skipped: skip(path, 'too-large', `${source.length} bytes, larger than the limit of ${maxBytes} bytes`),
  };
}

function withBom(source: Uint8Array, text: string): DecodedSource {
  if (text.charCodeAt(0) === 0xfeff) return { source, text: text.slice(1), bom: true };
  return { source, text, bom: false };
}

/** Names the first offending byte, vfile style (`path:line:column`), so the user can find it. */
function invalidUtf8(bytes: Uint8Array, path: string): SkippedFile {
  const at = firstInvalidUtf8(bytes);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) {
      line += 1;
      lineStart = i + 1;
    }
  }
  const column = at - lineStart + 1;
  const hex = (bytes[at] ?? 0).toString(16).padStart(2, '0');
  return {
    reason: 'invalid-utf8',
    message: `${path}:${line}:${column}: not valid UTF-8 (byte 0x${hex} at offset ${at})`,
    line,
    column,
  };
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    min = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    if (b === 0xed) max = 0x9f;
    else if (b === 0xf4) max = 0x8f;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < min || c > max) return i;
      min = 0x80;
      max = 0xbf;
    }
    i += need + 1;
  }
  return bytes.length;
}
