import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipSessions, partnerships } from '../../db/schema/index.js';
import { parisInstant } from '../../server/kernel/paris-time.js';
import { type CalendarContext, computeSessionDates } from '../../server/partnerships/calendar.js';
import { calendarContext } from '../../server/partnerships/calendar.repository.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let zoneA: CalendarContext;
let zoneB: CalendarContext;
let zoneC: CalendarContext;
beforeAll(async () => {
  app = await createTestApp();
  // The school calendar as loaded from db/data/vacances-scolaires.csv into school_holidays.
  zoneA = await calendarContext(app.deps.db, 'A', '69');
  zoneB = await calendarContext(app.deps.db, 'B', '59');
  zoneC = await calendarContext(app.deps.db, 'C', '75');
});
afterAll(async () => {
  await app.close();
});

const year = { periodStart: '2026-09-01', periodEnd: '2027-07-03' };
const firstWednesday = { ...year, periodicity: 'mensuel' as const, monthlyWeek: 1 };

// Expected dates worked out by hand from vacances-scolaires.csv (2026-2027):
// Toussaint 17/10–2/11, Noël 19/12–4/1 (all zones); hiver A 13/02–1/03, B 20/02–8/03, C 6/02–22/02;
// printemps A 10/04–26/04, B 17/04–3/05, C 3/04–19/04; été from 3/07. Public holidays on a
// Wednesday in that year: 11 November 2026 only.
describe('the session calendar', () => {
  it('gives the first Wednesday of each month for a zone A ACM over 2026-2027, outside every holiday', () => {
    const { dates, skipped } = computeSessionDates(firstWednesday, zoneA);
    expect(dates).toEqual([
      '2026-09-02',
      '2026-10-07',
      '2026-11-04',
      '2026-12-02',
      '2027-01-06',
      '2027-02-03',
      '2027-03-03',
      '2027-04-07',
      '2027-05-05',
      '2027-06-02',
    ]);
    const holidaysA = [
      ['2026-10-17', '2026-11-02'],
      ['2026-12-19', '2027-01-04'],
      ['2027-02-13', '2027-03-01'],
      ['2027-04-10', '2027-04-26'],
    ];
    for (const date of dates) for (const [start, end] of holidaysA) expect(date >= start! && date < end!, `${date} in ${start}–${end}`).toBe(false);
    expect(skipped).toEqual([]);
    // Up to the end of July, July's first Wednesday falls in the summer holidays.
    expect(computeSessionDates({ ...firstWednesday, periodEnd: '2027-07-31' }, zoneA).skipped).toEqual([{ date: '2027-07-07', reason: "Vacances d'été" }]);
  });

  it('skips 11 November 2026, a Wednesday, and every Wednesday of the holidays in a weekly rhythm', () => {
    const { dates, skipped } = computeSessionDates({ ...year, periodicity: 'hebdomadaire' }, zoneA);
    expect(dates).not.toContain('2026-11-11');
    expect(skipped).toContainEqual({ date: '2026-11-11', reason: 'jour férié (Armistice)' });
    expect(dates).not.toContain('2026-10-21');
    expect(dates).not.toContain('2026-10-28');
    expect(dates.filter((d) => d.startsWith('2026-11'))).toEqual(['2026-11-04', '2026-11-18', '2026-11-25']);
    expect(dates).toHaveLength(35);
  });

  it('differs in zone C: the same monthly rule loses 7 April, and the weekly rule differs in February', () => {
    const monthlyC = computeSessionDates(firstWednesday, zoneC).dates;
    expect(monthlyC).toEqual(['2026-09-02', '2026-10-07', '2026-11-04', '2026-12-02', '2027-01-06', '2027-02-03', '2027-03-03', '2027-05-05', '2027-06-02']);
    // 3 February 2027, the first Wednesday of February, precedes zone C's winter break (from 6 February):
    // with the first-Wednesday rule, February is the same in both zones.
    expect(monthlyC).toContain('2027-02-03');
    const februaryA = computeSessionDates({ ...year, periodicity: 'hebdomadaire' }, zoneA).dates.filter((d) => d.startsWith('2027-02'));
    const februaryC = computeSessionDates({ ...year, periodicity: 'hebdomadaire' }, zoneC).dates.filter((d) => d.startsWith('2027-02'));
    expect(februaryA).toEqual(['2027-02-03', '2027-02-10']);
    expect(februaryC).toEqual(['2027-02-03', '2027-02-24']);
    // Zone B's winter break covers 3 March: its first Wednesday of March is skipped.
    expect(computeSessionDates(firstWednesday, zoneB).dates).not.toContain('2027-03-03');
  });

  it('ends a cycle of 8 sessions starting 6 January 2027 on 10 March 2027 in zone A (winter break skipped)', () => {
    const { dates } = computeSessionDates({ periodStart: '2027-01-06', periodEnd: null, periodicity: 'cycle', cycleCount: 8 }, zoneA);
    expect(dates).toEqual(['2027-01-06', '2027-01-13', '2027-01-20', '2027-01-27', '2027-02-03', '2027-02-10', '2027-03-03', '2027-03-10']);
    expect(dates.at(-1)).toBe('2027-03-10');
    const zoneCDates = computeSessionDates({ periodStart: '2027-01-06', periodEnd: null, periodicity: 'cycle', cycleCount: 8 }, zoneC).dates;
    expect(zoneCDates).toEqual(['2027-01-06', '2027-01-13', '2027-01-20', '2027-01-27', '2027-02-03', '2027-02-24', '2027-03-03', '2027-03-10']);
  });

  it('keeps a two-week beat across the holidays in a fortnightly rhythm', () => {
    const { dates } = computeSessionDates({ periodStart: '2026-09-02', periodEnd: '2026-12-18', periodicity: 'quinzaine' }, zoneA);
    expect(dates).toEqual(['2026-09-02', '2026-09-16', '2026-09-30', '2026-10-14', '2026-11-25', '2026-12-09']);
  });

  it('says when a school year’s holidays are not known and then skips public holidays only', () => {
    const result = computeSessionDates({ periodStart: '2027-09-01', periodEnd: '2028-06-28', periodicity: 'hebdomadaire' }, zoneA);
    expect(result.unknownSchoolYears).toEqual(['2027-2028']);
    expect(result.dates).toContain('2027-10-27');
    expect(result.skipped).toEqual([]);
    // 1 November 2028 is a Wednesday: Toussaint, a public holiday, is still skipped.
    const nov = computeSessionDates({ periodStart: '2028-11-01', periodEnd: '2028-11-30', periodicity: 'hebdomadaire' }, zoneA);
    expect(nov.skipped).toEqual([{ date: '2028-11-01', reason: 'jour férié (Toussaint)' }]);
    expect(nov.dates).toEqual(['2028-11-08', '2028-11-15', '2028-11-22', '2028-11-29']);
  });

  it('converts local Paris times to instants across daylight saving time', () => {
    expect(parisInstant('2026-10-07', '09:30').toISOString()).toBe('2026-10-07T07:30:00.000Z');
    expect(parisInstant('2026-11-04', '09:30').toISOString()).toBe('2026-11-04T08:30:00.000Z');
  });
});

