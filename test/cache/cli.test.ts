// `docs-fix cache stats|purge` over a real embedded store and the shared Redis.
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedStore, RedisStore, lineKey } from '../../src/cache/index.js';
import { registerCache } from '../../src/cli/cache.js';
import { randomPrefix } from '../support/redis.js';

const key = (scope: string, text: string): string =>
  lineKey({ scope, modelId: 'm', promptVersion: 'p', kind: 'paragraph', text });

async function run(args: string[]): Promise<string> {
  const program = new Command('docs-fix').exitOverride();
  registerCache(program);
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'docs-fix', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out.join('');
}

describe('docs-fix cache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('counts and purges an embedded cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'docs-fix-cli-'));
    dirs.push(dir);
    const store = new EmbeddedStore({ path: dir });
    await store.write([
      { op: 'rewrite', key: key('local', 'a'), toKey: key('local', 'b'), text: 'b' },
      { op: 'held', key: key('local', 'h'), reason: 'r' },
      { op: 'fixpoint', key: key('other', 'f') },
    ]);
    await store.close();

    const stats = JSON.parse(await run(['cache', 'stats', '--cache-dir', dir, '--json'])) as Record<
      string,
      unknown
    >;
    expect(stats).toMatchObject({ store: 'embedded', entries: 4, fixpoints: 2, rewrites: 1, held: 1 });
    expect(await run(['cache', 'stats', '--cache-dir', dir, '--scope', 'other'])).toMatch(/entries\s+1\n/);
    expect(await run(['cache', 'purge', '--cache-dir', dir, '--scope', 'local'])).toMatch(
      /^removed 3 entries/,
    );
    expect(JSON.parse(await run(['cache', 'stats', '--cache-dir', dir, '--json']))).toMatchObject({
      entries: 1,
    });
  });

  it('counts and purges a scope on Redis', async () => {
    const space = randomPrefix();
    const store = await new RedisStore({ redis: space.url, prefix: space.prefix }).connect();
    try {
      await store.write([
        { op: 'rewrite', key: key('installation:7', 'a'), toKey: key('installation:7', 'b'), text: 'b' },
      ]);
      const common = ['--store', 'redis', '--redis-url', space.url, '--prefix', space.prefix, '--json'];
      const stats = JSON.parse(await run(['cache', 'stats', ...common])) as { bytesPerEntry: number };
      expect(stats).toMatchObject({ entries: 2, fixpoints: 1, rewrites: 1 });
      expect(stats.bytesPerEntry).toBeGreaterThan(0);
      const purge = JSON.parse(await run(['cache', 'purge', '--scope', 'installation:7', ...common]));
      expect(purge).toMatchObject({ removed: 2 });
    } finally {
      await store.close();
      await space.cleanup();
    }
  });
});
