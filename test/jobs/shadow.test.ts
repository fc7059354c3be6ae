// Shadow runs in the app: real Redis (line cache, BullMQ queue and worker, stored reports), the stateful fake
// GitHub, the offline simulator. The aggregated report is checked against the switch actually made: the
// scheduled check of each repository run with the candidate as the app's model.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import type { Probot } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type MaintainedLineStore } from '../../src/cache/index.js';
import { readOperatorEnv } from '../../src/config/index.js';
import { fixFiles } from '../../src/engine/fix.js';
import type { SourceFile } from '../../src/engine/types.js';
import { runConvergenceCheck, type RunDeps } from '../../src/github/runs.js';
import { createJobHandler, type InstallationClient } from '../../src/jobs/handler.js';
import {
  createJobQueue,
  createJobWorker,
  jobIdFor,
  type JobQueue,
  type JobWorker,
} from '../../src/jobs/index.js';
import {
  aggregateShadowRun,
  createShadowReportStore,
  sampleRepositories,
  shadowCandidateFromEnv,
  shadowJobDepsFromEnv,
  startShadowRun,
  type ShadowReportStore,
} from '../../src/jobs/shadow.js';
import type { RepoRef } from '../../src/jobs/types.js';
import { createFixer } from '../../src/model/index.js';
import type { UnitFixer } from '../../src/model/types.js';
import { pickRepositories } from '../../src/cli/shadow.js';
import { probotFor } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { FakeGitHub, type FileSpec } from '../support/fake-github/index.js';
import { randomPrefix, type RandomPrefix } from '../support/redis.js';

const fixtures = join(import.meta.dirname, '../fixtures/markdown');
const examples = join(import.meta.dirname, '../../examples/docs');
const read = (path: string): string => readFileSync(path, 'utf8');
const limits = { maxLines: 5000, maxTokens: 2_000_000, maxFiles: 5000, maxBytes: 50 * 1024 * 1024 };
const log = pino({ level: process.env.DOCS_FIX_TEST_LOG ?? 'silent' });

/** The live configuration: the default simulator. */
const live = (styleGuide = ''): UnitFixer => createFixer({ provider: 'sim', model: 'sim', styleGuide });
/** The candidate configurations, from the operator variables the workers read. */
const steadyEnv = {
  DOCS_FIX_SHADOW_SIM_FLIP_RATE: '0',
  DOCS_FIX_SHADOW_SIM_RULES: 'spelling,wordy,doubled,contractions',
};
const noisyEnv = {
  DOCS_FIX_SHADOW_SIM_SEED: '7',
  DOCS_FIX_SHADOW_SIM_FLIP_RATE: '0.3',
  DOCS_FIX_SHADOW_SIM_RULES: 'spelling,wordy,doubled,us-spelling,no-contractions',
};
const candidateFrom = (env: Record<string, string>): ((styleGuide: string) => UnitFixer) =>
  shadowCandidateFromEnv(readOperatorEnv({ DOCS_FIX_PROVIDER: 'sim', ...env }), read)!;

const repoFiles: Record<string, FileSpec> = {
  'octo/alpha': Object.fromEntries(
    ['README.md', 'guide/configuration.md', 'guide/getting-started.md'].map((p) => [
      `docs/${p}`,
      read(join(examples, p)),
    ]),
  ),
  'octo/beta': {
    'notes.md': read(join(fixtures, 'real-powershell-notes-bom.md')),
    'react.md': read(join(fixtures, 'real-react-components.md')),
  },
  'acme/gamma': Object.fromEntries(
    readdirSync(fixtures)
      .filter((n) => /^(real-hugo|real-rust|headings|nesting)/.test(n) && n.endsWith('.md'))
      .map((n) => [n, read(join(fixtures, n))]),
  ),
  'octo/broken': {
    'README.md': '# Broken\n\nThis is fine.\n',
    '.github/docs-fix.yml': 'schedule: sometimes\n',
  },
};

let fake: FakeGitHub;
let probot: Probot;
let space: RandomPrefix;
let store: MaintainedLineStore;
let redis: Redis;
let queue: JobQueue;
let reports: ShadowReportStore;
const repos: RepoRef[] = [];
/** Per repository: the `path:line` of lines the live cache holds as held (rejected) rather than fixpoints. */
const held = new Map<string, Set<string>>();

