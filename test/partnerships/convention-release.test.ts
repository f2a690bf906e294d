import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, conventionSignatures, conventionVersions, partnershipConventions } from '../../db/schema/index.js';
import { sha256 } from '../../server/partnerships/convention.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createPartnershipFixture, signShownText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function signedByBoth() {
  const f = await createPartnershipFixture(app);
  await signShownText(f.acmAgent, f.partnership.id, 'acm', 'Claire Dubois');
  await signShownText(f.partnerAgent, f.partnership.id, 'partner', 'Karim Benali');
  return f;
}

/**
 * What an earlier release left: the same partnership rendered with that release's wording (here
 * « Par séance », capitalised, as before a fix), signed under that text's hash.
 */
async function signedUnderEarlierWording(id: number): Promise<string> {
  const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
  expect(version!.text).toMatch(/^Tarif : 45,00\s€ par séance$/m);
  const text = version!.text.replace(/^(Tarif : 45,00\s€) par séance$/m, '$1 Par séance');
  const textHash = sha256(text);
  await app.deps.db.update(conventionVersions).set({ text, textHash }).where(eq(conventionVersions.id, version!.id));
  await app.deps.db.update(conventionSignatures).set({ textHash }).where(eq(conventionSignatures.partnershipId, id));
  return textHash;
}

async function actions(id: number) {
  const rows = await app.deps.db
    .select({ action: auditLog.action })
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, id)));
  return rows.map((r) => r.action);
}

async function convention(id: number) {
  const [row] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
  return row!;
}

