import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { offers, organisations, searchOutbox } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { reindexOffers } from '../../search/reindex.js';
import type { SearchEngine } from '../../search/types.js';
import { deliverSearchOutbox, LEASE_MS, pendingSearchSync } from '../../search/worker.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
let organisationId: number;

const titles = async (q: string) => (await app.deps.search.searchOffers({ q, sort: 'relevance', page: 1, perPage: 100 })).items.map((i) => i.document.title);

async function update(id: number, values: Partial<typeof offers.$inferInsert>) {
  await app.deps.db.transaction(async (tx) => {
    await tx.update(offers).set(values).where(eq(offers.id, id));
    await enqueueSearchSync(tx, 'offer', id);
  });
}

beforeAll(async () => {
  app = await createTestApp();
  organisationId = (await createOrganisation(app, { name: 'Les Petits Débrouillards' })).id;
});
afterAll(async () => {
  await app.close();
});

describe('index sync through the outbox', () => {
  it('reflects an edit, a pause and a deletion once the search-outbox job has run', async () => {
    const offer = await insertOffer(app, organisationId, { title: 'Expériences de chimie amusante' });
    expect(await titles('chimie')).toEqual([]);
    expect(await app.deps.scheduler.runNow('search-outbox')).toBe(true);
    expect(await titles('chimie')).toEqual(['Expériences de chimie amusante']);

    await update(offer.id, { title: 'Expériences de physique amusante' });
    await syncSearch(app);
    expect(await titles('chimie')).toEqual([]);
    expect(await titles('physique')).toEqual(['Expériences de physique amusante']);

    await update(offer.id, { status: 'paused' });
    await syncSearch(app);
    expect(await titles('physique')).toEqual([]);

    await update(offer.id, { status: 'published' });
    await syncSearch(app);
    expect(await titles('physique')).toHaveLength(1);

    await app.deps.db.transaction(async (tx) => {
      await tx.delete(offers).where(eq(offers.id, offer.id));
      await enqueueSearchSync(tx, 'offer', offer.id);
    });
    await syncSearch(app);
    expect(await titles('physique')).toEqual([]);
    expect(await pendingSearchSync(app.deps.db)).toBe(0);
  });

  it('indexes every offer of an organisation with more offers than one delivery page (500), one page after another', async () => {
    const org = await createOrganisation(app, { name: 'Compagnie du Fil' });
    await insertOffer(app, org.id, { title: 'Funambule débutant' });
    await rows(
      app.deps.db,
      sql`insert into offers (organisation_id, slug, title, summary, themes, formats, venue, code_insee, lat, lng, age_min, age_max, price, status, published_at)
          select ${org.id}, 'funambule-' || g, 'Funambule ' || g, 'Marcher sur un fil, le mercredi.', '{culture}', '{atelier}', 'chez-le-partenaire',
                 '69382', 45.7578, 4.832, 6, 11, 'gratuit', 'published', now()
          from generate_series(1, 1200) g`,
    );
    // Only the organisation's change and one of its offers are queued: the delivery finds the 1,200 others page by page.
    await app.deps.db.transaction(async (tx) => {
      await tx.update(organisations).set({ name: 'Compagnie du Fil tendu' }).where(eq(organisations.id, org.id));
      await enqueueSearchSync(tx, 'organisation', org.id);
    });
    await syncSearch(app);
    const found = await app.deps.search.searchOffers({ q: 'funambule', sort: 'relevance', page: 1, perPage: 100 });
    expect(found.total).toBe(1201);
    const [last] = await rows<{ id: number }>(app.deps.db, sql`select max(id)::int as id from offers where organisation_id = ${org.id}`);
    const stored = await app.deps.search.searchOffers({ q: 'funambule 1200', sort: 'relevance', page: 1, perPage: 5 });
    expect(stored.items.map((i) => [i.document.id, i.document.orgName])).toContainEqual([last!.id, 'Compagnie du Fil tendu']);
    expect(found.items.every((i) => i.document.orgName === 'Compagnie du Fil tendu')).toBe(true);
    expect(await pendingSearchSync(app.deps.db)).toBe(0);
  });

  it('re-indexes the offers of an organisation that changes, and drops them when it is suspended', async () => {
    const org = await createOrganisation(app, { name: 'Cirque des Pentes' });
    await insertOffer(app, org.id, { title: 'Jonglage et équilibre' });
    await syncSearch(app);
    await app.deps.db.transaction(async (tx) => {
      await tx.update(organisations).set({ name: 'École de cirque des Pentes' }).where(eq(organisations.id, org.id));
      await enqueueSearchSync(tx, 'organisation', org.id);
    });
    await syncSearch(app);
    const [hit] = (await app.deps.search.searchOffers({ q: 'jonglage', sort: 'relevance', page: 1, perPage: 10 })).items;
    expect(hit?.document.orgName).toBe('École de cirque des Pentes');
    await app.deps.db.transaction(async (tx) => {
      await tx.update(organisations).set({ status: 'suspended' }).where(eq(organisations.id, org.id));
      await enqueueSearchSync(tx, 'organisation', org.id);
    });
    await syncSearch(app);
    expect(await titles('jonglage')).toEqual([]);
  });

  it('loses nothing when a worker dies after claiming a batch: the rows come back after the lease', async () => {
    await insertOffer(app, organisationId, { title: 'Origami pour les grands' });
    // A worker claims the rows, then "dies" (its delivery never finishes): go on once it has claimed them.
    let claim!: () => void;
    const claimed = new Promise<void>((resolve) => {
      claim = resolve;
    });
    const dying = deliverSearchOutbox(app.deps, {
      afterClaim: () => {
        claim();
        return new Promise<void>(() => {});
      },
    });
    await Promise.race([
      claimed,
      dying.then(() => {
        throw new Error('the worker claimed nothing');
      }),
    ]);
    expect(await deliverSearchOutbox(app.deps)).toBe(0);
    expect(await titles('origami')).toEqual([]);
    app.deps.clock.advance(LEASE_MS + 1_000);
    try {
      await syncSearch(app);
      expect(await titles('origami')).toEqual(['Origami pour les grands']);
      expect(await pendingSearchSync(app.deps.db)).toBe(0);
    } finally {
      app.deps.clock.advance(-(LEASE_MS + 1_000));
    }
  });

  it('keeps writes working while the engine is down, retries with backoff and delivers later', async () => {
    const real = app.deps.search;
    const down: SearchEngine = Object.assign(Object.create(real), {
      index: async () => {
        throw new Error('search engine unreachable');
      },
    });
    app.deps.search = down;
    let offerId: number;
    try {
      offerId = (await insertOffer(app, organisationId, { title: 'Kamishibaï et contes' })).id;
      expect(await deliverSearchOutbox(app.deps)).toBe(0);
    } finally {
      app.deps.search = real;
    }
    const [row] = await app.deps.db.select().from(searchOutbox).where(eq(searchOutbox.entityId, offerId));
    expect(row).toMatchObject({ attempts: 1, lastError: 'search engine unreachable', deliveredAt: null });
    expect(await deliverSearchOutbox(app.deps)).toBe(0);
    app.deps.clock.advance(10_000);
    try {
      await syncSearch(app);
    } finally {
      app.deps.clock.advance(-10_000);
    }
    expect(await titles('kamishibai')).toEqual(['Kamishibaï et contes']);
  });

  it('lets two workers run at once without delivering a row twice', async () => {
    for (let i = 0; i < 6; i++) await insertOffer(app, organisationId, { title: `Atelier parallèle ${i}` });
    const pending = await pendingSearchSync(app.deps.db);
    const delivered = await Promise.all([deliverSearchOutbox(app.deps, { batchSize: 3 }), deliverSearchOutbox(app.deps, { batchSize: 3 })]);
    expect(delivered[0] + delivered[1]).toBe(pending);
    expect(await pendingSearchSync(app.deps.db)).toBe(0);
    expect(await titles('parallèle')).toHaveLength(6);
  });

  it('rebuilds the whole index from the database: as many documents as visible published offers', async () => {
    await insertOffer(app, organisationId, { title: 'Jamais synchronisée' });
    await app.deps.db
      .insert(offers)
      .values({ organisationId, slug: 'brouillon', title: 'Brouillon', venue: 'autre-lieu', ageMin: 3, ageMax: 5, price: 'gratuit' });
    const { count } = await reindexOffers(app.deps.db, app.deps.search);
    const [published] = await rows<{ n: number }>(
      app.deps.db,
      sql`select count(*)::int as n from offers o join organisations g on g.id = o.organisation_id
          where o.status = 'published' and g.status <> 'suspended'`,
    );
    expect(count).toBe(published!.n);
    expect(await app.deps.search.count('offer')).toBe(published!.n);
    expect(await titles('synchronisée')).toEqual(['Jamais synchronisée']);
  });
});