const octokitFor = async (id: number): Promise<InstallationClient> =>
  (await probot.auth(id)) as unknown as InstallationClient;

function workerWith(candidateFor: (styleGuide: string) => UnitFixer): JobWorker {
  return createJobWorker({
    connection: space.url,
    prefix: space.prefix,
    concurrency: 2,
    log,
    handler: createJobHandler({
      octokitFor,
      botLogin: async () => fake.botLogin,
      store,
      fixerFor: live,
      limits,
      shadow: { candidateFor, reports },
      log,
    }),
  });
}

async function waitForRun(runId: string, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await reports.records(runId)).length < n) {
    if (Date.now() > deadline) throw new Error(`shadow run ${runId}: ${n} reports expected`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The switch as the app makes it: the scheduled check of each repository with the candidate as its model. */
async function switchTo(candidateFor: (styleGuide: string) => UnitFixer, names: readonly string[]) {
  const out = [];
  for (const fullName of names) {
    const [owner, name] = fullName.split('/') as [string, string];
    const installationId = fake.installationId(fullName);
    const octokit = await octokitFor(installationId);
    const deps: RunDeps = {
      octokit,
      repo: { owner, repo: name },
      scope: `installation:${installationId}`,
      store,
      fixerFor: candidateFor,
      limits,
      botLogin: fake.botLogin,
      readConfig: async () =>
        (await octokit.config.get({ owner, repo: name, path: '.github/docs-fix.yml' })).config,
      log,
    };
    out.push({ fullName, outcome: await runConvergenceCheck(deps) });
  }
  return out;
}

beforeAll(async () => {
  fake = await FakeGitHub.start();
  probot = probotFor(fake);
  space = randomPrefix(process.env.DOCS_FIX_TEST_REDIS_URL);
  store = await openStore({ kind: 'redis', redisUrl: space.url, prefix: space.prefix });
  redis = new Redis(space.url);
  reports = createShadowReportStore(redis, space.prefix);
  queue = createJobQueue({ connection: space.url, prefix: space.prefix, log });
  for (const [fullName, files] of Object.entries(repoFiles)) {
    fake.createRepo(fullName, { files, installed: true });
    const [owner, repo] = fullName.split('/') as [string, string];
    const installationId = fake.installationId(fullName);
    repos.push({ installationId, owner, repo });
    await queue.upsertSchedule({ installationId, owner, repo }, 'weekly');
    // The live configuration at its fixpoint: its edits merged, every line in the live cache.
    const scope = `installation:${installationId}`;
    let current: SourceFile[] = Object.entries(files)
      .filter(([p]) => p.endsWith('.md'))
      .map(([path, text]) => ({ path, bytes: new Uint8Array(Buffer.from(text as string)) }));
    for (let run = 0; run < 5; run += 1) {
      const result = await fixFiles(current, { store, fixer: live(), scope, budget: limits });
      if (result.patches.length === 0) break;
      const after = new Map(result.patches.map((p) => [p.path, p.after]));
      current = current.map((f) => ({ path: f.path, bytes: after.get(f.path) ?? f.bytes }));
    }
    fake.pushCommit(fullName, {
      files: Object.fromEntries(current.map((f) => [f.path, Buffer.from(f.bytes).toString('utf8')])),
      message: 'docs: copy edits by docs-fix',
    });
    const check = await fixFiles(current, { store, fixer: live(), scope, budget: limits, trace: 'all' });
    expect(check.summary.changedLines).toBe(0);
    held.set(
      fullName,
      new Set(check.trace.filter((t) => t.outcome === 'held-hit').map((t) => `${t.path}:${t.line}`)),
    );
  }
});

afterAll(async () => {
  await queue?.close();
  await store?.close();
  redis?.disconnect();
  await space?.cleanup();
  await fake?.close();
});

describe('shadow runs in the app', () => {
  it('the admin command samples the scheduled repositories, the workers shadow them read-only, and the aggregate matches the switch', async () => {
    const worker = workerWith(candidateFrom(steadyEnv));
    try {
      const statsBefore = await store.stats();
      fake.clearLog();
      const cli = await runCli(
        [
          'shadow-app',
          'run',
          '--sample',
          '10',
          '--run-id',
          'steady-1',
          '--wait',
          '--timeout',
          '120',
          '--json',
        ],
        { env: { REDIS_URL: space.url, DOCS_FIX_REDIS_PREFIX: space.prefix } },
      );
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      const agg = JSON.parse(cli.stdout) as ReturnType<typeof aggregateShadowRun>;
      expect(agg.pending).toEqual([]);
      expect(agg.records.map((r) => r.repository).sort()).toEqual(Object.keys(repoFiles).sort());
      const broken = agg.records.find((r) => r.repository === 'octo/broken')!;
      expect(broken.skipped).toMatch(/invalid \.github\/docs-fix\.yml: .*schedule/);

      // Read only: no write request to GitHub (token requests aside), no live cache entry added or changed.
      expect(fake.count((r) => r.method !== 'GET' && !r.route.includes('/app/'))).toBe(0);
      expect(await store.stats()).toEqual(statsBefore);

      // Stored in Redis under keys.ts keys, readable by `shadow-app report`, with gates.
      const report = await runCli(['shadow-app', 'report', 'steady-1', '--max-change-rate', '0'], {
        env: { REDIS_URL: space.url, DOCS_FIX_REDIS_PREFIX: space.prefix },
      });
      expect(report.code).toBe(1);
      expect(report.stdout).toContain('octo/alpha@');
      expect(report.stdout).toContain('octo/broken: skipped');
      expect(report.stderr).toMatch(/gate max-change-rate failed: change rate/);

      // The switch, made: the candidate as the app's model, the scheduled check of every repository.
      const switched = await switchTo(
        candidateFrom(steadyEnv),
        Object.keys(repoFiles).filter((n) => n !== 'octo/broken'),
      );
      const c = agg.report!.counts;
      const sum = (
        f: (s: NonNullable<(typeof switched)[number]['outcome']['result']>['summary']) => number,
      ): number => switched.reduce((n, s) => n + f(s.outcome.result!.summary), 0);
      const opened = switched.filter((s) => fake.pulls(s.fullName).length > 0).map((s) => s.fullName);
      const waveByRepo = switched.map((s) =>
        s.outcome.result!.trace.filter(
          (t) =>
            t.after !== undefined &&
            t.after !== t.before &&
            !held.get(s.fullName)!.has(`${t.path}:${t.line}`),
        ),
      );
      const wave = waveByRepo.flat();
      console.log(
        `app shadow (deterministic candidate, ${c.repositories} repositories): wave ${c.waveUnits} of ${c.currentFixpoints} fixpoint lines ` +
          `(${(agg.report!.changeRate * 100).toFixed(2)}%) in ${c.waveFiles} files, pull requests in ${c.changedRepositories}; ` +
          `model lines ${c.candidateModelLines}, tokens ${c.candidateTokens.total}. Switch: ${sum((s) => s.changedLines)} lines in ` +
          `${sum((s) => s.changedFiles)} files, pull requests ${opened.length}, model lines ${sum((s) => s.modelLines)}, tokens ${sum((s) => s.tokens.total)}`,
      );
      expect(c.repositories).toBe(3);
      expect(c.candidateChanged).toBe(sum((s) => s.changedLines));
      expect(c.changedFiles).toBe(sum((s) => s.changedFiles));
      expect(c.changedRepositories).toBe(opened.length);
      expect(c.changedRepositories).toBeGreaterThan(0);
      expect(c.waveUnits).toBe(wave.length);
      expect(c.waveRepositories).toBe(waveByRepo.filter((w) => w.length > 0).length);
      expect(c.waveFiles).toBe(new Set(wave.map((t) => `${t.path}`)).size);
      expect(c.candidateModelLines).toBe(sum((s) => s.modelLines));
      expect(c.candidateTokens.total).toBe(sum((s) => s.tokens.total));
    } finally {
      await worker.close();
    }
  });

  it('a warmed shadow run of a noisy candidate: after the switch no model call, and exactly the reported changes', async () => {
    const worker = workerWith(candidateFrom(noisyEnv));
    try {
      const names = ['octo/alpha', 'octo/beta', 'acme/gamma'];
      const picked = repos.filter((r) => names.includes(`${r.owner}/${r.repo}`));
      await startShadowRun({ queue, reports, runId: 'noisy-warm', repositories: picked, warm: true });
      await waitForRun('noisy-warm', picked.length);
      const agg = aggregateShadowRun(
        'noisy-warm',
        await reports.run('noisy-warm'),
        await reports.records('noisy-warm'),
      );
      expect(agg.pending).toEqual([]);
      expect(agg.report!.warmed).toBe(true);
      const c = agg.report!.counts;
      expect(c.candidateModelLines).toBeGreaterThan(0);

      // The switch with fresh candidate instances (the bot pull requests of the first test get updated).
      const switched = await switchTo(candidateFrom(noisyEnv), names);
      const sum = (
        f: (s: NonNullable<(typeof switched)[number]['outcome']['result']>['summary']) => number,
      ): number => switched.reduce((n, s) => n + f(s.outcome.result!.summary), 0);
      console.log(
        `app shadow (noisy candidate, warmed): predicted ${c.candidateChanged} lines in ${c.changedFiles} files (wave ${c.waveUnits}), ` +
          `warm-up tokens ${c.candidateTokens.total}; switch: ${sum((s) => s.changedLines)} lines in ${sum((s) => s.changedFiles)} files, model lines ${sum((s) => s.modelLines)}`,
      );
      expect(sum((s) => s.modelLines)).toBe(0);
      expect(sum((s) => s.tokens.total)).toBe(0);
      expect(sum((s) => s.changedLines)).toBe(c.candidateChanged);
      expect(sum((s) => s.changedFiles)).toBe(c.changedFiles);
    } finally {
      await worker.close();
    }
  });

  it('a worker without shadow settings fails the job permanently, saying what to set', async () => {
    const handler = createJobHandler({
      octokitFor,
      store,
      fixerFor: live,
      limits,
      log,
    });
    const spec = { kind: 'shadow' as const, ...repos[0]!, runId: 'x' };
    await expect(
      handler(spec, { jobId: jobIdFor(spec), attempt: 1, signal: new AbortController().signal }),
    ).rejects.toThrow(/DOCS_FIX_SHADOW_MODEL/);
    expect(shadowCandidateFromEnv(readOperatorEnv({}), read)).toBeUndefined();
    expect(shadowJobDepsFromEnv(readOperatorEnv({}), redis, read)).toBeUndefined();
    const deps = shadowJobDepsFromEnv(
      readOperatorEnv({
        DOCS_FIX_PROVIDER: 'sim',
        ...steadyEnv,
        DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS: '1',
        DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS: '2',
      }),
      redis,
      read,
    )!;
    expect(deps.prices).toEqual({ promptPer1k: 1, completionPer1k: 2 });
    expect(deps.candidateFor('').modelId).toContain('rules=spelling+wordy+doubled+contractions');
    expect(() =>
      shadowCandidateFromEnv(readOperatorEnv({ DOCS_FIX_SHADOW_SIM_RULES: 'nope' }), read),
    ).toThrow(/DOCS_FIX_SHADOW_SIM_RULES/);
    expect(() =>
      shadowCandidateFromEnv(readOperatorEnv({ DOCS_FIX_SHADOW_PROMPT_FILE: '/no/such/prompt.txt' }), read),
    ).toThrow(/DOCS_FIX_SHADOW_PROMPT_FILE/);
  });

  it('samples deterministically by run id; named repositories need a schedule or an installation', () => {
    const all = Array.from({ length: 30 }, (_, i) => ({ installationId: 1, owner: 'o', repo: `r${i}` }));
    expect(sampleRepositories(all, 5, 'a')).toEqual(sampleRepositories([...all].reverse(), 5, 'a'));
    expect(sampleRepositories(all, 5, 'a')).not.toEqual(sampleRepositories(all, 5, 'b'));
    expect(sampleRepositories(all, 50, 'a')).toHaveLength(30);
    expect(pickRepositories(all, { repo: ['O/R3'], sample: 5, runId: 'x' })).toEqual([all[3]]);
    expect(() => pickRepositories(all, { repo: ['o/unknown'], sample: 5, runId: 'x' })).toThrow(
      /--installation/,
    );
    expect(pickRepositories(all, { repo: ['o/unknown'], installation: 9, sample: 5, runId: 'x' })).toEqual([
      { installationId: 9, owner: 'o', repo: 'unknown' },
    ]);
    expect(jobIdFor({ kind: 'shadow', ...all[0]!, runId: 'a' })).toMatch(/^shadow-[0-9a-f]{32}$/);
  });
});
