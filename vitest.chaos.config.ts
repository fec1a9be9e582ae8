import { defineConfig } from 'vitest/config';

/**
 * The reliability suite (`npm run test:chaos`): crashes, outages, upstream
 * chaos, fuzzing and sustained load against the real server. Kept out of
 * `npm test` because it runs for minutes; CI runs it after the unit and
 * integration tests.
 */
export default defineConfig({
  test: {
    include: ['packages/server/test/chaos/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // One scenario at a time: each measures the server under stress and must not share the 2 cores.
    pool: 'forks',
    isolate: true,
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
