import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionVersions, notifications, partnershipConventions, partnershipSessions } from '../../db/schema/index.js';
import { formatters } from '../../server/lib/format.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture, type PartnershipFixture, pdfText, signShownText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function signBoth(f: PartnershipFixture) {
  await signShownText(f.acmAgent, f.partnership.id, 'acm', 'Claire Dubois');
  await signShownText(f.partnerAgent, f.partnership.id, 'partner', 'Karim Benali');
}

async function state(id: number) {
  const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
  const versions = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id)).orderBy(conventionVersions.version);
  return { status: convention!.status, versions };
}

describe('amendments to a signed convention', () => {
  it('turns an article edit into an amendment the other party sees side by side and signs, and the PDF shows both texts', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    await signBoth(f);
    expect((await state(id)).status).toBe('signed');

    // The edit is not saved until confirmed: the page says the convention will not change.
    const edit = { fin_tarif: '50 € par séance', fin_frais: 'Aucun' };
    const ask = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, edit);
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain('La convention est signée par les deux structures : elle ne sera pas modifiée. Cette modification devient l’avenant n° 1');
    expect((await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body).not.toContain('50 € par séance');

    const saved = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { ...edit, confirm: 'on' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toContain('#avenant');
    const after = await state(id);
    expect(after.status).toBe('signed');
    expect(after.versions).toHaveLength(1);
    expect(after.versions[0]!.text).toContain(`Tarif : ${formatters.euros(45)} par séance`);

    // The partner is told, and sees the signed and the proposed wording of the article.
    const [notice] = await app.deps.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, f.partnerUser.id),
          eq(notifications.title, `Avenant n° 1 à la convention proposé : à relire et signer · ${f.partnership.title}`),
        ),
      );
    expect(notice?.url).toBe(`/partenariats/${id}/formalisation#avenant`);
    const page = (await f.partnerAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).toContain('Avenant n° 1 proposé');
    expect(page).toContain(`Proposé par ${f.acm.name}`);
    expect(page).toMatch(/Article 12 — Conditions financières<\/h4>/);
    // Only what changed is marked, the figure rather than the whole line.
    expect(page).toContain(`Tarif : <del>${formatters.euros(45).replace(/(\s)€$/, '</del>$1€')} par séance`);
    expect(page).toContain('Tarif : <ins>50</ins>\u00a0€ par séance');
    expect(page).toContain('Frais : <ins>Aucun</ins>');
    expect(page).toContain('<p class="diff-line">Budget prévisionnel : non renseigné</p>');
    expect(page).toContain('Signer l’avenant n° 1');

    // Until both sign, the signed convention is what the PDF shows.
    expect(pdfText((await f.partnerAgent.get(`/partenariats/${id}/convention.pdf`)).rawPayload)).not.toContain('50 € par séance');

    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect((await state(id)).versions).toHaveLength(1);
    const last = await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    const flash = await f.acmAgent.get(last.headers.location as string);
    expect(flash.body).toContain('L’avenant n° 1 est signé par les deux parties.');
    const signed = await state(id);
    expect(signed.versions.map((v) => [v.version, v.kind])).toEqual([
      [1, 'convention'],
      [2, 'amendment'],
    ]);
    expect(signed.versions[1]!.signatures.map((s) => s.name).sort()).toEqual(['Claire Dubois', 'Karim Benali']);

    const pdf = await f.partnerAgent.get(`/partenariats/${id}/convention.pdf`);
    expect(pdf.headers['content-disposition']).toContain('-v2.pdf');
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('CONVENTION DE PARTENARIAT — PLAN MERCREDI');
    expect(text).toMatch(/Tarif : 45,00\s€ par séance/);
    expect(text).toContain(`AVENANT N° 1 À LA CONVENTION PM-`);
    expect(text).toContain('Article 12 — Conditions financières est remplacé par : Tarif : 50 € par séance');
    expect(text).toContain('Signatures électroniques de l’avenant n° 1');
    expect(text).toContain(`Empreinte SHA-256 du texte consolidé signé avec l’avenant n° 1 (version 2) : ${signed.versions[1]!.textHash}`);
    const print = (await f.acmAgent.get(`/partenariats/${id}/convention/imprimer`)).body;
    expect(print).toContain('et son avenant signés');
    expect(print).toContain('AVENANT N° 1 À LA CONVENTION');
    const versions = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(versions).toMatch(/<th scope="row">Avenant n° 1<\/th>/);
    expect(versions).not.toContain('Avenant n° 2 proposé');
  }, 120_000);

  it('turns a session moved to a Tuesday into an amendment: the signed dates stay until both sign it', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    const calendar = await f.acmAgent.post(`/partenariats/${id}/calendrier`, {
      periodicity: 'hebdomadaire',
      periodStart: '2027-01-04',
      periodEnd: '2027-01-31',
      slot: 'mercredi-apres-midi',
    });
    expect(calendar.statusCode).toBe(303);
    await signBoth(f);
    const [session] = await app.deps.db
      .select()
      .from(partnershipSessions)
      .where(and(eq(partnershipSessions.partnershipId, id), eq(partnershipSessions.date, '2027-01-13')));
    const move = { date: '2027-01-12', startTime: '14:00', endTime: '16:00', status: 'planned', notes: '' };
    const ask = await f.partnerAgent.post(`/partenariats/${id}/seances/${session!.id}`, move);
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain('Cette modification devient l’avenant n° 1');
    expect(ask.body).toContain('Je propose cette modification comme avenant');
    const [still] = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.id, session!.id));
    expect(still!.date).toBe('2027-01-13');

    expect((await f.partnerAgent.post(`/partenariats/${id}/seances/${session!.id}`, { ...move, confirm: 'on' })).statusCode).toBe(303);
    const pending = await state(id);
    expect(pending.status).toBe('signed');
    expect(pending.versions).toHaveLength(1);
    expect(pending.versions[0]!.dates).toContain('2027-01-13');
    expect(pending.versions[0]!.dates).not.toContain('2027-01-12');
    const page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).toContain('<strong>Séance ajoutée :</strong> 12 janvier 2027');
    expect(page).toContain('<strong>Séance retirée :</strong> 13 janvier 2027');
    expect(page).toContain('<ins>');
    const signedPdf = pdfText((await f.acmAgent.get(`/partenariats/${id}/convention.pdf`)).rawPayload);
    expect(signedPdf).toContain('13 janvier 2027');
    expect(signedPdf).not.toContain('12 janvier 2027 (mardi)');

    await signBoth(f);
    const after = await state(id);
    expect(after.versions.map((v) => v.kind)).toEqual(['convention', 'amendment']);
    expect(after.versions[1]!.dates).toContain('2027-01-12');
    const text = pdfText((await f.acmAgent.get(`/partenariats/${id}/convention.pdf`)).rawPayload);
    expect(text).toContain('Séances ajoutées : 12 janvier 2027.');
    expect(text).toContain('Séances retirées : 13 janvier 2027.');
    expect(text).toContain('12 janvier 2027 (mardi)');
  }, 120_000);

  it('marks a past session held without asking anything: attendance does not change the agreed dates', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    await f.acmAgent.post(`/partenariats/${id}/calendrier`, {
      periodicity: 'hebdomadaire',
      periodStart: '2026-11-01',
      periodEnd: '2026-12-16',
      slot: 'mercredi-matin',
    });
    await signBoth(f);
    const [first] = await app.deps.db.select().from(partnershipSessions).where(eq(partnershipSessions.partnershipId, id)).orderBy(partnershipSessions.date);
    const held = await f.acmAgent.post(`/partenariats/${id}/seances/${first!.id}`, {
      date: first!.date,
      startTime: first!.startTime,
      endTime: first!.endTime,
      status: 'held',
      childrenPresent: '12',
      notes: 'Très bonne séance.',
    });
    expect(held.statusCode).toBe(303);
    const page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).not.toContain('Avenant n° 1');
  }, 120_000);
});
