// `docs-fix sim-server`: the offline simulator (NOT a language model) as an OpenAI-compatible HTTP endpoint.
import { InvalidArgumentError, type Command } from 'commander';
import { startSimServer } from '../model/sim-server.js';
import { DEFAULT_SIM_SETTINGS } from '../model/simulator.js';

function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${name}: expected a whole number from ${min} to ${max}, got "${value}"`,
      );
    }
    return n;
  };
}

function rate(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
      throw new InvalidArgumentError(`${name}: expected a number from 0 to 1, got "${value}"`);
    }
    return n;
  };
}

interface SimServerCliOptions {
  port: number;
  host: string;
  seed: number;
  flipRate: number;
  faultRate: number;
}

export function registerSimServer(program: Command): void {
  program
    .command('sim-server')
    .description(
      'serve the offline simulator (a scripted copy editor, not a language model) as an OpenAI-compatible endpoint',
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', wholeNumber('--port', 0, 65535), 8787)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--seed <n>',
      'seed of the flip and fault decisions',
      wholeNumber('--seed', 0, 2 ** 31 - 1),
      DEFAULT_SIM_SETTINGS.seed,
    )
    .option(
      '--flip-rate <p>',
      'probability per line of swapping an equivalent phrasing',
      rate('--flip-rate'),
      DEFAULT_SIM_SETTINGS.flipRate,
    )
    .option(
      '--fault-rate <p>',
      'probability per line of a hostile answer (for tests)',
      rate('--fault-rate'),
      DEFAULT_SIM_SETTINGS.faultRate,
    )
    .action(async (opts: SimServerCliOptions) => {
      const server = await startSimServer({
        port: opts.port,
        host: opts.host,
        sim: { seed: opts.seed, flipRate: opts.flipRate, faultRate: opts.faultRate },
      });
      process.stdout.write(
        `docs-fix sim-server: the offline simulator (a scripted copy editor, NOT a language model)\n` +
          `listening at ${server.baseURL} (seed ${opts.seed}, flip rate ${opts.flipRate}, fault rate ${opts.faultRate})\n` +
          `try: OPENAI_BASE_URL=${server.baseURL} docs-fix fix --provider openai --model docs-fix-sim\n` +
          `Ctrl-C stops it.\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
