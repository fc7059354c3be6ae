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
    return { source: input, text: '', bom: false, skipped: skip(path, 'invalid-utf8', 'not valid UTF-8') };
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
