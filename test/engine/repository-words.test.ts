// The offline editor respects what the repository knows: a listed misspelling the repository's own prose
// uses in several paragraphs is its jargon, not a typo, and no run changes it (admission withholds it).
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';

const encoder = new TextEncoder();
const file = (path: string, text: string): SourceFile => ({ path, bytes: encoder.encode(text) });

async function run(files: SourceFile[]) {
  return fixFiles(files, {
    store: new MemoryStore(),
    fixer: createFixer({ provider: 'offline', model: 'offline' }),
    scope: 'test',
    budget: { maxLines: Infinity, maxTokens: Infinity },
  });
}

describe('repository words (offline editor)', () => {
  it('fixes a listed misspelling used in one or two paragraphs', async () => {
    const result = await run([
      file('a.md', '# A\n\nYou recieve a token when you sign in.\n'),
      file('b.md', '# B\n\nEach worker will recieve its own queue.\n'),
    ]);
    expect(result.summary.changedLines).toBe(2);
    expect(result.diff).toContain('+You receive a token');
  });

  it('leaves it alone where three paragraphs of the run use it: the repository spells it that way', async () => {
    const result = await run([
      file('a.md', '# A\n\nYou recieve a token when you sign in.\n'),
      file('b.md', '# B\n\nEach worker will recieve its own queue.\n\nThe recieve hook runs last.\n'),
    ]);
    expect(result.patches).toEqual([]);
    expect(result.summary.rejectedByReason).toEqual({ 'vocabulary-changed': 3 });
  });
});
