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

/** Reads files within the limits; what does not fit is reported in `skipped` and left alone. */
export function readWithinLimits(
  paths: readonly string[],
  cwd: string,
  limits: FileLimits,
): { files: SourceFile[]; skipped: RunSummary['skippedFiles'] } {
  const files: SourceFile[] = [];
  const skipped: RunSummary['skippedFiles'] = [];
  let bytes = 0;
  for (const path of paths) {
    if (files.length >= limits.maxFiles) {
      skipped.push({
        path,
        reason: 'limit',
        message: `${path}: not read: the run's limit of ${limits.maxFiles} files was reached`,
      });
      continue;
    }
    const data = readFileSync(joinPath(cwd, path));
    if (bytes + data.byteLength > limits.maxBytes) {
      skipped.push({
        path,
        reason: 'limit',
        message: `${path}: not read: the run's limit of ${limits.maxBytes} bytes was reached`,
      });
      continue;
    }
    bytes += data.byteLength;
    files.push({ path, bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  return { files, skipped };
}
