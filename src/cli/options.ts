// Options shared by fix, check and converge, and turning them into a store, a fixer and a file selection.
import { Option, type Command } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { openStore } from '../cache/open.js';
import type { LineStore } from '../cache/types.js';
import { defaultRepoConfig, loadOperatorEnv } from '../config/operator.js';
import type { OperatorEnv, RepoConfig } from '../config/schema.js';
import { parseClusterNodes, redisTargetFromEnv, type RedisNodeAddress } from '../config/redis.js';
import {
  EMPTY_VOCABULARY,
  loadVocabulary,
  VocabularyError,
  type Vocabulary,
  type VocabularyReader,
} from '../config/vocabulary.js';
import { inThreadParser, type FileParser } from '../engine/parser.js';
import {
  collectMarkdownPaths,
  NothingSelectedError,
  PathError,
  readWithinLimits,
  type CollectedPaths,
} from '../engine/files.js';
import type { RunSummary, SourceFile } from '../engine/types.js';
import { createFixer, type Provider } from '../model/index.js';
import { normaliseSimRules, SIM_RULES, SimRulesError, type SimRule } from '../model/simulator.js';
import type { Budget, UnitFixer } from '../model/types.js';

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface RunOptions {
  provider?: Provider;
  model?: string;
  store: 'embedded' | 'memory' | 'redis';
  redisUrl?: string;
  redisClusterNodes?: RedisNodeAddress[];
  cacheDir?: string;
  scope: string;
  styleGuide?: string;
  include?: string[];
  exclude?: string[];
  config?: string;
  json?: boolean;
  maxLines?: number;
  simSeed?: number;
  simFlipRate?: number;
  simRules?: SimRule[];
  trace?: boolean;
  threads?: number;
  fileFixpoints?: boolean;
  repo?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`${name}: expected a positive whole number, got "${value}"`);
    return n;
  };
}

export function rate(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw new UsageError(`${name}: expected a number from 0 to 1, got "${value}"`);
    return n;
  };
}

/** `--sim-rules spelling,wordy,contractions`: simulator rule sets, checked and in canonical order. */
export function simRules(name: string) {
  return (value: string): SimRule[] => {
    try {
      return normaliseSimRules(
        value
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r !== ''),
      );
    } catch (err) {
      if (err instanceof SimRulesError) throw new UsageError(`${name}: ${err.message}`);
      throw err;
    }
  };
}

/** `--redis-cluster-nodes host:port,host:port`: seed nodes of a Redis Cluster. */
export function clusterNodes(name: string) {
  return (value: string): RedisNodeAddress[] => {
    try {
      return parseClusterNodes(value);
    } catch (err) {
      throw new UsageError(`${name}: ${(err as Error).message}`);
    }
  };
}

export const SIM_RULES_HELP = `simulator rule sets, comma-separated (${SIM_RULES.join(', ')}; default spelling,wordy,doubled)`;

export function addRunOptions(cmd: Command): Command {
  // `docs-fix pr` names its repository with a --repo of its own, which serves for rejections too.
  if (!cmd.options.some((o) => o.long === '--repo')) {
    cmd.option(
      '--repo <owner/name>',
      "honour maintainers' rejections recorded for this repository (a store shared with the app: --store redis --scope installation:<id>)",
      repository('--repo'),
    );
  }
  return cmd
    .addOption(
      new Option(
        '--provider <name>',
        'model provider (default: openai when OPENAI_BASE_URL or OPENAI_API_KEY is set, else offline: harper.js and a list of common misspellings, in-process)',
      ).choices(['offline', 'sim', 'echo', 'openai']),
    )
    .option('--model <id>', 'model id (default: $DOCS_FIX_MODEL)')
    .addOption(
      new Option('--store <kind>', 'line cache').choices(['embedded', 'memory', 'redis']).default('embedded'),
    )
    .option('--redis-url <url>', 'Redis for --store redis (default: $REDIS_URL)')
    .option(
      '--redis-cluster-nodes <list>',
      'Redis Cluster for --store redis: host:port seeds, comma-separated (default: $REDIS_CLUSTER_NODES)',
      clusterNodes('--redis-cluster-nodes'),
    )
    .option('--cache-dir <dir>', 'folder of the embedded cache')
    .option('--scope <scope>', 'cache scope (tenant boundary)', 'local')
    .option('--style-guide <file>', 'house style given to the model')
    .option('--include <glob>', 'files to fix (repeatable; default from config)', collect)
    .option('--exclude <glob>', 'files to leave alone (repeatable)', collect)
    .option('--config <file>', 'a docs-fix.yml (same schema as the app reads from .github/docs-fix.yml)')
    .option(
      '--max-lines <n>',
      'most source lines (of distinct paragraphs and headings) sent to the model',
      positiveInt('--max-lines'),
    )
    .option('--sim-seed <n>', 'seed of the offline simulator', positiveInt('--sim-seed'))
    .option(
      '--sim-flip-rate <rate>',
      'how often the simulator rewrites its own output (0..1)',
      rate('--sim-flip-rate'),
    )
    .option('--sim-rules <list>', SIM_RULES_HELP, simRules('--sim-rules'))
    .option(
      '--threads <n>',
      'threads that split files (default: one per core for runs over 512 KiB, else 1)',
      positiveInt('--threads'),
    )
    .option('--no-file-fixpoints', 'split every file, even content already known to be at a fixpoint')
    .option('--trace', 'print every line outcome (with --json: include the trace)')
    .option('--json', 'print one JSON summary object');
}

