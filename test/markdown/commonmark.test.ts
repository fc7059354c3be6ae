// Every example of the CommonMark spec (npm `commonmark-spec`) splits without throwing, joins back
// byte-identically, and keeps its block structure when editable lines are replaced with plain prose.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { join, split } from '../../src/markdown/index.js';
import { checkFile, sameBytes } from './structure.js';

interface SpecExample {
  readonly markdown: string;
  readonly number: number;
  readonly section: string;
}

const require = createRequire(import.meta.url);
const spec = require('commonmark-spec') as { tests: SpecExample[] };
// The spec shows tabs as `→`.
const examples = spec.tests.map((t) => ({ ...t, markdown: t.markdown.replaceAll('→', '\t') }));

describe('CommonMark spec examples', () => {
  it('are all there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(652);
  });

  for (const path of ['example.md', 'example.mdx']) {
    it(`round-trip byte-identically as ${path}`, () => {
      const failures: number[] = [];
      for (const example of examples) {
        const bytes = new TextEncoder().encode(example.markdown);
        if (!sameBytes(join(split(bytes, { path }), new Map()), bytes)) failures.push(example.number);
      }
      expect(failures).toEqual([]);
    });
  }

  it('keep their block structure under plain-prose replacement', () => {
    const failures: string[] = [];
    for (const example of examples) {
      const result = checkFile(new TextEncoder().encode(example.markdown), 'example.md');
      if (result.structureDiff) failures.push(`${example.number} (${example.section})`);
    }
    expect(failures).toEqual([]);
  });
});
