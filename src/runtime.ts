// Which Node.js docs-fix runs on. The image runs SUPPORTED_NODE; the web process and the workers log a
// warning at start when they find themselves on a release line past its end of life (no security fixes).
import type { Logger } from 'pino';

/** The release line the image runs and CI tests first (Node 24 LTS). */
export const SUPPORTED_NODE = 24;

/**
 * End of life of the release lines docs-fix can start on (package.json `engines`: >= 20.18.1), from the
 * Node.js release schedule (github.com/nodejs/Release): LTS lines end 30 April, odd lines 1 June.
 */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  20: '2026-04-30',
  21: '2024-06-01',
  22: '2027-04-30',
  23: '2025-06-01',
  24: '2028-04-30',
  25: '2026-06-01',
};

/** The release line of a version such as `20.20.2` or `v20.20.2` (20), or undefined when it is not one. */
export function nodeMajor(version: string): number | undefined {
  const major = /^v?(\d+)\./.exec(version.trim())?.[1];
  return major === undefined ? undefined : Number(major);
}

/** A line's end of life when it has passed by `today` (a version such as `20.20.2` or `v20.20.2`). */
export function endOfLifePassed(version: string, today: Date): string | undefined {
  const major = nodeMajor(version);
  const date = major === undefined ? undefined : NODE_END_OF_LIFE[major];
  if (!date) return undefined;
  return today.getTime() >= Date.parse(`${date}T00:00:00Z`) ? date : undefined;
}

/** Logs, once per process start, that the Node.js running it is past its end of life. */
export function warnIfEndOfLife(log: Logger, version = process.versions.node, today = new Date()): void {
  const date = endOfLifePassed(version, today);
  if (!date) return;
  log.warn(
    { node: version, endOfLife: date, supported: SUPPORTED_NODE },
    `Node.js ${version} reached its end of life on ${date} and gets no security fixes: run docs-fix on Node ${SUPPORTED_NODE} (the image's runtime)`,
  );
}
