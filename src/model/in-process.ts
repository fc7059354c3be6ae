// The in-process transports: the simulator and echo answer the prompt's request format without a network.
import { ModelError } from './errors.js';
import type { Simulator } from './simulator.js';
import { estimateTokens, type ChatTransport } from './transport.js';
import type { TokenUsage } from './types.js';
import { parsePromptUnits } from './wire.js';

/** A completion as the simulator would answer it: every prompt unit's lines through `edit`, usage estimated. */
export function simulateCompletion(
  messages: readonly { role: string; content?: unknown }[],
  edit: (lines: readonly string[], kind: string) => readonly string[],
): { content: string; usage: TokenUsage } | undefined {
  const units = parsePromptUnits(messages);
  if (!units) return undefined;
  const content = JSON.stringify({ units: units.map((u) => ({ id: u.id, lines: edit(u.lines, u.kind) })) });
  const prompt = messages.reduce(
    (n, m) => n + estimateTokens(typeof m.content === 'string' ? m.content : ''),
    0,
  );
  const completion = estimateTokens(content);
  return { content, usage: { prompt, completion, total: prompt + completion } };
}

function inProcess(edit: (lines: readonly string[], kind: string) => readonly string[]): ChatTransport {
  return async (request, signal) => {
    if (signal.aborted) throw signal.reason;
    const answer = simulateCompletion(request.messages, edit);
    if (!answer) throw new ModelError('simulator: the request holds no numbered units', 'http', false, 400);
    return answer;
  };
}

/** The in-process simulator (offline; not a language model). */
export function simTransport(simulator: Simulator): ChatTransport {
  return inProcess((lines) => simulator.editUnit(lines));
}

/** Answers every unit unchanged. */
export function echoTransport(): ChatTransport {
  return inProcess((lines) => lines);
}
