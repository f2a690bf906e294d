import { defineConfig } from 'vitest/config';
import { common, databaseSetup } from './vitest.config.js';

/**
 * The tests Stryker runs (`npm run test:mutation`): only the files that cover the mutated modules
 * (see stryker.config.mjs), so that each mutant run stays short. The pure rules (import rows,
 * search filters, authorization helpers) are covered by the fast tests of test/mutation-gaps; the
 * engine contract and the import journeys, whose set-up builds whole data sets, are left out.
 * MUTATION_TESTS (comma-separated globs) narrows them further for a quick run on one module.
 */
export default defineConfig({
  test: {
    ...common,
    globalSetup: databaseSetup,
    reporters: ['default'],
    // Stryker starts a run per mutant: reusing the worker and its loaded modules saves the most.
    isolate: false,
    // Searches evaluated on the main thread: Stryker's active mutant is a global of this process,
    // which an evaluation thread does not see (its mutants would falsely survive).
    env: { SEARCH_THREADS: '0' },
    include: process.env.MUTATION_TESTS?.split(',') ?? [
      'test/mutation-gaps/**/*.test.ts',
      'test/accounts/**/*.test.ts',
      // The signature rules: signing, voiding, amendments proposed, changed, withdrawn and refused.
      'test/partnerships/{convention,convention-frozen,signatures,signing-readiness,amendments,amendment-close}.test.ts',
    ],
  },
});
