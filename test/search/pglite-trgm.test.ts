import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { useSearchTestDatabase } from '../helpers/search.js';

// STACK.md pitfall: PGlite 0.5.15–0.5.17 return nothing for pg_trgm's % once cube or unaccent is
// loaded, then spin forever on the next query. Typo tolerance relies on %: keep PGlite pinned.
describe('pg_trgm with every extension loaded (PGlite regression)', () => {
  const testDatabase = useSearchTestDatabase();

  it('answers % after unaccent, cube and earthdistance were used, and the next query too', async () => {
    const db = testDatabase().db;
    await rows(db, sql`select immutable_unaccent('Théâtre') as t, earth_distance(ll_to_earth(45.7, 4.8), ll_to_earth(45.2, 5.7)) as d`);
    await rows(db, sql`insert into search_words (word, sig) values ('bibliotheque', 'bbeehiiloqtu'), ('judo', 'djou') on conflict do nothing`);
    const similar = await rows<{ word: string }>(db, sql`select word from search_words where word % 'bibliotheqe'`);
    expect(similar.map((r) => r.word)).toContain('bibliotheque');
    const [next] = await rows<{ n: number }>(db, sql`select count(*)::int as n from search_words`);
    expect(next!.n).toBeGreaterThanOrEqual(2);
  });
});
