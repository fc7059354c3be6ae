// The line cache on a real 3-master, 3-replica Redis Cluster: slots, round trips, maintenance over every
// master, replica acknowledgements, and the CLI's --redis-cluster-nodes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CacheUnavailableError,
  RedisStore,
  clusterSlot,
  fileKey,
  lineKey,
  openRedisClient,
  redisLineKey,
  scopeTag,
} from '../../src/cache/index.js';
import {
  keyPatterns,
  queuePrefix,
  repoLockKey,
  shadowReportsKey,
  shadowRunKey,
  shadowRunsKey,
} from '../../src/jobs/keys.js';
import { runCli } from '../support/cli.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

let cluster: RedisCluster;
let raw: Cluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
  raw = openRedisClient({ clusterNodes: cluster.clusterNodes }) as Cluster;
});
afterAll(async () => {
  raw?.disconnect();
  await cluster?.stop();
});

const key = (scope: string, text: string): string =>
  lineKey({ scope, modelId: 'm', promptVersion: 'p', kind: 'paragraph', text });
const newPrefix = (): string => `dft-${randomBytes(4).toString('hex')}`;

/** Sum of a command's calls over every master (INFO commandstats). */
async function calls(command: string): Promise<number> {
  let sum = 0;
  for (const port of await cluster.masters()) {
    const stats = await cluster.node(port).info('commandstats');
    sum += Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  }
  return sum;
}

/** Scopes whose slots are served by every master, so that a test touches all of them. */
async function scopesOnEveryMaster(): Promise<string[]> {
  const masters = await cluster.masters();
  const byMaster = new Map<number, string>();
  for (let i = 0; byMaster.size < masters.length && i < 1000; i++) {
    const scope = `installation:${i}`;
    const master = await cluster.masterOf(clusterSlot(scopeTag(scope)));
    if (!byMaster.has(master)) byMaster.set(master, scope);
  }
  expect(byMaster.size).toBe(3);
  return [...byMaster.values()];
}

describe('keys on a cluster', () => {
  it('computes the slot Redis computes, and puts every key of a scope (lines and files) in one slot', async () => {
    const prefix = 'df';
    for (let i = 0; i < 50; i++) {
      const scope = `installation:${i}`;
      const keys = [
        redisLineKey(prefix, key(scope, `line ${i}`)),
        redisLineKey(prefix, key(scope, `other ${i}`)),
        redisLineKey(
          prefix,
          fileKey({
            scope,
            modelId: 'm',
            promptVersion: 'p',
            content: `sha256:${i}`,
            parser: 'md',
            splitterVersion: 1,
          }),
        ),
      ];
      const slots = await Promise.all(keys.map((k) => raw.cluster('KEYSLOT', k.toString('latin1'))));
      expect(new Set(slots).size).toBe(1);
      expect(slots[0]).toBe(clusterSlot(keys[0]!));
    }
    for (const k of ['plain', '{tag}rest', 'a{}b{c}', '{', 'x{y', '{df}:docs-fix:wait']) {
      expect(await raw.cluster('KEYSLOT', k)).toBe(clusterSlot(k));
    }
  });

  it('keeps every key of the job queue and of shadow reports in the queue hash tag slot', () => {
    const slot = clusterSlot(`${queuePrefix('df')}:docs-fix:wait`);
    for (const k of [shadowRunKey('df', 'r1'), shadowRunsKey('df'), shadowReportsKey('df', 'r1')]) {
      expect(clusterSlot(k)).toBe(slot);
    }
    // Locks are single keys: they may live anywhere.
    expect(repoLockKey('df', { owner: 'o', repo: 'r' })).toMatch(/^df:/);
    expect(keyPatterns('df')).toEqual(['df:*', '{df}:*']);
  });
});

