import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipSessions } from '../../db/schema/index.js';
import { longDate, programmeLine } from '../../server/partnerships/programme-pdf.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture, parsePdfStructure, pdfInfo, pdfText } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
let base: string;
beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app);
  base = `/partenariats/${f.partnership.id}`;
  // Weekly, 4 November to 16 December 2026, afternoons: 6 sessions (11 November is a public holiday).
  const calendar = await f.acmAgent.post(`${base}/calendrier`, {
    periodicity: 'hebdomadaire',
    periodStart: '2026-11-01',
    periodEnd: '2026-12-16',
    slot: 'mercredi-apres-midi',
    place: 'Dojo des Pentes',
  });
  if (calendar.statusCode !== 303) throw new Error(`calendar: ${calendar.statusCode}`);
  // Sessions are recorded as at 20 November 2026 (the first one held, later ones still to come).
  app.deps.clock.setNow(new Date('2026-11-20T10:00:00Z'));
  const sessions = await app.deps.db
    .select()
    .from(partnershipSessions)
    .where(eq(partnershipSessions.partnershipId, f.partnership.id))
    .orderBy(partnershipSessions.date);
  const [first, , , , fifth, sixth] = sessions;
  const held = await f.acmAgent.post(`${base}/seances/${first!.id}`, {
    date: first!.date,
    startTime: '14:00',
    endTime: '16:00',
    status: 'held',
    childrenPresent: '11',
  });
  const cancelled = await f.partnerAgent.post(`${base}/seances/${fifth!.id}`, {
    date: fifth!.date,
    startTime: '14:00',
    endTime: '16:00',
    status: 'cancelled',
    cancelReason: 'Gymnase fermé',
  });
  const moved = await f.acmAgent.post(`${base}/seances/${sixth!.id}`, { date: '2027-01-06', startTime: '14:30', endTime: '16:00', status: 'planned' });
  for (const r of [held, cancelled, moved]) if (r.statusCode !== 303) throw new Error(`session: ${r.statusCode} ${r.body.slice(0, 300)}`);
  app.deps.clock.setNow(null);
});
afterAll(async () => {
  await app.close();
});

describe('the programme of the sessions for families', () => {
  it('writes dates and times the French way', () => {
    expect(longDate('2027-01-06')).toBe('mercredi 6 janvier 2027');
    expect(longDate('2026-12-01')).toBe('mardi 1er décembre 2026');
    expect(programmeLine({ date: '2027-01-06', startTime: '14:00', endTime: '16:30', status: 'planned', originalDate: null })).toBe(
      'Mercredi 6 janvier 2027, 14 h – 16 h 30',
    );
  });

  it('is a tagged PDF listing the planned and held sessions, not the cancelled one', async () => {
    app.deps.clock.setNow(new Date('2026-11-20T10:00:00Z'));
    const response = await f.partnerAgent.get(`${base}/programme.pdf`).finally(() => app.deps.clock.setNow(null));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="programme-PM-2026-\d{5}\.pdf"$/);
    const pdf = response.rawPayload;
    expect(parsePdfStructure(pdf)).toBeGreaterThan(5);
    const info = pdfInfo(pdf);
    expect(info.Tagged).toBe('yes');
    expect(info.Title).toBe('Programme des séances — Judo du mercredi');
    const text = pdfText(pdf);
    expect(text).toContain('Programme des séances');
    expect(text).toContain('Judo du mercredi');
    expect(text).toContain(`Activité proposée par : ${f.partner.name}`);
    expect(text).toContain(`Accueil de loisirs : ${f.acm.name}`);
    expect(text).toContain('Lieu : Dojo des Pentes');
    expect(text).toContain('Pour les enfants de 6 à 10 ans.');
    expect(text).toContain('Développer la motricité et le respect des règles');
    expect(text).toContain('5 séances au programme :');
    expect(text).toContain('Mercredi 4 novembre 2026, 14 h – 16 h — a eu lieu');
    for (const day of ['18 novembre 2026', '25 novembre 2026', '2 décembre 2026']) expect(text).toContain(`Mercredi ${day}, 14 h – 16 h`);
    // The cancelled session (9 December) is left out; the moved one says so.
    expect(text).not.toContain('9 décembre 2026');
    expect(text).not.toContain('Gymnase fermé');
    expect(text).toContain('Mercredi 6 janvier 2027, 14 h 30 – 16 h (déplacée : elle était prévue le mercredi 16 décembre 2026)');
    expect(text).toContain('Programme établi le 20 novembre 2026.');
    expect(text).toContain('page 1 sur 1');
  });

  it('opens for the other party and a coordinator of the territory, 404 for anyone else', async () => {
    expect((await f.acmAgent.get(`${base}/programme.pdf`)).statusCode).toBe(200);
    const coordinator = await createUser(app);
    await addCoordinatorScope(app, coordinator.id, 'department', '69');
    expect((await (await signedInAgent(app, coordinator)).get(`${base}/programme.pdf`)).statusCode).toBe(200);
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'acm', ownerId: outsider.id });
    expect((await (await signedInAgent(app, outsider)).get(`${base}/programme.pdf`)).statusCode).toBe(404);
  });

  it('is linked from the sessions of the animation page', async () => {
    const page = await f.acmAgent.get(`${base}/animation`);
    expect(page.body).toContain(`href="${base}/programme.pdf" download>Programme pour les familles (PDF)</a>`);
  });
});
