// `docs-fix cache stats|purge`: operator commands over the line cache (scans; never part of a run).
import { Option, type Command } from 'commander';
import { defaultCacheDir, openStore, type MaintainedLineStore, type StoreStats } from '../cache/index.js';
import { describeRedisTarget, readOperatorEnv, type RedisNodeAddress } from '../config/index.js';
import { clusterNodes, redisTargetFor } from './options.js';

interface StoreOptions {
  store: 'embedded' | 'redis';
  redisUrl?: string;
  redisClusterNodes?: RedisNodeAddress[];
  prefix?: string;
  cacheDir?: string;
  json?: boolean;
}

function addStoreOptions(command: Command): Command {
  return command
    .addOption(new Option('--store <kind>', 'which cache').choices(['embedded', 'redis']).default('embedded'))
    .option('--redis-url <url>', 'Redis for --store redis (default: $REDIS_URL)')
    .option(
      '--redis-cluster-nodes <list>',
      'Redis Cluster for --store redis: host:port seeds, comma-separated (default: $REDIS_CLUSTER_NODES); every master is scanned',
      clusterNodes('--redis-cluster-nodes'),
    )
    .option('--prefix <prefix>', 'Redis key prefix (default: $DOCS_FIX_REDIS_PREFIX or df)')
    .option(
      '--cache-dir <dir>',
      'embedded cache directory (default: $XDG_CACHE_HOME/docs-fix or .docs-fix/cache)',
    )
    .option('--json', 'print JSON');
}

async function open(opts: StoreOptions): Promise<{ store: MaintainedLineStore; where: string }> {
  const env = readOperatorEnv();
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const redisTarget = opts.store === 'redis' ? redisTargetFor(opts, env) : undefined;
  const store = await openStore({
    kind: opts.store,
    ...(redisTarget ? { redisTarget } : {}),
    prefix: opts.prefix ?? env.DOCS_FIX_REDIS_PREFIX,
    cacheDir,
  });
  return { store, where: redisTarget ? describeRedisTarget(redisTarget).replace(/^redis /, '') : cacheDir };
}

function formatStats(stats: StoreStats, where: string, kind: string): string {
  const rows = [
    `${kind} cache at ${where}`,
    `entries    ${stats.entries}`,
    `fixpoints  ${stats.fixpoints}`,
    `rewrites   ${stats.rewrites}`,
    `held       ${stats.held}`,
    `rejected   ${stats.rejected} (by maintainers)`,
  ];
  if (stats.bytesPerEntry !== undefined) {
    const how = kind === 'redis' ? 'MEMORY USAGE, sampled' : 'lmdb pages / entries';
    rows.push(`bytes/entry ${stats.bytesPerEntry} (${how})`);
  }
  return `${rows.join('\n')}\n`;
}

export function registerCache(program: Command): void {
  const cache = program.command('cache').description('Inspect and maintain the line cache (operators).');

  addStoreOptions(cache.command('stats'))
    .description(
      "Count cached lines by type (fixpoints, rewrites, held, maintainers' rejections) and memory per entry",
    )
    .option('--scope <scope>', 'only this scope (e.g. installation:123 or local)')
    .action(async (opts: StoreOptions & { scope?: string }) => {
      const { store, where } = await open(opts);
      try {
        const stats = await store.stats(opts.scope);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ store: opts.store, where, scope: opts.scope ?? null, ...stats })}\n`
            : formatStats(stats, where, opts.store),
        );
      } finally {
        await store.close();
      }
    });

  addStoreOptions(cache.command('purge'))
    .description('Remove every cached line of a scope (uninstalls); batched SCAN + UNLINK on Redis')
    .requiredOption('--scope <scope>', 'the scope to remove (e.g. installation:123 or local)')
    .action(async (opts: StoreOptions & { scope: string }) => {
      const { store, where } = await open(opts);
      try {
        const removed = await store.purgeScope(opts.scope);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ store: opts.store, where, scope: opts.scope, removed })}\n`
            : `removed ${removed} entries of scope ${opts.scope} from ${opts.store} cache at ${where}\n`,
        );
      } finally {
        await store.close();
      }
    });
}
