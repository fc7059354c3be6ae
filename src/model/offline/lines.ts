// Until the engine sends prose units, the offline editor serves the line engine: each line is a unit of one
// line. (Doubled words across a line break need the unit engine; nothing else changes.)
import type { LineFixer, UnitFixer } from '../types.js';

export function asLineFixer(fixer: UnitFixer): LineFixer {
  return {
    modelId: fixer.modelId,
    promptVersion: fixer.promptVersion,
    label: fixer.label,
    async fixLines(lines, budget, signal) {
      const result = await fixer.fixUnits(
        lines.map((l) => ({ id: l.id, kind: l.kind, lines: [l.text] })),
        budget,
        signal,
      );
      const answers = new Map<number, string>();
      for (const [id, answer] of result.answers) answers.set(id, answer.join(' '));
      return { ...result, answers };
    },
  };
}
