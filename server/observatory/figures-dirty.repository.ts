import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

/**
 * The territory figures (coordinator funnel, coverage, public statistics) are stored and refreshed
 * by jobs. After a write that may change them, one marker row records when (figures_dirty, id 1);
 * each refresh job then recomputes every stored row computed at or before it, besides the rows
 * past their period. One global marker rather than per-territory bookkeeping: a write rarely says
 * which territories it touches (an offer's reach crosses borders, a suspension touches every
 * territory of an organisation), and refreshing the territories viewed so far is bounded by the
 * jobs' batches and debounced (plugins/figures-kick.ts).
 */
export async function markFiguresDirty(db: Db, at: Date): Promise<void> {
  await db.execute(
    sql`insert into figures_dirty (id, since) values (1, ${at.toISOString()}::timestamptz)
        on conflict (id) do update set since = greatest(figures_dirty.since, excluded.since)`,
  );
}

/** The moment of the last such write, as SQL (-infinity when none): rows computed at or before it are stale. */
export const figuresDirtySince = sql`coalesce((select since from figures_dirty where id = 1), '-infinity'::timestamptz)`;
