// One job per repository at a time, across processes: SET NX PX with a token, renewed and released by
// compare-and-set scripts so a holder never extends or deletes a lock that expired and was taken by another.
import { readFileSync } from 'node:fs';
import type { RedisClient } from '../cache/connection.js';
import { repoLockKey } from './keys.js';
import type { RepoRef } from './types.js';

interface LockScript {
  readonly numberOfKeys: number;
  readonly lua: string;
}

/** Reads `scripts/<name>-<numKeys>.lua` from next to this module (copied to dist by scripts/copy-assets.js). */
function loadScript(file: string): LockScript {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`script ${file}: expected a name of the form name-<numKeys>.lua`);
  return {
    numberOfKeys: Number(match[1]),
    lua: readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8'),
  };
}

const RENEW = loadScript('renew-repo-lock-1.lua');
const RELEASE = loadScript('release-repo-lock-1.lua');

type ScriptCall = (...args: (string | number)[]) => Promise<number>;

/** A held lock: renew it while working, release it when done. */
export interface HeldRepoLock {
  readonly key: string;
  readonly token: string;
  /** False when the lock expired or was taken by another holder. */
  renew(): Promise<boolean>;
  /** False when the lock had already expired or been taken. */
  release(): Promise<boolean>;
}

export interface RepoLocks {
  /** The lock, or `null` when another job holds the repository. */
  tryAcquire(repo: Pick<RepoRef, 'owner' | 'repo'>, token: string): Promise<HeldRepoLock | null>;
}

export function createRepoLocks(redis: RedisClient, prefix: string, ttlMs: number): RepoLocks {
  // defineCommand runs EVALSHA and falls back to EVAL once per connection when the script is not cached.
  const commands = redis as unknown as Record<string, ScriptCall | undefined>;
  if (!commands.docsFixRenewRepoLock) redis.defineCommand('docsFixRenewRepoLock', RENEW);
  if (!commands.docsFixReleaseRepoLock) redis.defineCommand('docsFixReleaseRepoLock', RELEASE);
  const renewScript = commands.docsFixRenewRepoLock as ScriptCall;
  const releaseScript = commands.docsFixReleaseRepoLock as ScriptCall;
  return {
    async tryAcquire(repo, token) {
      const key = repoLockKey(prefix, repo);
      const set = await redis.set(key, token, 'PX', ttlMs, 'NX');
      if (set !== 'OK') return null;
      return {
        key,
        token,
        renew: async () => (await renewScript.call(redis, key, token, ttlMs)) === 1,
        release: async () => (await releaseScript.call(redis, key, token)) === 1,
      };
    },
  };
}
