// `docs-fix shadow`: run a candidate model/prompt beside the current configuration and report what the switch
// would do (engine/shadow); gates make it exit 1 so it can guard a deploy.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { openRedisClient, type RedisTarget } from '../cache/connection.js';
import { pino } from 'pino';
import { readOperatorEnv, type RedisNodeAddress } from '../config/index.js';
import {
  sameKeys,
  shadowFiles,
  type Prices,
  type ShadowGates,
  type ShadowReport,
  type ShadowRun,
} from '../engine/shadow.js';
import { createJobQueue, type RepoRef } from '../jobs/index.js';
import {
  aggregateShadowRun,
  createShadowReportStore,
  gatesFromEnv,
  pricesFromEnv,
  sampleRepositories,
  startShadowRun,
  type AggregatedShadowRun,
  type ShadowReportStore,
} from '../jobs/shadow.js';
import { createFixer, type Provider, type SimRule } from '../model/index.js';
import type { UnitFixer } from '../model/types.js';
import {
  addRunOptions,
  clusterNodes,
  engineOptions,
  positiveInt,
  redisTargetFor,
  rate,
  resolveProvider,
  setupRun,
  simRules,
  SIM_RULES_HELP,
  selectFiles,
  UsageError,
  type RunOptions,
  type RunSetup,
} from './options.js';

export interface ShadowOptions extends RunOptions {
  candidateProvider?: Provider;
  candidateModel?: string;
  candidateBaseUrl?: string;
  candidatePrompt?: string;
  candidateStyleGuide?: string;
  candidateSimSeed?: number;
  candidateSimFlipRate?: number;
  candidateSimRules?: SimRule[];
  currentMisses: 'ask' | 'unknown';
  recheck: boolean;
  warm?: boolean;
  pricePer1kPromptTokens?: number;
  pricePer1kCompletionTokens?: number;
  maxChangeRate?: number;
  minFixpointRate?: number;
  maxCost?: number;
  diff?: boolean;
}

function nonNegative(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new UsageError(`${name}: expected a number of at least 0, got "${value}"`);
    return n;
  };
}

