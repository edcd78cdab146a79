import { defineConfig } from 'vitest/config';

/** The fault-injection suite (npm run test:faults): slower, process-killing cases kept apart from npm test. */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
