import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offers, searchOutbox } from '../../db/schema/index.js';
import { seedOffers } from '../../server/demo/offers.js';
import { seedOrganisations } from '../../server/demo/organisations.js';
import { ageBandsFor, slugs } from '../../server/kernel/taxonomy.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
  await seedOrganisations(app.deps);
  await seedOffers(app.deps);
});
afterAll(async () => {
  await app.close();
});

describe('demo offers', () => {
  it('covers every theme, sub-theme, age band, format, venue type and price, mostly published', async () => {
    const rows = await app.deps.db.select().from(offers);
    expect(rows.length).toBeGreaterThanOrEqual(300);
    const all = (pick: (o: (typeof rows)[number]) => string[]) => new Set(rows.flatMap(pick));
    expect([...all((o) => o.themes)].sort()).toEqual([...slugs.theme].sort());
    expect([...all((o) => o.subthemes)].sort()).toEqual([...slugs.subtheme].sort());
    expect([...all((o) => o.formats)].sort()).toEqual([...slugs.format].sort());
    expect([...all((o) => [o.venue])].sort()).toEqual([...slugs.venue].sort());
    expect([...all((o) => [o.price])].sort()).toEqual([...slugs.price].sort());
    expect([...all((o) => ageBandsFor(o.ageMin, o.ageMax))].sort()).toEqual([...slugs.age_band].sort());
    const statuses = new Set(rows.map((o) => o.status));
    for (const status of ['published', 'draft', 'pending', 'paused']) expect(statuses).toContain(status);
    const published = rows.filter((o) => o.status === 'published');
    expect(published.length / rows.length).toBeGreaterThan(0.75);
    expect(rows.every((o) => o.summary && o.description.length > 150 && o.lat !== null && o.codeInsee)).toBe(true);
    expect(rows.filter((o) => o.price === 'payant').every((o) => o.priceEur !== null)).toBe(true);
    const outbox = await app.deps.db.select().from(searchOutbox).where(eq(searchOutbox.entity, 'offer'));
    expect(new Set(outbox.map((o) => o.entityId))).toEqual(new Set(published.map((o) => o.id)));
  });

  it('gives offers of different organisations different summaries', async () => {
    const rows = await app.deps.db.select({ summary: offers.summary, organisationId: offers.organisationId }).from(offers);
    const owners = new Map<string, Set<number>>();
    for (const row of rows) owners.set(row.summary, (owners.get(row.summary) ?? new Set()).add(row.organisationId));
    expect([...owners].filter(([, ids]) => ids.size > 1).map(([summary]) => summary)).toEqual([]);
    expect(rows.every((o) => o.summary.length <= 280)).toBe(true);
  });

  it('gives two organisations’ offers different titles', async () => {
    const rows = await app.deps.db.select({ title: offers.title }).from(offers);
    expect(new Set(rows.map((o) => o.title)).size).toBe(rows.length);
  });

  it('shows a seeded offer on its public page', async () => {
    const [offer] = await app.deps.db.select().from(offers).where(eq(offers.status, 'published')).limit(1);
    const page = await new Agent(app).get(`/offres/${offer!.id}-${offer!.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(offer!.title.replace(/’/g, '’'));
  });
});