export interface RunSetup {
  readonly env: OperatorEnv;
  readonly config: RepoConfig;
  readonly fixer: UnitFixer;
  /** The same model with another vocabulary (the repository's, read elsewhere: `docs-fix pr`). */
  readonly fixerWith: (vocabulary: readonly string[]) => UnitFixer;
  /** The repository's vocabulary: the config's and its Vale and cspell word lists. */
  readonly vocabulary: Vocabulary;
  /** `owner/name` whose maintainers' rejections are honoured (`--repo`), if any. */
  readonly repository?: string;
  readonly store: LineStore;
  readonly budget: Budget;
  readonly scope: string;
  readonly include: string[];
  readonly exclude: string[];
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `${what} ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

export async function loadConfig(path: string | undefined): Promise<RepoConfig> {
  if (!path) return defaultRepoConfig();
  const { parseRepoConfigYaml } = await import('../config/parse.js');
  const result = parseRepoConfigYaml(readText(path, '--config'), path);
  if (!result.ok) throw new UsageError(result.error.message);
  return result.config;
}

/** `--repo owner/name`. */
export function repository(name: string) {
  return (value: string): string => {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(value))
      throw new UsageError(`${name}: expected owner/name, got "${value}"`);
    return value;
  };
}

/**
 * The repository root the CLI reads word lists (Vale, cspell, the config's vocabulary file) from: the
 * folder holding `--config` (its parent when the file is in `.github/`, as the app's is), else the git
 * root above the working directory, else the working directory.
 */
export function repositoryRoot(configPath: string | undefined, cwd: string = process.cwd()): string {
  if (configPath) {
    const dir = dirname(resolve(cwd, configPath));
    return basename(dir) === '.github' ? dirname(dir) : dir;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** Reads word lists from a folder on disk (the CLI's side of `loadVocabulary`). */
export function diskVocabularyReader(root: string): VocabularyReader {
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    names = [];
  }
  return {
    rootFiles: new Set(names),
    readText: async (path) => {
      try {
        return readFileSync(join(root, path), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new UsageError(
          `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        );
      }
    },
  };
}

/** The vocabulary of the config and of the word lists under the repository root; bad lists are usage errors. */
export async function loadCliVocabulary(
  config: RepoConfig,
  configPath: string | undefined,
): Promise<Vocabulary> {
  const root = repositoryRoot(configPath);
  try {
    return await loadVocabulary(config.vocabulary, diskVocabularyReader(root), configPath ?? 'docs-fix.yml');
  } catch (err) {
    if (err instanceof VocabularyError) throw new UsageError(err.message);
    throw err;
  }
}

/** `--provider`, else `DOCS_FIX_PROVIDER`, else `openai` when an endpoint or key is set, else the offline editor. */
export function resolveProvider(
  opts: RunOptions,
  processEnv: NodeJS.ProcessEnv,
  operator: OperatorEnv,
): Provider {
  if (opts.provider) return opts.provider;
  if (processEnv.DOCS_FIX_PROVIDER) return operator.DOCS_FIX_PROVIDER;
  // With no endpoint, a real (rule-based) copy editor; the simulator is for tests and demonstrations.
  return processEnv.OPENAI_BASE_URL || processEnv.OPENAI_API_KEY ? 'openai' : 'offline';
}

/** The Redis of `--store redis`: the options, else the operator's `REDIS_*` environment. */
export function redisTargetFor(
  opts: { redisUrl?: string; redisClusterNodes?: RedisNodeAddress[] },
  env: OperatorEnv,
) {
  return redisTargetFromEnv(env, (path) => readFileSync(path, 'utf8'), {
    ...(opts.redisUrl !== undefined ? { url: opts.redisUrl } : {}),
    ...(opts.redisClusterNodes !== undefined ? { clusterNodes: opts.redisClusterNodes } : {}),
  });
}