describe('a convention signed under an earlier release’s wording', () => {
  it('keeps what it was rendered from with its signed version', async () => {
    const f = await signedByBoth();
    const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, f.partnership.id));
    expect(version!.inputs).toMatchObject({ partnership: { id: f.partnership.id }, fields: {} });
  });

  it('stays in force through an edit that changes nothing, shows its signed text, then takes a real change as an amendment that can be withdrawn', async () => {
    const f = await signedByBoth();
    const id = f.partnership.id;
    const signedHash = await signedUnderEarlierWording(id);

    // The page shows the text as signed, with no amendment and no note of a change.
    let page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).toContain('Texte de la convention signée');
    expect(page).toMatch(/Tarif : 45,00\s€ Par séance/);
    expect(page).not.toMatch(/Tarif : 45,00\s€ par séance/);
    expect(page).not.toContain('à signer</span>');
    expect(page).not.toContain('depuis la signature');
    expect(page).toContain(`Empreinte SHA-256 du texte signé en vigueur : <code class="hash">${signedHash}</code>`);
    expect(page).not.toContain('name="textHash"');

    // Saving the commitments as they are asks for no confirmation and proposes nothing.
    const same = await f.acmAgent.post(`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Deux animateurs présents à chaque séance.' });
    expect(same.statusCode).toBe(303);
    expect((await convention(id)).amendmentProposedAt).toBeNull();
    expect(await actions(id)).not.toContain('convention.amendment_proposed');

    // A real change is an amendment: the difference shown is against the text signed.
    const asked = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_tarif: '50 € par séance', fin_frais: 'Aucun' });
    expect(asked.statusCode).toBe(422);
    expect(asked.body).toContain('Cette modification devient l’avenant n° 1');
    const saved = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, {
      fin_tarif: '50 € par séance',
      fin_frais: 'Aucun',
      confirm: 'on',
    });
    expect(saved.headers.location).toContain('#avenant');
    page = (await f.partnerAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).toContain('Avenant n° 1 à signer');
    // The diff marks the changed words: read it as text.
    const unmarked = page.replace(/<\/?(ins|del)>/g, '');
    expect(unmarked).toContain('Tarif : 50\u00a0€ par séance');
    expect(unmarked).toMatch(/Tarif : 45,00\s€ Par séance/);

    // Withdrawn, it leaves the signed text in force, as signed.
    const withdrawn = await f.acmAgent.post(`/partenariats/${id}/convention/avenant/retirer`, { side: 'acm' });
    expect(withdrawn.statusCode).toBe(303);
    page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).not.toContain('à signer</span>');
    expect(page).toMatch(/Tarif : 45,00\s€ Par séance/);
    const after = await convention(id);
    expect([after.status, after.signedVersions, after.amendmentProposedAt]).toEqual(['signed', 1, null]);
    expect(await actions(id)).toContain('convention.amendment_withdrawn');
  });

  it('says which articles of a proposed amendment changed by the app’s wording only', async () => {
    const f = await signedByBoth();
    const id = f.partnership.id;
    // As the release before this one wrote it: the label on its own line.
    const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
    expect(version!.text).toContain('\nTransport : sans objet.\n');
    const text = version!.text.replace('\nTransport : sans objet.\n', '\nTransport :\nSans objet.\n');
    await app.deps.db
      .update(conventionVersions)
      .set({ text, textHash: sha256(text) })
      .where(eq(conventionVersions.id, version!.id));
    await app.deps.db
      .update(conventionSignatures)
      .set({ textHash: sha256(text) })
      .where(eq(conventionSignatures.partnershipId, id));
    await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_tarif: '50 € par séance', fin_frais: 'Aucun', confirm: 'on' });
    const page = (await f.partnerAgent.get(`/partenariats/${id}/formalisation`)).body;
    const article = (title: string) => new RegExp(`<h4 id="avenant-article-\\d+">Article \\d+ — ${title}</h4>\\s*(<p class="hint">[^<]*</p>)?`).exec(page);
    expect(article('Calendrier et lieux')?.[1]).toContain('Seule la rédaction du modèle de convention de Passerelle a changé');
    expect(article('Conditions financières')?.[0]).toBeDefined();
    expect(article('Conditions financières')?.[1]).toBeUndefined();
  });

  it('tells a party whose signature was made on the earlier wording to sign again, and is signed once both signed the same text', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    await app.deps.db
      .update(conventionSignatures)
      .set({ textHash: sha256('the text an earlier release rendered') })
      .where(eq(conventionSignatures.partnershipId, id));
    const page = (await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body;
    expect(page).toContain('Claire Dubois a signé pour');
    expect(page).toContain('un texte qui a changé depuis');
    expect(page).toContain('name="textHash"');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect((await convention(id)).status).toBe('draft');
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect((await convention(id)).status).toBe('signed');
    expect((await f.acmAgent.get(`/partenariats/${id}/formalisation`)).body).not.toContain('un texte qui a changé depuis');
  });

  it('takes, for a version kept without its inputs and no amendment proposed, the partnership as it is as what was signed', async () => {
    const quiet = await signedByBoth();
    const pending = await signedByBoth();
    for (const f of [quiet, pending]) {
      await signedUnderEarlierWording(f.partnership.id);
      await app.deps.db.update(conventionVersions).set({ inputs: null }).where(eq(conventionVersions.partnershipId, f.partnership.id));
    }
    await pending.acmAgent.post(`/partenariats/${pending.partnership.id}/convention/sections/finances`, {
      fin_tarif: '50 € par séance',
      fin_frais: 'Aucun',
      confirm: 'on',
    });
    // Compared by its text, the earlier wording looks like a change.
    expect((await quiet.acmAgent.get(`/partenariats/${quiet.partnership.id}/formalisation`)).body).toContain('à signer</span>');
    await app.deps.scheduler.runNow('convention-signed-inputs');
    const page = (await quiet.acmAgent.get(`/partenariats/${quiet.partnership.id}/formalisation`)).body;
    expect(page).not.toContain('à signer</span>');
    expect(page).toMatch(/Tarif : 45,00\s€ Par séance/);
    const inputsOf = async (id: number) => (await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id)))[0]!.inputs;
    expect(await inputsOf(quiet.partnership.id)).toMatchObject({ partnership: { id: quiet.partnership.id } });
    // An amendment already proposed keeps the text comparison: nothing tells what was signed.
    expect(await inputsOf(pending.partnership.id)).toBeNull();
    expect((await pending.partnerAgent.get(`/partenariats/${pending.partnership.id}/formalisation`)).body).toContain('Avenant n° 1 à signer');
  });

  it('records what a version kept before this was rendered from, while its text is still the one rendered', async () => {
    const f = await signedByBoth();
    const id = f.partnership.id;
    await app.deps.db.update(conventionVersions).set({ inputs: null }).where(eq(conventionVersions.partnershipId, id));
    const same = await f.acmAgent.post(`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Deux animateurs présents à chaque séance.' });
    expect(same.statusCode).toBe(303);
    const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
    expect(version!.inputs).toMatchObject({ partnership: { id } });
  });
});
