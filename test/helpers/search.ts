import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openPostgres, pgliteExtensions, wrapPglite } from '../../db/client.js';
import { offers } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { drainSearchOutbox } from '../../search/worker.js';
import type { App } from '../../server/types.js';
import { withDatabase } from '../global-setup.js';

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

/**
 * A fresh database for engine-level tests (no app): PGlite from the global-setup dump, or a copy
 * of the PostgreSQL template when DATABASE_URL is set (same as createTestApp).
 */
export async function openSearchTestDatabase(): Promise<{ database: Database; close: () => Promise<void> }> {
  const template = inject('pgTemplate');
  const url = process.env.DATABASE_URL;
  if (template && url) {
    const name = `passerelle_search_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (error) {
        if (attempt > 20 || !String((error as Error).message).includes('being accessed')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
      }
    }
    const database = openPostgres(withDatabase(url, name), { max: 5 });
    return {
      database,
      close: async () => {
        await database.close();
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dump = readFileSync(inject('pgliteDump'));
  const client = await PGlite.create({ loadDataDir: new Blob([dump]), extensions: pgliteExtensions });
  const database = wrapPglite(client);
  return { database, close: () => database.close() };
}
