// The one place that encodes cache values. Redis stores strings; the embedded store adds an expiry.
import type { CacheValue, Rejection, RejectionHow } from './types.js';
import { isWellFormed } from './unicode.js';

/**
 * A fixpoint is the single byte `1`. Redis keeps a small integer string as an int-encoded object
 * (16 bytes, or shared and free when no LRU/LFU policy is set) instead of a 32-byte embedded string.
 */
export const FIXPOINT_MARKER = '1';
/** `>` + the rewrite's text (UTF-8). */
const REWRITE_TAG = '>';
/** `~` + JSON of the rewrite's text, only for texts with lone surrogates (UTF-8 cannot carry them). */
const REWRITE_JSON_TAG = '~';
/** `!` + the reason admission gave. */
const HELD_TAG = '!';
/** `x` + `<pull request>:<how>` + tab + JSON of the rest (see `rejectionPrefix`). */
const REJECTED_TAG = 'x';

const FIXPOINT_BYTE = FIXPOINT_MARKER.charCodeAt(0);
const REWRITE_BYTE = REWRITE_TAG.charCodeAt(0);
const REWRITE_JSON_BYTE = REWRITE_JSON_TAG.charCodeAt(0);
const HELD_BYTE = HELD_TAG.charCodeAt(0);
const REJECTED_BYTE = REJECTED_TAG.charCodeAt(0);

export const FIXPOINT: CacheValue = Object.freeze({ type: 'fixpoint' });

function rewriteBody(text: string): { tag: string; body: string } {
  return isWellFormed(text)
    ? { tag: REWRITE_TAG, body: text }
    : { tag: REWRITE_JSON_TAG, body: JSON.stringify(text) };
}

export function encodeRewrite(text: string): string {
  const { tag, body } = rewriteBody(text);
  return tag + body;
}

export function encodeHeld(reason: string): string {
  return HELD_TAG + reason;
}

/**
 * The start of every encoded rejection recorded from `pullRequest` (and `how`): a forget compares it with
 * the stored value's start, so a store (a Lua script in Redis) need not parse JSON.
 */
export function rejectionPrefix(pullRequest: number, how?: RejectionHow): string {
  return `${REJECTED_TAG}${pullRequest}:${how === undefined ? '' : `${how}\t`}`;
}

/** A rejection as stored: its prefix, then JSON (ASCII: JSON.stringify escapes lone surrogates). */
export function encodeRejection(r: Rejection): string {
  const rest = { by: r.by, at: r.at, proposed: r.proposed, ...(r.commit ? { commit: r.commit } : {}) };
  return `${rejectionPrefix(r.pullRequest, r.how)}${JSON.stringify(rest)}`;
}

function decodeRejection(body: string): CacheValue | undefined {
  const m = /^(\d+):(closed|reverted|rewritten)\t/.exec(body);
  if (!m) return undefined;
  try {
    const rest = JSON.parse(body.slice(m[0].length)) as Record<string, unknown>;
    if (typeof rest.by !== 'string' || typeof rest.at !== 'string' || typeof rest.proposed !== 'string')
      return undefined;
    const rejection: Rejection = {
      pullRequest: Number(m[1]),
      how: m[2] as RejectionHow,
      by: rest.by,
      at: rest.at,
      proposed: rest.proposed,
      ...(typeof rest.commit === 'string' ? { commit: rest.commit } : {}),
    };
    return { type: 'rejected', rejection };
  } catch {
    return undefined;
  }
}

/** Decodes a stored string; anything unrecognised is a miss (the model is asked, nothing wrong is served). */
export function decodeValue(raw: string | null | undefined): CacheValue | undefined {
  if (raw === null || raw === undefined || raw.length === 0) return undefined;
  if (raw === FIXPOINT_MARKER) return FIXPOINT;
  switch (raw.charCodeAt(0)) {
    case REWRITE_BYTE:
      return { type: 'rewrite', text: raw.slice(1) };
    case HELD_BYTE:
      return { type: 'held', reason: raw.slice(1) };
    case REWRITE_JSON_BYTE:
      return decodeJsonRewrite(raw.slice(1));
    case REJECTED_BYTE:
      return decodeRejection(raw.slice(1));
    default:
      return undefined;
  }
}

