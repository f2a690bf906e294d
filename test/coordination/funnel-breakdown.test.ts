import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, needs, partnershipConventions, partnershipReviews, partnershipSessions, partnerships, requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { addCoordinatorScope, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let lyon: PartnershipFixture;
let coordinator: Agent;
const base = '/coordination/departement/69';
/** Friday 4 December 2026, noon in Paris. */
const NOW = new Date('2026-12-04T11:00:00Z');
const day = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

beforeAll(async () => {
  app = await createTestApp();
  app.deps.clock.setNow(NOW);
  lyon = await createPartnershipFixture(app, { zone: 'A' });
  const lille = await createPartnershipFixture(app, { zone: 'B' });
  const common = { acmId: lyon.acm.id, partnerId: lyon.partner.id, direction: 'acm_to_partner' as const };
  // A (August, sport): answered after 2 days, accepted 3 days later, convention signed 5 days later (second signature),
  // first session 10 days later, both bilans 20 days after it.
  const [a] = await app.deps.db
    .insert(requests)
    .values({ ...common, offerId: lyon.partnership.offerId, status: 'accepted', createdAt: day(100), firstReplyAt: day(98), lastActivityAt: day(60) })
    .returning();
  await app.deps.db
    .update(partnerships)
    .set({ requestId: a!.id, createdAt: day(95) })
    .where(eq(partnerships.id, lyon.partnership.id));
  const partnershipId = lyon.partnership.id;
  await app.deps.db.update(partnershipConventions).set({ status: 'signed' }).where(eq(partnershipConventions.partnershipId, partnershipId));
  await app.deps.db.insert(conventionSignatures).values(
    (['acm', 'partner'] as const).map((side, i) => ({
      partnershipId,
      side,
      organisationId: side === 'acm' ? lyon.acm.id : lyon.partner.id,
      signerName: 'Signataire',
      signerRole: 'Directeur',
      textHash: 'x',
      signedAt: day(91 - i),
      version: 1,
    })),
  );
  // 15 September 2026 at 12:00 in Paris (10:00 UTC): 10 days (less an hour) after the second signature.
  await app.deps.db.insert(partnershipSessions).values({ partnershipId, date: '2026-09-15', startTime: '12:00', endTime: '14:00', status: 'held' });
  await app.deps.db.insert(partnershipReviews).values(
    (['acm', 'partner'] as const).map((side, i) => ({
      partnershipId,
      side,
      organisationId: side === 'acm' ? lyon.acm.id : lyon.partner.id,
      answers: {} as never,
      submittedAt: day(60 + 10 * i),
    })),
  );
  // B (late October, a need in culture and sport): answered after one day, declined.
  const [need] = await app.deps.db
    .insert(needs)
    .values({ acmId: lyon.acm.id, title: 'Théâtre et judo', ageMin: 6, ageMax: 10, themes: ['culture', 'sport'] })
    .returning();
  await app.deps.db.insert(requests).values({
    ...common,
    direction: 'partner_to_acm',
    needId: need!.id,
    status: 'declined',
    createdAt: day(40),
    firstReplyAt: day(39),
    lastActivityAt: day(39),
  });
  // C (late November, no offer nor need): still waiting.
  await app.deps.db.insert(requests).values({ ...common, status: 'sent', createdAt: day(10), lastActivityAt: day(10), expiresAt: day(-11) });
  // Elsewhere and too old: counted nowhere here.
  await app.deps.db.insert(requests).values({
    acmId: lille.acm.id,
    partnerId: lille.partner.id,
    direction: 'acm_to_partner',
    status: 'declined',
    createdAt: day(20),
    firstReplyAt: day(19),
    lastActivityAt: day(19),
  });
  await app.deps.db.insert(requests).values({ ...common, status: 'declined', createdAt: day(400), firstReplyAt: day(399), lastActivityAt: day(399) });
  const user = await createUser(app, { name: 'Nadia Coordinatrice' });
  await addCoordinatorScope(app, user.id, 'department', '69');
  coordinator = await signedInAgent(app, user);
});
afterAll(async () => {
  await app.close();
});

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .trim();
const cellsOf = (row: string) => [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => decode(c[1]!));
function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table class="table funnel-breakdown" id="${id}"[\\s\\S]*?</table>`).exec(html)![0];
  const body = [/<tbody>([\s\S]*?)<\/tbody>/.exec(table)![1]!, /<tfoot>([\s\S]*?)<\/tfoot>/.exec(table)![1]!].join('');
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cellsOf(r[1]!).map((c) => (c === '–' ? '' : c)));
}

describe('the funnel per month and per theme', () => {
  it('counts each step per month of request and per theme, with the median delays in days, French style', async () => {
    const page = (await coordinator.get(base)).body;
    const months = tableRows(page, 'funnel-months');
    // Every month of the 12 months, December 2025 to December 2026, then the whole.
    expect(months.map((r) => r[0])).toEqual([
      'décembre 2025',
      'janvier 2026',
      'février 2026',
      'mars 2026',
      'avril 2026',
      'mai 2026',
      'juin 2026',
      'juillet 2026',
      'août 2026',
      'septembre 2026',
      'octobre 2026',
      'novembre 2026',
      'décembre 2026',
      'Ensemble',
    ]);
    const row = (label: string) => months.find((r) => r[0] === label)!;
    expect(row('août 2026')).toEqual(['août 2026', '1', '1', '1', '1', '1', '1', '2', '3', '5', '10', '20']);
    expect(row('octobre 2026')).toEqual(['octobre 2026', '1', '1', '0', '0', '0', '0', '1', '', '', '', '']);
    expect(row('novembre 2026')).toEqual(['novembre 2026', '1', '0', '0', '0', '0', '0', '', '', '', '', '']);
    expect(row('mars 2026')).toEqual(['mars 2026', '0', '0', '0', '0', '0', '0', '', '', '', '', '']);
    expect(row('Ensemble')).toEqual(['Ensemble', '3', '2', '1', '1', '1', '1', '1,5', '3', '5', '10', '20']);

    const themes = tableRows(page, 'funnel-themes');
    expect(themes.map((r) => r.slice(0, 3))).toEqual([
      ['Culture et arts', '1', '1'],
      ['Sport', '2', '2'],
      ['Sans thème', '1', '0'],
      ['Ensemble', '3', '2'],
    ]);
    expect(themes[1]![7]).toBe('1,5');

    const delays = /<table class="table funnel-delays"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page)![1]!;
    expect([...delays.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => cellsOf(r[1]!).slice(0, 3))).toEqual([
      ['Envoi → réponse', '1,5', '2'],
      ['Réponse → acceptation', '3', '1'],
      ['Acceptation → convention', '5', '1'],
      ['Convention → 1re séance', '10', '1'],
      ['1re séance → bilans', '20', '1'],
    ]);
    // Each column has its one-line definition.
    expect(page).toContain('<dt>Envoi → réponse (jours)</dt><dd>Délai médian entre l’envoi de la demande et sa première réponse');
  });

  it('exports the same cells as the page', async () => {
    const page = (await coordinator.get(base)).body;
    const file = await coordinator.get(`${base}/export/entonnoir-par-mois-et-theme.csv`);
    expect(file.headers['content-disposition']).toMatch(/coordination-entonnoir-par-mois-et-theme-rhone-69-2026-12-04\.csv/);
    const records = readAsExcel(file.rawPayload);
    const [whole, ...rest] = records.map((r) => Object.values(r));
    const months = tableRows(page, 'funnel-months');
    const themes = tableRows(page, 'funnel-themes');
    expect(whole).toEqual(['Ensemble', ...months.at(-1)!]);
    expect(rest.filter((r) => r[0] === 'Mois de la demande').map((r) => r.slice(1))).toEqual(months.slice(0, -1));
    expect(rest.filter((r) => r[0] === 'Thème').map((r) => r.slice(1))).toEqual(themes.slice(0, -1));
    expect(Object.keys(records[0]!)).toContain('Délai médian Envoi → réponse (jours)');
  });

  it('answers 404 to a coordinator of another territory and to a plain user', async () => {
    const other = await createUser(app);
    await addCoordinatorScope(app, other.id, 'department', '33');
    for (const agent of [await signedInAgent(app, other), await signedInAgent(app)])
      expect((await agent.get(`${base}/export/entonnoir-par-mois-et-theme.csv`)).statusCode).toBe(404);
  });
});