function readText(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `${option} ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

/**
 * The candidate: the current configuration with the `--candidate-*` options applied. Built twice by the
 * command (shadowed run and recheck), so the recheck does not depend on the calls of the shadowed run.
 */
function candidateFactory(
  opts: ShadowOptions,
  setup: RunSetup,
  processEnv: NodeJS.ProcessEnv,
): () => UnitFixer {
  const provider = opts.candidateProvider ?? resolveProvider(opts, processEnv, setup.env);
  const baseURL = opts.candidateBaseUrl ?? setup.env.OPENAI_BASE_URL;
  if (provider === 'openai' && !baseURL && !setup.env.OPENAI_API_KEY) {
    throw new UsageError(
      '--candidate-provider openai: set --candidate-base-url or OPENAI_BASE_URL (an OpenAI-compatible endpoint) or OPENAI_API_KEY',
    );
  }
  const currentGuide = opts.styleGuide ? readText(opts.styleGuide, '--style-guide') : setup.config.styleGuide;
  const styleGuide = opts.candidateStyleGuide
    ? readText(opts.candidateStyleGuide, '--candidate-style-guide')
    : currentGuide;
  const systemPrompt = opts.candidatePrompt
    ? readText(opts.candidatePrompt, '--candidate-prompt')
    : undefined;
  if (systemPrompt !== undefined && systemPrompt.trim() === '') {
    throw new UsageError(`--candidate-prompt ${opts.candidatePrompt}: the file is empty`);
  }
  return () =>
    createFixer({
      provider,
      model: opts.candidateModel ?? opts.model ?? setup.env.DOCS_FIX_MODEL,
      baseURL,
      apiKey: setup.env.OPENAI_API_KEY,
      styleGuide,
      vocabulary: setup.vocabulary.terms,
      ...(systemPrompt !== undefined ? { systemPrompt } : {}),
      batchSize: setup.env.DOCS_FIX_BATCH_SIZE,
      concurrency: setup.env.DOCS_FIX_MODEL_CONCURRENCY,
      sim: {
        seed: opts.candidateSimSeed ?? opts.simSeed,
        flipRate: opts.candidateSimFlipRate ?? opts.simFlipRate,
        rules: opts.candidateSimRules ?? opts.simRules,
      },
    });
}

function pricesOf(opts: ShadowOptions, setup: RunSetup): Prices | undefined {
  const prompt = opts.pricePer1kPromptTokens ?? setup.env.DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS;
  const completion = opts.pricePer1kCompletionTokens ?? setup.env.DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS;
  if (prompt === undefined && completion === undefined) return undefined;
  if (prompt === undefined) {
    throw new UsageError(
      '--price-per-1k-prompt-tokens: needed with a completion price (or set DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS)',
    );
  }
  if (completion === undefined) {
    throw new UsageError(
      '--price-per-1k-completion-tokens: needed with a prompt price (or set DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS)',
    );
  }
  return { promptPer1k: prompt, completionPer1k: completion };
}

/** Checks the options that do not need the store or the files (so usage errors come before any work). */
function checkGates(opts: ShadowOptions): ShadowGates {
  if (opts.minFixpointRate !== undefined && !opts.recheck) {
    throw new UsageError('--min-fixpoint-rate: needs the recheck; drop --no-recheck');
  }
  return {
    ...(opts.maxChangeRate !== undefined ? { maxChangeRate: opts.maxChangeRate } : {}),
    ...(opts.minFixpointRate !== undefined ? { minFixpointRate: opts.minFixpointRate } : {}),
    ...(opts.maxCost !== undefined ? { maxCost: opts.maxCost } : {}),
  };
}

export async function runShadow(
  paths: string[],
  opts: ShadowOptions,
  processEnv: NodeJS.ProcessEnv = process.env,
): Promise<ShadowRun> {
  const gates = checkGates(opts);
  const setup = await setupRun(opts, processEnv);
  try {
    const prices = pricesOf(opts, setup);
    if (gates.maxCost !== undefined && !prices) {
      throw new UsageError(
        '--max-cost: needs token prices: --price-per-1k-prompt-tokens and --price-per-1k-completion-tokens (or DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS and DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS)',
      );
    }
    const makeCandidate = candidateFactory(opts, setup, processEnv);
    const candidate = makeCandidate();
    if (sameKeys(setup.fixer, candidate)) {
      throw new UsageError(
        `the candidate is the current configuration (model id ${candidate.modelId}, prompt version ${candidate.promptVersion}): give --candidate-model, --candidate-provider, --candidate-prompt, --candidate-style-guide or --candidate-sim-* options that change it`,
      );
    }
    const { files, skipped } = selectFiles(paths, setup);
    if (!opts.json) {
      process.stderr.write(
        `docs-fix: shadow: current ${setup.fixer.label} [${setup.fixer.modelId}, prompt ${setup.fixer.promptVersion}]\n` +
          `docs-fix: shadow: candidate ${candidate.label} [${candidate.modelId}, prompt ${candidate.promptVersion}]; cache ${setup.store.kind}${opts.warm ? ' (warming the candidate)' : ' (read only)'}\n`,
      );
      for (const s of skipped) process.stderr.write(`docs-fix: skipped ${s.message}\n`);
    }
    return await shadowFiles(files, {
      store: setup.store,
      scope: setup.scope,
      budget: setup.budget,
      current: setup.fixer,
      candidate,
      recheck: opts.recheck ? makeCandidate() : false,
      currentMisses: opts.currentMisses,
      warm: opts.warm === true,
      ...(prices ? { prices } : {}),
      gates,
      rewriteTtlSeconds: setup.env.DOCS_FIX_REWRITE_TTL_DAYS * 86_400,
      ...engineOptions(setup),
    });
  } finally {
    await setup.store.close();
  }
}

const pct = (x: number | undefined): string => (x === undefined ? 'n/a' : `${(x * 100).toFixed(2)}%`);

/** The human table (stdout). */
export function formatShadowReport(r: ShadowReport): string {
  const c = r.counts;
  const rows: [string, string][] = [
    ['current', `${r.current.label} [${r.current.modelId}, prompt ${r.current.promptVersion}]`],
    ['candidate', `${r.candidate.label} [${r.candidate.modelId}, prompt ${r.candidate.promptVersion}]`],
    ['files examined', `${c.files} (${c.skippedFiles} skipped)`],
    ['units examined', `${c.units} paragraphs and headings`],
    [
      'current config',
      `${c.currentFixpoints} fixpoints, ${c.currentChanged} would change, ${c.currentHeld} held, ${c.currentUnknown} unknown; ${c.currentModelLines} lines asked (${c.currentTokens.total} tokens, not the switch's cost)`,
    ],
    [
      'wave',
      `${c.waveUnits} of ${c.currentFixpoints} fixpoint units would change (change rate ${pct(r.changeRate)}) in ${c.waveFiles} files`,
    ],
    [
      'switch edits',
      `${c.candidateChanged} units in ${c.changedFiles} files (${pct(r.waveShareOfChanges)} on fixpoint units); pull requests in ${c.changedRepositories} of ${c.repositories} repositories`,
    ],
    ['agreement', `${pct(r.agreement)} (${c.agreed} of ${c.compared} units give the same text)`],
    [
      'rejections',
      c.candidateRejected === 0
        ? 'none'
        : `${c.candidateRejected}: ${Object.entries(c.candidateRejectedByReason)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
    ],
    [
      'candidate model',
      `${c.candidateModelLines} lines in ${c.candidateModelRequests} requests; tokens ${c.candidateTokens.prompt} prompt + ${c.candidateTokens.completion} completion = ${c.candidateTokens.total}${r.warmed ? ' (spent now: warmed, the switch costs no model call on these files)' : ''}`,
    ],
    [
      'cost of the switch',
      r.cost
        ? `${r.cost.switch.toFixed(4)} (this shadow run also spent ${r.cost.currentSide.toFixed(4)} on the current side and ${r.cost.recheck.toFixed(4)} on the recheck)`
        : 'n/a (give --price-per-1k-prompt-tokens and --price-per-1k-completion-tokens)',
    ],
    [
      'candidate fixpoint rate',
      r.fixpointRate === undefined
        ? 'n/a (no recheck)'
        : `${pct(r.fixpointRate)} (${c.recheckChanged} of ${c.recheckUnits} output units changed again when re-asked without a cache; ${c.recheckTokens.total} tokens)`,
    ],
  ];
  if (!r.complete) {
    rows.push([
      'incomplete',
      `${c.candidateOverBudget} units over budget, ${c.candidateUnanswered} unanswered: the figures are lower bounds`,
    ]);
  }
  for (const g of r.gates) {
    const value = g.value === undefined ? 'n/a' : g.gate === 'max-cost' ? g.value.toFixed(4) : pct(g.value);
    const threshold = g.gate === 'max-cost' ? String(g.threshold) : pct(g.threshold);
    rows.push([`gate ${g.gate}`, `${g.passed ? 'passed' : 'FAILED'}: ${value} vs ${threshold}`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}

/** Token prices and gates, shared by `shadow` and `shadow-app`. */
function addGateOptions(cmd: Command): Command {
  return cmd
    .option(
      '--price-per-1k-prompt-tokens <price>',
      'price of 1,000 prompt tokens (default: $DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS)',
      nonNegative('--price-per-1k-prompt-tokens'),
    )
    .option(
      '--price-per-1k-completion-tokens <price>',
      'price of 1,000 completion tokens (default: $DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS)',
      nonNegative('--price-per-1k-completion-tokens'),
    )
    .option(
      '--max-change-rate <rate>',
      'gate: most share of fixpoint lines the candidate may change (0..1)',
      rate('--max-change-rate'),
    )
    .option(
      '--min-fixpoint-rate <rate>',
      'gate: least share of its own output lines the candidate must leave unchanged (0..1)',
      rate('--min-fixpoint-rate'),
    )
    .option('--max-cost <amount>', 'gate: most estimated cost of the switch', nonNegative('--max-cost'));
}

export function registerShadow(program: Command): void {
  registerShadowApp(program);
  addGateOptions(
    addRunOptions(
      program
        .command('shadow')
        .description(
          'run a candidate model or prompt beside the current configuration without touching the live cache, and report the pull-request wave, agreement, cost and fixpoint rate of switching (exit 1 when a gate fails)',
        )
        .argument('[paths...]', 'markdown files or folders', []),
    ),
  )
    .addOption(
      new Option(
        '--candidate-provider <name>',
        'provider of the candidate (default: the current one)',
      ).choices(['offline', 'sim', 'echo', 'openai']),
    )
    .option('--candidate-model <id>', 'model id of the candidate (default: the current one)')
    .option('--candidate-base-url <url>', 'endpoint of the candidate (default: $OPENAI_BASE_URL)')
    .option(
      '--candidate-prompt <file>',
      'a system prompt replacing the built-in one (changes the prompt version)',
    )
    .option('--candidate-style-guide <file>', 'house style given to the candidate (default: the current one)')
    .option(
      '--candidate-sim-seed <n>',
      'seed of the candidate simulator',
      positiveInt('--candidate-sim-seed'),
    )
    .option(
      '--candidate-sim-flip-rate <rate>',
      'how often the candidate simulator rewrites its own output (0..1)',
      rate('--candidate-sim-flip-rate'),
    )
    .option('--candidate-sim-rules <list>', `candidate ${SIM_RULES_HELP}`, simRules('--candidate-sim-rules'))
    .addOption(
      new Option(
        '--current-misses <how>',
        'lines the live cache does not know: ask the current model (tokens reported apart) or leave them unknown',
      )
        .choices(['ask', 'unknown'])
        .default('ask'),
    )
    .option('--no-recheck', 'skip re-asking the candidate about its own output (no fixpoint rate)')
    .option(
      '--warm',
      "write the candidate's cache entries to the store (under its own keys) so the switch costs no model call on these files",
    )
    .option('--diff', "print the candidate's unified diff (what the switch would propose) before the report")
    .action(async (paths: string[], opts: ShadowOptions) => {
      const run = await runShadow(paths, opts);
      const r = run.report;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(opts.diff ? { ...r, diff: run.candidate.diff } : r)}\n`);
      } else {
        if (opts.diff) process.stdout.write(run.candidate.diff);
        process.stdout.write(formatShadowReport(r));
      }
      for (const g of r.gates) {
        if (!g.passed) process.stderr.write(`docs-fix: shadow: gate ${g.gate} failed: ${g.message ?? ''}\n`);
      }
      process.exitCode = r.passed ? 0 : 1;
    });
}

