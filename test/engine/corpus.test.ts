// Acceptance on the whole of $DOCS_FIX_CORPUS: with the simulator and a persistent (embedded) store the
// second run on the bot's own output sends nothing and changes nothing; with echo every file stays identical.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedStore, MemoryStore } from '../../src/cache/index.js';
import { collectMarkdownPaths, readWithinLimits } from '../../src/engine/files.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { SourceFile } from '../../src/engine/types.js';
import { createFixer } from '../../src/model/index.js';

const root = process.env.DOCS_FIX_CORPUS;
const unlimited = { maxLines: Infinity, maxTokens: Infinity };

/** The corpus read the way the CLI reads a folder. */
function readCorpus(dir: string): SourceFile[] {
  const { paths } = collectMarkdownPaths(['.'], { include: ['**/*'], exclude: [] }, dir);
  return readWithinLimits(paths, dir, { maxFiles: Infinity, maxBytes: Infinity }).files;
}

describe.skipIf(!root)(
  root ? `engine over the corpus ${root}` : 'engine over the corpus (set DOCS_FIX_CORPUS to run)',
  () => {
    const files = root ? readCorpus(root) : [];

    it(
      'with sim and a persistent store: the re-run on its own output sends 0 lines and changes 0',
      { timeout: 900_000 },
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'docs-fix-corpus-'));
        const fixer = createFixer({ provider: 'sim', model: 'sim' });
        try {
          let store = new EmbeddedStore({ path: dir });
          const first = await fixFiles(files, { store, fixer, scope: 'corpus', budget: unlimited });
          await store.close();
          expect(first.summary.modelLines).toBeGreaterThan(1000);
          expect(first.summary.changedLines).toBeGreaterThan(100);
          const after = new Map(first.patches.map((p) => [p.path, p.after]));
          const output = files.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));

          store = new EmbeddedStore({ path: dir }); // reopened: the fixpoints persisted
          const second = await fixFiles(output, { store, fixer, scope: 'corpus', budget: unlimited });
          // Run 2 found every line at a fixpoint, so it stored every readable file as a file-level fixpoint:
          // run 3 splits only the files the splitter skips (binary, invalid UTF-8, ...).
          const third = await fixFiles(output, { store, fixer, scope: 'corpus', budget: unlimited });
          await store.close();
          const unreadable = second.summary.skippedFiles.length;
          expect(second.summary.fileFixpointsStored + second.summary.fileFixpointHits).toBe(
            files.length - unreadable,
          );
          expect(third.summary.fileFixpointHits).toBe(files.length - unreadable);
          expect(third.summary.lines).toBe(0);
          expect(third.summary.skippedFiles).toEqual(second.summary.skippedFiles);
          expect(third.patches).toEqual([]);
          console.log(
            `corpus: ${files.length} files, ${first.summary.lines} lines, ${first.summary.editableLines} editable; ` +
              `run 1: ${first.summary.modelLines} model lines, ${first.summary.changedLines} changed; ` +
              `run 2: ${second.summary.modelLines} model lines, ${second.summary.changedLines} changed; ` +
              `run 3: ${third.summary.fileFixpointHits} files skipped as file-level fixpoints`,
          );
          expect(second.summary.modelLines).toBe(0);
          expect(second.summary.changedLines).toBe(0);
          expect(second.patches).toEqual([]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );

    it('with echo: zero changes, every file byte-identical', { timeout: 900_000 }, async () => {
      const result = await fixFiles(files, {
        store: new MemoryStore(),
        fixer: createFixer({ provider: 'echo', model: 'echo' }),
        scope: 'corpus',
        budget: unlimited,
      });
      expect(result.summary.changedLines).toBe(0);
      expect(result.patches).toEqual([]);
    });
  },
);
