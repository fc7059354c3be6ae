// Shared by the job tests: a real Redis, a random prefix per test, and cleanup of every key under it.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { keyPatterns, type JobSpec } from '../../src/jobs/index.js';

export const redisUrl = (): string => process.env.DOCS_FIX_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const randomPrefix = (): string => `df-test-jobs-${randomBytes(6).toString('hex')}`;

export const silentLog = (): Logger => pino({ level: process.env.DOCS_FIX_TEST_LOG ?? 'silent' });

/** Deletes every key docs-fix writes under `prefix` (`prefix:` and the queue's `{prefix}:`). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for (const pattern of keyPatterns(prefix)) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it answers a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function pushSpec(
  repoIndex: number,
  n: number,
  owner = 'octo-org',
): Extract<JobSpec, { kind: 'push' }> {
  return {
    kind: 'push',
    installationId: 42,
    owner,
    repo: `docs-${repoIndex}`,
    branch: 'main',
    before: '0'.repeat(40),
    after: `${String(repoIndex).padStart(4, '0')}${String(n).padStart(36, '0')}`,
    defaultBranch: 'main',
  };
}

/** Where worker-child.ts records its handler calls. */
export const recordKeys = (prefix: string) => ({
  /** List of JSON `{jobId, repo, pid, start, end}`, one per finished handler call. */
  intervals: `${prefix}:test:intervals`,
  /** Hash jobId -> handler calls started. */
  runs: `${prefix}:test:runs`,
  /** Hash repo -> handler calls running now. */
  running: `${prefix}:test:running`,
  /** List of `repo` each time a handler started while another ran for the same repository. */
  violations: `${prefix}:test:violations`,
  /** Hash jobId -> pid of the process whose handler started it (last start wins). */
  startedBy: `${prefix}:test:started-by`,
});
