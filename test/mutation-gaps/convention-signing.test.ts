import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, conventionSignatures, memberships, notifications, partnershipConventions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { partnerForm } from '../helpers/organisations.js';
import { createPartnershipFixture, type PartnershipFixture, signShownText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** The partnership's history from `after` on: action, summary, organisation and extra data. */
async function history(id: number, after = 0) {
  const rows = await app.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, id)))
    .orderBy(asc(auditLog.id));
  return rows.filter((r) => r.id > after).map((r): Record<string, unknown> & { id: number; action: string } => ({ id: r.id, action: r.action, ...r.data }));
}

async function lastHistoryId(id: number): Promise<number> {
  return (await history(id)).at(-1)?.id ?? 0;
}

async function noticesOf(userId: number) {
  return app.deps.db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(asc(notifications.id));
}

/** The signature rules of signConvention, each by what it writes in the history and whom it tells (probed by mutation). */
describe('the signature rounds of a convention', () => {
  let f: PartnershipFixture;
  let id: number;
  beforeAll(async () => {
    f = await createPartnershipFixture(app, { acmName: 'Accueil des Tilleuls', partnerName: 'Compagnie du Rebond' });
    id = f.partnership.id;
  });

  it('records the first signature with the signer and the text’s fingerprint, and tells only the other party « à votre tour »', async () => {
    const before = await lastHistoryId(id);
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    const [entry, ...more] = await history(id, before);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ action: 'convention.signed_by_party', organisation: 'Accueil des Tilleuls' });
    expect(entry!.summary).toMatch(/^Claire Dubois \(Représentant·e légal·e\) a signé la convention \(empreinte [0-9a-f]{12}…\)\.$/);
    const [notice, ...others] = await noticesOf(f.partnerUser.id);
    expect(others).toEqual([]);
    expect(notice).toMatchObject({
      title: `Accueil des Tilleuls a signé la convention : à votre tour · ${f.partnership.title}`,
      url: `/partenariats/${id}/formalisation#signer`,
    });
    expect(await noticesOf(f.acmUser.id)).toEqual([]);
  });

  it('records the convention signed by both, with its version and the fields as signed, and tells the first signer, not « à votre tour »', async () => {
    const before = await lastHistoryId(id);
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    const entries = await history(id, before);
    expect(entries.map((e) => e.action)).toEqual(['convention.signed_by_party', 'convention.signed']);
    expect(entries[0]!.summary).toMatch(/^Karim Benali \(Représentant·e légal·e\) a signé la convention \(empreinte [0-9a-f]{12}…\)\.$/);
    expect(entries[1]).toMatchObject({ summary: 'Convention signée par les deux parties (version 1).', organisation: 'Compagnie du Rebond', version: 1 });
    expect(entries[1]!.fields).toBeTypeOf('object');
    expect((await noticesOf(f.acmUser.id)).map((n) => [n.title, n.url])).toEqual([
      [`La convention est signée par les deux parties · ${f.partnership.title}`, `/partenariats/${id}/formalisation`],
    ]);
  });

  it('records an amendment signed by one party, then by both, with its number, and links the notices to the amendment', async () => {
    const proposed = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, {
      fin_tarif: '50 € par séance',
      fin_frais: 'Aucun',
      confirm: 'on',
    });
    expect(proposed.statusCode).toBe(303);
    const before = await lastHistoryId(id);
    const partnerNoticesBefore = (await noticesOf(f.partnerUser.id)).length;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    const [first] = await history(id, before);
    expect(first).toMatchObject({ action: 'convention.amendment_signed_by_party' });
    expect(first!.summary).toMatch(/^Claire Dubois \(Représentant·e légal·e\) a signé l’avenant n° 1 \(empreinte [0-9a-f]{12}…\)\.$/);
    const [notice] = (await noticesOf(f.partnerUser.id)).slice(partnerNoticesBefore);
    expect(notice).toMatchObject({
      title: `Accueil des Tilleuls a signé l’avenant n° 1 : à votre tour · ${f.partnership.title}`,
      url: `/partenariats/${id}/formalisation#avenant`,
    });

    const middle = await lastHistoryId(id);
    const acmNoticesBefore = (await noticesOf(f.acmUser.id)).length;
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    const entries = await history(id, middle);
    expect(entries.map((e) => e.action)).toEqual(['convention.amendment_signed_by_party', 'convention.amendment_signed']);
    expect(entries[1]).toMatchObject({ summary: 'Avenant n° 1 signé par les deux parties : il fait partie de la convention (version 2).', version: 2 });
    expect((await noticesOf(f.acmUser.id)).slice(acmNoticesBefore).map((n) => n.title)).toEqual([
      `L’avenant n° 1 est signé par les deux parties · ${f.partnership.title}`,
    ]);
  });
});

