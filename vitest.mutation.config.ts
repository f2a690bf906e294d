import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests Stryker runs (`npm run test:mutation`): only the files that cover the mutated modules
 * (see stryker.config.mjs), so that each mutant run stays short. MUTATION_TESTS (comma-separated
 * globs) narrows them further for a quick run on one module.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: process.env.MUTATION_TESTS?.split(',') ?? [
      'test/mutation-gaps/**/*.test.ts',
      'test/accounts/**/*.test.ts',
      'test/offers/import.test.ts',
      'test/search/postgres.contract.test.ts',
      'test/partnerships/convention.test.ts',
    ],
  },
});
