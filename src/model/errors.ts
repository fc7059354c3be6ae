/** What went wrong with one model request; `retryable` decides whether the client tries again. */
export type ModelErrorKind = 'http' | 'timeout' | 'network' | 'malformed' | 'response-format-unsupported';

/** A model request failed: the endpoint's status, how long it asked us to wait, and whether to retry. */
export class ModelError extends Error {
  readonly code = 'MODEL_ERROR';
  constructor(
    message: string,
    readonly kind: ModelErrorKind,
    readonly retryable: boolean,
    readonly status?: number,
    /** From `Retry-After` / `retry-after-ms`, in milliseconds, uncapped. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

/** Statuses worth retrying: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait from `retry-after-ms` (OpenAI) or `Retry-After` (seconds or an HTTP date);
 * undefined when absent or unreadable.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null },
  now: number,
): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.max(0, Math.ceil(Number(ms)));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Math.ceil(Number(value) * 1000));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
