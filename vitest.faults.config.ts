import { defineConfig } from 'vitest/config';

/**
 * The reliability and security suites (`npm run test:faults`):
 * - test/faults: real web and worker processes against throwaway PostgreSQL and Redis servers that
 *   the tests kill and restart (they start their own, on free loopback ports);
 * - test/security: hostile input and web security against the in-process app, on the shared test
 *   PostgreSQL and Redis (like `npm test`).
 * Files run one at a time: the fault tests measure recovery and must not share two cores with
 * another suite. The whole run stays within about five minutes.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts', 'test/security/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/security/tally-setup.ts'],
    setupFiles: ['test/helpers/setup-env.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
