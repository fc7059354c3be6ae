// Starts a `docs-fix worker` process (tests and the webhooks benchmark) and tells when it is ready.
import { spawn, type ChildProcess } from 'node:child_process';

/** Starts a `docs-fix worker` process; `ready` resolves, with what it logged so far, once its workers started. */
export function startWorker(
  command: string[],
  env: NodeJS.ProcessEnv,
): { proc: ChildProcess; ready: Promise<string> } {
  const proc = spawn(process.execPath, command, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const ready = new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      if (out.includes('docs-fix workers started')) resolve(out);
    });
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${err}`)));
  });
  return { proc, ready };
}
