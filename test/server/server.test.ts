// The web server end to end: signed webhooks over HTTP → BullMQ on a real Redis → the in-process worker →
// the fake GitHub over HTTP (Probot authenticates against it) with the simulator as the model endpoint.
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { metricValue, startStack, waitFor, type Stack } from './stack.js';

/** A JSON logger whose lines a test reads. */
function capturedLog(): { lines: Record<string, unknown>[]; logFor: () => ReturnType<typeof createLogger> } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logFor: () => createLogger({ level: 'debug', destination }) };
}

let stack: Stack | undefined;
let ownRedis: RedisServer | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
  await ownRedis?.stop();
  ownRedis = undefined;
});

const DOCS = {
  'README.md': '# Demo\n\nThis is teh readme.\n',
  'docs/guide.md': '# Guide\n\nRecieve the the message in order to continue.\n\nA clean line.\n',
};

describe('webhooks', () => {
  it('refuses a wrong signature with 401 and enqueues nothing', async () => {
    stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0' } });
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    const push = fake.pushCommit('octo/docs', { files: { 'README.md': '# Demo\n\nTeh end.\n' } });
    const before = await stack.server.queue.counts();
    const res = await stack.deliver('push', fake.pushEvent(push), { secret: 'not-the-secret' });
    expect(res.status).toBe(401);
    // An unsigned delivery too.
    const unsigned = await fetch(`${stack.server.url}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'x' },
      body: JSON.stringify(fake.pushEvent(push)),
    });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeLessThan(500);
    expect(await stack.server.queue.counts()).toEqual(before);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(0);
  });

  it('drops a malformed payload with a 4xx and stays up', async () => {
    stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0' } });
    const res = await stack.deliver('push', undefined, { rawBody: '{"ref": "refs/heads/main", ' });
    expect(res.status).toBe(400);
    // A payload that parses but is not a push event: refused before a handler reads it, naming the fields.
    const odd = await stack.deliver('push', { hello: 'world' });
    expect(odd).toEqual({
      status: 400,
      body: expect.stringContaining("push payload: (root) misses required field 'ref'"),
    });
    expect((await stack.get('/healthz')).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(0);
  });

  it('refuses with 400 a payload whose fields the handlers read do not match the schema, saying which in the log', async () => {
    const log = capturedLog();
    stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0' }, logFor: log.logFor });
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    const payload = fake.pushEvent(
      fake.pushCommit('octo/docs', { files: { 'README.md': '# Demo\n\nTeh end.\n' } }),
    );
    // Before the check, the handler met it with a TypeError (`commits.length` of null): answered 500.
    const res = await stack.deliver('push', { ...payload, commits: null });
    expect(res).toEqual({ status: 400, body: 'push payload: /commits must be array\n' });
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        msg: 'webhook payload does not match its schema: refused',
        reason: 'push payload: /commits must be array',
      }),
    );
    // Before, a string here was read as a list of one-letter paths.
    const commits = [{ ...(payload['commits'] as object[])[0], added: 'README.md' }];
    expect(await stack.deliver('push', { ...payload, commits })).toEqual({
      status: 400,
      body: 'push payload: /commits/0/added must be array\n',
    });
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(0);
    // The same push as GitHub sends it is taken.
    expect((await stack.deliver('push', payload)).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(1);
  });

  it('answers an unknown path with 404', async () => {
    stack = await startStack({ extraEnv: { WORKER_CONCURRENCY: '0' } });
    expect((await stack.get('/nope')).status).toBe(404);
  });
});

describe('the app identity', () => {
  const pushFrom = (fake: Stack['fake'], author: string, text: string) =>
    fake.pushEvent(fake.pushCommit('octo/docs', { files: { 'README.md': `# Demo\n\n${text}\n` }, author }));

  it('never fails a delivery while GitHub does not answer GET /app, and learns the slug in the background', async () => {
    const log = capturedLog();
    stack = await startStack({
      extraEnv: { WORKER_CONCURRENCY: '0' },
      logFor: log.logFor,
      beforeStart: (fake) => fake.injectFault({ route: 'GET /app', status: 503, times: 1_000_000 }),
      identityRetry: { initialMs: 20, maxMs: 40 },
    });
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    // Before, the handler asked GET /app at the first delivery and answered 500 when it failed.
    expect((await stack.deliver('push', pushFrom(fake, 'alice', 'Teh one.'))).status).toBe(200);
    expect(stack.server.identity.login).toBeUndefined();
    // The bot's own push, while its login is unknown: taken as anyone's (its run finds its own output at a
    // fixpoint) rather than failed.
    const own = { ...pushFrom(fake, 'octo', 'Teh two.'), sender: fake.userShape(fake.botLogin) };
    expect((await stack.deliver('push', own)).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(2);
    await waitFor('a retried lookup', () => fake.count({ route: 'GET /app' }) >= 2);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        msg: expect.stringContaining('could not learn the app identity from GitHub'),
      }),
    );

    fake.clearFaults();
    await waitFor('the identity', () => stack!.server.identity.login === fake.botLogin);
    const ownLater = { ...pushFrom(fake, 'octo', 'Teh three.'), sender: fake.userShape(fake.botLogin) };
    expect((await stack.deliver('push', ownLater)).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(2);
  });

  it('knows the bot from APP_SLUG before GitHub answers', async () => {
    stack = await startStack({
      extraEnv: { WORKER_CONCURRENCY: '0', APP_SLUG: 'docs-fix' },
      beforeStart: (fake) => fake.injectFault({ route: 'GET /app', status: 503, times: 1_000_000 }),
      identityRetry: { initialMs: 1000 },
    });
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    expect(stack.server.identity.login).toBe(fake.botLogin);
    const own = { ...pushFrom(fake, 'octo', 'Teh one.'), sender: fake.userShape(fake.botLogin) };
    expect((await stack.deliver('push', own)).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(0);
    expect((await stack.deliver('push', pushFrom(fake, 'alice', 'Teh two.'))).status).toBe(200);
    expect(await stack.server.queue.queue.getJobs()).toHaveLength(1);
  });

  it('takes GitHub’s slug over an APP_SLUG that does not match, and logs the mismatch', async () => {
    const log = capturedLog();
    stack = await startStack({
      extraEnv: { WORKER_CONCURRENCY: '0', APP_SLUG: 'docs-fix-typo' },
      logFor: log.logFor,
    });
    await waitFor('the identity', () => stack!.server.identity.login === stack!.fake.botLogin);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 50, configured: 'docs-fix-typo', github: 'docs-fix' }),
    );
  });
});

