// Every test file: a test whose requests broke GitHub's contract (test/support/fake-github/contract.ts) fails,
// naming what broke it; the file's contract counts go to the run's total (printed by test/global-setup.ts).
import { afterAll, afterEach, beforeAll } from 'vitest';
import { countViolations, saveCounts, takeViolations } from './contract-stats.js';

function failOnViolations(when: string): void {
  const violations = takeViolations();
  if (violations.length === 0) return;
  countViolations(violations.length);
  throw new Error(
    `GitHub's contract was broken ${when} (${violations.length} violation${violations.length === 1 ? '' : 's'}):\n- ${violations.join('\n- ')}`,
  );
}

let file = '';
beforeAll((suite) => {
  file = (suite as { filepath?: string }).filepath ?? suite.name;
});

// Registered before the file's own hooks, so it runs after them (vitest runs after-hooks as a stack): the
// requests a test's cleanup sends are checked too.
afterEach(() => failOnViolations('by this test'));

afterAll(() => {
  saveCounts(process.env.DOCS_FIX_CONTRACT_DIR, file);
  failOnViolations('after the last test of this file');
});
