// Scheduled shadow runs (DOCS_FIX_SHADOW_SCHEDULE), against a real Redis under a random prefix: the queue's
// scheduler follows the setting, and a `shadow-sample` job samples the scheduled repositories into a run
// named after its scheduled time, without any GitHub client, the same run however often it is retried.
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOperatorEnv } from '../../src/config/index.js';
import { createJobHandler } from '../../src/jobs/handler.js';
import {
  createJobQueue,
  createJobWorker,
  jobIdFor,
  type JobHandler,
  type JobQueue,
  type JobSpec,
  type JobWorker,
  type RepoRef,
} from '../../src/jobs/index.js';
import { SHADOW_SAMPLE_SUBJECT, SHADOW_SCHEDULER_ID } from '../../src/jobs/keys.js';
import {
  assertRunId,
  createShadowReportStore,
  sampleRepositories,
  scheduledRepositories,
  scheduledRunId,
  syncShadowSchedule,
  type ShadowReportStore,
} from '../../src/jobs/shadow.js';
import { createFixer } from '../../src/model/index.js';
import { deleteKeys, randomPrefix, redisUrl, silentLog, waitFor } from './helpers.js';

const log = silentLog();
const repos: RepoRef[] = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((name, i) => ({
  installationId: 100 + (i % 2),
  owner: i % 2 ? 'acme' : 'octo',
  repo: name,
}));
const sampleSpec: JobSpec = { kind: 'shadow-sample', ...SHADOW_SAMPLE_SUBJECT };
const at = Date.UTC(2026, 10, 23, 6, 0, 0);

let prefix: string;
let redis: Redis;
let queue: JobQueue;
let reports: ShadowReportStore;
const workers: JobWorker[] = [];

/** The handler as workers build it with a candidate; any GitHub client asked for fails the job. */
function handlerWith(sample: number): JobHandler {
  return createJobHandler({
    octokitFor: () => Promise.reject(new Error('no GitHub client for a shadow-sample job')),
    store: undefined as never,
    fixerFor: (styleGuide) => createFixer({ provider: 'sim', model: 'sim', styleGuide }),
    limits: { maxLines: 1, maxTokens: 1, maxFiles: 1, maxBytes: 1 },
    shadow: {
      candidateFor: (styleGuide) => createFixer({ provider: 'echo', model: 'c', styleGuide }),
      reports,
    },
    shadowSample: { queue, sample },
    log,
  });
}

const ctxAt = (millis: number) => ({
  jobId: `repeat:${SHADOW_SCHEDULER_ID}:${millis}`,
  attempt: 1,
  signal: new AbortController().signal,
});

