// The operator's Redis settings: REDIS_CLUSTER_NODES, credentials and TLS, checked at start-up and passed
// through to a real TLS redis-server with a password.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CacheUnavailableError,
  lineKey,
  openRedisClient,
  openStore,
  probeRedis,
} from '../../src/cache/index.js';
import {
  ConfigError,
  describeRedisTarget,
  parseClusterNodes,
  readOperatorEnv,
  redisTargetFromEnv,
} from '../../src/config/index.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { startRedisCluster } from '../support/redis-cluster.js';

const readText = (path: string): string => readFileSync(path, 'utf8');

describe('REDIS_CLUSTER_NODES', () => {
  it('parses host:port seeds, IPv6 in brackets, and names an entry that is not one', () => {
    expect(parseClusterNodes('10.0.0.1:7000, redis-0.internal:6379,[::1]:7001')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-0.internal', port: 6379 },
      { host: '::1', port: 7001 },
    ]);
    expect(() => readOperatorEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2' })).toThrow(
      /environment: `REDIS_CLUSTER_NODES`: "10.0.0.2" is not host:port/,
    );
    expect(() => readOperatorEnv({ REDIS_CLUSTER_NODES: 'a:70000' })).toThrow(ConfigError);
    expect(() => readOperatorEnv({ REDIS_TLS: 'maybe' })).toThrow(/`REDIS_TLS`/);
  });

  it('replaces REDIS_URL when set; the command line wins over both; credentials and TLS go with either', () => {
    const env = readOperatorEnv({
      REDIS_URL: 'redis://:urlpass@cache:6379',
      REDIS_CLUSTER_NODES: 'c1:7000,c2:7000',
      REDIS_PASSWORD: 's3cret-pass',
      REDIS_USERNAME: 'docs-fix',
      REDIS_TLS: 'true',
    });
    const cluster = redisTargetFromEnv(env, readText);
    expect(cluster).toEqual({
      clusterNodes: [
        { host: 'c1', port: 7000 },
        { host: 'c2', port: 7000 },
      ],
      username: 'docs-fix',
      password: 's3cret-pass',
      tls: {},
    });
    expect(describeRedisTarget(cluster)).toBe('redis cluster c1:7000,c2:7000 (tls)');
    expect(redisTargetFromEnv(env, readText, { url: 'redis://other:6379' })).toMatchObject({
      url: 'redis://other:6379',
    });
    const single = redisTargetFromEnv(
      readOperatorEnv({ REDIS_URL: 'redis://:urlpass@cache:6379' }),
      readText,
    );
    expect(single).toEqual({ url: 'redis://:urlpass@cache:6379' });
    expect(describeRedisTarget(single)).toBe('redis redis://:***@cache:6379');
    expect(() =>
      redisTargetFromEnv(readOperatorEnv({ REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' }), readText),
    ).toThrow(/`REDIS_TLS_CA_FILE`: \/nonexistent\/ca.pem cannot be read \(ENOENT\)/);
  });
});

describe('TLS and a password, passed through to a real redis-server', () => {
  let dir: string;
  let server: RedisServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'docs-fix-tls-'));
    const openssl = (args: string[]): void => {
      const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (r.error || r.status !== 0) {
        throw new Error(
          `openssl ${args[0]} failed (Debian: apt-get install openssl): ${r.error?.message ?? r.stderr}`,
        );
      }
    };
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=docs-fix test CA',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
    ]);
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
    ]);
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      'san.cnf',
      '-out',
      'server.pem',
    ]);
    // TLS only: the plain port is closed, clients need no certificate, and every client needs the password.
    server = await startRedisServer(
      [
        '--tls-cert-file',
        join(dir, 'server.pem'),
        '--tls-key-file',
        join(dir, 'server.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.pem'),
        '--tls-auth-clients',
        'no',
        '--requirepass',
        'tls-test-password',
      ],
      { tls: true },
    );
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const key = lineKey({ scope: 's', modelId: 'm', promptVersion: 'p', kind: 'paragraph', text: 'x' });

  it('works with REDIS_TLS_CA_FILE and REDIS_PASSWORD, and fails closed without the CA or the password', async () => {
    const url = `redis://localhost:${server.port}`;
    const env = (extra: Record<string, string>) => readOperatorEnv({ REDIS_URL: url, ...extra });
    const good = redisTargetFromEnv(
      env({ REDIS_TLS_CA_FILE: join(dir, 'ca.pem'), REDIS_PASSWORD: 'tls-test-password' }),
      readText,
    );
    const store = await openStore({
      kind: 'redis',
      redisTarget: good,
      prefix: 'dft-tls',
      commandTimeoutMs: 2000,
    });
    try {
      await store.write([{ op: 'fixpoint', key }]);
      expect(await store.get([key])).toEqual([{ type: 'fixpoint' }]);
    } finally {
      await store.close();
    }
    for (const extra of <Record<string, string>[]>[
      { REDIS_TLS: 'true', REDIS_PASSWORD: 'tls-test-password' },
      { REDIS_TLS_CA_FILE: join(dir, 'ca.pem'), REDIS_PASSWORD: 'wrong-password' },
    ]) {
      const target = redisTargetFromEnv(env(extra), readText);
      await expect(
        openStore({ kind: 'redis', redisTarget: target, prefix: 'dft-tls', commandTimeoutMs: 1000 }),
      ).rejects.toBeInstanceOf(CacheUnavailableError);
    }
  });

  it('reaches a TLS-only Redis Cluster with a password through REDIS_CLUSTER_NODES, as a managed cluster is reached', async () => {
    const cluster = await startRedisCluster({
      tls: {
        certFile: join(dir, 'server.pem'),
        keyFile: join(dir, 'server.key'),
        caFile: join(dir, 'ca.pem'),
      },
      password: 'tls-test-password',
    });
    try {
      const env = (extra: Record<string, string>) =>
        readOperatorEnv({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: cluster.seeds, ...extra });
      const target = redisTargetFromEnv(
        env({ REDIS_TLS_CA_FILE: join(dir, 'ca.pem'), REDIS_PASSWORD: 'tls-test-password' }),
        readText,
      );
      const store = await openStore({
        kind: 'redis',
        redisTarget: target,
        prefix: 'dft-tls',
        commandTimeoutMs: 2000,
      });
      try {
        // Scopes spread over the masters: every node is reached over TLS with the password.
        const keys = Array.from({ length: 12 }, (_, i) =>
          lineKey({
            scope: `installation:${i}`,
            modelId: 'm',
            promptVersion: 'p',
            kind: 'paragraph',
            text: 'x',
          }),
        );
        await store.write(keys.map((k) => ({ op: 'fixpoint' as const, key: k })));
        expect(await store.get(keys)).toEqual(keys.map(() => ({ type: 'fixpoint' })));
        expect(await store.stats()).toMatchObject({ entries: 12 });
        const health = openRedisClient(target, { lazyConnect: true });
        await health.connect();
        expect(await probeRedis(health, 2000)).toMatchObject({ ok: true });
        health.disconnect();
      } finally {
        await store.close();
      }
      const wrong = redisTargetFromEnv(
        env({ REDIS_TLS_CA_FILE: join(dir, 'ca.pem'), REDIS_PASSWORD: 'wrong-password' }),
        readText,
      );
      await expect(
        openStore({ kind: 'redis', redisTarget: wrong, prefix: 'dft-tls', commandTimeoutMs: 1000 }),
      ).rejects.toBeInstanceOf(CacheUnavailableError);
    } finally {
      await cluster.stop();
    }
  });
});
