import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipSessions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
let base: string;
type SessionRow = typeof partnershipSessions.$inferSelect;
let list: SessionRow[];

async function sessions() {
  return app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, f.partnership.id)).orderBy(partnershipSessions.date);
}

function held(s: SessionRow, fields: Record<string, string>) {
  return f.acmAgent.post(`${base}/seances/${s.id}`, { date: s.date, startTime: s.startTime, endTime: s.endTime, status: 'held', ...fields });
}

beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app);
  base = `/partenariats/${f.partnership.id}`;
  // Weekly, 4 November to 16 December 2026: 6 sessions; today is 20 November (two past, four to come).
  const calendar = await f.acmAgent.post(`${base}/calendrier`, {
    periodicity: 'hebdomadaire',
    periodStart: '2026-11-01',
    periodEnd: '2026-12-16',
    slot: 'mercredi-apres-midi',
    place: 'Dojo des Pentes',
  });
  if (calendar.statusCode !== 303) throw new Error(`calendar: ${calendar.statusCode}`);
  list = await sessions();
  app.deps.clock.setNow(new Date('2026-11-20T10:00:00Z'));
});
afterAll(async () => {
  app.deps.clock.setNow(null);
  await app.close();
});

describe('attendance per age group', () => {
  it('records the groups of a past session, the total being their sum', async () => {
    const response = await held(list[0]!, {
      group1AgeMin: '6',
      group1AgeMax: '8',
      group1Present: '8',
      group2AgeMin: '9',
      group2AgeMax: '11',
      group2Present: '6',
    });
    expect(response.statusCode).toBe(303);
    const [first] = await sessions();
    expect(first!.childrenPresent).toBe(14);
    expect(first!.attendanceGroups).toEqual([
      { label: '6–8 ans', ageMin: 6, ageMax: 8, present: 8 },
      { label: '9–11 ans', ageMin: 9, ageMax: 11, present: 6 },
    ]);
    // A total that matches the sum is accepted too; the form shows the groups back.
    expect((await held(list[1]!, { childrenPresent: '7', group1AgeMin: '6', group1AgeMax: '8', group1Present: '7' })).statusCode).toBe(303);
    const form = await f.acmAgent.get(`${base}/seances/${list[0]!.id}`);
    expect(form.body).toContain('name="group2Present" value="6"');
    const animation = await f.acmAgent.get(`${base}/animation`);
    expect(animation.body).toContain('6–8 ans : 8, 9–11 ans : 6');
  });

  it('refuses groups on a future session', async () => {
    const response = await held({ ...list[2]!, status: 'planned' }, { group1AgeMin: '6', group1AgeMax: '8', group1Present: '5' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('La présence par groupe d’âge se renseigne le jour de la séance ou après.');
    const planned = await f.acmAgent.post(`${base}/seances/${list[2]!.id}`, {
      date: list[2]!.date,
      startTime: '14:00',
      endTime: '16:00',
      status: 'planned',
      group1Present: '5',
    });
    expect(planned.statusCode).toBe(422);
    expect((await sessions())[2]!.attendanceGroups).toEqual([]);
  });

  it('says what is wrong beside each field, in French', async () => {
    const response = await held(list[0]!, {
      childrenPresent: '20',
      group1AgeMin: '2',
      group1AgeMax: '8',
      group1Present: '250',
      group2AgeMin: '10',
      group2AgeMax: '7',
      group2Present: '3',
      group3AgeMin: '12',
    });
    expect(response.statusCode).toBe(422);
    const body = response.body;
    expect(body).toMatch(/id="f-group1AgeMin-error"[^>]*>.*La valeur doit être au moins 3\./);
    expect(body).toMatch(/id="f-group1Present-error"[^>]*>.*La valeur doit être au plus 200\./);
    expect(body).toMatch(/id="f-group2AgeMax-error"[^>]*>.*L’âge maximum doit être supérieur ou égal à l’âge minimum\./);
    expect(body).toMatch(/id="f-group3AgeMax-error"[^>]*>.*Indiquez l’âge maximum du groupe 3\./);
    expect(body).toMatch(/id="f-group3Present-error"[^>]*>.*Indiquez le nombre d’enfants présents du groupe 3\./);
    // What was typed stays in the form; nothing was saved.
    expect(body).toContain('name="group2AgeMax" value="7"');
    expect((await sessions())[0]!.childrenPresent).toBe(14);
    const mismatch = await held(list[1]!, { childrenPresent: '9', group1AgeMin: '6', group1AgeMax: '8', group1Present: '7' });
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.body).toContain('Le total (9) ne correspond pas à la somme des groupes (7) : corrigez-le ou videz ce champ.');
  });

  it('shows the attendance per age group, summed over held sessions, in the bilan', async () => {
    const page = await f.partnerAgent.get(`${base}/bilan`);
    expect(page.statusCode).toBe(200);
    const table = /<caption>Présences par groupe d’âge \(séances réalisées\)<\/caption>[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    const rows = [...table.matchAll(/<tr><th scope="row">([^<]+)<\/th><td>([^<]+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => m.slice(1));
    expect(rows).toEqual([
      ['6–8 ans', '15', '2'],
      ['9–11 ans', '6', '1'],
    ]);
    // The average attendance prefill uses the totals (14 and 7).
    expect(page.body).toMatch(/name="averageAttendance" value="10[.,]5"/);
  });
});
