import { describe, expect, it } from 'vitest';
import { PostgresSearchEngine } from '../../search/postgres/engine.js';
import { IndexVersion } from '../../search/postgres/index-version.js';
import type { OfferSearch } from '../../search/types.js';
import { useSearchTestDatabase } from '../helpers/search.js';
import { makeDocument } from './contract.js';

const testDatabase = useSearchTestDatabase();

const titles = async (engine: PostgresSearchEngine, query: Partial<OfferSearch>) =>
  (await engine.searchOffers({ sort: 'recent', page: 1, perPage: 100, ...query })).items.map((i) => i.document.title).sort();

describe('two app instances sharing one PostgreSQL index', () => {
  it('see each other’s writes by catching up from the change log, reloading only after a rebuild', async () => {
    // versionTtlMs 0: each search reads the index version, as an instance does after 500 ms.
    const writer = new PostgresSearchEngine(testDatabase().db, { versionTtlMs: 0 });
    const reader = new PostgresSearchEngine(testDatabase().db, { versionTtlMs: 0 });
    await writer.index('offer', [
      makeDocument({ id: 501, title: 'Atelier cirque', themes: ['culture'] }),
      makeDocument({ id: 502, title: 'Initiation au rugby', themes: ['sport'] }),
    ]);
    expect(await titles(reader, {})).toEqual(['Atelier cirque', 'Initiation au rugby']);
    expect(reader.stats.snapshotLoads).toBe(1);

    await writer.index('offer', [makeDocument({ id: 502, title: 'Initiation au rugby à XIII', themes: ['sport'] })]);
    await writer.index('offer', [makeDocument({ id: 503, title: 'Atelier jonglage', themes: ['culture'] })]);
    await writer.remove('offer', [501]);
    await writer.index('offer', []);
    expect(await titles(reader, {})).toEqual(['Atelier jonglage', 'Initiation au rugby à XIII']);
    expect(await titles(reader, { theme: ['culture'] })).toEqual(['Atelier jonglage']);
    expect((await reader.searchOffers({ sort: 'relevance', page: 1, perPage: 10, q: 'rugby' })).items.map((i) => i.document.id)).toEqual([502]);
    expect(reader.stats).toEqual({ snapshotLoads: 1, snapshotCatchUps: 1 });

    // Both instances write in turn: each one's snapshot follows the other's changes and its own.
    await reader.index('offer', [makeDocument({ id: 504, title: 'Danse contemporaine', themes: ['culture'] })]);
    await writer.index('offer', [makeDocument({ id: 505, title: 'Course d’orientation', themes: ['sport'] })]);
    const expected = ['Atelier jonglage', 'Course d’orientation', 'Danse contemporaine', 'Initiation au rugby à XIII'];
    expect(await titles(reader, {})).toEqual(expected);
    expect(await titles(writer, {})).toEqual(expected);
    expect(reader.stats.snapshotLoads).toBe(1);

    async function* batches() {
      yield [makeDocument({ id: 506, title: 'Tir à l’arc', themes: ['sport'] })];
    }
    await writer.rebuild('offer', batches());
    expect(await titles(reader, {})).toEqual(['Tir à l’arc']);
    expect(reader.stats.snapshotLoads).toBe(2);
  });

  it('check a word searched before a write again only on the offers written since, and find what a fresh read finds', async () => {
    const writer = new PostgresSearchEngine(testDatabase().db, { versionTtlMs: 0 });
    const reader = new PostgresSearchEngine(testDatabase().db, { versionTtlMs: 0 });
    const ids = async (engine: PostgresSearchEngine, q: string) =>
      (await engine.searchOffers({ sort: 'recent', page: 1, perPage: 100, q })).items.map((i) => i.document.id).sort();
    await writer.index('offer', [
      makeDocument({ id: 601, title: 'Atelier cirque' }),
      makeDocument({ id: 602, title: 'Cirque aérien' }),
      makeDocument({ id: 603, title: 'Initiation au rugby' }),
    ]);
    expect(await ids(reader, 'cirque')).toEqual([601, 602]);
    const reads = reader.textStats.reads;

    await writer.index('offer', [makeDocument({ id: 604, title: 'Cirque équestre' })]);
    await writer.index('offer', [makeDocument({ id: 602, title: 'Trapèze aérien' })]);
    await writer.remove('offer', [601]);
    expect(await ids(reader, 'cirque')).toEqual([604]);
    expect(reader.textStats.reads).toBe(reads);
    expect(reader.textStats.patches).toBeGreaterThanOrEqual(1);
    expect(await ids(new PostgresSearchEngine(testDatabase().db, { versionTtlMs: 0 }), 'cirque')).toEqual([604]);

    // A rebuild is not in the change log as offers: the word is read whole again.
    async function* batches() {
      yield [makeDocument({ id: 605, title: 'Cirque de rue' }), makeDocument({ id: 606, title: 'Judo' })];
    }
    await writer.rebuild('offer', batches());
    expect(await ids(reader, 'cirque')).toEqual([605]);
    expect(reader.textStats.reads).toBe(reads + 1);
  });
});

describe('the index version an instance knows', () => {
  it('never goes back when a write’s bump or a read finishes after a later bump', async () => {
    // ttl 0: every call reads the database, whose version is lower than the one set below.
    const version = new IndexVersion(testDatabase().db, 0);
    const read = await version.current();
    version.set(read + 2); // a second write's bump, finished first
    version.set(read + 1); // the first write's bump, finished after it
    expect(await version.current()).toBe(read + 2);
  });

  it('lets two writes at once (two outbox workers) both be found by the next search', async () => {
    const engine = new PostgresSearchEngine(testDatabase().db);
    await engine.index('offer', [makeDocument({ id: 601, title: 'Atelier parallèle A' })]);
    expect(await titles(engine, { q: 'parallèle' })).toEqual(['Atelier parallèle A']);
    for (let round = 0; round < 5; round++) {
      const ids = [610 + 2 * round, 611 + 2 * round];
      await Promise.all(ids.map((id) => engine.index('offer', [makeDocument({ id, title: `Atelier parallèle ${id}` })])));
      expect(await titles(engine, { q: 'parallèle' }), `round ${round}`).toHaveLength(1 + 2 * (round + 1));
    }
  });
});
