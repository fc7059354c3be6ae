import { createTwoFilesPatch } from 'diff';
import type { FilePatch } from './types.js';

const decoder = new TextDecoder();

/** A git-style unified diff of all patches, in the order given. */
export function buildDiff(patches: readonly FilePatch[], context = 3): string {
  return patches.map((p) => filePatch(p, context)).join('');
}

export function filePatch(patch: FilePatch, context = 3): string {
  const body = createTwoFilesPatch(
    `a/${patch.path}`,
    `b/${patch.path}`,
    decoder.decode(patch.before),
    decoder.decode(patch.after),
    undefined,
    undefined,
    { context },
  );
  // createTwoFilesPatch starts with an `Index:`-less `===` header line; git prints `diff --git`.
  const lines = body.split('\n');
  const start = lines.findIndex((l) => l.startsWith('--- '));
  return `diff --git a/${patch.path} b/${patch.path}\n${lines.slice(start).join('\n')}`;
}
