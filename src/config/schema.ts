import { z } from 'zod';

/**
 * Repository configuration: `.github/docs-fix.yml` in the app, `--config <file>` in the CLI.
 * The model endpoint and operator limits are deliberately absent: a repository cannot choose them.
 */
export const RepoConfigSchema = z
  .object({
    /** Globs of markdown files to fix. */
    include: z.array(z.string().min(1)).default(['**/*.md', '**/*.mdx']),
    /** Globs of files never touched (applied after include). */
    exclude: z.array(z.string().min(1)).default(['**/node_modules/**', '**/vendor/**', 'CHANGELOG.md']),
    /** Branches whose pushes trigger a run; empty means the repository's default branch. */
    branches: z.array(z.string().min(1)).default([]),
    /** House style for the model: inline text, or a path in the repository (ending in .md or .txt). */
    styleGuide: z.string().default(''),
    /** Whether `/docs-fix` comments are honoured. */
    commands: z.boolean().default(true),
    /** What `/docs-fix` on a same-repository pull request does: commit onto its branch, or open a pull request into it. */
    commentAction: z.enum(['commit', 'pr']).default('commit'),
    /** Scheduled re-run check: a 5-field cron expression, `weekly`, `daily`, or `off`. */
    schedule: z
      .string()
      .regex(/^(off|daily|weekly|(\S+\s+){4}\S+)$/, 'expected "off", "daily", "weekly" or a 5-field cron expression')
      .default('weekly'),
    /** Most distinct lines sent to the model in one run (capped by the operator's limit). */
    maxLinesPerRun: z.number().int().positive().default(2000),
    /** Labels put on the bot pull request. */
    labels: z.array(z.string().min(1)).default(['documentation']),
    /** Open the bot pull request as a draft. */
    draft: z.boolean().default(false),
    /** Report in a check run only; never commit or open pull requests. */
    dryRun: z.boolean().default(false),
  })
  .strict();

export type RepoConfig = z.infer<typeof RepoConfigSchema>;
export type RepoConfigInput = z.input<typeof RepoConfigSchema>;

/** Operator environment (never from a repository). */
export const OperatorEnvSchema = z.object({
  /** OpenAI-compatible endpoint base URL; unset means api.openai.com's default in the client. */
  OPENAI_BASE_URL: z.string().url().optional(),
  /** API key for the model endpoint. */
  OPENAI_API_KEY: z.string().optional(),
  /** Model id sent to the endpoint and used in cache keys. */
  DOCS_FIX_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** `openai` (an endpoint), `sim` (offline simulator) or `echo` (returns lines unchanged). */
  DOCS_FIX_PROVIDER: z.enum(['openai', 'sim', 'echo']).default('openai'),
  /** Redis for the line cache and the job queue. */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key docs-fix writes. */
  DOCS_FIX_REDIS_PREFIX: z.string().default('df'),
  /** Days a cached rewrite lives (fixpoints never expire). 0 keeps rewrites forever. */
  DOCS_FIX_REWRITE_TTL_DAYS: z.coerce.number().int().min(0).default(90),
  /** Operator cap on distinct lines sent to the model per run; repositories cannot raise it. */
  DOCS_FIX_MAX_LINES_PER_RUN: z.coerce.number().int().positive().default(5000),
  /** Operator cap on tokens per run. */
  DOCS_FIX_MAX_TOKENS_PER_RUN: z.coerce.number().int().positive().default(2_000_000),
  /** Most markdown files one run reads. */
  DOCS_FIX_MAX_FILES: z.coerce.number().int().positive().default(5000),
  /** Most bytes of markdown one run reads. */
  DOCS_FIX_MAX_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  /** Lines per model request. */
  DOCS_FIX_BATCH_SIZE: z.coerce.number().int().positive().default(40),
  /** Model requests in flight at once. */
  DOCS_FIX_MODEL_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /** Jobs a process works on at once; 0 disables the in-process worker of `npm start`. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).default(2),
});

export type OperatorEnv = z.infer<typeof OperatorEnvSchema>;
