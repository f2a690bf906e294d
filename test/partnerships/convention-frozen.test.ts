import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, conventionVersions, partnershipConventions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { offerForm } from '../helpers/offers.js';
import { partnerForm } from '../helpers/organisations.js';
import { createPartnershipFixture, pdfText, signShownText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** The printable text of the print view (the signed documents), without tokens or navigation. */
function printed(body: string): string {
  const start = body.indexOf('<h1');
  return body.slice(start, body.indexOf('</main>', start)).replace(/name="_csrf" value="[^"]*"/g, '');
}

describe('a signed convention does not follow live data', () => {
  it('keeps its text, signatures, PDF and print view when the offer and an organisation change after signature', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');

    const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
    expect(version!.text).toContain('45,00');
    const pdfBefore = pdfText((await f.acmAgent.get(`/partenariats/${id}/convention.pdf`)).rawPayload);
    const printBefore = printed((await f.acmAgent.get(`/partenariats/${id}/convention/imprimer`)).body);
    const pageBefore = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(pageBefore).toContain('Texte de la convention signée');

    // The partner raises the price of the offer through the offer editor.
    const offerEdit = await f.partnerAgent.post(
      `/offres/${f.partnership.offerId}/modifier`,
      offerForm({ title: 'Initiation au judo', priceEur: '60', priceDetails: 'par séance' }),
    );
    expect(offerEdit.statusCode).toBe(303);
    // The partner moves and renames itself through its profile editor.
    const orgEdit = await f.partnerAgent.post(
      `/structures/${f.partner.id}/modifier`,
      partnerForm({ name: 'Judo Club des Pentes renommé', address: '3 place Sathonay', siret: '' }),
    );
    expect(orgEdit.statusCode).toBe(303);

    const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
    expect(convention!.status).toBe('signed');
    expect(convention!.signedVersions).toBe(1);
    expect(convention!.amendmentProposedAt).toBeNull();
    const signatures = await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id));
    expect(signatures.filter((s) => s.voidedAt === null)).toHaveLength(2);
    const versions = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
    expect(versions).toHaveLength(1);
    expect(versions[0]!.textHash).toBe(version!.textHash);

    // What is shown as signed is exactly what was signed.
    expect(pdfText((await f.acmAgent.get(`/partenariats/${id}/convention.pdf`)).rawPayload)).toBe(pdfBefore);
    expect(printed((await f.acmAgent.get(`/partenariats/${id}/convention/imprimer`)).body)).toBe(printBefore);

    for (const agent of [f.acmAgent, f.partnerAgent]) {
      const page = (await agent.get(`/partenariats/${id}/formalisation`)).body;
      // No amendment appears on its own, and the text shown is the signed one.
      expect(page).not.toContain('Avenant n° 1');
      expect(page).not.toContain('class="diff"');
      expect(page).toContain('Texte de la convention signée');
      expect(page).toContain('45,00');
      expect(page).not.toContain('60,00');
      expect(page).not.toContain('3 place Sathonay');
      expect(page).toContain(version!.textHash);
      // A quiet note says the live data moved, with a way to propose an amendment.
      expect(page).toContain('Le tarif de l’offre a changé depuis la signature : proposez un avenant si la convention doit suivre');
      expect(page).toContain('Le profil de Judo Club des Pentes renommé (nom, adresse, SIRET…) a changé depuis la signature');
      expect(page).toContain('Proposer un avenant reprenant ces changements');
    }
    // The step tracker still counts the convention as signed.
    expect((await f.acmAgent.get(`/partenariats/${id}`)).body).not.toContain('Signer la convention');

    // Only when a party asks does an amendment take the changes up; both sign it like the convention.
    const proposed = await f.partnerAgent.post(`/partenariats/${id}/convention/avenant/reprendre`, { side: 'partner' });
    expect(proposed.statusCode).toBe(303);
    expect(proposed.headers.location).toContain('#avenant');
    const amendmentPage = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(amendmentPage).toContain('Avenant n° 1 proposé');
    expect(amendmentPage).toContain(`Proposé par Judo Club des Pentes renommé`);
    expect(amendmentPage).toContain('60,00');
    expect(amendmentPage).not.toContain('Proposer un avenant reprenant ces changements');
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    const signed = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id)).orderBy(conventionVersions.version);
    expect(signed.map((v) => v.kind)).toEqual(['convention', 'amendment']);
    expect(signed[1]!.text).toContain('60,00');
    expect(signed[1]!.text).toContain('3 place Sathonay');
    const after = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(after).not.toContain('a changé depuis la signature');
    expect(after).toContain('Texte de la convention signée');
  });

  it('withdrawing the amendment that takes up the live data goes back to the text as signed', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    const nothing = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/reprendre`, { side: 'acm' });
    expect(nothing.statusCode).toBe(303);
    const [unchanged] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
    expect(unchanged!.followsLiveSources).toBe(false);
    expect(unchanged!.amendmentProposedAt).toBeNull();

    await f.partnerAgent.post(
      `/offres/${f.partnership.offerId}/modifier`,
      offerForm({ title: 'Initiation au judo', priceEur: '60', priceDetails: 'par séance' }),
    );
    expect((await f.acmAgent.post(`/partenariats/${id}/convention/avenant/reprendre`, { side: 'acm' })).statusCode).toBe(303);
    const withdrawn = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/retirer`, { side: 'acm' });
    expect(withdrawn.statusCode).toBe(303);
    const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
    expect(convention!.followsLiveSources).toBe(false);
    expect(convention!.amendmentProposedAt).toBeNull();
    const page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).not.toContain('Avenant n° 1 proposé');
    expect(page).toContain('Le tarif de l’offre a changé depuis la signature');
    // A partner member without the ACM's side cannot propose for it.
    expect((await f.partnerAgent.post(`/partenariats/${id}/convention/avenant/reprendre`, { side: 'acm' })).statusCode).toBeGreaterThanOrEqual(400);
  });
});
