// Stops a process cleanly on SIGTERM/SIGINT: close what is open (workers finish or hand back their jobs), then exit.
import type { Logger } from 'pino';

export interface Closeable {
  close(): Promise<void>;
}

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  /** Exit the process once everything is closed (default true); a second signal exits at once. */
  exit?: boolean;
}

/** Closes `closeables` in order on the first signal; answers a function that removes the handlers. */
export function installShutdown(
  closeables: readonly Closeable[],
  log: Logger,
  options: ShutdownOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? true;
  let started = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    started = true;
    log.info({ signal }, 'shutting down: closing workers and connections');
    void (async () => {
      let failed = false;
      for (const closeable of closeables) {
        try {
          await closeable.close();
        } catch (err) {
          failed = true;
          log.error({ err }, 'shutdown: close failed');
        }
      }
      log.info('shutdown complete');
      if (exit) process.exit(failed ? 1 : 0);
    })();
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
