import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { figuresDirtySince } from '../observatory/figures-dirty.repository.js';
import type { Scope } from './coordination.repository.js';

export async function readStoredFunnel(db: Db, scope: Scope) {
  const [row] = await rows<{ figures: unknown; computedAt: Date | string }>(
    db,
    sql`select figures, computed_at as "computedAt" from territory_funnel where level = ${scope.kind} and code = ${scope.code}`,
  );
  return row ? { figures: row.figures, computedAt: new Date(row.computedAt) } : null;
}

export async function storeFunnel(db: Db, scope: Scope, figures: unknown, computedAt: Date) {
  await db.execute(
    sql`insert into territory_funnel (level, code, figures, computed_at)
        values (${scope.kind}, ${scope.code}, ${JSON.stringify(figures)}::jsonb, ${computedAt.toISOString()}::timestamptz)
        on conflict (level, code) do update set figures = excluded.figures, computed_at = excluded.computed_at`,
  );
}

/** Stored funnels computed before `before` or at or before the last relevant write (the job refreshes them), oldest first. */
export async function staleFunnels(db: Db, before: Date, limit: number): Promise<Scope[]> {
  return rows<Scope>(
    db,
    sql`select level as kind, code from territory_funnel
        where computed_at < ${before.toISOString()}::timestamptz or computed_at <= ${figuresDirtySince}
        order by computed_at limit ${limit}`,
  );
}
