import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/src/**/*.test.tsx',
      'packages/*/test/**/*.test.ts',
    ],
    // The web UI is built once, before any browser test runs (only when its sources changed).
    globalSetup: ['packages/web/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores on CI: keep the worker count small so database and browser tests don't starve.
    maxWorkers: 2,
  },
});
