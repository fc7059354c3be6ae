// How split documents cross between threads. Structured-cloning a MarkdownDocument costs one object per
// line on the receiving side (about 1.3 s for the corpus, on the thread that must stay free); here the
// lines travel as one Uint32Array of lengths and codes per batch (transferred, not copied) and the strings
// are sliced out of the file's own text on arrival, which the receiver decodes from the bytes it already has.
// Pure; the round trip is identical to the input (test/engine/parse-pool.test.ts).
import { unitsOf } from '../markdown/units.js';
import type { FrozenReason, LineKind, MarkdownDocument, SkippedFile, SourceLine } from '../markdown/types.js';
import type { StructureVerdict } from './structure.js';

/** One batch of documents without their bytes (the receiver has them). */
export interface WireDocuments {
  /** Kinds, frozen reasons and block signature node types, by code. */
  readonly names: readonly string[];
  /** Per line: prefix length, text length, suffix length, meta (see `meta`), unit number + 1 (0: none). */
  readonly lines: Uint32Array;
  /** Block signatures of all documents, as codes into `names`. */
  readonly signatures: Uint32Array;
  readonly docs: readonly WireDocument[];
}

export interface WireDocument {
  readonly path: string;
  readonly bom: boolean;
  /** Lines of this document (they follow those of the documents before it in `lines`). */
  readonly lineCount: number;
  /** Length of the block signature; -1 when the document has none. */
  readonly signatureLength: number;
  readonly skipped?: SkippedFile;
}

const FIELDS = 5;
const CODE_BITS = 12;
const CODE_MASK = (1 << CODE_BITS) - 1;
const EDITABLE = 1 << (2 * CODE_BITS);

/** meta = kind code | (reason code + 1, or 0 for none) << 12 | editable << 24 */
function meta(kind: number, reason: number, editable: boolean): number {
  return kind | (reason << CODE_BITS) | (editable ? EDITABLE : 0);
}

export function encodeDocuments(docs: readonly MarkdownDocument[]): WireDocuments {
  const encoder = new WireEncoder();
  for (const doc of docs) encoder.add(doc);
  return encoder.finish();
}

/**
 * Encodes documents one at a time, so a worker can drop each document as soon as it is split: only the
 * columns outlive it (documents kept for a whole batch got promoted and cost old-generation GC).
 */
export class WireEncoder {
  private readonly names: string[] = [];
  private readonly codes = new Map<string, number>();
  private lines = new Uint32Array(FIELDS * 1024);
  private lineEnd = 0;
  private signatures = new Uint32Array(1024);
  private signatureEnd = 0;
  private readonly docs: WireDocument[] = [];

  add(doc: MarkdownDocument): void {
    const need = this.lineEnd + doc.lines.length * FIELDS;
    if (need > this.lines.length) this.lines = grown(this.lines, need);
    const lines = this.lines;
    let l = this.lineEnd;
    doc.lines.forEach((unit, i) => {
      // The receiver rebuilds index and line from the position; a unit that disagrees cannot travel.
      if (unit.index !== i || unit.line !== i + 1) {
        throw new Error(`parse wire: ${doc.path}: unit ${i} has index ${unit.index}, line ${unit.line}`);
      }
      lines[l++] = unit.prefix.length;
      lines[l++] = unit.text.length;
      lines[l++] = unit.suffix.length;
      lines[l++] = meta(
        this.code(unit.kind),
        unit.reason === undefined ? 0 : this.code(unit.reason) + 1,
        unit.editable,
      );
      lines[l++] = unit.unit === undefined ? 0 : unit.unit + 1;
    });
    this.lineEnd = l;
    const signature = doc.blockSignature ?? [];
    if (this.signatureEnd + signature.length > this.signatures.length) {
      this.signatures = grown(this.signatures, this.signatureEnd + signature.length);
    }
    for (const type of signature) this.signatures[this.signatureEnd++] = this.code(type);
    this.docs.push({
      path: doc.path,
      bom: doc.bom,
      lineCount: doc.lines.length,
      signatureLength: doc.blockSignature ? doc.blockSignature.length : -1,
      ...(doc.skipped ? { skipped: doc.skipped } : {}),
    });
  }

  finish(): WireDocuments {
    return {
      names: this.names,
      lines: this.lines.slice(0, this.lineEnd),
      signatures: this.signatures.slice(0, this.signatureEnd),
      docs: this.docs,
    };
  }

