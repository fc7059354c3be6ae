// Golden fixtures: test/fixtures/markdown/<case>.md (or .mdx) and the expected line units in
// <case>.lines.json. Regenerate with `UPDATE=1 npx vitest run test/markdown` and review the diff.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { join, split, type MarkdownDocument } from '../../src/markdown/index.js';
import { checkFile, sameBytes } from './structure.js';

const dir = fileURLToPath(new URL('../fixtures/markdown/', import.meta.url));
const cases = readdirSync(dir)
  .filter((name) => /\.(md|mdx|markdown)$/.test(name))
  .sort();
const update = process.env.UPDATE === '1';

/** One unit per row, so that a changed classification shows as a one-line diff. */
function serialize(doc: MarkdownDocument): string {
  const head = { path: doc.path, bom: doc.bom, ...(doc.skipped ? { skipped: doc.skipped } : {}) };
  const rows = doc.lines.map((u) =>
    JSON.stringify({
      line: u.line,
      kind: u.kind,
      status: u.editable ? 'editable' : `frozen:${u.reason}`,
      ...(u.unit !== undefined ? { unit: u.unit } : {}),
      prefix: u.prefix,
      text: u.text,
      suffix: u.suffix,
    }),
  );
  const headJson = JSON.stringify(head, null, 2).slice(0, -2);
  return `${headJson},\n  "lines": [${rows.length ? `\n    ${rows.join(',\n    ')}\n  ` : ''}]\n}\n`;
}

describe('golden fixtures', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const name of cases) {
    it(name, () => {
      const bytes = readFileSync(dir + name);
      const doc = split(bytes, { path: name });
      const goldenPath = dir + name.replace(/\.(md|mdx|markdown)$/, '.lines.json');
      const actual = serialize(doc);
      if (update) writeFileSync(goldenPath, actual);
      expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
      expect(sameBytes(join(doc, new Map()), bytes)).toBe(true);
      expect(checkFile(bytes, name).structureDiff).toBeUndefined();
    });
  }
});