interface GateOptions {
  pricePer1kPromptTokens?: number;
  pricePer1kCompletionTokens?: number;
  maxChangeRate?: number;
  minFixpointRate?: number;
  maxCost?: number;
}

interface ShadowAppOptions extends GateOptions {
  redisUrl?: string;
  redisClusterNodes?: RedisNodeAddress[];
  prefix?: string;
  json?: boolean;
}

interface ShadowAppRunOptions extends ShadowAppOptions {
  repo?: string[];
  installation?: number;
  sample?: number;
  runId?: string;
  warm?: boolean;
  wait?: boolean;
  timeout: number;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function addAppOptions(cmd: Command): Command {
  return addGateOptions(cmd)
    .option('--redis-url <url>', 'Redis of the app (default: $REDIS_URL)')
    .option(
      '--redis-cluster-nodes <list>',
      'Redis Cluster of the app: host:port seeds, comma-separated (default: $REDIS_CLUSTER_NODES)',
      clusterNodes('--redis-cluster-nodes'),
    )
    .option('--prefix <prefix>', 'Redis key prefix of the app (default: $DOCS_FIX_REDIS_PREFIX or df)')
    .option('--json', 'print one JSON object');
}

/** Prices and gates: the options, else the operator's environment. */
function appPricesAndGates(
  opts: GateOptions,
  env: NodeJS.ProcessEnv,
): { prices: Prices | undefined; gates: ShadowGates } {
  const operator = readOperatorEnv(env);
  const fromEnv = pricesFromEnv(operator);
  const prompt = opts.pricePer1kPromptTokens ?? fromEnv?.promptPer1k;
  const completion = opts.pricePer1kCompletionTokens ?? fromEnv?.completionPer1k;
  if ((prompt === undefined) !== (completion === undefined)) {
    throw new UsageError(
      prompt === undefined
        ? '--price-per-1k-prompt-tokens: needed with a completion price'
        : '--price-per-1k-completion-tokens: needed with a prompt price',
    );
  }
  const prices =
    prompt !== undefined && completion !== undefined
      ? { promptPer1k: prompt, completionPer1k: completion }
      : undefined;
  const gates: ShadowGates = {
    ...gatesFromEnv(operator),
    ...(opts.maxChangeRate !== undefined ? { maxChangeRate: opts.maxChangeRate } : {}),
    ...(opts.minFixpointRate !== undefined ? { minFixpointRate: opts.minFixpointRate } : {}),
    ...(opts.maxCost !== undefined ? { maxCost: opts.maxCost } : {}),
  };
  return { prices, gates };
}

async function withReports<T>(
  opts: ShadowAppOptions,
  env: NodeJS.ProcessEnv,
  use: (reports: ShadowReportStore, redis: RedisTarget, prefix: string) => Promise<T>,
): Promise<T> {
  const operator = readOperatorEnv(env);
  const target = redisTargetFor(opts, operator);
  const prefix = opts.prefix ?? operator.DOCS_FIX_REDIS_PREFIX;
  const redis = openRedisClient(target, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return await use(createShadowReportStore(redis, prefix), target, prefix);
  } finally {
    redis.disconnect();
  }
}

function parseRepo(value: string): { owner: string; repo: string } {
  const match = /^([\w.-]+)\/([\w.-]+)$/.exec(value);
  if (!match) throw new UsageError(`--repo: expected owner/name, got "${value}"`);
  return { owner: match[1]!, repo: match[2]! };
}

/** The repositories of a run: those named (looked up among the schedules) or a sample of the schedules. */
export function pickRepositories(
  scheduled: readonly RepoRef[],
  opts: { repo?: string[]; installation?: number; sample: number; runId: string },
): RepoRef[] {
  if (!opts.repo || opts.repo.length === 0) {
    if (scheduled.length === 0) {
      throw new UsageError(
        'no repository has a schedule in this app: name repositories with --repo owner/name --installation <id>',
      );
    }
    return sampleRepositories(scheduled, opts.sample, opts.runId);
  }
  return opts.repo.map((name) => {
    const wanted = parseRepo(name);
    const found = scheduled.find(
      (r) => `${r.owner}/${r.repo}`.toLowerCase() === `${wanted.owner}/${wanted.repo}`.toLowerCase(),
    );
    if (found) return found;
    if (opts.installation === undefined) {
      throw new UsageError(
        `--repo ${name}: not among the scheduled repositories; give its --installation <id>`,
      );
    }
    return { installationId: opts.installation, ...wanted };
  });
}

function printAggregate(agg: AggregatedShadowRun, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(agg)}\n`);
    return;
  }
  process.stdout.write(`shadow run ${agg.runId}\n`);
  for (const r of agg.records) {
    if (!r.report) {
      process.stdout.write(`  ${r.repository}: skipped (${r.skipped ?? 'no report'})\n`);
      continue;
    }
    const c = r.report.counts;
    process.stdout.write(
      `  ${r.repository}@${(r.sha ?? '').slice(0, 7)}: wave ${c.waveUnits} of ${c.currentFixpoints} fixpoint lines, ${c.candidateChanged} lines in ${c.changedFiles} files would change, ${c.candidateTokens.total} candidate tokens\n`,
    );
  }
  for (const p of agg.pending) process.stdout.write(`  ${p}: pending\n`);
  if (agg.report) process.stdout.write(formatShadowReport(agg.report));
  else process.stdout.write('no repository has finished yet\n');
}

/** Prints the verdict: exit 1 when a gate fails, or when gates were asked for and repositories are pending. */
function verdict(agg: AggregatedShadowRun, gates: ShadowGates): number {
  const hasGates = Object.keys(gates).length > 0;
  for (const g of agg.report?.gates ?? []) {
    if (!g.passed) process.stderr.write(`docs-fix: shadow-app: gate ${g.gate} failed: ${g.message ?? ''}\n`);
  }
  if (hasGates && (agg.pending.length > 0 || !agg.report)) {
    process.stderr.write(
      `docs-fix: shadow-app: ${agg.pending.length} repositories have not reported yet: the gates cannot pass\n`,
    );
    return 1;
  }
  return agg.report && !agg.report.passed ? 1 : 0;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function registerShadowApp(program: Command): void {
  const app = program
    .command('shadow-app')
    .description(
      "shadow runs in the app (operators): run the workers' DOCS_FIX_SHADOW_* candidate on a sample of scheduled repositories, and aggregate the reports",
    );

  addAppOptions(
    app
      .command('run')
      .description(
        'enqueue a shadow job per repository (a sample of the scheduled ones, or --repo); reads only, writes nothing to GitHub',
      ),
  )
    .option(
      '--repo <owner/name>',
      'a repository to shadow (repeatable; default: a sample of the scheduled ones)',
      collect,
    )
    .option(
      '--installation <id>',
      'installation of --repo repositories that have no schedule',
      positiveInt('--installation'),
    )
    .option(
      '--sample <n>',
      'how many scheduled repositories (default: $DOCS_FIX_SHADOW_SAMPLE)',
      positiveInt('--sample'),
    )
    .option('--run-id <id>', 'name of the run (default: the time); the same id samples the same repositories')
    .option(
      '--warm',
      "write the candidate's cache entries (under its own keys) so the switch costs no model call there",
    )
    .option(
      '--wait',
      'wait for every repository, then print the aggregated report (exit 1 when a gate fails)',
    )
    .option('--timeout <seconds>', 'how long --wait waits', positiveInt('--timeout'), 600)
    .action(async (opts: ShadowAppRunOptions) => {
      const env = process.env;
      const operator = readOperatorEnv(env);
      const { prices, gates } = appPricesAndGates(opts, env);
      const runId = opts.runId ?? new Date().toISOString().replace(/[:.]/g, '-');
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(runId)) {
        throw new UsageError(`--run-id: expected 1 to 64 letters, digits, ".", "_" or "-", got "${runId}"`);
      }
      const exit = await withReports(opts, env, async (reports, redis, prefix) => {
        const queue = createJobQueue({ connection: redis, prefix, log: pino({ level: 'silent' }) });
        try {
          const scheduled = (await queue.schedules()).flatMap((s): RepoRef[] => {
            const [owner, repo] = s.repository.split('/');
            return s.installationId !== undefined && owner && repo
              ? [{ installationId: s.installationId, owner, repo }]
              : [];
          });
          const repositories = pickRepositories(scheduled, {
            repo: opts.repo,
            installation: opts.installation,
            sample: opts.sample ?? operator.DOCS_FIX_SHADOW_SAMPLE,
            runId,
          });
          await startShadowRun({ queue, reports, runId, repositories, warm: opts.warm === true });
          if (!opts.json || !opts.wait) {
            process.stderr.write(
              `docs-fix: shadow-app: run ${runId}: ${repositories.length} repositories enqueued${opts.warm ? ' (warming the candidate)' : ''}: ${repositories.map((r) => `${r.owner}/${r.repo}`).join(', ')}\n`,
            );
          }
          if (!opts.wait) {
            if (opts.json) process.stdout.write(`${JSON.stringify({ runId, repositories })}\n`);
            return 0;
          }
          const deadline = Date.now() + opts.timeout * 1000;
          let agg = aggregateShadowRun(runId, await reports.run(runId), await reports.records(runId), {
            prices,
            gates,
          });
          while (agg.pending.length > 0 && Date.now() < deadline) {
            await sleep(500);
            agg = aggregateShadowRun(runId, await reports.run(runId), await reports.records(runId), {
              prices,
              gates,
            });
          }
          printAggregate(agg, opts.json === true);
          if (agg.pending.length > 0) {
            process.stderr.write(
              `docs-fix: shadow-app: timed out after ${opts.timeout} s with ${agg.pending.length} repositories pending (are workers running with DOCS_FIX_SHADOW_* set?)\n`,
            );
            return 1;
          }
          return verdict(agg, gates);
        } finally {
          await queue.close();
        }
      });
      process.exitCode = exit;
    });

  addAppOptions(
    app
      .command('report')
      .description(
        'print the aggregated report of a shadow run (default: the latest); exit 1 when a gate fails',
      )
      .argument('[run-id]', 'the run (default: the latest)'),
  ).action(async (runIdArg: string | undefined, opts: ShadowAppOptions) => {
    const env = process.env;
    const { prices, gates } = appPricesAndGates(opts, env);
    const exit = await withReports(opts, env, async (reports) => {
      const runId = runIdArg ?? (await reports.latestRunId());
      if (!runId) throw new UsageError('no shadow run found: start one with docs-fix shadow-app run');
      const meta = await reports.run(runId);
      const records = await reports.records(runId);
      if (!meta && records.length === 0) throw new UsageError(`shadow run ${runId}: not found`);
      const agg = aggregateShadowRun(runId, meta, records, { prices, gates });
      printAggregate(agg, opts.json === true);
      return verdict(agg, gates);
    });
    process.exitCode = exit;
  });
}
