import { z } from 'zod';
import { parseClusterNodes } from './redis.js';
import { ANY_LANGUAGE, KNOWN_LANGUAGES } from './language-codes.js';

// Each option's `.describe()` text is its documentation: the README tables are generated from it
// (`npm run docs:config`) and a test checks that they match.

/**
 * Repository configuration: `.github/docs-fix.yml` in the app, `--config <file>` in the CLI.
 * The model endpoint and operator limits are deliberately absent: a repository cannot choose them.
 */
export const RepoConfigSchema = z
  .object({
    include: z
      .array(z.string().min(1))
      .default(['**/*.md', '**/*.mdx', '**/*.markdown'])
      .describe('Globs of markdown files to fix.'),
    exclude: z
      .array(z.string().min(1))
      .default(['**/node_modules/**', '**/vendor/**', 'CHANGELOG.md'])
      .describe('Globs of files never touched (applied after include).'),
    branches: z
      .array(z.string().min(1))
      .default([])
      .describe("Branches whose pushes trigger a run; empty means the repository's default branch."),
    styleGuide: z
      .string()
      .default('')
      .describe(
        'House style for the model: inline text, or a path in the repository (ending in .md or .txt).',
      ),
    commands: z.boolean().default(true).describe('Whether `/docs-fix` comments are honoured.'),
    commentAction: z
      .enum(['commit', 'pr'])
      .default('commit')
      .describe(
        'What `/docs-fix` on a same-repository pull request does: commit onto its branch, or open a pull request into it.',
      ),
    schedule: z
      .string()
      .regex(
        /^(off|daily|weekly|(\S+\s+){4}\S+)$/,
        'expected "off", "daily", "weekly" or a 5-field cron expression',
      )
      .default('weekly')
      .describe('Scheduled re-run check: a 5-field cron expression, `weekly`, `daily`, or `off`.'),
    maxLinesPerRun: z
      .number()
      .int()
      .positive()
      .default(2000)
      .describe(
        "Most source lines sent to the model in one run, counted over the distinct paragraphs and headings asked about (capped by the operator's limit).",
      ),
    labels: z
      .array(z.string().min(1))
      .default(['documentation'])
      .describe('Labels put on the bot pull request.'),
    draft: z.boolean().default(false).describe('Open the bot pull request as a draft.'),
    dryRun: z
      .boolean()
      .default(false)
      .describe('Report in a check run only; never commit or open pull requests.'),
    vocabulary: z
      .union([
        z.array(z.string().min(1)),
        z
          .object({
            terms: z.array(z.string().min(1)).optional(),
            file: z.string().min(1).optional(),
          })
          .strict(),
      ])
      .default([])
      .describe(
        "Terms the model must keep exactly as written: a list, or `{terms: [...], file: path}` (one term per line). Vale's `accept.txt` vocabularies and cspell's `words` are added when the repository has them.",
      ),
    languages: z
      .array(
        z.string().refine((code) => code === ANY_LANGUAGE || KNOWN_LANGUAGES.has(code), {
          message: `expected a language code such as en, fr, de, zh, ja (ISO 639-1, or 639-3 where a language has no 639-1 code), or "${ANY_LANGUAGE}" for all`,
        }),
      )
      .min(1)
      .default(['en'])
      .describe(
        'Languages docs-fix edits; prose detected as another language is left as it is (frozen as `language:<code>`). `["*"]` edits every language.',
      ),
  })
  .strict();

export type RepoConfig = z.infer<typeof RepoConfigSchema>;
export type RepoConfigInput = z.input<typeof RepoConfigSchema>;

