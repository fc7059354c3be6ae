// The corpus check, shared by the shard files (vitest runs test files in parallel, one per core).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { yielder } from '../../src/engine/yield.js';
import { checkFile } from './structure.js';

const root = process.env.DOCS_FIX_CORPUS;

function listMarkdown(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listMarkdown(path, out);
    else if (entry.isFile() && /\.(md|markdown|mdx)$/i.test(entry.name)) out.push(path);
  }
  return out;
}

/** Checks every `shards`-th file of $DOCS_FIX_CORPUS starting at `shard`: round-trip and structure. */
export function corpusSuite(shard: number, shards: number): void {
  const title = root
    ? `corpus ${root} (shard ${shard + 1}/${shards})`
    : 'corpus (set DOCS_FIX_CORPUS to run)';
  describe.skipIf(!root)(title, () => {
    const files = root ? listMarkdown(root, []).sort() : [];
    const mine = files.filter((_, i) => i % shards === shard);
    const groups = new Map<string, string[]>();
    for (const file of mine) {
      const group = relative(root!, file).split(/[\\/]/)[0]!;
      groups.set(group, [...(groups.get(group) ?? []), file]);
    }

    it('finds markdown files', () => {
      expect(files.length).toBeGreaterThan(0);
    });

    for (const [group, paths] of groups) {
      it(`${group}: ${paths.length} files round-trip and keep their block structure`, async () => {
        const roundTripFailures: string[] = [];
        const structureFailures: string[] = [];
        const skipped: string[] = [];
        // Yield between files: a group checked in one synchronous stretch kept the worker's event loop busy
        // for over a minute on a loaded machine, past vitest's 60 s RPC deadline ("Timeout calling
        // onTaskUpdate": the answer to the runner's last call sat unread behind the loop).
        const breathe = yielder();
        for (const path of paths) {
          await breathe();
          const name = relative(root!, path);
          const result = checkFile(readFileSync(path), name);
          if (!result.roundTrip) roundTripFailures.push(name);
          if (result.skipped) skipped.push(`${name} (${result.skipped})`);
          if (result.structureDiff) structureFailures.push(`${name} ${JSON.stringify(result.structureDiff)}`);
        }
        console.log(
          `corpus shard ${shard + 1}/${shards} ${group}: ${paths.length - roundTripFailures.length}/${paths.length} round-trip, ` +
            `${structureFailures.length} structure failures, ${skipped.length} skipped${skipped.length ? `: ${skipped.join(', ')}` : ''}`,
        );
        expect(roundTripFailures).toEqual([]);
        expect(structureFailures).toEqual([]);
      });
    }
  });
}
