import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';

/** How long an instance trusts the index version it last read (engine option `versionTtlMs`). */
export const VERSION_TTL_MS = 500;

/**
 * The index version (`search_state.version`) as this instance knows it: every write bumps it, and
 * the caches are keyed by it. Re-read at most every `ttlMs`, so an instance never serves an answer
 * for an index state older than that; its own writes are known at once (`set` by the writer).
 */
export class IndexVersion {
  private version = -1;
  private readAt = 0;

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  async current(): Promise<number> {
    if (this.version >= 0 && performance.now() - this.readAt < this.ttlMs) return this.version;
    const [row] = await rows<{ version: string | number }>(this.db, sql`select version from search_state where kind = 'offer'`);
    this.set(Number(row?.version ?? 0));
    return this.version;
  }

  /**
   * The version as just read, or as this instance's own write moved it. Versions only grow: two
   * writes whose bumps finish in the other order (two outbox workers), or a read answered after a
   * write's bump, must not take it back, or searches would be served the older index.
   */
  set(version: number): void {
    this.version = Math.max(this.version, version);
    this.readAt = performance.now();
  }
}
