import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../db/client.js';
import { offers } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { drainSearchOutbox } from '../../search/worker.js';
import type { App } from '../../server/types.js';
import { openTestDatabase } from './app.js';

type OfferRow = typeof offers.$inferInsert;

let sequence = 0;

/** A published offer of `organisationId` (Lyon by default), queued for the search index like the editor does. */
export async function insertOffer(app: App, organisationId: number, values: Partial<OfferRow> = {}) {
  sequence++;
  const title = values.title ?? `Offre ${sequence}`;
  const [offer] = await app.deps.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(offers)
      .values({
        organisationId,
        slug: title
          .toLowerCase()
          .normalize('NFD')
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, ''),
        title,
        summary: 'Une activité pour les enfants le mercredi.',
        description: '',
        themes: ['culture'],
        subthemes: [],
        formats: ['atelier'],
        venue: 'chez-le-partenaire',
        ageMin: 6,
        ageMax: 11,
        price: 'gratuit',
        codeInsee: '69382',
        lat: 45.7578,
        lng: 4.832,
        status: 'published',
        publishedAt: new Date(Date.UTC(2025, 8, 1) + sequence * 60_000),
        ...values,
      })
      .returning();
    await enqueueSearchSync(tx, 'offer', inserted[0]!.id);
    return inserted;
  });
  return offer!;
}

/** Delivers the whole search outbox (what the `search-outbox` job does). */
export async function syncSearch(app: App) {
  return drainSearchOutbox(app.deps, 1000);
}

/** A fresh database for engine-level tests (no app), built like createTestApp's. */
export async function openSearchTestDatabase(): Promise<{ database: Database; close: () => Promise<void> }> {
  const { database, drop } = await openTestDatabase();
  return {
    database,
    close: async () => {
      await database.close();
      await drop();
    },
  };
}

/** A search test database for the file (or describe block) that calls it: opened before its tests, dropped after them. */
export function useSearchTestDatabase(): () => Database {
  let opened: Awaited<ReturnType<typeof openSearchTestDatabase>> | undefined;
  beforeAll(async () => {
    opened = await openSearchTestDatabase();
  });
  afterAll(async () => {
    await opened?.close();
  });
  return () => opened!.database;
}
