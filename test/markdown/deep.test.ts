import { describe, expect, it } from 'vitest';
import { blockSignature, join, split } from '../../src/markdown/index.js';

describe('deeply nested input', () => {
  it(
    'is split or skipped with a reason, never a crash, and stays byte-identical',
    { timeout: 120_000 },
    () => {
      for (const source of ['> '.repeat(3000) + 'deep quote\n', '- '.repeat(2000) + 'deep list\n']) {
        const bytes = new TextEncoder().encode(source);
        const doc = split(bytes, { path: 'deep.md' });
        expect(Buffer.from(join(doc, new Map())).equals(Buffer.from(bytes))).toBe(true);
        if (!doc.skipped) expect(doc.blockSignature!.length).toBeGreaterThan(100);
        expect(() => blockSignature(source, 'deep.md')).not.toThrow();
      }
    },
  );
});
