import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { Lexicon } from '../relevance.js';
import { OfferSnapshot, type SnapshotRow } from '../snapshot.js';
import type { IndexVersion } from './index-version.js';
import { ALL_OFFERS, NO_OFFER } from './writer.js';

/**
 * The in-memory snapshot of this instance, kept at the current index version: patched in place
 * after its own writes, caught up from the change log after another instance's, reloaded when the
 * log cannot tell what changed.
 */
export class LiveSnapshot {
  /** How the snapshot was kept current: full loads, and catch-ups from the change log. */
  readonly stats = { snapshotLoads: 0, snapshotCatchUps: 0 };
  private snapshot: Promise<OfferSnapshot> | null = null;
  private readonly lexicon = new Lexicon();
  private readonly codes = new Lexicon();

  /** `buildGrid`: build the spatial grids with each snapshot (false when evaluation threads build their own). */
  constructor(
    private readonly db: Db,
    private readonly version: IndexVersion,
    private readonly buildGrid = true,
  ) {}

  /** The snapshot of the current index version (loaded once per version, shared by concurrent searches). */
  async current(): Promise<OfferSnapshot> {
    const version = await this.version.current();
    const pending = this.snapshot;
    let behind: OfferSnapshot | null = null;
    if (pending) {
      const snapshot = await pending;
      if (snapshot.version === version) return snapshot;
      if (this.snapshot !== pending) return this.current();
      if (snapshot.version < version) behind = snapshot;
    }
    const loading = behind ? this.catchUp(behind, version) : this.load(version);
    this.snapshot = loading;
    loading.catch(() => {
      if (this.snapshot === loading) this.snapshot = null;
    });
    return loading;
  }

  private load(version: number): Promise<OfferSnapshot> {
    this.stats.snapshotLoads++;
    return OfferSnapshot.load(this.db, version, this.lexicon, this.codes).then((snapshot) => this.withGrid(snapshot));
  }

  /**
   * Another instance wrote: the snapshot is brought to `version` with the rows the change log
   * names, or reloaded when the log cannot tell (a rebuild, versions pruned, or a large change).
   */
  private async catchUp(snapshot: OfferSnapshot, version: number): Promise<OfferSnapshot> {
    const ids = await this.changedOffers(snapshot.version, version, snapshot.size / 4 + 100);
    if (!ids) return this.load(version);
    const found = ids.size > 0 ? await OfferSnapshot.rowsOf(this.db, [...ids]) : [];
    const present = new Set(found.map((r) => r.id));
    this.stats.snapshotCatchUps++;
    return this.withGrid(
      snapshot.withChanges(
        version,
        found,
        [...ids].filter((id) => !present.has(id)),
      ),
    );
  }

  /**
   * The offers written between two index versions, from the change log; null when the log cannot
   * tell (a rebuild, versions pruned) or when they are more than `limit`.
   */
  async changedOffers(from: number, to: number, limit: number): Promise<Set<number> | null> {
    const changes = await rows<{ version: string | number; offer_id: number }>(
      this.db,
      sql`select version, offer_id from search_offer_changes where version > ${from} and version <= ${to}`,
    );
    const versions = new Set(changes.map((c) => Number(c.version)));
    const ids = new Set(changes.map((c) => c.offer_id));
    if (versions.size !== to - from || ids.has(ALL_OFFERS) || ids.size > limit) return null;
    ids.delete(NO_OFFER);
    return ids;
  }

  /** Our own write moved the version by one: patch the loaded snapshot instead of reloading it. */
  async applyOwnWrite(version: number, upserts: SnapshotRow[], removed: number[]): Promise<void> {
    const pending = this.snapshot;
    if (!pending) return;
    const snapshot = await pending.catch(() => null);
    if (!snapshot || snapshot.version !== version - 1 || this.snapshot !== pending) return;
    this.snapshot = Promise.resolve(this.withGrid(snapshot.withChanges(version, upserts, removed)));
  }

  /** Builds the snapshot's spatial grids with the snapshot, rather than in the first search that needs them. */
  private withGrid(snapshot: OfferSnapshot): OfferSnapshot {
    if (this.buildGrid) snapshot.geo();
    return snapshot;
  }
}
