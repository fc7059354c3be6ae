// Where files are split and patched files re-checked: in this thread, or on a pool of worker threads
// (parse-pool.ts). The engine only sees this interface; both give identical results.
import type { MarkdownDocument, UnitReplacements } from '../markdown/types.js';
import type { StructureVerdict } from './structure.js';
import type { SourceFile } from './types.js';
import { yielder } from './yield.js';

export interface StructureTask {
  readonly doc: MarkdownDocument;
  /** Replacement lines by unit index. */
  readonly replacements: UnitReplacements;
}

export interface FileParser {
  /** Threads doing the parsing (1 for the in-thread parser). */
  readonly threads: number;
  /** `split` of every file, in the order given. */
  split(files: readonly SourceFile[]): Promise<MarkdownDocument[]>;
  /** `admitReplacements` of every task, in the order given. */
  admitStructure(tasks: readonly StructureTask[]): Promise<StructureVerdict[]>;
  close(): Promise<void>;
}

/**
 * Splits and checks in the calling thread. The markdown parser is loaded on the first call: a run whose
 * files are all known fixpoints (a pre-commit `check` of settled docs) never loads it.
 */
export function inThreadParser(): FileParser {
  return {
    threads: 1,
    async split(files) {
      if (files.length === 0) return [];
      const { split } = await import('../markdown/split.js');
      const breathe = yielder();
      const out: MarkdownDocument[] = [];
      for (const file of files) {
        await breathe();
        out.push(split(file.bytes, { path: file.path }));
      }
      return out;
    },
    async admitStructure(tasks) {
      if (tasks.length === 0) return [];
      const { admitReplacements } = await import('./structure.js');
      const breathe = yielder();
      const out: StructureVerdict[] = [];
      for (const task of tasks) {
        await breathe();
        out.push(admitReplacements(task.doc, task.replacements));
      }
      return out;
    },
    close: async () => {},
  };
}
