import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join as joinPath, relative, resolve, sep } from 'node:path';
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

/** Markdown by extension, as the app's push handler counts it. */
export const MARKDOWN = /\.(md|mdx|markdown)$/i;

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

/** A folder the user named holds no markdown file the selection takes: a run must not pass on nothing. */
export class NothingSelectedError extends Error {
  readonly code = 'NOTHING_SELECTED';
  constructor(
    readonly path: string,
    readonly base: string,
    selection: FileSelection,
  ) {
    super(
      `${path}: no markdown file to examine under it (include ${JSON.stringify(selection.include)}${
        selection.exclude.length > 0 ? `, exclude ${JSON.stringify(selection.exclude)}` : ''
      }, matched against paths relative to ${base})`,
    );
    this.name = 'NothingSelectedError';
  }
}

/** The markdown files of a run: paths relative to `cwd` with `/` separators, sorted, and those left out. */
export interface CollectedPaths {
  readonly paths: string[];
  /** Files named explicitly that an exclude glob matches: reported, not examined. */
  readonly excluded: Skipped[];
}

/**
 * The folder include/exclude globs are matched against for files under `dir`: the repository root (the
 * nearest folder holding `.git`), as the app matches repository paths; outside a repository, the working
 * directory when `dir` is inside it, else `dir` itself. So the same files are selected whichever folder
 * the command runs from and however the path is written (relative, absolute, outside the working directory).
 */
export function globBase(dir: string, cwd: string): string {
  for (let at = dir; ;) {
    if (existsSync(joinPath(at, '.git'))) return at;
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  return isInside(dir, cwd) ? cwd : dir;
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const toPosix = (p: string): string => p.split(sep).join('/');

/**
 * Lists markdown files under `paths` (relative to `cwd`, or absolute; folders outside `cwd` too). Folders
 * are walked and filtered by the selection, matched against paths relative to `globBase`; files named
 * explicitly are taken unless an exclude glob matches them. Throws `PathError` for a path that does not
 * exist and `NothingSelectedError` for a named folder that yields no file.
 */
export function collectMarkdownPaths(
  paths: readonly string[],
  selection: FileSelection,
  cwd: string,
): CollectedPaths {
  const matches = pathFilter(selection);
  const excludes =
    selection.exclude.length > 0 ? picomatch([...selection.exclude], { dot: true }) : () => false;
  const found = new Set<string>();
  const excluded: Skipped[] = [];
  const shown = (full: string): string => toPosix(relative(cwd, full)) || '.';
  for (const p of paths) {
    const full = resolve(cwd, p);
    let stat;
    try {
      stat = statSync(full);
    } catch {
      throw new PathError(p);
    }
    if (!stat.isDirectory()) {
      const base = globBase(dirname(full), cwd);
      if (excludes(toPosix(relative(base, full)))) {
        const path = shown(full);
        excluded.push({
          path,
          reason: 'excluded',
          message: `${path}: left alone: an exclude glob matches it`,
        });
      } else found.add(shown(full));
      continue;
    }
    const base = globBase(full, cwd);
    let taken = 0;
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === '.git' || entry.name === 'node_modules') continue;
        const child = joinPath(dir, entry.name);
        if (entry.isDirectory()) walk(child);
        else if (entry.isFile() && MARKDOWN.test(entry.name) && matches(toPosix(relative(base, child)))) {
          found.add(shown(child));
          taken += 1;
        }
      }
    };
    walk(full);
    if (taken === 0) throw new NothingSelectedError(p, base, selection);
  }
  return { paths: [...found].sort(), excluded };
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
    const full = resolve(cwd, path);
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
