import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { matchingSuggestions, needs, offers } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { acmProfile, openNeedById } from '../../server/matching/matching.repository.js';
import { MATCHING_SUGGESTIONS_JOB, refreshStoredSuggestions, storedNeedSuggestions, storedOfferSuggestions } from '../../server/matching/stored-suggestions.js';
import { rankOffers, suggestNeedsForPartner, wishOfAcm, wishOfNeed } from '../../server/matching/suggestions.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { acmWithMember, needForm, partnerWithMember, theatreOffer } from '../helpers/matching.js';
import { insertOffer } from '../helpers/search.js';

/**
 * The dashboards read suggestions stored by the matching-suggestions job: the same ranking as the
 * live computation, refreshed after writes nearby, re-read (withdrawn offers leave at once).
 */

let app: App;
let acm: Awaited<ReturnType<typeof acmWithMember>>;
let partner: Awaited<ReturnType<typeof partnerWithMember>>;
let needId: number;

async function storedRow(kind: 'acm' | 'need' | 'partner', id: number) {
  const [row] = await app.deps.db
    .select()
    .from(matchingSuggestions)
    .where(and(eq(matchingSuggestions.kind, kind), eq(matchingSuggestions.subjectId, id)));
  return row ?? null;
}

beforeAll(async () => {
  app = await createTestApp();
  partner = await partnerWithMember(app, { name: 'Compagnie des Planches' });
  await theatreOffer(app, partner.partner.id, { title: 'Atelier théâtre des Pentes' });
  await insertOffer(app, partner.partner.id, { title: 'Lectures du mercredi', subthemes: ['lecture-ecriture'], ageMin: 6, ageMax: 11 });
  acm = await acmWithMember(app, { name: 'Accueil des Traboules', themes: ['culture'] });
  const response = await acm.agent.post('/besoins', needForm({ title: 'Un spectacle pour la fête de l’école' }));
  needId = Number(response.headers.location?.split('/').pop());
  await refreshStoredSuggestions(app.deps);
});
afterAll(async () => {
  await app.close();
});

