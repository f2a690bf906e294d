import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { openTestDatabase } from '../helpers/app.js';

// postgres.js prepares only when asked, and drizzle asks for named queries only (patches/drizzle-orm+*.patch).
describe.runIf(process.env.DATABASE_URL)('queries with parameters on PostgreSQL', () => {
  it('are prepared once per connection and run again without being parsed or planned anew each time', async () => {
    const { database, drop } = await openTestDatabase();
    try {
      const [statement] = await database.db.transaction(async (tx) => {
        for (const n of [1, 2, 3]) await rows(tx, sql`select ${n}::int + 0 as prepared_statement_probe`);
        return rows<{ count: number; runs: number }>(
          tx,
          sql`select count(*)::int as count, coalesce(sum(generic_plans + custom_plans), 0)::int as runs
              from pg_prepared_statements where statement like ${'%as prepared_statement_probe%'}`,
        );
      });
      expect(statement).toEqual({ count: 1, runs: 3 });
    } finally {
      await drop();
    }
  });
});