function decodeJsonRewrite(body: string): CacheValue | undefined {
  try {
    const text: unknown = JSON.parse(body);
    return typeof text === 'string' ? { type: 'rewrite', text } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Embedded layout: a fixpoint is the one byte `1`; rewrites, held entries and rejections are
 * `tag, u32 big-endian expiry (Unix seconds, 0 = never), UTF-8 body`.
 */
export const FIXPOINT_BYTES: Buffer = Buffer.from(FIXPOINT_MARKER, 'latin1');

function expiring(tag: string, body: string, expiresAtSeconds: number): Buffer {
  const out = Buffer.allocUnsafe(5 + Buffer.byteLength(body, 'utf8'));
  out[0] = tag.charCodeAt(0);
  out.writeUInt32BE(expiresAtSeconds, 1);
  out.write(body, 5, 'utf8');
  return out;
}

export function encodeRewriteBytes(text: string, expiresAtSeconds: number): Buffer {
  const { tag, body } = rewriteBody(text);
  return expiring(tag, body, expiresAtSeconds);
}

export function encodeHeldBytes(reason: string, expiresAtSeconds: number): Buffer {
  return expiring(HELD_TAG, reason, expiresAtSeconds);
}

/** A rejection in the embedded layout: never expires. */
export function encodeRejectionBytes(r: Rejection): Buffer {
  const text = encodeRejection(r);
  return expiring(REJECTED_TAG, text.slice(1), 0);
}

/** Whether an embedded value is a rejection whose encoding starts with `prefix` (see `rejectionPrefix`). */
export function isRejectionBytes(raw: Buffer | undefined, prefix: string): boolean {
  if (raw === undefined || raw.length < 5 || raw[0] !== REJECTED_BYTE) return false;
  return raw.toString('utf8', 5, 5 + Buffer.byteLength(prefix) - 1) === prefix.slice(1);
}

export function isFixpointBytes(raw: Uint8Array): boolean {
  return raw.length === 1 && raw[0] === FIXPOINT_BYTE;
}

/** Whether a stored entry exists for the writer: present and not expired at `nowSeconds`. */
export function isLiveBytes(raw: Buffer | undefined, nowSeconds: number): raw is Buffer {
  if (raw === undefined || raw.length === 0) return false;
  if (raw.length === 1) return true;
  const expiresAt = raw.length >= 5 ? raw.readUInt32BE(1) : 0;
  return expiresAt === 0 || expiresAt > nowSeconds;
}

/** Decodes an embedded value; expired or unrecognised entries are misses. */
export function decodeBytes(raw: Buffer | undefined, nowSeconds: number): CacheValue | undefined {
  if (raw === undefined) return undefined;
  if (raw.length === 1) return raw[0] === FIXPOINT_BYTE ? FIXPOINT : undefined;
  if (raw.length < 5) return undefined;
  const expiresAt = raw.readUInt32BE(1);
  if (expiresAt !== 0 && expiresAt <= nowSeconds) return undefined;
  switch (raw[0]) {
    case REWRITE_BYTE:
      return { type: 'rewrite', text: raw.toString('utf8', 5, raw.length) };
    case HELD_BYTE:
      return { type: 'held', reason: raw.toString('utf8', 5, raw.length) };
    case REWRITE_JSON_BYTE:
      return decodeJsonRewrite(raw.toString('utf8', 5, raw.length));
    case REJECTED_BYTE:
      return decodeRejection(raw.toString('utf8', 5, raw.length));
    default:
      return undefined;
  }
}

/** Expiry in Unix seconds for a TTL, 0 for none. */
export function expiryFor(nowMs: number, ttlSeconds: number): number {
  return ttlSeconds > 0 ? Math.floor(nowMs / 1000) + ttlSeconds : 0;
}
