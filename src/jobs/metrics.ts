// Prometheus metrics of the job queue and of this process's workers; registered on a Registry passed in.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { JobCounts } from './queue.js';
import type { JobKind } from './types.js';

/** How one run of a job ended. */
export type JobRunOutcome = 'completed' | 'failed' | 'retry' | 'handed-back';

/** What a worker reports; pass it as `createJobWorker({ metrics })`. */
export interface JobMetrics {
  finished(kind: JobKind, outcome: JobRunOutcome, seconds: number): void;
  /** A job found its repository busy and was delayed. */
  busy(kind: JobKind): void;
}

export interface JobMetricsOptions {
  /** Read on each scrape (e.g. `jobQueue.counts`); leave out in a process that has no queue. */
  counts?: () => Promise<JobCounts>;
  /** Metric name prefix (default `docs_fix_`). */
  namePrefix?: string;
}

/** Registers the job metrics on `registry` and answers the hooks a worker reports through. */
export function registerJobMetrics(registry: Registry, options: JobMetricsOptions = {}): JobMetrics {
  const p = options.namePrefix ?? 'docs_fix_';
  const { counts } = options;
  if (counts) {
    new Gauge({
      name: `${p}queue_jobs`,
      help: 'Jobs in the queue by state (waiting, active, delayed, failed, completed, prioritized, paused), read from Redis on scrape.',
      labelNames: ['state'],
      registers: [registry],
      async collect() {
        // Redis away: no samples rather than a failed scrape (the process metrics still tell the story).
        const current = await counts().catch(() => undefined);
        this.reset();
        for (const [state, n] of Object.entries(current ?? {})) this.set({ state }, n);
      },
    });
  }
  const duration = new Histogram({
    name: `${p}job_duration_seconds`,
    help: 'Time a job run took in this process, by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const runs = new Counter({
    name: `${p}job_runs_total`,
    help: 'Job runs finished in this process, by kind and outcome.',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const busy = new Counter({
    name: `${p}job_busy_delays_total`,
    help: 'Jobs delayed because another job held their repository.',
    labelNames: ['kind'],
    registers: [registry],
  });
  return {
    finished(kind, outcome, seconds) {
      duration.observe({ kind, outcome }, seconds);
      runs.inc({ kind, outcome });
    },
    busy(kind) {
      busy.inc({ kind });
    },
  };
}
