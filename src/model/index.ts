/**
 * The model: a `UnitFixer` for an OpenAI-compatible endpoint, the offline editor, the simulator, or echo.
 * Configuring a fixer loads no transport, no validator, no linter and no server: a run whose units are all
 * cached never asks, and a pre-commit `check` should not pay for what it does not use. Each loads with the
 * first request.
 */
import { fixUnitsBatched, type BatchClientOptions } from './client.js';
import { createOfflineFixer } from './offline/index.js';
import { defaultTemplate, promptVersion } from './prompt.js';
import { createSimulator, simModelId, type SimRule, type SimulatorSettings } from './simulator.js';
import { httpTransport, type ChatTransport } from './transport.js';
import type { UnitFixer } from './types.js';

export type { Budget, FixUnitsResult, ModelFailure, ModelUnit, TokenUsage, UnitFixer } from './types.js';
export { ModelError, parseRetryAfter } from './errors.js';
export {
  batchesOf,
  CLIENT_DEFAULTS,
  fixUnitsBatched,
  withinLineBudget,
  type BatchClientOptions,
} from './client.js';
export {
  ANSWER_SCHEMA,
  buildMessages,
  defaultTemplate,
  MODEL_OPTIONS,
  PROMPT_TEMPLATE_VERSION,
  promptVersion,
  RESPONSE_FORMATS,
  SYSTEM_PROMPT,
  termsIn,
  type ChatMessage,
  type PromptTemplate,
  type ResponseFormat,
} from './prompt.js';
export {
  applyFault,
  copyEdit,
  copyEditUnit,
  sentenceCase,
  createSimulator,
  DEFAULT_SIM_RULES,
  DEFAULT_SIM_SETTINGS,
  normaliseSimRules,
  SIM_FAULTS,
  SIM_RULES,
  simModelId,
  SimRulesError,
  type SimFault,
  type SimRule,
  type Simulator,
  type SimulatorSettings,
} from './simulator.js';
export {
  estimateTokens,
  httpTransport,
  type ChatRequest,
  type ChatResponse,
  type ChatTransport,
} from './transport.js';
export {
  PROTECTED_KINDS,
  protectedSpans,
  scanInline,
  type InlineSegment,
  type ProtectedKind,
} from './protected.js';

export * from './offline/index.js';

export const PROVIDERS = ['openai', 'offline', 'sim', 'echo'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const SIM_LABEL = 'sim (offline simulator — not a language model)';
export const ECHO_LABEL = 'echo (returns every unit unchanged)';

export interface FixerOptions {
  readonly provider: Provider;
  /** Model id sent to the endpoint (openai); ignored by sim and echo, whose ids describe them. */
  readonly model: string;
  /** OpenAI-compatible endpoint up to `/v1` (openai only; default api.openai.com). */
  readonly baseURL?: string;
  readonly apiKey?: string;
  /** The repository's house style, appended to the system prompt (part of the prompt version). */
  readonly styleGuide?: string;
  /**
   * Replaces the built-in system prompt (a candidate prompt in a shadow run); part of the prompt version,
   * so a different prompt never reads or writes the built-in prompt's cache entries.
   */
  readonly systemPrompt?: string;
  /**
   * The repository's vocabulary: terms to keep exactly as written. Named in each request whose units hold
   * them (the offline editor gives them to Harper and never changes them), and part of the prompt version
   * (a repository's new term starts fresh cache entries for it).
   */
  readonly vocabulary?: readonly string[];
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  /** Simulator settings (sim only); they change its answers, so they are part of its model id. */
  readonly sim?: {
    readonly seed?: number;
    readonly flipRate?: number;
    readonly faultRate?: number;
    /** Rule sets of deterministic corrections (default: spelling, wordy, doubled). */
    readonly rules?: readonly SimRule[];
  };
  /** Replaces the provider's transport (tests). */
  readonly transport?: ChatTransport;
  /** Injected for tests: the backoff sleep and jitter. */
  readonly sleep?: BatchClientOptions['sleep'];
  readonly random?: BatchClientOptions['random'];
}

/** Builds a `UnitFixer`: the same prompt, batching, retries and validation for every provider. */
export function createFixer(options: FixerOptions): UnitFixer {
  // A rule-based editor in-process: no prompt, no client; its own ids name its engine, data and rules.
  if (options.provider === 'offline') return createOfflineFixer({ vocabulary: options.vocabulary });
  const template = defaultTemplate(options.styleGuide ?? '', options.systemPrompt, options.vocabulary);
  const version = promptVersion(template);
  let transport: ChatTransport;
  let modelId: string;
  let label: string;
  if (options.provider === 'sim') {
    const simulator = createSimulator(definedOnly(options.sim ?? {}));
    transport = inProcess((m) => m.simTransport(simulator));
    modelId = simModelId(simulator.settings);
    label = SIM_LABEL;
  } else if (options.provider === 'echo') {
    transport = inProcess((m) => m.echoTransport());
    modelId = 'echo';
    label = ECHO_LABEL;
  } else {
    transport = httpTransport({ baseURL: options.baseURL, apiKey: options.apiKey });
    const endpoint = options.baseURL ?? 'https://api.openai.com/v1';
    // The same model name served by another endpoint may answer differently: the host is part of the key.
    modelId = `${options.model}@${new URL(endpoint).host}`;
    label = `${options.model} at ${endpoint}`;
  }
  const client: BatchClientOptions = {
    transport: options.transport ?? transport,
    model: options.model,
    template,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    sleep: options.sleep,
    random: options.random,
  };
  return {
    modelId,
    promptVersion: version,
    label,
    fixUnits: (units, budget, signal) => fixUnitsBatched(units, budget, signal, client),
  };
}

/** An in-process transport, loaded with its request parser on the first request. */
function inProcess(make: (m: typeof import('./in-process.js')) => ChatTransport): ChatTransport {
  let loaded: Promise<ChatTransport> | undefined;
  return async (request, signal) =>
    (await (loaded ??= import('./in-process.js').then(make)))(request, signal);
}

function definedOnly(o: {
  seed?: number;
  flipRate?: number;
  faultRate?: number;
  rules?: readonly SimRule[];
}): Partial<SimulatorSettings> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