describe('the stored dashboard suggestions', () => {
  it('stores each member ACM’s profile, its open needs and each member partner, ranked as the live computation ranks them', async () => {
    const profile = await acmProfile(app.deps.db, acm.acm.id);
    const need = await openNeedById(app.deps.db, needId);
    const [[fromProfile], [fromNeed]] = await Promise.all([
      storedOfferSuggestions(app.deps, 'acm', [{ id: acm.acm.id, wish: wishOfAcm(profile!) }], 3),
      storedOfferSuggestions(app.deps, 'need', [{ id: needId, wish: wishOfNeed(need!) }], 3),
    ]);
    const live = async (wish: Parameters<typeof rankOffers>[1]) => (await rankOffers(app.deps, wish, { limit: 3 })).map((r) => [r.item.id, r.match.score]);
    expect(fromProfile!.map((r) => [r.item.id, r.match.score])).toEqual(await live(wishOfAcm(profile!)));
    expect(fromNeed!.map((r) => [r.item.id, r.match.score])).toEqual(await live(wishOfNeed(need!)));
    expect(fromNeed!.length).toBeGreaterThan(0);

    const needsOfPartner = await storedNeedSuggestions(app.deps, partner.partner.id, 5);
    const livePartner = await suggestNeedsForPartner(app.deps, partner.partner.id, { limit: 5 });
    expect(needsOfPartner.map((s) => [s.need.id, s.offer.id, s.match.score])).toEqual(livePartner.map((s) => [s.need.id, s.offer.id, s.match.score]));
    expect(needsOfPartner.map((s) => s.need.id)).toContain(needId);

    for (const [kind, id] of [
      ['acm', acm.acm.id],
      ['need', needId],
      ['partner', partner.partner.id],
    ] as const) {
      expect((await storedRow(kind, id))?.items, `${kind} ${id}`).not.toEqual([]);
    }
  });

  it('shows on the dashboard what the stored row lists, not a live ranking', async () => {
    const before = await storedRow('acm', acm.acm.id);
    await app.deps.db
      .update(matchingSuggestions)
      .set({ items: [] })
      .where(and(eq(matchingSuggestions.kind, 'acm'), eq(matchingSuggestions.subjectId, acm.acm.id)));
    try {
      const page = await acm.agent.get('/tableau-de-bord');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Complétez les âges et les thèmes de votre accueil');
    } finally {
      await app.deps.db
        .update(matchingSuggestions)
        .set({ items: before!.items })
        .where(and(eq(matchingSuggestions.kind, 'acm'), eq(matchingSuggestions.subjectId, acm.acm.id)));
    }
    const page = await acm.agent.get('/tableau-de-bord');
    expect(page.body).toContain('Atelier théâtre des Pentes');
  });

  it('shows a newly published offer nearby in the suggestions after the refresh, and leaves rows far from it alone', async () => {
    const far = await acmWithMember(app, { name: 'Accueil du Vieux-Port', themes: ['culture'], codeInsee: '13201', lat: 43.3, lng: 5.38 });
    await refreshStoredSuggestions(app.deps);
    const farBefore = await storedRow('acm', far.acm.id);
    expect(farBefore).not.toBeNull();

    await insertOffer(app, partner.partner.id, { title: 'Théâtre d’ombres à la Croix-Rousse', subthemes: ['theatre-marionnettes'], lat: 45.7745, lng: 4.8318 });
    expect((await acm.agent.get('/tableau-de-bord')).body).not.toContain('Théâtre d’ombres à la Croix-Rousse');

    await refreshStoredSuggestions(app.deps);
    expect((await acm.agent.get('/tableau-de-bord')).body).toContain('Théâtre d’ombres à la Croix-Rousse');
    expect((await storedRow('acm', far.acm.id))!.computedAt).toEqual(farBefore!.computedAt);
  });

  it('leaves an ACM profile’s row alone when an offer is published beyond the 25 km its group travels', async () => {
    const before = await storedRow('acm', acm.acm.id);
    const partnerBefore = await storedRow('partner', partner.partner.id);
    await insertOffer(app, partner.partner.id, { title: 'Théâtre à Villefranche', subthemes: ['theatre-marionnettes'], lat: 46.12, lng: 4.83 });
    await refreshStoredSuggestions(app.deps);
    expect((await storedRow('acm', acm.acm.id))!.computedAt).toEqual(before!.computedAt);
    // The partner's own offers changed: its row is computed again.
    expect((await storedRow('partner', partner.partner.id))!.computedAt.getTime()).toBeGreaterThan(partnerBefore!.computedAt.getTime());
  });

  it('drops a withdrawn offer from the dashboard at once, before any refresh of the stored rows', async () => {
    expect((await acm.agent.get('/tableau-de-bord')).body).toContain('Atelier théâtre des Pentes');
    // As the offer editor does: the write and its search outbox row in one transaction.
    const setStatus = (status: 'paused' | 'published') =>
      app.deps.db.transaction(async (tx) => {
        const [offer] = await tx.update(offers).set({ status }).where(eq(offers.title, 'Atelier théâtre des Pentes')).returning();
        await enqueueSearchSync(tx, 'offer', offer!.id);
      });
    await setStatus('paused');
    try {
      expect((await acm.agent.get('/tableau-de-bord')).body).not.toContain('Atelier théâtre des Pentes');
    } finally {
      await setStatus('published');
    }
  });

  it('shows a partner a new need near its offers after the refresh', async () => {
    const other = await acmWithMember(app, { name: 'Accueil de la Guillotière' });
    const response = await other.agent.post('/besoins', needForm({ title: 'Des marionnettes pour les grands' }));
    expect(response.statusCode).toBe(303);
    expect((await partner.agent.get('/tableau-de-bord')).body).not.toContain('Des marionnettes pour les grands');
    await refreshStoredSuggestions(app.deps);
    expect((await partner.agent.get('/tableau-de-bord')).body).toContain('Des marionnettes pour les grands');
  });

  it('ranks a need afresh on its next view once its ACM edits it, without waiting for the job', async () => {
    await app.deps.db
      .update(needs)
      .set({ subthemes: ['lecture-ecriture'], updatedAt: sql`now() + interval '1 second'` })
      .where(eq(needs.id, needId));
    const need = await openNeedById(app.deps.db, needId);
    const [[shown]] = await Promise.all([storedOfferSuggestions(app.deps, 'need', [{ id: needId, wish: wishOfNeed(need!) }], 3)]);
    expect(shown![0]?.item.title).toBe('Lectures du mercredi');
    const [row] = await rows<{ fresh: boolean }>(
      app.deps.db,
      sql`select stale_since is null as fresh from matching_suggestions where kind = 'need' and subject_id = ${needId}`,
    );
    expect(row?.fresh).toBe(true);
  });

  it('is a scheduled job', () => {
    expect(app.deps.scheduler.list()).toContain(MATCHING_SUGGESTIONS_JOB);
  });
});
