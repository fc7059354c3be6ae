/**
 * How a request reaches a model. The client (prompt, batching, retries, validation) is the same for
 * every provider; only the transport differs: HTTP to an OpenAI-compatible endpoint here, or the in-process
 * simulator and echo (in-process.ts), which answer the same request format without a network.
 */
import { ModelError, isRetryableStatus, parseRetryAfter } from './errors.js';
import type { ChatMessage, ResponseFormat } from './prompt.js';
import type { TokenUsage } from './types.js';

export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly temperature: number;
  readonly response_format?: NonNullable<ResponseFormat>;
}

export interface ChatResponse {
  /** `choices[0].message.content`. */
  readonly content: string | null;
  /** Absent when the endpoint reports none (the client then estimates). */
  readonly usage?: TokenUsage;
}

/** Sends one request; throws `ModelError` (or the signal's reason when aborted). */
export type ChatTransport = (request: ChatRequest, signal: AbortSignal) => Promise<ChatResponse>;

/** A rough token count (~4 characters a token), for simulators and endpoints that report no usage. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface HttpTransportOptions {
  /** Up to and including `/v1`; default https://api.openai.com/v1. */
  readonly baseURL?: string;
  readonly apiKey?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** POST {baseURL}/chat/completions with fetch; no retries here (the client does them). */
export function httpTransport(options: HttpTransportOptions = {}): ChatTransport {
  const url = `${(options.baseURL ?? 'https://api.openai.com/v1').replace(/\/+$/, '')}/chat/completions`;
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;

  return async (request, signal) => {
    let status = 0;
    let body: string;
    let res: Response;
    try {
      res = await fetchImpl(url, { method: 'POST', headers, body: JSON.stringify(request), signal });
      status = res.status;
      body = await res.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const message =
        err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new ModelError(`${url}: network error: ${message}`, 'network', true, status || undefined);
    }
    if (!res.ok) {
      const detail = body.slice(0, 300).replace(/\s+/g, ' ');
      if (status === 400 && /response_format|json_object|json_schema/i.test(body)) {
        throw new ModelError(
          `${url}: 400: response_format not supported: ${detail}`,
          'response-format-unsupported',
          false,
          400,
        );
      }
      throw new ModelError(
        `${url}: HTTP ${status}: ${detail}`,
        'http',
        isRetryableStatus(status),
        status,
        parseRetryAfter(res.headers, now()),
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ModelError(`${url}: response is not JSON: ${body.slice(0, 120)}`, 'malformed', true, status);
    }
    return readCompletion(json);
  };
}

function readCompletion(json: unknown): ChatResponse {
  const j = json as {
    choices?: { message?: { content?: unknown } }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; total_tokens?: unknown };
  };
  const content = j.choices?.[0]?.message?.content;
  const u = j.usage;
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const usage =
    u && typeof u === 'object'
      ? {
          prompt: num(u.prompt_tokens),
          completion: num(u.completion_tokens),
          total: num(u.total_tokens) || num(u.prompt_tokens) + num(u.completion_tokens),
        }
      : undefined;
  return { content: typeof content === 'string' ? content : null, ...(usage ? { usage } : {}) };
}