describe('the calendar form', () => {
  it('generates the sessions from period, slot and rhythm, keeps the sessions recorded by hand, and tells why dates are missing', async () => {
    const f = await createPartnershipFixture(app);
    const path = `/partenariats/${f.partnership.id}`;
    const response = await f.acmAgent.post(`${path}/calendrier`, {
      ...firstWednesday,
      periodicity: 'mensuel',
      monthlyWeek: '1',
      slot: 'mercredi-matin',
      place: 'Gymnase Jean-Zay',
    });
    expect(response.statusCode).toBe(303);
    let sessions = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, f.partnership.id));
    expect(sessions.map((s) => s.date).sort()).toEqual(computeSessionDates(firstWednesday, zoneA).dates);
    expect(sessions.every((s) => s.startTime === '09:30' && s.endTime === '11:30')).toBe(true);

    const december = sessions.find((s) => s.date === '2026-12-02')!;
    expect(
      (await f.acmAgent.post(`${path}/seances/${december.id}`, { date: '2026-12-09', startTime: '10:00', endTime: '12:00', status: 'planned', notes: '' }))
        .statusCode,
    ).toBe(303);
    const held = sessions.find((s) => s.date === '2026-09-02')!;
    expect(
      (
        await f.acmAgent.post(`${path}/seances/${held.id}`, {
          date: '2026-09-02',
          startTime: '09:30',
          endTime: '11:30',
          status: 'held',
          childrenPresent: '11',
          notes: 'Très bonne séance',
        })
      ).statusCode,
    ).toBe(303);
    const cancel = await f.partnerAgent.post(`${path}/seances/${sessions.find((s) => s.date === '2026-10-07')!.id}`, {
      date: '2026-10-07',
      startTime: '09:30',
      endTime: '11:30',
      status: 'cancelled',
    });
    expect(cancel.statusCode).toBe(422);
    expect(cancel.body).toContain('Indiquez le motif de l’annulation.');

    // New rule: afternoon instead of morning. Moved and recorded sessions stay; no duplicate on their dates.
    expect(
      (await f.acmAgent.post(`${path}/calendrier`, { ...firstWednesday, periodicity: 'mensuel', monthlyWeek: '1', slot: 'mercredi-apres-midi' })).statusCode,
    ).toBe(303);
    sessions = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, f.partnership.id));
    expect(sessions.map((s) => s.date).sort()).toEqual([
      '2026-09-02',
      '2026-10-07',
      '2026-11-04',
      '2026-12-09',
      '2027-01-06',
      '2027-02-03',
      '2027-03-03',
      '2027-04-07',
      '2027-05-05',
      '2027-06-02',
    ]);
    expect(sessions.find((s) => s.date === '2026-12-09')).toMatchObject({ startTime: '10:00', originalDate: '2026-12-02', manual: true });
    expect(sessions.find((s) => s.date === '2026-09-02')).toMatchObject({ status: 'held', childrenPresent: 11 });
    expect(sessions.find((s) => s.date === '2027-01-06')).toMatchObject({ startTime: '14:00', endTime: '16:00' });

    const page = await f.acmAgent.get(`${path}/animation`);
    expect(page.body).toContain('zone A');
    expect(page.body).toContain('déplacée du 2 décembre 2026');
    const [row] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, f.partnership.id));
    expect(row?.slot).toBe('mercredi-apres-midi');
    const history = await f.acmAgent.get(`${path}/historique`);
    expect(history.body).toContain('Séance du 2 décembre 2026 : déplacée au 9 décembre 2026');
  });

  it('refuses a period that ends before it starts, and a cycle without its number of sessions', async () => {
    const f = await createPartnershipFixture(app);
    const response = await f.acmAgent.post(`/partenariats/${f.partnership.id}/calendrier`, {
      periodicity: 'cycle',
      periodStart: '2027-01-06',
      periodEnd: '2026-12-01',
      slot: 'mercredi-matin',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('La fin de la période doit suivre son début.');
    expect(response.body).toContain('Ce champ est obligatoire.');
  });
});