describe('RedisStore on a cluster', () => {
  it('looks up a batch with one MGET per scope, and writes a batch of scopes that live on different masters', async () => {
    const scopes = await scopesOnEveryMaster();
    const store = await new RedisStore({
      redis: { clusterNodes: cluster.clusterNodes },
      prefix: newPrefix(),
    }).connect();
    try {
      await store.write(
        scopes.flatMap((scope) => [
          { op: 'rewrite' as const, key: key(scope, 'teh'), toKey: key(scope, 'the'), text: 'the' },
          { op: 'fixpoint' as const, key: key(scope, 'fine') },
        ]),
      );
      const keys = scopes.flatMap((scope) => [
        key(scope, 'teh'),
        key(scope, 'the'),
        key(scope, 'fine'),
        key(scope, 'new'),
      ]);
      const before = await calls('mget');
      const values = await store.get(keys);
      expect(await calls('mget')).toBe(before + scopes.length);
      expect(values).toEqual(
        scopes.flatMap(() => [
          { type: 'rewrite', text: 'the' },
          { type: 'fixpoint' },
          { type: 'fixpoint' },
          undefined,
        ]),
      );
      const one = await calls('mget');
      await store.get(keys.filter((k) => k.startsWith(scopeTag(scopes[0]!))));
      expect(await calls('mget')).toBe(one + 1);
    } finally {
      await store.close();
    }
  });

  it('counts and purges over every master, not one node', async () => {
    const scopes = await scopesOnEveryMaster();
    const prefix = newPrefix();
    const store = await new RedisStore({ redis: { clusterNodes: cluster.clusterNodes }, prefix }).connect();
    try {
      for (const [i, scope] of scopes.entries()) {
        await store.write(
          Array.from({ length: 10 + i }, (_, j) => ({
            op: 'fixpoint' as const,
            key: key(scope, `line ${j}`),
          })),
        );
      }
      await store.write([{ op: 'held', key: key(scopes[0]!, 'odd'), reason: 'lost-link' }]);
      const stats = await store.stats();
      expect(stats).toMatchObject({ entries: 10 + 11 + 12 + 1, fixpoints: 33, held: 1, rewrites: 0 });
      expect(stats.bytesPerEntry).toBeGreaterThan(0);
      expect(await store.stats(scopes[2]!)).toMatchObject({ entries: 12 });
      expect(await store.purgeScope(scopes[1]!)).toBe(11);
      expect(await store.stats()).toMatchObject({ entries: 10 + 12 + 1 });
    } finally {
      await store.close();
    }
  });

  it('acknowledges a write only once a replica holds it: a stalled replica fails the write closed', async () => {
    const scope = `installation:${randomBytes(3).toString('hex')}`;
    const prefix = newPrefix();
    const master = await cluster.masterOf(clusterSlot(scopeTag(scope)));
    const replica = await cluster.replicaOf(master);
    const store = await new RedisStore({
      redis: { clusterNodes: cluster.clusterNodes },
      prefix,
      commandTimeoutMs: 1500,
    }).connect();
    const unacked = await new RedisStore({
      redis: { clusterNodes: cluster.clusterNodes },
      prefix,
      replicaAcks: 'off',
    }).connect();
    try {
      const before = await calls('wait');
      await store.write([{ op: 'fixpoint', key: key(scope, 'a') }]);
      expect(await calls('wait')).toBe(before + 1);
      cluster.pause(replica);
      try {
        const failed = await store.write([{ op: 'fixpoint', key: key(scope, 'b') }]).catch((e: unknown) => e);
        expect(failed).toBeInstanceOf(CacheUnavailableError);
        expect((failed as Error).message).toMatch(/no replica acknowledged it/);
        // Without acknowledgements the same write succeeds at once (the operator's `off`).
        await unacked.write([{ op: 'fixpoint', key: key(scope, 'c') }]);
      } finally {
        cluster.resume(replica);
      }
      await store.write([{ op: 'fixpoint', key: key(scope, 'd') }]);
      expect(await store.get([key(scope, 'a'), key(scope, 'd')])).toEqual([
        { type: 'fixpoint' },
        { type: 'fixpoint' },
      ]);
    } finally {
      await store.close();
      await unacked.close();
    }
  });
});

describe('the CLI on a cluster', () => {
  it('fixes with --store redis --redis-cluster-nodes, then counts and purges the scope over every master', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-fix-cluster-cli-'));
    const prefix = newPrefix();
    const env = { DOCS_FIX_REDIS_PREFIX: prefix };
    try {
      writeFileSync(join(dir, 'a.md'), '# Title\n\nThis is teh guide.\n\nIt is fine.\n');
      const store = ['--store', 'redis', '--redis-cluster-nodes', cluster.seeds];
      const first = await runCli(['fix', '.', '--write', '--json', ...store], { env, cwd: dir });
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ changedLines: 1 });
      const check = await runCli(['check', '.', '--json', ...store], { env, cwd: dir });
      expect(check.code, check.stderr).toBe(0);
      expect(JSON.parse(check.stdout)).toMatchObject({ modelLines: 0, changedLines: 0 });

      const common = ['--store', 'redis', '--prefix', prefix, '--json'];
      // Through the environment, as an operator sets it.
      const stats = await runCli(['cache', 'stats', ...common], {
        env: { REDIS_CLUSTER_NODES: cluster.seeds },
      });
      expect(stats.code, stats.stderr).toBe(0);
      const counted = JSON.parse(stats.stdout) as { entries: number; fixpoints: number };
      expect(counted.entries).toBeGreaterThanOrEqual(3);
      const purge = await runCli([
        'cache',
        'purge',
        '--scope',
        'local',
        '--redis-cluster-nodes',
        cluster.seeds,
        ...common,
      ]);
      expect(purge.code, purge.stderr).toBe(0);
      expect(JSON.parse(purge.stdout)).toMatchObject({ removed: counted.entries });
      expect(purge.stdout).toContain('cluster 127.0.0.1:');

      const bad = await runCli(['cache', 'stats', ...common, '--redis-cluster-nodes', 'localhost']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--redis-cluster-nodes: "localhost" is not host:port/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
