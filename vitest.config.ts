import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Fails a test whose requests break GitHub's contract, and counts the checks (printed once per run);
    // names tests that hold a worker's event loop for seconds (see event-loop-watch.ts).
    setupFiles: ['test/support/contract-setup.ts', 'test/support/event-loop-watch.ts'],
    // Tests start real redis-server and HTTP servers; forks keep native modules (lmdb) isolated.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
