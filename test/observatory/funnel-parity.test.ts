import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipConventions, partnershipReviews, partnershipSessions, partnerships, requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { addCoordinatorScope, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let lyon: PartnershipFixture;

/** How far each request of the Rhône goes: every step reached by at least 5 requests (no « < 5 » masking). */
const reached = { sent: 14, answered: 12, accepted: 10, signed: 8, held: 7, reviewed: 6 };

async function addRequest(fixture: PartnershipFixture, daysAgo: number, depth: number) {
  const day = (n: number) => new Date(app.deps.clock.now().getTime() - n * 86_400_000);
  const [request] = await app.deps.db
    .insert(requests)
    .values({
      acmId: fixture.acm.id,
      partnerId: fixture.partner.id,
      direction: 'acm_to_partner',
      status: depth >= 3 ? 'accepted' : depth === 2 ? 'declined' : 'sent',
      createdAt: day(daysAgo),
      firstReplyAt: depth >= 2 ? day(daysAgo - 1) : null,
      lastActivityAt: day(daysAgo - 1),
      expiresAt: day(daysAgo - 21),
    })
    .returning();
  if (depth < 3) return;
  const { id: _id, createdAt: _c, updatedAt: _u, ...template } = fixture.partnership;
  const [partnership] = await app.deps.db
    .insert(partnerships)
    .values({ ...template, requestId: request!.id })
    .returning();
  const partnershipId = partnership!.id;
  await app.deps.db.insert(partnershipConventions).values({ partnershipId, status: depth >= 4 ? 'signed' : 'draft' });
  if (depth >= 5)
    await app.deps.db.insert(partnershipSessions).values({ partnershipId, date: '2026-10-07', startTime: '14:00', endTime: '16:00', status: 'held' });
  if (depth >= 6) {
    await app.deps.db.insert(partnershipReviews).values(
      (['acm', 'partner'] as const).map((side) => ({
        partnershipId,
        side,
        organisationId: side === 'acm' ? fixture.acm.id : fixture.partner.id,
        answers: {} as never,
        submittedAt: day(1),
      })),
    );
  }
}

beforeAll(async () => {
  app = await createTestApp();
  lyon = await createPartnershipFixture(app, { zone: 'A' });
  const lille = await createPartnershipFixture(app, { zone: 'B' });
  const depths = [reached.sent, reached.answered, reached.accepted, reached.signed, reached.held, reached.reviewed];
  // Request i goes as far as the number of steps that still count it.
  for (let i = 0; i < reached.sent; i++) await addRequest(lyon, 10 + i * 20, depths.filter((n) => n > i).length);
  // Outside the period (over 12 months ago) and outside the territory: counted nowhere in the Rhône.
  await addRequest(lyon, 400, 6);
  await addRequest(lille, 30, 6);
});
afterAll(async () => {
  await app.close();
});

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();

const cellsOf = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!));

describe('the partnership steps of a territory', () => {
  it('gives the same numbers and definitions on the coordinator page, its export, the public page and its CSV', async () => {
    const coordinatorUser = await createUser(app, { name: 'Nadia Coordinatrice' });
    await addCoordinatorScope(app, coordinatorUser.id, 'department', '69');
    const coordinator = await signedInAgent(app, coordinatorUser);

    const dashboard = (await coordinator.get('/coordination/departement/69')).body;
    const funnelBody = /<table class="table funnel-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(dashboard)![1]!;
    const funnelRows = [...funnelBody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cellsOf(r[1]!));
    const onDashboard = funnelRows.map((r) => [r[0], r[1]]);
    expect(onDashboard.map((r) => Number(r[1]))).toEqual(Object.values(reached));

    const exported = readAsExcel((await coordinator.get('/coordination/departement/69/export/entonnoir.csv')).rawPayload);
    expect(exported.map((r) => [r.Étape, r.Nombre])).toEqual(onDashboard);

    const publicPage = (await app.inject({ method: 'GET', url: '/territoires/departements/69/statistiques' })).body;
    const section = /<section[^>]*aria-labelledby="partenariats">([\s\S]*?)<\/section>/.exec(publicPage)![1]!;
    const publicBody = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)![1]!;
    expect([...publicBody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cellsOf(r[1]!))).toEqual(onDashboard);
    expect(decode(/<p class="stat-definition">([\s\S]*?)<\/p>/.exec(section)![1]!)).toContain('12 derniers mois');
    const publicDefinitions = [...section.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map((m) => [decode(m[1]!), decode(m[2]!)]);
    expect(publicDefinitions).toEqual(funnelRows.map((r) => [r[0], r[4]]));

    const publicCsv = readAsExcel((await app.inject({ method: 'GET', url: '/territoires/departements/69/statistiques.csv' })).rawPayload);
    expect(publicCsv.filter((r) => r.Indicateur === 'Partenariats par étape').map((r) => [r.Ligne, r.Valeur])).toEqual(onDashboard);
  });
});
