// Public surface of the jobs module: what the app, the CLI's `worker` command and the server use.
export { createJobQueue, KEEP_COMPLETED, KEEP_FAILED } from './queue.js';
export type { EnqueueResult, JobCounts, JobQueue, JobQueueOptions, ScheduleInfo } from './queue.js';
export { createJobWorker, RepoLockLostError, WorkerShutdownError } from './worker.js';
export type { JobWorker, JobWorkerOptions } from './worker.js';
export { registerJobMetrics } from './metrics.js';
export type { JobMetrics, JobMetricsOptions, JobRunOutcome } from './metrics.js';
export { installShutdown } from './shutdown.js';
export type { Closeable, ShutdownOptions } from './shutdown.js';
export { cronPatternFor, ScheduleError } from './schedule.js';
export type { ScheduleSetting } from './schedule.js';
export { jobIdFor, keyPatterns, queuePrefix, schedulerIdFor, QUEUE_NAME } from './keys.js';
export type { RedisConnection } from './connection.js';
export { PermanentJobError } from './types.js';
export type { JobContext, JobData, JobHandler, JobKind, JobOutcome, JobSpec, RepoRef } from './types.js';
