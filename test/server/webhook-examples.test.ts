// Every example payload in @octokit/webhooks-examples (github.com and each GitHub Enterprise Server version)
// for every event the app subscribes to (app.yml), delivered signed to the real server with its workers: each
// is answered 2xx, none breaks a handler or a worker, and the jobs for repositories the fake GitHub does not
// hold end as failed jobs with a reason that says so.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { HANDLED_PAYLOAD_FIELDS } from '../../src/github/webhook-payload.js';
import { createLogger } from '../../src/log.js';
import { startStack, waitFor, type Stack } from './stack.js';

const require = createRequire(import.meta.url);
const DIRS = ['api.github.com', 'ghes-31', 'ghes-32', 'ghes-33', 'ghes-34', 'ghes-35'];
const manifest = parse(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as {
  default_events: string[];
};
const EVENTS = manifest.default_events;

interface Example {
  readonly label: string;
  readonly event: string;
  readonly payload: Record<string, unknown>;
}

const examples: Example[] = DIRS.flatMap((dir) =>
  (
    require(`@octokit/webhooks-examples/${dir}/index.json`) as {
      name: string;
      examples: Record<string, unknown>[];
    }[]
  )
    .filter((d) => EVENTS.includes(d.name))
    .flatMap((d) =>
      d.examples.map((payload, i) => ({
        label: `${dir} ${d.name}${typeof payload['action'] === 'string' ? `.${payload['action']}` : ''} #${i}`,
        event: d.name,
        payload,
      })),
    ),
);

let stack: Stack;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  stack = await startStack({
    logFor: () => createLogger({ level: 'info', destination }),
    // Jobs that cannot succeed still retry when their failure may pass: keep the retries short.
    queueBackoffMs: 50,
  });
  stack.fake.createRepo('octo/docs', { files: { 'README.md': '# Docs\n' }, installed: true });
});

afterAll(async () => {
  await stack?.close();
});

describe('@octokit/webhooks-examples against the server', () => {
  it('covers every subscribed event, and the app handles no event it does not subscribe to', () => {
    const handled = new Set(Object.keys(HANDLED_PAYLOAD_FIELDS).map((k) => k.split('.')[0]));
    expect([...handled].sort()).toEqual([...EVENTS].sort());
    for (const event of EVENTS)
      expect(
        examples.some((e) => e.event === event),
        event,
      ).toBe(true);
    expect(examples.length).toBeGreaterThan(100);
  });

  /** Delivers each example (changed by `readdress`, when given): every answer is 2xx and no handler failed. */
  async function deliverAll(
    readdress?: (e: Example) => Record<string, unknown> | undefined,
  ): Promise<number> {
    const answers: string[] = [];
    let sent = 0;
    for (const example of examples) {
      const payload = readdress ? readdress(example) : example.payload;
      if (!payload) continue;
      const res = await stack.deliver(example.event, payload);
      sent++;
      answers.push(`${example.label}: ${res.status} ${res.body.trim()}`);
    }
    expect(answers.filter((a) => !/: 20\d /.test(a))).toEqual([]);
    expect(lines.filter((l) => l['msg'] === 'webhook handler failed')).toEqual([]);
    return sent;
  }

  /** The jobs the examples caused (not the schedulers' jobs), once none is waiting, running or retrying. */
  async function settledJobs(): Promise<{ id: string; state: string; reason: string; attempts: number }[]> {
    const queue = stack.server.queue.queue;
    const ours = async () =>
      (await queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'])).filter(
        (j) => !j.repeatJobKey && !String(j.id).startsWith('repeat:'),
      );
    await waitFor('the examples jobs to settle', async () => {
      const states = await Promise.all((await ours()).map((j) => j.getState()));
      return states.every((s) => s === 'completed' || s === 'failed');
    });
    return Promise.all(
      (await ours()).map(async (j) => ({
        id: String(j.id),
        state: await j.getState(),
        reason: j.failedReason,
        attempts: j.attemptsMade,
      })),
    );
  }

  it('answers every example 2xx; a job for an installation GitHub does not know fails at once, saying so', async () => {
    expect(await deliverAll()).toBe(examples.length);
    const jobs = await settledJobs();
    // The github.com examples' push to master touches markdown: its job is the one the examples cause.
    expect(jobs.map((j) => j.id)).toEqual([expect.stringMatching(/^push-/)]);
    expect(jobs[0]).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/^installation 1 is not an installation of this app/),
      // Permanent: retrying cannot make the installation appear.
      attempts: 1,
    });
  });

  it('re-addressed to an installation the fake holds, the job fails at once: the repository is not accessible', async () => {
    const installationId = stack.fake.installationId('octo/docs');
    const sent = await deliverAll((e) => {
      const installation = e.payload['installation'] as Record<string, unknown> | undefined;
      return installation
        ? { ...e.payload, installation: { ...installation, id: installationId } }
        : undefined;
    });
    expect(sent).toBeGreaterThan(50);
    const jobs = await settledJobs();
    // The push is the same content: its failed job is run again for the new installation.
    expect(jobs).toEqual([
      {
        id: expect.stringMatching(/^push-/),
        state: 'failed',
        reason: expect.stringMatching(
          /^repository Codertocat\/Hello-World is not accessible to installation \d+/,
        ),
        attempts: 1,
      },
    ]);
  });

  it('leaves the server and its workers serving', async () => {
    const push = stack.fake.pushCommit('octo/docs', { files: { 'docs/a.md': '# A\n\nTeh a.\n' } });
    expect((await stack.deliver('push', stack.fake.pushEvent(push))).status).toBe(200);
    await waitFor('the pull request', () => stack.fake.pulls('octo/docs').length === 1);
  });
});
