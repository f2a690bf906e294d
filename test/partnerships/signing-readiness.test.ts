import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, organisations } from '../../db/schema/index.js';
import { de } from '../../server/lib/format.js';
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

describe('signing a convention that misses what it needs', () => {
  it('refuses the signature, lists what is missing with links to fix it, and signs once it is complete', async () => {
    const f = await createPartnershipFixture(app, { conventionFields: { acm_representant: 'Mme Claire Dubois, directrice' } });
    const id = f.partnership.id;
    await app.deps.db.update(organisations).set({ siret: null }).where(eq(organisations.id, f.acm.id));
    const page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    const textHash = /name="textHash" value="([0-9a-f]{64})"/.exec(page)![1]!;
    const form = { side: 'acm', signerName: 'Claire Dubois', signerRole: 'Directrice', textHash, consent: 'on' };

    const refused = await f.acmAgent.post(`/partenariats/${id}/convention/signer`, form);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(
      `La convention ne peut pas encore être signée. À compléter avant : SIRET ${de(f.acm.name)} ; Représentant·e légal·e ${de(f.partner.name)} et sa qualité.`,
    );
    expect(refused.body).toContain('href="#f-missing"');
    expect(refused.body).toContain(`<a href="/structures/${f.acm.id}/modifier">SIRET ${de(f.acm.name)}</a>`);
    expect(refused.body).toContain(`<a href="/partenariats/${id}/formalisation#section-partenaire">`);
    expect(await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id))).toEqual([]);

    await app.deps.db.update(organisations).set({ siret: '21690123000018' }).where(eq(organisations.id, f.acm.id));
    const saved = await f.partnerAgent.post(`/partenariats/${id}/convention/sections/partenaire`, { partner_representant: 'M. Karim Benali, président' });
    expect(saved.statusCode).toBe(303);
    const fresh = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(fresh).not.toContain('Avant de signer, à compléter');
    const hash = /name="textHash" value="([0-9a-f]{64})"/.exec(fresh)![1]!;
    expect((await f.acmAgent.post(`/partenariats/${id}/convention/signer`, { ...form, textHash: hash })).statusCode).toBe(303);
  });
});
