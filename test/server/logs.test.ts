// The process's real log output (trace level, everything Probot, the queue and the worker write) during a
// push end to end carries no secret: not the private key, the webhook secret, the model API key, nor the
// installation tokens the worker obtained at run time; and job lines carry repository, SHA and job id.
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { createLogger, secretValues } from '../../src/log.js';
import { fastProbot, startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

it('writes no secret while a push runs end to end, and binds repository, SHA and job to job lines', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  let logEnv: Record<string, string> = {};
  stack = await startStack({
    logFor: (env) => {
      logEnv = env;
      return createLogger({ level: 'trace', secrets: secretValues(env), destination });
    },
    probotFor: (fake, log) => fastProbot(fake, log),
  });
  const { fake } = stack;
  fake.createRepo('octo/docs', { files: { 'README.md': '# Docs\n' }, installed: true });
  const push = fake.pushCommit('octo/docs', { files: { 'docs/a.md': '# A\n\nTeh a.\n' } });
  await stack.deliver('push', fake.pushEvent(push));
  await waitFor('the pull request', () => fake.pulls('octo/docs').length === 1);
  await new Promise((r) => setTimeout(r, 200));

  const text = lines.join('');
  expect(text.length).toBeGreaterThan(1000);
  const tokens = [...fake.state.tokens.keys()].filter((t) => t.startsWith('ghs_'));
  expect(tokens.length).toBeGreaterThan(0);
  const secrets = [
    logEnv.WEBHOOK_SECRET!,
    logEnv.OPENAI_API_KEY!,
    ...logEnv.PRIVATE_KEY!.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
    ...tokens,
  ];
  for (const secret of secrets)
    expect(text.includes(secret), `a secret leaked: ${secret.slice(0, 12)}…`).toBe(false);
  const jobLines = lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'job completed');
  expect(jobLines).toHaveLength(1);
  expect(jobLines[0]).toMatchObject({ repo: 'octo/docs', kind: 'push' });
  expect(String(jobLines[0]!.job)).toMatch(/^push-/);
  const runLine = lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((l) => l.msg === 'push queued');
  expect(runLine?.sha).toBe(push.after);
});
