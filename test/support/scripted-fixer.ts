// A scripted model for engine tests: answers each prose unit with `answer(unit)`, or leaves it unanswered
// on undefined. A string answers a one-line unit (a line break inside it stays inside the one line, as a
// hostile model would send it); an array gives the unit's lines. Budgets are honoured as the client does.
import { withinLineBudget } from '../../src/model/client.js';
import type { Budget, FixUnitsResult, ModelUnit, UnitFixer } from '../../src/model/types.js';

export type ScriptedAnswer = string | readonly string[] | undefined;

/** The unit's text as the engine keys it: its lines joined with `\n`. */
export const unitTextOf = (unit: ModelUnit): string => unit.lines.join('\n');

export function scriptedFixer(
  answer: (unit: ModelUnit) => ScriptedAnswer,
  ids: { modelId?: string; promptVersion?: string } = {},
): UnitFixer & { seen: string[] } {
  const seen: string[] = [];
  return {
    modelId: ids.modelId ?? 'scripted',
    promptVersion: ids.promptVersion ?? 'v1',
    label: 'scripted test model',
    seen,
    async fixUnits(units: readonly ModelUnit[], budget: Budget): Promise<FixUnitsResult> {
      const { sendable, overBudget } = withinLineBudget(units, budget.maxLines);
      const answers = new Map<number, readonly string[]>();
      const unanswered: number[] = [];
      for (const unit of sendable) {
        seen.push(unitTextOf(unit));
        const a = answer(unit);
        if (a === undefined) unanswered.push(unit.id);
        else answers.set(unit.id, typeof a === 'string' ? [a] : a);
      }
      return {
        answers,
        unanswered,
        overBudget,
        requests: sendable.length > 0 ? 1 : 0,
        tokens: { prompt: 10, completion: 10, total: 20 },
        failures: [],
      };
    },
  };
}
