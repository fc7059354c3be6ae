// The wire format of the prompt, validated with zod: a request's units (the simulator's side of the protocol)
// and a model's answer. Loaded when a request is built or answered, not when a fixer is configured.
import { z } from 'zod';
import type { PromptUnit } from './prompt.js';

const PromptPayloadSchema = z.object({
  units: z.array(
    z.object({ id: z.number().int().positive(), kind: z.string(), lines: z.array(z.string()).min(1) }),
  ),
});

/** The units of a request built by `buildMessages` (the simulator's side of the protocol); undefined if it is not one. */
export function parsePromptUnits(
  messages: readonly { role: string; content?: unknown }[],
): PromptUnit[] | undefined {
  const user = [...messages].reverse().find((m) => m.role === 'user');
  if (!user || typeof user.content !== 'string') return undefined;
  try {
    const parsed = PromptPayloadSchema.safeParse(JSON.parse(user.content));
    return parsed.success ? parsed.data.units : undefined;
  } catch {
    return undefined;
  }
}

const AnswerSchema = z.object({ units: z.array(z.unknown()) });
const AnswerUnitSchema = z.object({ id: z.number().int(), lines: z.array(z.string()) });

export type ParsedAnswer =
  | {
      readonly ok: true;
      /**
       * Answers by prompt id (1..n), with the lines as the model gave them: admission, not the parser,
       * rejects an answer with another number of lines (so the rejection is recorded and cached).
       */
      readonly units: ReadonlyMap<number, readonly string[]>;
      /** Entries ignored: unknown ids, malformed entries, and every entry of an id answered twice. */
      readonly ignored: number;
    }
  | { readonly ok: false; readonly message: string };

const sameLines = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Validates the model's answer for a batch of `count` units. An id answered twice with different lines
 * is left unanswered (never guessed); the same lines twice count once.
 */
export function parseAnswer(content: string | null | undefined, count: number): ParsedAnswer {
  if (content === null || content === undefined || content.trim() === '') {
    return { ok: false, message: 'empty answer' };
  }
  let json: unknown;
  try {
    json = JSON.parse(stripFence(content));
  } catch (err) {
    return { ok: false, message: `answer is not JSON: ${(err as Error).message}` };
  }
  const shape = AnswerSchema.safeParse(json);
  if (!shape.success) return { ok: false, message: 'answer is not {"units":[...]}' };
  const units = new Map<number, readonly string[]>();
  const conflicted = new Set<number>();
  let ignored = 0;
  for (const entry of shape.data.units) {
    const unit = AnswerUnitSchema.safeParse(entry);
    if (!unit.success || unit.data.id < 1 || unit.data.id > count) {
      ignored += 1;
      continue;
    }
    const { id, lines } = unit.data;
    const earlier = units.get(id);
    if (earlier === undefined && !conflicted.has(id)) {
      units.set(id, lines);
      continue;
    }
    ignored += 1;
    if (earlier !== undefined && !sameLines(earlier, lines)) {
      units.delete(id);
      conflicted.add(id);
    }
  }
  return { ok: true, units, ignored };
}

/** Some endpoints wrap JSON in a ```json fence even when asked not to. */
function stripFence(content: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  return m ? m[1]! : content;
}