describe('health', () => {
  it('answers 200 with Redis up and 503 within 2 s when Redis is down', async () => {
    ownRedis = await startRedisServer();
    stack = await startStack({ redisUrl: ownRedis.url, extraEnv: { WORKER_CONCURRENCY: '0' } });
    const up = await stack.get('/healthz');
    expect(up.status).toBe(200);
    expect(JSON.parse(up.body) as unknown).toMatchObject({ ok: true, redis: 'ok', queue: 'ok' });

    await ownRedis.kill('SIGKILL');
    const down = await stack.get('/healthz');
    expect(down.status).toBe(503);
    expect(down.ms).toBeLessThan(2000);
    expect(JSON.parse(down.body) as unknown).toMatchObject({ ok: false });
    // /metrics still answers (without queue samples) while Redis is away.
    const metrics = await stack.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.ms).toBeLessThan(2500);

    await ownRedis.restart();
    await waitFor('healthz to recover', async () => (await stack!.get('/healthz')).status === 200, 30_000);
  });
});

describe('a push end to end', () => {
  it('goes from a signed webhook through BullMQ and the worker to a bot pull request, and shows in /metrics', async () => {
    stack = await startStack({ probot: 'production' });
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    const push = fake.pushCommit('octo/docs', {
      files: { 'docs/guide.md': '# Guide\n\nRecieve the the message in order to continue.\n\nTeh end.\n' },
      author: 'alice',
    });
    const res = await stack.deliver('push', fake.pushEvent(push));
    expect(res.status).toBe(200);

    await waitFor('the job to complete', async () => (await stack!.server.queue.counts()).completed === 1);
    const pulls = fake.pulls('octo/docs');
    expect(pulls).toHaveLength(1);
    expect((pulls[0]!['head'] as { ref: string }).ref).toBe('docs-fix/main');
    expect(fake.readFile('octo/docs', 'docs-fix/main', 'docs/guide.md')).toBe(
      '# Guide\n\nReceive the message to continue.\n\nThe end.\n',
    );
    // The user's branch is untouched.
    expect(fake.branchSha('octo/docs', 'main')).toBe(push.after);
    expect(fake.checkRuns('octo/docs').some((c) => c.head_sha === push.after)).toBe(true);

    const text = (await stack.get('/metrics')).body;
    expect(metricValue(text, 'docs_fix_cache_lookups_total', { result: 'miss' })).toBeGreaterThan(0);
    expect(metricValue(text, 'docs_fix_model_lines_total')).toBeGreaterThan(0);
    expect(metricValue(text, 'docs_fix_model_tokens_total', { kind: 'prompt' })).toBeGreaterThan(0);
    expect(text).toContain('docs_fix_admission_rejections_total');
    expect(metricValue(text, 'docs_fix_queue_jobs', { state: 'completed' })).toBe(1);
    expect(
      metricValue(text, 'docs_fix_job_duration_seconds_count', { kind: 'push', outcome: 'completed' }),
    ).toBe(1);
    expect(metricValue(text, 'docs_fix_github_requests_total')).toBeGreaterThan(3);
    expect(metricValue(text, 'docs_fix_github_rate_limit_remaining')).toBeGreaterThan(0);
    expect(metricValue(text, 'docs_fix_github_rate_limit_remaining')).toBeLessThan(5000);
  });

  it('turns a redelivered push (new delivery id) into one job and one pull request', async () => {
    stack = await startStack();
    const { fake } = stack;
    fake.createRepo('octo/docs', { files: DOCS, installed: true });
    const push = fake.pushCommit('octo/docs', { files: { 'README.md': '# Demo\n\nTeh end.\n' } });
    const payload = fake.pushEvent(push);
    const statuses = await Promise.all([stack.deliver('push', payload), stack.deliver('push', payload)]);
    expect(statuses.map((s) => s.status)).toEqual([200, 200]);
    await waitFor('the job to complete', async () => (await stack!.server.queue.counts()).completed === 1);
    // A late redelivery, after the job finished.
    expect((await stack.deliver('push', payload)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    // Only push jobs: the run also set the repository's scheduler, whose next check waits as a delayed job.
    const pushJobs = (await stack.server.queue.queue.getJobs()).filter((j) => j.name === 'push');
    expect(pushJobs).toHaveLength(1);
    expect(await pushJobs[0]!.getState()).toBe('completed');
    expect(pushJobs[0]!.attemptsMade).toBe(1);
    expect(fake.pulls('octo/docs')).toHaveLength(1);
    expect(fake.count({ route: 'POST /repos/{owner}/{repo}/pulls' })).toBe(1);
    expect(fake.count({ route: 'POST /repos/{owner}/{repo}/git/commits' })).toBe(1);
  });
});
