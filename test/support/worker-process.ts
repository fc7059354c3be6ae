// Starts a `docs-fix worker` process (tests and the webhooks benchmark) and tells when it is ready.
import { spawn, type ChildProcess } from 'node:child_process';

/** Starts a `docs-fix worker` process; `ready` resolves when it logs that its workers started. */
export function startWorker(
  command: string[],
  env: NodeJS.ProcessEnv,
): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      if (out.includes('docs-fix workers started')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${err}`)));
  });
  return { proc, ready };
}
