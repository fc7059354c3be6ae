// Key derivation is pure: golden values, unambiguous serialisation, scope isolation as a property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CACHE_SCHEMA_VERSION,
  LINE_KEY_LENGTH,
  assertLineKey,
  isLineKey,
  lineKey,
  lineKeyTag,
  redisLineKey,
  redisPrefixPattern,
  redisScopePattern,
  scopeKeyRange,
  scopeTag,
} from '../../src/cache/index.js';
import {
  decodeBytes,
  decodeValue,
  encodeHeld,
  encodeRewrite,
  encodeRewriteBytes,
} from '../../src/cache/value.js';
import { LINE_KINDS } from '../../src/markdown/types.js';

const input = {
  scope: 'local',
  modelId: 'gpt-4o-mini',
  promptVersion: 'p',
  kind: 'paragraph',
  text: 'Hello.',
} as const;

describe('lineKey', () => {
  it('is stable: changing this golden value means bumping CACHE_SCHEMA_VERSION', () => {
    expect(CACHE_SCHEMA_VERSION).toBe(2);
    expect(lineKey(input)).toMatchInlineSnapshot(`"7Dw1nGW.mI-nv3U6-1ywk0uBr8GSDz7qNDyvx00UJSzQDPs_BKo"`);
  });

  it('has a fixed shape: scope tag, dot, 43 base64url characters', () => {
    const key = lineKey(input);
    expect(key).toHaveLength(LINE_KEY_LENGTH);
    expect(isLineKey(key)).toBe(true);
    expect(lineKeyTag(key)).toBe(scopeTag('local'));
    expect(() => assertLineKey('df:nope')).toThrow(TypeError);
  });

  it('does not normalise text: whitespace, CRLF and Unicode forms give other keys', () => {
    const texts = ['Hello.', 'Hello. ', ' Hello.', 'Hello.\r', 'Héllo.', 'He\u0301llo.', 'Hello.\u200b'];
    expect(new Set(texts.map((text) => lineKey({ ...input, text }))).size).toBe(texts.length);
  });

  it('is unambiguous: moving characters between fields changes the key', () => {
    const a = lineKey({ ...input, modelId: 'ab', promptVersion: 'c' });
    const b = lineKey({ ...input, modelId: 'a', promptVersion: 'bc' });
    expect(a).not.toBe(b);
    // Lone surrogates do not collapse onto U+FFFD.
    expect(lineKey({ ...input, text: '\ud800' })).not.toBe(lineKey({ ...input, text: '\ud801' }));
    expect(lineKey({ ...input, text: '\ud800' })).not.toBe(lineKey({ ...input, text: '\ufffd' }));
  });

  it('changes with every input field (property)', () => {
    const inputArb = fc.record({
      scope: fc.string(),
      modelId: fc.string(),
      promptVersion: fc.string(),
      kind: fc.constantFrom(...LINE_KINDS),
      text: fc.string({ unit: 'binary' }),
    });
    fc.assert(
      fc.property(inputArb, inputArb, (x, y) => {
        const same = (Object.keys(x) as (keyof typeof x)[]).every((k) => x[k] === y[k]);
        expect(lineKey(x) === lineKey(y)).toBe(same);
      }),
    );
  });

  it('never gives two scopes the same key, for any line (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ unit: 'grapheme' }), (s1, s2, text) => {
        fc.pre(s1 !== s2);
        expect(lineKey({ ...input, scope: s1, text })).not.toBe(lineKey({ ...input, scope: s2, text }));
      }),
    );
  });
});

describe('Redis keys', () => {
  it('are prefix, hash tag of the scope and the raw 32-byte digest (44 bytes with prefix df)', () => {
    const key = lineKey(input);
    const redis = redisLineKey('df', key);
    expect(redis).toHaveLength(44);
    expect(redis.subarray(0, 12).toString()).toBe(`df:{${scopeTag('local')}}`);
    expect(redis.subarray(12).toString('base64url')).toBe(key.slice(8));
    expect(() => redisLineKey('df', 'x'.repeat(LINE_KEY_LENGTH))).toThrow(TypeError);
  });

  it('escape glob characters of the prefix in scan patterns', () => {
    expect(redisScopePattern('a*b', 'local')).toBe(`a\\*b:{${scopeTag('local')}}*`);
    expect(redisPrefixPattern('df')).toBe('df:{*');
    const range = scopeKeyRange('local');
    const key = lineKey(input);
    expect(key >= range.start && key < range.end).toBe(true);
  });
});

describe('values', () => {
  it('round-trip every text exactly, in both encodings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(decodeValue(encodeRewrite(text))).toEqual({ type: 'rewrite', text });
        expect(decodeBytes(encodeRewriteBytes(text, 0), 0)).toEqual({ type: 'rewrite', text });
      }),
    );
    expect(decodeValue(encodeHeld('why'))).toEqual({ type: 'held', reason: 'why' });
    expect(decodeValue('1')).toEqual({ type: 'fixpoint' });
    expect(decodeValue('?unknown')).toBeUndefined();
    expect(decodeValue(null)).toBeUndefined();
  });
});
