import { describe, expect, it } from 'vitest';
import { PostgresSearchEngine } from '../../search/postgres/engine.js';
import { Lexicon } from '../../search/relevance.js';
import { OfferSnapshot } from '../../search/snapshot.js';
import { useSearchTestDatabase } from '../helpers/search.js';
import { makeDocument } from './contract.js';

const testDatabase = useSearchTestDatabase();

describe('loading the search snapshot', () => {
  it('reads the index page by page into the same snapshot as one page would, in recent order', async () => {
    const engine = new PostgresSearchEngine(testDatabase().db);
    const published = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();
    await engine.index(
      'offer',
      Array.from({ length: 11 }, (_, k) =>
        makeDocument({ id: 700 + k, title: `Atelier ${k}`, themes: [k % 2 ? 'sport' : 'culture'], publishedAt: published(1 + (k % 4)) }),
      ),
    );
    const whole = await OfferSnapshot.load(testDatabase().db, 1, new Lexicon(), new Lexicon());
    const paged = await OfferSnapshot.load(testDatabase().db, 1, new Lexicon(), new Lexicon(), 3);
    expect(paged.size).toBe(11);
    expect([...paged.ids]).toEqual([...whole.ids]);
    expect([...paged.published]).toEqual([...whole.published]);
    // Recent first, then the higher id first among offers published the same day.
    expect([...paged.ids].slice(0, 3)).toEqual([707, 703, 710]);
    expect(Array.from(paged.evaluate({ theme: ['sport'] }, null).matches, (i) => paged.ids[i]).sort()).toEqual([701, 703, 705, 707, 709]);
  });
});
