import { configDefaults, defineConfig } from 'vitest/config';

/** Pure rules: no database, no app, no server, no browser; `npm run test:unit` runs them in seconds. */
export const unitTests = [
  'test/kernel/**/*.test.ts',
  'test/lib/{csv,format}.test.ts',
  'test/matching/{eval,score}.test.ts',
  'test/mutation-gaps/{import-rows,search-filters}.test.ts',
  'test/partnerships/{amendment-diff,progress,readiness}.test.ts',
  'test/platform/config.test.ts',
  'test/search/{cache,evaluator-pool,geo-grid,nearest,relevance}.test.ts',
  'test/storage/disk.test.ts',
  'test/territories/commune-grid.test.ts',
];
const browserTests = ['test/browser/**/*.test.ts'];
// Two real app processes: run by `npm run test:cluster` (vitest.cluster.config.ts), not here.
const clusterTests = ['test/cluster/**'];

/** Builds the test database once (PGlite dump or PostgreSQL template); shared by the projects that use it. */
export const databaseSetup = ['test/global-setup.ts'];

/** Options every project shares (the machine is small: two forks at most). */
export const common = {
  pool: 'forks',
  maxWorkers: 2,
  testTimeout: 30_000,
  hookTimeout: 120_000,
  teardownTimeout: 30_000,
} as const;

/**
 * `npm test` runs the three projects; `npm run test:unit`, `test:integration` and `test:browser`
 * one each. A test file that is in none of the unit or browser globs is an integration test.
 */
export default defineConfig({
  test: {
    ...common,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: unitTests } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...unitTests, ...browserTests, ...clusterTests],
          globalSetup: databaseSetup,
        },
      },
      { extends: true, test: { name: 'browser', include: browserTests, globalSetup: databaseSetup } },
    ],
  },
});