  private code(name: string): number {
    let c = this.codes.get(name);
    if (c === undefined) {
      c = this.names.length;
      if (c >= CODE_MASK)
        throw new Error(`parse wire: more than ${CODE_MASK} distinct kinds, reasons and node types`);
      this.names.push(name);
      this.codes.set(name, c);
    }
    return c;
  }
}

function grown(array: Uint32Array<ArrayBuffer>, need: number): Uint32Array<ArrayBuffer> {
  const next = new Uint32Array(Math.max(need, array.length * 2));
  next.set(array);
  return next;
}

/** The buffers to transfer with a batch (they are not used again by the sender). */
export function transferables(wire: WireDocuments): ArrayBuffer[] {
  return [wire.lines.buffer as ArrayBuffer, wire.signatures.buffer as ArrayBuffer];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The documents of a batch, given each one's bytes (`sources[i]` for `wire.docs[i]`, kept as the
 * document's `source`, as `split` keeps its input). Throws when the lengths do not cover the text exactly.
 */
export function decodeDocuments(wire: WireDocuments, sources: readonly Uint8Array[]): MarkdownDocument[] {
  const { names, lines, signatures } = wire;
  const out: MarkdownDocument[] = [];
  let l = 0;
  let s = 0;
  wire.docs.forEach((d, n) => {
    const source = sources[n]!;
    // Skipped files may not even be UTF-8; they have no lines to slice.
    let text = d.skipped ? '' : utf8.decode(source);
    if (d.bom) text = text.slice(1);
    const units: SourceLine[] = new Array<SourceLine>(d.lineCount);
    let at = 0;
    for (let i = 0; i < d.lineCount; i += 1) {
      const prefixEnd = at + lines[l]!;
      const textEnd = prefixEnd + lines[l + 1]!;
      const end = textEnd + lines[l + 2]!;
      const m = lines[l + 3]!;
      const unitNumber = lines[l + 4]!;
      l += FIELDS;
      const kind = names[m & CODE_MASK] as LineKind;
      const reason = (m >>> CODE_BITS) & CODE_MASK;
      const prefix = text.slice(at, prefixEnd);
      const body = text.slice(prefixEnd, textEnd);
      const suffix = text.slice(textEnd, end);
      const editable = (m & EDITABLE) !== 0;
      // The key order split() gives: reason on frozen lines, unit on editable ones.
      const line: SourceLine = { index: i, line: i + 1, prefix, text: body, suffix, kind, editable };
      units[i] =
        reason !== 0
          ? { ...line, reason: names[reason - 1] as FrozenReason }
          : unitNumber !== 0
            ? { ...line, unit: unitNumber - 1 }
            : line;
      at = end;
    }
    if (at !== text.length) {
      throw new Error(`parse wire: ${d.path}: line lengths cover ${at} of ${text.length} characters`);
    }
    const blockSignature =
      d.signatureLength < 0
        ? undefined
        : Array.from(signatures.subarray(s, s + d.signatureLength), (c) => names[c]!);
    if (d.signatureLength > 0) s += d.signatureLength;
    // The key order split() gives: skipped files have no signature, parsed ones no `skipped`.
    out.push({
      path: d.path,
      source,
      bom: d.bom,
      lines: units,
      units: unitsOf(units),
      ...(blockSignature ? { blockSignature } : {}),
      ...(d.skipped ? { skipped: d.skipped } : {}),
    });
  });
  return out;
}

/** What the pool asks a worker (parse-worker.ts). */
export type ParseRequest =
  | { readonly id: number; readonly op: 'split'; readonly files: readonly WireFile[] }
  | {
      readonly id: number;
      readonly op: 'admit';
      readonly docs: WireDocuments;
      readonly sources: readonly Uint8Array[];
      readonly replacements: readonly ReadonlyMap<number, readonly string[]>[];
    };

export interface WireFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

/** A worker's answer to the request with the same id. */
export type ParseResponse =
  | { readonly id: number; readonly op: 'split'; readonly docs: WireDocuments }
  | { readonly id: number; readonly op: 'admit'; readonly verdicts: readonly StructureVerdict[] }
  | { readonly id: number; readonly op: 'error'; readonly error: WireError };

/** An error thrown in a worker, as far as it survives a structured clone. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: err.message,
    ...(err.stack ? { stack: err.stack } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/** The bytes as their own buffer: cloning a view clones its whole buffer (a Buffer may share a pool). */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes);
}
