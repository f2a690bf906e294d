/**
 * Mutation testing (`npm run test:mutation`), on demand only (too slow for .ci/run): the modules
 * where a silent bug costs the most. Line ranges keep constant tables (CSV column lists, labels)
 * out, so that the score measures rules. Report: reports/mutation/index.html (git-ignored).
 *
 * One module at a time, with only the tests that cover it (each mutant reruns them):
 *   MUTATION_TESTS=test/mutation-gaps/authorization-helpers.test.ts MUTATION_NO_CHECK=1 \
 *     npx stryker run --mutate server/accounts/guards.ts --concurrency 1 \
 *     --incrementalFile reports/mutation/guards.json
 * The narrowest test sets that cover each module (MUTATION_TESTS):
 *   plugins/session.ts: test/mutation-gaps/session-cookies.test.ts,test/mutation-gaps/accounts-rules.test.ts
 *     and test/mutation-gaps/session-user.test.ts (the user read with the session, the header bell)
 *   plugins/csrf.ts, accounts/sessions.repository.ts: those two and test/accounts/accounts.test.ts
 *     (the sessions: also test/mutation-gaps/{account-links,session-user}.test.ts)
 *   accounts/accounts.usecases.ts: test/mutation-gaps/{accounts-forms,accounts-rules,account-links}.test.ts
 *     and test/accounts/accounts.test.ts (not the convention tests: their beforeAll signs people in,
 *     which makes every account mutant "static" and reruns them all for each one)
 *     (loadCurrentUser's memberships and scopes: also convention-signing and authorization-helpers)
 *   offers/import/rows.ts: test/mutation-gaps/import-rows.test.ts (seconds per mutant)
 *   partnerships/convention.usecases.ts, one function at a time (hours on a loaded 2-core machine:
 *     add the event-recorder reporter to read the mutants done so far in reports/mutation/events):
 *     reconcileConvention: test/mutation-gaps/convention-reconcile.test.ts (40 min at load 16);
 *     signConvention: test/mutation-gaps/convention-signing.test.ts and
 *     test/partnerships/signing-readiness.test.ts. Their tests each build their own state:
 *     with perTest coverage Stryker runs a mutant's covering tests alone, by name.
 *   search/snapshot.ts, search/facets.ts: test/mutation-gaps/search-filters.test.ts,
 *     test/search/geo-grid.test.ts and test/search/postgres.contract.test.ts (the contract in-thread)
 * Only tests that evaluate searches ON THE MAIN THREAD can score the search evaluator: Stryker
 * switches mutants on through a global of the test process, which an evaluation thread
 * (search/postgres/evaluator-pool.ts) does not see, so a mutant evaluated there falsely survives.
 * Never add test/search/postgres-threads.contract.test.ts; app-level tests (createTestApp) run
 * with SEARCH_THREADS=0 here (vitest.mutation.config.ts sets it, createTestApp passes it on).
 * MUTATION_NO_CHECK skips the TypeScript checker, which on a loaded 2-core machine costs more
 * than the tests: a survivor that would not compile must then be read by hand.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  checkers: process.env.MUTATION_NO_CHECK ? [] : ['typescript'],
  tsconfigFile: 'tsconfig.json',
  coverageAnalysis: 'perTest',
  mutate: [
    'server/accounts/accounts.usecases.ts',
    'server/accounts/accounts.repository.ts',
    'server/accounts/sessions.repository.ts',
    'server/accounts/guards.ts',
    'server/plugins/csrf.ts',
    'server/plugins/session.ts',
    'server/partnerships/access.ts',
    // reconcileConvention and signConvention: the signature rules. Line ranges go stale when the
    // file changes: check them against the functions named here before a run.
    'server/partnerships/convention.usecases.ts:51-152',
    'server/partnerships/convention.usecases.ts:258-375',
    // The filter evaluator (ages, sub-themes, geo and travel radius, places, disjunctive facets):
    // dayOf, then evaluate and the helpers it calls (comesToPlace, inCommune, codeId); the column
    // builder (ColumnsBuilder) and constant tables stay out. facets.ts: facetColumns to selectedValues.
    'search/snapshot.ts:19-21',
    'search/snapshot.ts:316-445',
    'search/facets.ts:24-54',
    // parseRecord: one CSV row
    'server/offers/import/rows.ts:75-262',
  ],
  // The machine is small and shared: few workers, generous timeouts.
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 3,
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: 'reports/mutation/tmp',
  ignorePatterns: ['/data', '/bench-data', '/test-results', '/reports', '*.log'],
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
};