describe('the signature form', () => {
  it('needs the signer’s name and role, 120 characters at most each, beside their fields', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    const page = await f.acmAgent.get(`/partenariats/${id}/formalisation`);
    const textHash = /name="textHash" value="([0-9a-f]{64})"/.exec(page.body)![1]!;
    const post = (signerName: string, signerRole: string) =>
      f.acmAgent.post(`/partenariats/${id}/convention/signer`, { side: 'acm', signerName, signerRole, textHash, consent: 'on' });
    for (const [name, role, message] of [
      ['', 'Directrice', 'Ce champ est obligatoire.'],
      ['Claire Dubois', '', 'Ce champ est obligatoire.'],
      ['C'.repeat(121), 'Directrice', '120 caractères au maximum (vous en avez saisi 121).'],
      ['Claire Dubois', 'D'.repeat(121), '120 caractères au maximum (vous en avez saisi 121).'],
    ] as const) {
      const response = await post(name, role);
      expect(response.statusCode, `${name.length}/${role.length}`).toBe(422);
      expect(response.body).toContain(message);
    }
    const signatures = await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id));
    expect(signatures).toEqual([]);
    expect((await post('C'.repeat(120), 'D'.repeat(120))).statusCode).toBe(303);
  });

  it('signs for the side the member chose when they belong to both organisations', async () => {
    const f = await createPartnershipFixture(app);
    await app.deps.db.insert(memberships).values({ organisationId: f.partner.id, userId: f.acmUser.id, role: 'member' });
    await signShownText(f.acmAgent, f.partnership.id, 'partner', 'Claire Dubois');
    const signatures = await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, f.partnership.id));
    expect(signatures.map((s) => [s.side, s.organisationId])).toEqual([['partner', f.partner.id]]);
  });
});

describe('a signature over a text changed by an organisation’s profile', () => {
  it('voids the other party’s signature on the older text, says so in the history, and asks it to sign again', async () => {
    const f = await createPartnershipFixture(app, { acmName: 'Accueil des Tilleuls', partnerName: 'Compagnie du Rebond' });
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    // The profile editor does not touch the convention: the text the partner reads has changed.
    const rename = await f.partnerAgent.post(`/structures/${f.partner.id}/modifier`, partnerForm({ name: 'Compagnie du Rebond renommée', siret: '' }));
    expect(rename.statusCode).toBe(303);
    const before = await lastHistoryId(id);
    const acmNoticesBefore = (await noticesOf(f.acmUser.id)).length;
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');

    const signatures = await app.deps.db
      .select()
      .from(conventionSignatures)
      .where(eq(conventionSignatures.partnershipId, id))
      .orderBy(asc(conventionSignatures.id));
    expect(signatures.map((s) => [s.side, s.voidReason])).toEqual([
      ['acm', 'Le texte a changé depuis cette signature.'],
      ['partner', null],
    ]);
    const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
    expect(convention!.status).toBe('draft');
    const entries = await history(id, before);
    expect(entries.map((e) => e.action)).toEqual(['convention.signatures_voided', 'convention.signed_by_party']);
    expect(entries[0]).toMatchObject({
      organisation: 'Compagnie du Rebond renommée',
      summary:
        'Le texte a changé depuis la signature précédente (profil d’une structure modifié) : cette signature est annulée, une nouvelle signature des deux parties est nécessaire.',
    });
    expect((await noticesOf(f.acmUser.id)).slice(acmNoticesBefore).map((n) => n.title)).toEqual([
      `Compagnie du Rebond renommée a signé la convention : à votre tour · ${f.partnership.title}`,
    ]);
  });
});

describe('a partnership formalised by meeting minutes', () => {
  it('refuses a signature, saying it has no convention', async () => {
    const f = await createPartnershipFixture(app, { partnership: { formalisation: 'minutes' } });
    const response = await f.acmAgent.post(`/partenariats/${f.partnership.id}/convention/signer`, {
      side: 'acm',
      signerName: 'Claire Dubois',
      signerRole: 'Directrice',
      textHash: '0'.repeat(64),
      consent: 'on',
    });
    expect(response.statusCode).toBe(303);
    const page = await f.acmAgent.get(response.headers.location as string);
    expect(page.body).toContain('Ce partenariat est formalisé par un compte rendu de réunion, pas par une convention.');
  });
});
