// `docs-fix worker`: runs job workers alone (scale them out: any number of processes on any machines).
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { readOperatorEnv, redisTargetFromEnv } from '../config/index.js';
import { createJobQueue, installShutdown } from '../jobs/index.js';
import { createLogger, secretValues } from '../log.js';
import { warnIfEndOfLife } from '../runtime.js';
import { startWorkers } from '../worker.js';
import { UsageError } from './options.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'run job workers against the queue in $REDIS_URL or $REDIS_CLUSTER_NODES (needs APP_ID and PRIVATE_KEY)',
    )
    .option('--concurrency <n>', 'jobs at once (default: $WORKER_CONCURRENCY, at least 1)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError(`--concurrency: expected a whole number of at least 1, got "${v}"`);
      return n;
    })
    .action(async (opts: { concurrency?: number }) => {
      const env = process.env;
      const operator = readOperatorEnv(env);
      const log = createLogger({ secrets: secretValues(env), bindings: { process: 'worker' } });
      warnIfEndOfLife(log);
      const queue = createJobQueue({
        connection: redisTargetFromEnv(operator, (path) => readFileSync(path, 'utf8')),
        prefix: operator.DOCS_FIX_REDIS_PREFIX,
        log,
      });
      const workers = await startWorkers({ env, operator, log, queue, concurrency: opts.concurrency });
      installShutdown([workers, queue], log);
      await new Promise<void>(() => {
        // Runs until a signal closes the workers and exits the process.
      });
    });
}