/** Operator environment (never from a repository). */
export const OperatorEnvSchema = z.object({
  APP_SLUG: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]*$/,
      'an app slug: lower-case letters, digits and dashes (github.com/apps/<slug>)',
    )
    .optional()
    .describe(
      "The app's slug (`github.com/apps/<slug>`; its bot is `<slug>[bot]`). Optional: learned from GitHub at start-up; set it to know the bot's own events before GitHub answers.",
    ),
  OPENAI_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe('OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Ollama: `http://host:port/v1`).'),
  OPENAI_API_KEY: z.string().optional().describe('API key for the model endpoint.'),
  DOCS_FIX_MODEL: z
    .string()
    .min(1)
    .default('gpt-4o-mini')
    .describe('Model id sent to the endpoint and used in cache keys.'),
  DOCS_FIX_PROVIDER: z
    .enum(['openai', 'offline', 'sim', 'echo'])
    .default('openai')
    .describe(
      '`openai` (an endpoint), `offline` (harper.js + common misspellings, in-process), `sim` (offline simulator, not a language model) or `echo` (returns every paragraph unchanged).',
    ),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .describe(
      'Redis for the line cache and the job queue (`rediss://` for TLS; `redis://user:password@host:port`).',
    ),
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((text, ctx) => {
      try {
        return parseClusterNodes(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional()
    .describe(
      "Redis Cluster seed nodes, comma-separated `host:port` (e.g. a managed cluster's configuration endpoint); when set, `REDIS_URL` is not used.",
    ),
  REDIS_USERNAME: z.string().optional().describe("Redis ACL user (overrides the URL's user)."),
  REDIS_PASSWORD: z.string().optional().describe("Redis password (overrides the URL's password)."),
  REDIS_TLS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('Connect to Redis over TLS (a `rediss://` URL does too); needed by most managed clusters.'),
  REDIS_TLS_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A PEM file of the CA that signed the Redis certificates, when it is not a public one (turns on TLS).',
    ),
  DOCS_FIX_REDIS_REPLICA_ACKS: z
    .enum(['auto', 'off'])
    .default('auto')
    .describe(
      'On a cluster, `auto` acknowledges a cache write only once a replica of its shard holds it (`WAIT 1`), so a failover loses no entry a run relied on; `off` for services that refuse `WAIT`.',
    ),
  DOCS_FIX_REDIS_PREFIX: z
    .string()
    .regex(/^[^{}\s*?[\]\\]+$/, 'expected no braces, spaces or glob characters')
    .default('df')
    .describe(
      "Prefix of every Redis key docs-fix writes; the job queue's keys carry it as a cluster hash tag (`{df}:`).",
    ),
  DOCS_FIX_REWRITE_TTL_DAYS: z.coerce
    .number()
    .int()
    .min(0)
    .default(90)
    .describe('Days a cached rewrite lives (fixpoints never expire); 0 keeps rewrites forever.'),
  DOCS_FIX_MAX_LINES_PER_RUN: z.coerce
    .number()
    .int()
    .positive()
    .default(5000)
    .describe(
      'Operator cap on source lines (of distinct paragraphs and headings) sent to the model per run; repositories cannot raise it.',
    ),
  DOCS_FIX_MAX_TOKENS_PER_RUN: z.coerce
    .number()
    .int()
    .positive()
    .default(2_000_000)
    .describe('Operator cap on tokens (prompt + completion) per run.'),
  DOCS_FIX_MAX_FILES: z.coerce
    .number()
    .int()
    .positive()
    .default(5000)
    .describe('Most markdown files one run reads.'),
  DOCS_FIX_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024)
    .describe('Most bytes of markdown one run reads.'),
  DOCS_FIX_BATCH_SIZE: z.coerce
    .number()
    .int()
    .positive()
    .default(40)
    .describe('Source lines per model request (whole paragraphs; a longer one goes alone).'),
  DOCS_FIX_MODEL_CONCURRENCY: z.coerce
    .number()
    .int()
    .positive()
    .default(4)
    .describe('Model requests in flight at once.'),
  DOCS_FIX_PRICE_PER_1K_PROMPT_TOKENS: z.coerce
    .number()
    .min(0)
    .optional()
    .describe('Price of 1,000 prompt tokens, for the cost estimates of shadow runs (any currency).'),
  DOCS_FIX_PRICE_PER_1K_COMPLETION_TOKENS: z.coerce
    .number()
    .min(0)
    .optional()
    .describe('Price of 1,000 completion tokens, for the cost estimates of shadow runs.'),
  DOCS_FIX_SHADOW_PROVIDER: z
    .enum(['openai', 'offline', 'sim', 'echo'])
    .optional()
    .describe('Shadow runs in the app: provider of the candidate (default: `DOCS_FIX_PROVIDER`).'),
  DOCS_FIX_SHADOW_MODEL: z
    .string()
    .min(1)
    .optional()
    .describe('Shadow runs: model id of the candidate (default: `DOCS_FIX_MODEL`).'),
  DOCS_FIX_SHADOW_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe('Shadow runs: endpoint of the candidate (default: `OPENAI_BASE_URL`).'),
  DOCS_FIX_SHADOW_PROMPT_FILE: z
    .string()
    .min(1)
    .optional()
    .describe("Shadow runs: a file with the candidate's system prompt, replacing the built-in one."),
  DOCS_FIX_SHADOW_SIM_SEED: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('Shadow runs: seed of a simulator candidate.'),
  DOCS_FIX_SHADOW_SIM_FLIP_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Shadow runs: flip rate (0..1) of a simulator candidate.'),
  DOCS_FIX_SHADOW_SIM_RULES: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Shadow runs: rule sets of a simulator candidate, comma-separated (`spelling`, `wordy`, `doubled`, `us-spelling`, `contractions`, `no-contractions`).',
    ),
  DOCS_FIX_SHADOW_SAMPLE: z.coerce
    .number()
    .int()
    .positive()
    .default(20)
    .describe('Shadow runs: how many scheduled repositories `docs-fix shadow-app run` samples.'),
  DOCS_FIX_SHADOW_SCHEDULE: z
    .string()
    .trim()
    .regex(/^\S+(\s+\S+){4,5}$/, 'expected a cron pattern of 5 or 6 fields (e.g. "0 6 * * 1")')
    .optional()
    .describe(
      'Shadow runs: a cron pattern (UTC) on which workers with a candidate start a run of `DOCS_FIX_SHADOW_SAMPLE` scheduled repositories (default: off).',
    ),
  DOCS_FIX_SHADOW_MAX_CHANGE_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Shadow gate: most share of fixpoint units (paragraphs, headings) the candidate may change.'),
  DOCS_FIX_SHADOW_MIN_FIXPOINT_RATE: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Shadow gate: least share of its own output units the candidate must leave unchanged.'),
  DOCS_FIX_SHADOW_MAX_COST: z.coerce
    .number()
    .min(0)
    .optional()
    .describe('Shadow gate: most estimated cost of the switch (at the token prices above).'),
  WORKER_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(0)
    .default(2)
    .describe('Jobs a process works on at once; 0 disables the in-process worker of `npm start`.'),
  DOCS_FIX_PARSE_THREADS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Worker threads a worker process splits markdown on, shared by its jobs; 0 means one per core, 1 splits in the job thread.',
    ),
});

export type OperatorEnv = z.infer<typeof OperatorEnvSchema>;
