/**
 * The batching client: many numbered prose units per request, a concurrency limit, retries with backoff
 * (honouring Retry-After), a per-request timeout, a per-run budget of source lines and tokens, and strict
 * validation of the answers. A unit the answer leaves out stays unanswered; nothing is guessed. Structured
 * output (a JSON schema) is asked for first; an endpoint that rejects it gets JSON mode, then plain text.
 *
 * `requests` in the result counts transport calls actually made, retries included (for HTTP: requests
 * sent; for the in-process providers: simulated requests).
 */
import { ModelError } from './errors.js';
import { buildMessages, MODEL_OPTIONS, RESPONSE_FORMATS, type PromptTemplate } from './prompt.js';
import { estimateTokens, type ChatRequest, type ChatTransport } from './transport.js';
import type { Budget, FixUnitsResult, ModelFailure, ModelUnit, TokenUsage } from './types.js';

export interface BatchClientOptions {
  readonly transport: ChatTransport;
  /** Model id sent to the endpoint. */
  readonly model: string;
  readonly template: PromptTemplate;
  /** Source lines per request (default 40); a unit with more lines goes alone. */
  readonly batchSize?: number;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  /** Per-request timeout in milliseconds (default 60 s). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt on 429, 5xx, timeouts and network errors (default 4). */
  readonly maxRetries?: number;
  /** Retries of a request whose answer was not valid JSON of the expected shape (default 1). */
  readonly malformedRetries?: number;
  /** First backoff delay; doubles each retry, with jitter (default 500 ms). */
  readonly backoffMs?: number;
  /** Longest backoff delay (default 30 s). */
  readonly maxBackoffMs?: number;
  /** Longest wait a Retry-After header can ask for; longer values are capped (default 60 s). */
  readonly maxRetryAfterMs?: number;
  /** Injected for tests: waits `ms`, rejecting when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injected for tests: jitter source in [0, 1). */
  readonly random?: () => number;
}

export const CLIENT_DEFAULTS = {
  batchSize: 40,
  concurrency: 4,
  timeoutMs: 60_000,
  maxRetries: 4,
  malformedRetries: 1,
  backoffMs: 500,
  maxBackoffMs: 30_000,
  maxRetryAfterMs: 60_000,
} as const satisfies Partial<BatchClientOptions>;

export function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

class RequestTimeout extends Error {}

/**
 * The units that fit a budget of source lines, in order, and the ids of the rest: a unit is sent whole or
 * not at all, and the first unit that does not fit ends the sendable ones (the order is the engine's).
 */
export function withinLineBudget(
  units: readonly ModelUnit[],
  maxLines: number,
): { sendable: ModelUnit[]; overBudget: number[] } {
  let lines = 0;
  let n = 0;
  for (; n < units.length; n += 1) {
    if (lines + units[n]!.lines.length > maxLines) break;
    lines += units[n]!.lines.length;
  }
  return { sendable: units.slice(0, n), overBudget: units.slice(n).map((u) => u.id) };
}

