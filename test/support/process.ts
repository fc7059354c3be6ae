// Runs a command as a child process and collects its exit code and output (the CLI tests, the package test).
import { spawn } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A warning Node itself prints on stderr: `(node:1234) [DEP0040] DeprecationWarning: …`, `ExperimentalWarning`. */
export const NODE_WARNING = /\(node:\d+\) \[?\w*(?:Warning|DEP\d+)/;

export function runProcess(
  command: string,
  args: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // With a time limit the child leads its own process group, so the whole group (npm and what it started)
    // is killed when the limit passes, and the result says so after what the child printed.
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.timeoutMs !== undefined,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              child.kill('SIGKILL');
            }
          }, opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) stderr += `\n${command} ${args.join(' ')}: killed after ${opts.timeoutMs} ms\n`;
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
