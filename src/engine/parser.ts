// Where files are split and patched files re-checked: in this thread, or on a pool of worker threads
// (parse-pool.ts). The engine only sees this interface; both give identical results.
import { split } from '../markdown/index.js';
import type { MarkdownDocument, UnitReplacements } from '../markdown/types.js';
import { admitReplacements, type StructureVerdict } from './structure.js';
import type { SourceFile } from './types.js';

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
 * Parsing is synchronous; the in-thread parser yields to the event loop every few tens of milliseconds so
 * that timers keep running (job and repository lock renewals, health checks, progress).
 */
export function yielder(now: () => number = () => performance.now(), everyMs = 50): () => Promise<void> {
  let last = now();
  return async () => {
    if (now() - last < everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = now();
  };
}

/** Splits and checks in the calling thread. */
export function inThreadParser(): FileParser {
  return {
    threads: 1,
    async split(files) {
      const breathe = yielder();
      const out: MarkdownDocument[] = [];
      for (const file of files) {
        await breathe();
        out.push(split(file.bytes, { path: file.path }));
      }
      return out;
    },
    async admitStructure(tasks) {
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