/** Builds everything a run needs from the options; the caller closes `store`. */
export async function setupRun(
  opts: RunOptions,
  processEnv: NodeJS.ProcessEnv = process.env,
  /** `false`: the repository is not on this disk (`docs-fix pr` reads its word lists through GitHub). */
  what: { readonly localVocabulary?: boolean } = {},
): Promise<RunSetup> {
  const env = await loadOperatorEnv(processEnv);
  const config = await loadConfig(opts.config);
  const vocabulary =
    what.localVocabulary === false ? EMPTY_VOCABULARY : await loadCliVocabulary(config, opts.config);
  const provider = resolveProvider(opts, processEnv, env);
  const styleGuide = opts.styleGuide ? readText(opts.styleGuide, '--style-guide') : config.styleGuide;
  if (provider === 'openai' && !env.OPENAI_BASE_URL && !env.OPENAI_API_KEY) {
    throw new UsageError(
      '--provider openai: set OPENAI_BASE_URL (any OpenAI-compatible endpoint) or OPENAI_API_KEY',
    );
  }
  const fixerWith = (terms: readonly string[]): UnitFixer =>
    createFixer({
      provider,
      model: opts.model ?? env.DOCS_FIX_MODEL,
      baseURL: env.OPENAI_BASE_URL,
      apiKey: env.OPENAI_API_KEY,
      styleGuide,
      vocabulary: terms,
      batchSize: env.DOCS_FIX_BATCH_SIZE,
      concurrency: env.DOCS_FIX_MODEL_CONCURRENCY,
      sim: { seed: opts.simSeed, flipRate: opts.simFlipRate, rules: opts.simRules },
    });
  const fixer = fixerWith(vocabulary.terms);
  const store = await openStore({
    kind: opts.store,
    ...(opts.store === 'redis' ? { redisTarget: redisTargetFor(opts, env) } : {}),
    prefix: env.DOCS_FIX_REDIS_PREFIX,
    cacheDir: opts.cacheDir,
    rewriteTtlSeconds: env.DOCS_FIX_REWRITE_TTL_DAYS * 86_400,
    replicaAcks: env.DOCS_FIX_REDIS_REPLICA_ACKS,
  });
  const maxLines = Math.min(opts.maxLines ?? config.maxLinesPerRun, env.DOCS_FIX_MAX_LINES_PER_RUN);
  return {
    env,
    config,
    fixer,
    fixerWith,
    vocabulary,
    ...(opts.repo ? { repository: opts.repo } : {}),
    store,
    budget: { maxLines, maxTokens: env.DOCS_FIX_MAX_TOKENS_PER_RUN },
    scope: opts.scope,
    include: opts.include ?? config.include,
    exclude: [...config.exclude, ...(opts.exclude ?? [])],
  };
}

/** What a run takes from the repository: its vocabulary, its languages, and whose rejections to honour. */
export function engineOptions(setup: RunSetup): {
  vocabulary: readonly string[];
  languages: readonly string[];
  repository?: string;
} {
  return {
    vocabulary: setup.vocabulary.terms,
    languages: setup.config.languages,
    ...(setup.repository ? { repository: setup.repository } : {}),
  };
}

/** Below this many bytes of markdown, starting worker threads costs more than it saves. */
const POOL_MIN_BYTES = 512 * 1024;

/**
 * Where a run splits its files: `--threads` when given, else a pool with one thread per core for runs big
 * enough to gain from it, else this thread. Loaded when the run starts (the parser is the heaviest module a
 * run needs, and a run of settled files needs none). The caller closes it.
 */
export async function parserFor(opts: RunOptions, files: readonly SourceFile[]): Promise<FileParser> {
  const bytes = files.reduce((n, f) => n + f.bytes.byteLength, 0);
  const threads = opts.threads ?? (bytes >= POOL_MIN_BYTES ? availableParallelism() : 1);
  if (threads > 1) return (await import('../engine/parse-pool.js')).createParsePool({ threads });
  return inThreadParser();
}

/**
 * The markdown files a command works on: `paths` (default `.`; relative to `cwd` or absolute, inside it or
 * not) filtered by the setup's include/exclude, read within the operator's limits. A path that does not
 * exist, or a folder that yields no file, is a usage error: a run never passes on nothing.
 */
export function selectFiles(
  paths: readonly string[],
  setup: RunSetup,
  cwd: string = process.cwd(),
): { files: SourceFile[]; skipped: RunSummary['skippedFiles'] } {
  let selected: CollectedPaths;
  try {
    selected = collectMarkdownPaths(paths.length > 0 ? paths : ['.'], setup, cwd);
  } catch (err) {
    if (err instanceof PathError || err instanceof NothingSelectedError) throw new UsageError(err.message);
    throw err;
  }
  if (selected.paths.length === 0) {
    throw new UsageError(`nothing to examine: ${selected.excluded.map((e) => e.message).join('; ')}`);
  }
  const read = readWithinLimits(selected.paths, cwd, {
    maxFiles: setup.env.DOCS_FIX_MAX_FILES,
    maxBytes: setup.env.DOCS_FIX_MAX_BYTES,
  });
  return { files: read.files, skipped: [...selected.excluded, ...read.skipped] };
}
