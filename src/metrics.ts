// Prometheus metrics of the product (cache, model, admission, GitHub); job metrics live in jobs/metrics.ts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunSummary } from './engine/types.js';

export interface RunMetrics {
  /** Records one engine run's summary (cache lookups by result, model lines and tokens, admission). */
  recordRun(summary: RunSummary): void;
  /** Records one GitHub API response. */
  recordGitHub(route: string, status: number, rateLimitRemaining: number | undefined): void;
}

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'docs_fix_process_' });
  return registry;
}

export function registerRunMetrics(registry: Registry, prefix = 'docs_fix_'): RunMetrics {
  const lookups = new Counter({
    name: `${prefix}cache_lookups_total`,
    help: 'Editable lines looked up in the line cache, by result (fixpoint, rewrite, held, miss).',
    labelNames: ['result'],
    registers: [registry],
  });
  const modelLines = new Counter({
    name: `${prefix}model_lines_total`,
    help: 'Distinct lines sent to the model.',
    registers: [registry],
  });
  const modelRequests = new Counter({
    name: `${prefix}model_requests_total`,
    help: 'Requests sent to the model endpoint (retries included).',
    registers: [registry],
  });
  const tokens = new Counter({
    name: `${prefix}model_tokens_total`,
    help: 'Tokens reported by the model endpoint, by kind (prompt, completion).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const modelSeconds = new Histogram({
    name: `${prefix}model_phase_seconds`,
    help: 'Time a run spent waiting for the model.',
    buckets: [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const rejections = new Counter({
    name: `${prefix}admission_rejections_total`,
    help: 'Model answers rejected by admission control, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const changed = new Counter({
    name: `${prefix}changed_lines_total`,
    help: 'Lines changed by runs.',
    registers: [registry],
  });
  const github = new Counter({
    name: `${prefix}github_requests_total`,
    help: 'GitHub API requests, by route and status.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const remaining = new Gauge({
    name: `${prefix}github_rate_limit_remaining`,
    help: 'x-ratelimit-remaining of the last GitHub API response.',
    registers: [registry],
  });
  return {
    recordRun(summary) {
      lookups.inc({ result: 'fixpoint' }, summary.fixpointHits);
      lookups.inc({ result: 'rewrite' }, summary.rewriteHits);
      lookups.inc({ result: 'held' }, summary.heldHits);
      lookups.inc({ result: 'rejected-by-maintainer' }, summary.rejectedByMaintainer);
      lookups.inc({ result: 'miss' }, summary.modelUnits + summary.overBudgetUnits);
      modelLines.inc(summary.modelLines);
      modelRequests.inc(summary.modelRequests);
      tokens.inc({ kind: 'prompt' }, summary.tokens.prompt);
      tokens.inc({ kind: 'completion' }, summary.tokens.completion);
      if (summary.modelMs > 0) modelSeconds.observe(summary.modelMs / 1000);
      for (const [reason, n] of Object.entries(summary.rejectedByReason)) rejections.inc({ reason }, n);
      changed.inc(summary.changedLines);
    },
    recordGitHub(route, status, rateLimitRemaining) {
      github.inc({ route, status: String(status) });
      if (rateLimitRemaining !== undefined) remaining.set(rateLimitRemaining);
    },
  };
}