async function shadowJobs(): Promise<{ id: string; spec: JobSpec }[]> {
  const jobs = await queue.queue.getJobs([
    'waiting',
    'active',
    'delayed',
    'completed',
    'failed',
    'prioritized',
  ]);
  return jobs
    .filter((j) => j.name === 'shadow')
    .map((j) => ({ id: j.id!, spec: j.data.spec }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

beforeEach(async () => {
  prefix = randomPrefix();
  redis = new Redis(redisUrl());
  queue = createJobQueue({ connection: redisUrl(), prefix, log });
  reports = createShadowReportStore(redis, prefix);
  for (const r of repos) await queue.upsertSchedule(r, 'daily');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close({ graceMs: 0 })));
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
});

describe('DOCS_FIX_SHADOW_SCHEDULE', () => {
  it('is an optional cron pattern of 5 or 6 fields', () => {
    expect(readOperatorEnv({}).DOCS_FIX_SHADOW_SCHEDULE).toBeUndefined();
    expect(readOperatorEnv({ DOCS_FIX_SHADOW_SCHEDULE: ' 0 6 * * 1 ' }).DOCS_FIX_SHADOW_SCHEDULE).toBe(
      '0 6 * * 1',
    );
    expect(() => readOperatorEnv({ DOCS_FIX_SHADOW_SCHEDULE: 'weekly' })).toThrow(/cron pattern/);
  });

  it('keeps one scheduler on the pattern, removed when unset; the repositories sampled leave it out', async () => {
    expect(await syncShadowSchedule(queue, '0 6 * * *', log)).toBe('0 6 * * *');
    expect(await syncShadowSchedule(queue, '30 5 * * 1', log)).toBe('30 5 * * 1');
    const scheduler = await queue.queue.getJobScheduler(SHADOW_SCHEDULER_ID);
    expect(scheduler?.pattern).toBe('30 5 * * 1');
    expect(scheduler?.template?.data?.spec).toEqual(sampleSpec);
    const listed = await queue.schedules();
    expect(listed).toHaveLength(repos.length + 1);
    expect(listed.find((s) => s.schedulerId === SHADOW_SCHEDULER_ID)?.installationId).toBeUndefined();
    expect(
      scheduledRepositories(listed)
        .map((r) => `${r.owner}/${r.repo}`)
        .sort(),
    ).toEqual(repos.map((r) => `${r.owner}/${r.repo}`).sort());

    expect(await syncShadowSchedule(queue, undefined, log)).toBeNull();
    expect(await queue.queue.getJobScheduler(SHADOW_SCHEDULER_ID)).toBeUndefined();
    expect(await queue.schedules()).toHaveLength(repos.length);
    // Removing what is not there is fine (a worker without the setting starting again).
    expect(await syncShadowSchedule(queue, undefined, log)).toBeNull();
  });
});

describe('shadow-sample job', () => {
  it('enqueues shadow jobs for a sample of the scheduled repositories under the scheduled run id, once', async () => {
    const handler = handlerWith(3);
    const runId = scheduledRunId(at);
    expect(runId).toBe('scheduled-20261123T0600');
    expect(() => assertRunId(runId)).not.toThrow();

    const first = await handler(sampleSpec, ctxAt(at));
    const sampled = sampleRepositories(repos, 3, runId);
    expect(sampled).toHaveLength(3);
    const expected = sampled
      .map((r) => ({ id: jobIdFor({ kind: 'shadow', ...r, runId }), spec: { kind: 'shadow', ...r, runId } }))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(await shadowJobs()).toEqual(expected);
    expect(first.summary).toContain('3 enqueued now');
    const meta = { runId, startedAt: new Date(at).toISOString(), repositories: sampled, warm: false };
    expect(await reports.run(runId)).toEqual(meta);
    expect(await reports.latestRunId()).toBe(runId);

    // A retry of the same scheduled job: the same run, the same job ids, nothing new in the queue.
    const again = await handler(sampleSpec, { ...ctxAt(at), attempt: 2 });
    expect(again.summary).toContain('0 enqueued now');
    expect(await shadowJobs()).toEqual(expected);
    expect(await reports.run(runId)).toEqual(meta);

    // The next scheduled time is another run, and the latest.
    const next = at + 24 * 60 * 60 * 1000;
    await handler(sampleSpec, ctxAt(next));
    expect(await reports.latestRunId()).toBe('scheduled-20261124T0600');
    expect((await shadowJobs()).length).toBe(3 + sampleRepositories(repos, 3, scheduledRunId(next)).length);
  });

  it('fails permanently outside its scheduler or without a candidate', async () => {
    await expect(
      handlerWith(3)(sampleSpec, { ...ctxAt(at), jobId: jobIdFor(sampleSpec, at) }),
    ).rejects.toMatchObject({ code: 'JOB_PERMANENT' });
    const noCandidate = createJobHandler({
      octokitFor: () => Promise.reject(new Error('unused')),
      store: undefined as never,
      fixerFor: (styleGuide) => createFixer({ provider: 'sim', model: 'sim', styleGuide }),
      limits: { maxLines: 1, maxTokens: 1, maxFiles: 1, maxBytes: 1 },
      log,
    });
    await expect(noCandidate(sampleSpec, ctxAt(at))).rejects.toMatchObject({
      code: 'JOB_PERMANENT',
      message: expect.stringMatching(/DOCS_FIX_SHADOW_/),
    });
    expect(await shadowJobs()).toEqual([]);
  });

  it('runs from the scheduler through a real worker', async () => {
    const handler = handlerWith(2);
    const seen: JobSpec[] = [];
    workers.push(
      createJobWorker({
        connection: redisUrl(),
        prefix,
        concurrency: 2,
        log,
        // Shadow jobs themselves need GitHub (test/jobs/shadow.test.ts); here they are only recorded.
        handler: async (spec, ctx) => {
          if (spec.kind !== 'shadow-sample') {
            seen.push(spec);
            return { summary: 'recorded' };
          }
          return handler(spec, ctx);
        },
      }),
    );
    await syncShadowSchedule(queue, '* * * * * *', log);
    const runId = await waitFor('a scheduled run', async () => {
      const id = await reports.latestRunId();
      return id?.startsWith('scheduled-') ? id : '';
    });
    await syncShadowSchedule(queue, undefined, log);
    expect(runId).toMatch(/^scheduled-\d{8}T\d{4}$/);
    const meta = await reports.run(runId);
    expect(meta?.repositories).toEqual(sampleRepositories(repos, 2, runId));
    await waitFor('its shadow jobs', () => seen.filter((s) => s.kind === 'shadow').length >= 2);
    expect(seen.every((s) => s.kind === 'shadow' && s.runId.startsWith('scheduled-'))).toBe(true);
  });
});
