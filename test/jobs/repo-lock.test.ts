import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { repoLockKey } from '../../src/jobs/keys.js';
import { createRepoLocks } from '../../src/jobs/repo-lock.js';
import { deleteKeys, randomPrefix, redisUrl, sleep } from './helpers.js';

let prefix: string;
let redis: Redis;
const repo = { owner: 'Octo', repo: 'Docs' };

beforeEach(() => {
  prefix = randomPrefix();
  redis = new Redis(redisUrl());
});

afterEach(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

it('lets one holder at a time hold a repository, case-insensitively', async () => {
  const locks = createRepoLocks(redis, prefix, 5000);
  const held = await locks.tryAcquire(repo, 'a');
  expect(held).not.toBeNull();
  expect(await locks.tryAcquire({ owner: 'octo', repo: 'docs' }, 'b')).toBeNull();
  expect(await locks.tryAcquire({ owner: 'octo', repo: 'other' }, 'c')).not.toBeNull();
  expect(await held!.release()).toBe(true);
  expect(await locks.tryAcquire(repo, 'b')).not.toBeNull();
});

it('renews its own lock, and neither renews nor releases a lock another holder took after it lapsed', async () => {
  const locks = createRepoLocks(redis, prefix, 1000);
  const held = (await locks.tryAcquire(repo, 'a'))!;
  await sleep(600);
  expect(await held.renew()).toBe(true);
  await sleep(600);
  expect(await redis.get(repoLockKey(prefix, repo))).toBe('a'); // past the first TTL: kept by the renewal
  await sleep(1100);
  const next = (await locks.tryAcquire(repo, 'b'))!;
  expect(next).not.toBeNull();
  expect(await held.renew()).toBe(false);
  expect(await held.release()).toBe(false);
  expect(await redis.get(repoLockKey(prefix, repo))).toBe('b');
  expect(await redis.pttl(repoLockKey(prefix, repo))).toBeGreaterThan(0);
});