/** Units grouped into requests of at most `size` source lines each (a bigger unit alone). */
export function batchesOf(units: readonly ModelUnit[], size: number): ModelUnit[][] {
  const batches: ModelUnit[][] = [];
  let batch: ModelUnit[] = [];
  let lines = 0;
  for (const unit of units) {
    if (batch.length > 0 && lines + unit.lines.length > size) {
      batches.push(batch);
      batch = [];
      lines = 0;
    }
    batch.push(unit);
    lines += unit.lines.length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Sends `units` in batches and collects validated answers by unit id. Rejects only when `signal` aborts. */
export async function fixUnitsBatched(
  units: readonly ModelUnit[],
  budget: Budget,
  signal: AbortSignal | undefined,
  options: BatchClientOptions,
): Promise<FixUnitsResult> {
  const o = { ...CLIENT_DEFAULTS, ...stripUndefined(options) };
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const runSignal = signal ?? new AbortController().signal;
  runSignal.throwIfAborted();

  const { sendable, overBudget } = withinLineBudget(units, Math.max(0, Math.floor(budget.maxLines)));
  // The answer's validator (zod) loads when a fixer is first asked, not when it is configured.
  const { parseAnswer } = await import('./wire.js');
  const answers = new Map<number, readonly string[]>();
  const unanswered: number[] = [];
  const failures: ModelFailure[] = [];
  const tokens: TokenUsage = { prompt: 0, completion: 0, total: 0 };
  let requests = 0;
  let ignoredAnswers = 0;
  /** Index into RESPONSE_FORMATS: moves on (for every batch) when the endpoint rejects a format. */
  let format = 0;
  /** Set after a non-retryable error that would repeat for every batch (bad key, unknown model). */
  let fatal: ModelFailure | undefined;

  const batches = batchesOf(sendable, Math.max(1, Math.floor(o.batchSize)));

  const tokensSpent = (): boolean => tokens.total >= budget.maxTokens;

  const sendOnce = async (request: ChatRequest) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new RequestTimeout(`no answer within ${o.timeoutMs} ms`));
    }, o.timeoutMs);
    const onAbort = (): void => controller.abort(runSignal.reason);
    runSignal.addEventListener('abort', onAbort, { once: true });
    requests += 1;
    try {
      return await options.transport(request, controller.signal);
    } catch (err) {
      if (runSignal.aborted) throw runSignal.reason;
      if (timedOut) throw new ModelError(`request timed out after ${o.timeoutMs} ms`, 'timeout', true);
      if (err instanceof ModelError) throw err;
      throw new ModelError(
        `transport error: ${err instanceof Error ? err.message : String(err)}`,
        'network',
        true,
      );
    } finally {
      clearTimeout(timer);
      runSignal.removeEventListener('abort', onAbort);
    }
  };

  const runBatch = async (batch: ModelUnit[]): Promise<void> => {
    const ids = batch.map((u) => u.id);
    const messages = buildMessages(options.template, batch);
    let retries = 0;
    let malformed = 0;
    for (;;) {
      if (fatal) {
        unanswered.push(...ids);
        return;
      }
      if (tokensSpent()) {
        overBudget.push(...ids);
        return;
      }
      const triedFormat = format;
      const responseFormat = RESPONSE_FORMATS[triedFormat];
      const request: ChatRequest = {
        model: options.model,
        messages,
        temperature: MODEL_OPTIONS.temperature,
        ...(responseFormat ? { response_format: responseFormat } : {}),
      };
      let error: ModelError;
      try {
        const response = await sendOnce(request);
        const usage = response.usage ?? {
          prompt: messages.reduce((n, m) => n + estimateTokens(m.content), 0),
          completion: estimateTokens(response.content ?? ''),
          total: 0,
        };
        tokens.prompt += usage.prompt;
        tokens.completion += usage.completion;
        tokens.total += usage.total || usage.prompt + usage.completion;
        const parsed = parseAnswer(response.content, batch.length);
        if (parsed.ok) {
          ignoredAnswers += parsed.ignored;
          const missing: number[] = [];
          batch.forEach((unit, i) => {
            const lines = parsed.units.get(i + 1);
            if (lines === undefined) missing.push(unit.id);
            else answers.set(unit.id, lines);
          });
          if (missing.length > 0) {
            unanswered.push(...missing);
            failures.push({
              ids: missing,
              message: `the answer left out ${missing.length} of ${batch.length} units`,
            });
          }
          return;
        }
        error = new ModelError(`malformed answer: ${parsed.message}`, 'malformed', true);
      } catch (err) {
        if (!(err instanceof ModelError)) throw err;
        error = err;
      }

      if (error.kind === 'response-format-unsupported' && RESPONSE_FORMATS[triedFormat] !== undefined) {
        // The endpoint rejects this response format: ask again with the next one (the prompt still asks
        // for JSON, and the answer is validated the same way whatever the envelope).
        format = Math.max(format, triedFormat + 1);
        continue;
      }
      if (error.kind === 'malformed') {
        if (malformed < o.malformedRetries) {
          malformed += 1;
          continue;
        }
        fail(ids, error);
        return;
      }
      if (!error.retryable || retries >= o.maxRetries) {
        const failure = fail(ids, error);
        if (error.status === 401 || error.status === 403 || error.status === 404) fatal = failure;
        return;
      }
      const wait =
        error.retryAfterMs !== undefined
          ? Math.min(error.retryAfterMs, o.maxRetryAfterMs)
          : Math.round(Math.min(o.maxBackoffMs, o.backoffMs * 2 ** retries) * (0.5 + random() / 2));
      retries += 1;
      await sleep(wait, runSignal);
    }
  };

  const fail = (ids: number[], error: ModelError): ModelFailure => {
    unanswered.push(...ids);
    const failure: ModelFailure = {
      ids,
      message: error.message,
      ...(error.status !== undefined ? { status: error.status } : {}),
    };
    failures.push(failure);
    return failure;
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next]!;
      next += 1;
      await runBatch(batch);
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(o.concurrency), batches.length));
  await Promise.all(Array.from({ length: workers }, worker));

  return { answers, unanswered, overBudget, requests, tokens, failures, ignoredAnswers };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
