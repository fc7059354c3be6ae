// File-level fixpoints are keyed by SPLITTER_VERSION: a classification change that keeps the version would
// let a stored "every line is a fixpoint or frozen" stand for a line that is now editable and never asked.
// This test pins a digest of the classification of real inputs to the version; when the classification
// changes, bump SPLITTER_VERSION and regenerate with `UPDATE=1 npx vitest run test/markdown/splitter-version`.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPLITTER_VERSION, split } from '../../src/markdown/index.js';

const require = createRequire(import.meta.url);
const spec = require('commonmark-spec') as { tests: { markdown: string }[] };
const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const pinned = join(import.meta.dirname, '../fixtures/splitter-version.json');

function classificationDigest(): string {
  const hash = createHash('sha256');
  const inputs: { path: string; bytes: Uint8Array | string }[] = [
    ...readdirSync(fixtures)
      .filter((n) => /\.mdx?$/.test(n))
      .sort()
      .map((n) => ({ path: n, bytes: new Uint8Array(readFileSync(join(fixtures, n))) })),
    ...spec.tests.map((t, i) => ({ path: `spec-${i}.md`, bytes: t.markdown })),
    ...spec.tests.map((t, i) => ({ path: `spec-${i}.mdx`, bytes: t.markdown })),
  ];
  for (const input of inputs) {
    const doc = split(input.bytes, { path: input.path });
    hash.update(`${input.path}\0${doc.skipped?.reason ?? ''}\0`);
    for (const u of doc.lines) {
      hash.update(
        `${u.kind}\0${u.editable ? 1 : 0}\0${u.reason ?? ''}\0${u.prefix.length}\0${u.text.length}\0${u.unit ?? ''}\n`,
      );
    }
  }
  return hash.digest('hex');
}

describe('SPLITTER_VERSION', () => {
  it('changes whenever the classification of real inputs changes', () => {
    const digest = classificationDigest();
    if (process.env.UPDATE === '1') {
      writeFileSync(pinned, `${JSON.stringify({ splitterVersion: SPLITTER_VERSION, digest }, null, 2)}\n`);
    }
    const recorded = JSON.parse(readFileSync(pinned, 'utf8')) as { splitterVersion: number; digest: string };
    if (recorded.splitterVersion === SPLITTER_VERSION) {
      expect(
        digest,
        'the splitter classifies lines differently: bump SPLITTER_VERSION in src/markdown/split.ts, then regenerate test/fixtures/splitter-version.json with UPDATE=1',
      ).toBe(recorded.digest);
    } else {
      expect.fail(
        `SPLITTER_VERSION is ${SPLITTER_VERSION} but test/fixtures/splitter-version.json pins ${recorded.splitterVersion}: regenerate it with UPDATE=1`,
      );
    }
  });
});
