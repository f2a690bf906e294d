import { defineConfig } from 'vitest/config';

/** npm run test:cluster — two real app processes on one PostgreSQL, Redis and storage (test/cluster/). */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 240_000,
    reporters: ['default'],
  },
});
