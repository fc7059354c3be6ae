import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join as joinPath, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import type { RunSummary, SourceFile } from './types.js';

export interface FileSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface FileLimits {
  /** Most files one run reads. */
  readonly maxFiles: number;
  /** Most bytes one run reads. */
  readonly maxBytes: number;
}

const MARKDOWN = /\.(md|mdx|markdown)$/i;

/** A predicate for repository-relative posix paths: matches an include glob and no exclude glob. */
export function pathFilter(selection: FileSelection): (path: string) => boolean {
  const opts = { dot: true };
  const include = picomatch([...selection.include], opts);
  const exclude = selection.exclude.length > 0 ? picomatch([...selection.exclude], opts) : () => false;
  return (path) => include(path) && !exclude(path);
}

export class PathError extends Error {
  readonly code = 'PATH_NOT_FOUND';
  constructor(readonly path: string) {
    super(`${path}: no such file or directory (expected a markdown file or a folder)`);
    this.name = 'PathError';
  }
}

/**
 * Lists markdown files under `paths` (files named explicitly are taken as they are; folders are walked
 * and filtered by the selection), relative to `cwd` with `/` separators, sorted.
 */
export function collectMarkdownPaths(
  paths: readonly string[],
  selection: FileSelection,
  cwd: string,
): string[] {
  const matches = pathFilter(selection);
  const found = new Set<string>();
  const toPosix = (p: string): string => relative(cwd, p).split(sep).join('/');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git' || entry.name === 'node_modules') continue;
      const full = joinPath(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && MARKDOWN.test(entry.name) && matches(toPosix(full)))
        found.add(toPosix(full));
    }
  };
  for (const p of paths) {
    const full = joinPath(cwd, p);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      throw new PathError(p);
    }
    if (stat.isDirectory()) walk(full);
    else found.add(toPosix(full));
  }
  return [...found].sort();
}

type Skipped = RunSummary['skippedFiles'][number];

/** Counts files and bytes against the limits: answers why a file does not fit, or undefined and counts it. */
export function limitCounter(limits: FileLimits): (path: string, size: number) => Skipped | undefined {
  let files = 0;
  let bytes = 0;
  return (path, size) => {
    if (files >= limits.maxFiles) {
      return {
        path,
        reason: 'limit',
        message: `${path}: not examined: the run's limit of ${limits.maxFiles} files was reached`,
      };
    }
    if (bytes + size > limits.maxBytes) {
      return {
        path,
        reason: 'limit',
        message: `${path}: not examined: the run's limit of ${limits.maxBytes} bytes was reached`,
      };
    }
    files += 1;
    bytes += size;
    return undefined;
  };
}

/** Keeps the files that fit the limits, in order; the rest are reported in `skipped`. */
export function keepWithinLimits(
  files: readonly SourceFile[],
  limits: FileLimits,
): { files: SourceFile[]; skipped: Skipped[] } {
  const fits = limitCounter(limits);
  const kept: SourceFile[] = [];
  const skipped: Skipped[] = [];
  for (const f of files) {
    const skip = fits(f.path, f.bytes.byteLength);
    if (skip) skipped.push(skip);
    else kept.push(f);
  }
  return { files: kept, skipped };
}

/** Reads the files that fit the limits (sizes from the file system, so nothing over them is read). */
export function readWithinLimits(
  paths: readonly string[],
  cwd: string,
  limits: FileLimits,
): { files: SourceFile[]; skipped: Skipped[] } {
  const fits = limitCounter(limits);
  const files: SourceFile[] = [];
  const skipped: Skipped[] = [];
  for (const path of paths) {
    const full = joinPath(cwd, path);
    const skip = fits(path, statSync(full).size);
    if (skip) {
      skipped.push(skip);
      continue;
    }
    const data = readFileSync(full);
    files.push({ path, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  return { files, skipped };
}
