import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipConventions, partnershipReviews, partnershipSessions, partnerships } from '../../db/schema/index.js';
import { parisToday } from '../../server/kernel/paris-time.js';
import { addDays } from '../../server/partnerships/calendar.js';
import { closeFinishedYears } from '../../server/partnerships/partnerships.repository.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('renewing a partnership («\u00a0Reconduire\u00a0»)', () => {
  it('prepares next year’s draft after 1 of 13 sessions without ending the current year, which closes after its last session', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    const today = parisToday(new Date());
    // One session held a week ago, twelve still planned, one a week.
    const dates = Array.from({ length: 13 }, (_, i) => addDays(today, i === 0 ? -7 : 7 * i));
    await app.deps.db.insert(partnershipSessions).values(
      dates.map((date, i) => ({
        partnershipId: id,
        date,
        startTime: '14:00',
        endTime: '16:00',
        status: i === 0 ? ('held' as const) : ('planned' as const),
        childrenPresent: i === 0 ? 12 : null,
      })),
    );
    await app.deps.db.insert(partnershipReviews).values(
      (['acm', 'partner'] as const).map((side) => ({
        partnershipId: id,
        side,
        organisationId: side === 'acm' ? f.acm.id : f.partner.id,
        answers: {} as never,
        recommendation: 'renew' as const,
        submittedAt: new Date(),
      })),
    );
    expect((await f.acmAgent.post(`/partenariats/${id}/decision`, { side: 'acm', decision: 'renew', decisionReason: 'Les enfants adorent.' })).statusCode).toBe(
      303,
    );
    const response = await f.partnerAgent.post(`/partenariats/${id}/decision`, { side: 'partner', decision: 'renew', decisionReason: 'D’accord.' });
    expect(response.statusCode).toBe(303);
    const nextId = Number(/\/partenariats\/(\d+)$/.exec(response.headers.location as string)![1]);

    const [current] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, id));
    expect(current).toMatchObject({ status: 'active', decision: 'renew', closedAt: null });
    const sessions = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, id));
    expect(sessions.filter((s) => s.status === 'planned')).toHaveLength(12);
    expect(sessions.filter((s) => s.status === 'cancelled')).toHaveLength(0);
    const [next] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, nextId));
    expect(next).toMatchObject({ status: 'draft', renewedFromId: id });
    const [draft] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, nextId));
    expect(draft?.status).toBe('draft');

    // The current year stays open to both parties: its sessions can still be recorded.
    const history = (await f.partnerAgent.get(`/partenariats/${id}/historique`)).body;
    expect(history).toContain(`L’année ${f.partnership.schoolYear} continue : 12\u00a0séances prévues`);
    const bilan = (await f.partnerAgent.get(`/partenariats/${id}/bilan`)).body;
    expect(bilan).toContain(`L’année ${f.partnership.schoolYear} continue jusqu’à sa dernière séance`);
    expect(bilan).toContain('12\u00a0séances prévues');
    const animation = (await f.partnerAgent.get(`/partenariats/${id}/animation`)).body;
    expect(animation).toContain('Enregistrer et calculer les séances');

    // The year ends by itself once its last session is past, not before.
    expect(await closeFinishedYears(app.deps.db, dates.at(-1)!, new Date())).not.toContainEqual({ id });
    expect(await closeFinishedYears(app.deps.db, addDays(dates.at(-1)!, 1), new Date())).toContainEqual({ id });
    const [closed] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, id));
    expect(closed?.status).toBe('closed');
  });
});
