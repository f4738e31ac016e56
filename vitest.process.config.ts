import { defineConfig } from 'vitest/config';

/**
 * The process-level suite (`npm run test:process`): tests that start the project's own entry points
 * as real processes (the one-command start, web and worker nodes side by side, backup and restore,
 * workers killed mid-run). Each start costs seconds of CPU, so the files run one at a time, apart
 * from `npm test`, with limits that a busy machine stays well within. The admin components are
 * bundled once, before the first file (test/helpers/bundle-setup.ts).
 */
export default defineConfig({
  test: {
    include: ['test/process/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts', 'test/helpers/bundle-setup.ts'],
    setupFiles: ['test/helpers/setup-env.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 240_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
