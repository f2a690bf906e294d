import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, conventionVersions, memberships, notifications, partnershipConventions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { partnerForm } from '../helpers/organisations.js';
import { createPartnershipFixture, lastPartnershipHistoryId, type PartnershipFixture, partnershipHistory, signShownText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

const history = (id: number, after = 0) => partnershipHistory(app, id, after);
const lastHistoryId = (id: number) => lastPartnershipHistoryId(app, id);

async function noticesOf(userId: number) {
  return app.deps.db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(asc(notifications.id));
}

/** The signature rules of signConvention, each by what it writes in the history and whom it tells (probed by mutation). */
async function versionsOf(id: number) {
  return app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id)).orderBy(asc(conventionVersions.version));
}

/** Two named organisations, signed by none, by the ACM, or by both (Stryker runs a mutant's covering tests alone: each test builds its state). */
async function conventionSignedBy(signers: ('acm' | 'partner')[]) {
  const f = await createPartnershipFixture(app, { acmName: 'Accueil des Tilleuls', partnerName: 'Compagnie du Rebond' });
  if (signers.includes('acm')) await signShownText(f.acmAgent, f.partnership.id, 'acm', 'Claire Dubois');
  if (signers.includes('partner')) await signShownText(f.partnerAgent, f.partnership.id, 'partner', 'Karim Benali');
  return { f, id: f.partnership.id };
}

describe('the signature rounds of a convention', () => {
  it('records the first signature with the signer and the text’s fingerprint, and tells only the other party « à votre tour »', async () => {
    const { f, id } = await conventionSignedBy([]);
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
    const { f, id } = await conventionSignedBy(['acm']);
    const before = await lastHistoryId(id);
    const last = await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect(await flashAfter(f.partnerAgent, last)).toContain('La convention est signée par les deux parties.');
    const [version, ...moreVersions] = await versionsOf(id);
    expect(moreVersions).toEqual([]);
    expect(version).toMatchObject({ version: 1, kind: 'convention' });
    expect(version!.signatures.map((s) => [s.side, s.organisation, s.name, s.role])).toEqual([
      ['acm', 'Accueil des Tilleuls', 'Claire Dubois', 'Représentant·e légal·e'],
      ['partner', 'Compagnie du Rebond', 'Karim Benali', 'Représentant·e légal·e'],
    ]);
    expect(version!.signatures.every((s) => !Number.isNaN(Date.parse(s.signedAt)))).toBe(true);
    const [row] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
    expect(row).toMatchObject({ status: 'signed', signedVersions: 1, followsLiveSources: false });
    expect(row!.signedSources).toMatchObject({
      acm: { name: 'Accueil des Tilleuls' },
      partner: { name: 'Compagnie du Rebond' },
      offer: { title: 'Initiation au judo' },
    });
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
    const { f, id } = await conventionSignedBy(['acm', 'partner']);
    const proposed = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, {
      fin_tarif: '50 € par séance',
      fin_frais: 'Aucun',
      confirm: 'on',
    });
    expect(proposed.statusCode).toBe(303);
    const before = await lastHistoryId(id);
    const partnerNoticesBefore = (await noticesOf(f.partnerUser.id)).length;
    const firstSigned = await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect(await flashAfter(f.acmAgent, firstSigned)).toContain('Votre signature est enregistrée ; l’autre partie doit signer à son tour.');
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
    const last = await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect(await flashAfter(f.partnerAgent, last)).toContain('L’avenant n° 1 est signé par les deux parties.');
    expect((await versionsOf(id)).map((v) => [v.version, v.kind])).toEqual([
      [1, 'convention'],
      [2, 'amendment'],
    ]);
    const [row] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
    expect(row).toMatchObject({ status: 'signed', signedVersions: 2, followsLiveSources: false, amendmentProposedAt: null, amendmentHash: null });
    const entries = await history(id, middle);
    expect(entries.map((e) => e.action)).toEqual(['convention.amendment_signed_by_party', 'convention.amendment_signed']);
    expect(entries[1]).toMatchObject({ summary: 'Avenant n° 1 signé par les deux parties : il fait partie de la convention (version 2).', version: 2 });
    expect((await noticesOf(f.acmUser.id)).slice(acmNoticesBefore).map((n) => n.title)).toEqual([
      `L’avenant n° 1 est signé par les deux parties · ${f.partnership.title}`,
    ]);
  });
});

describe('a second amendment', () => {
  it('is signed under its own number, after the first one', async () => {
    const { f, id } = await conventionSignedBy(['acm', 'partner']);
    for (const [n, frais] of [
      [1, 'Aucun'],
      [2, 'Déplacements remboursés'],
    ] as const) {
      await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: frais, confirm: 'on' });
      const before = await lastHistoryId(id);
      await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
      const last = await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
      expect(await flashAfter(f.partnerAgent, last)).toContain(`L’avenant n° ${n} est signé par les deux parties.`);
      expect((await history(id, before)).map((e) => e.summary).at(-1)).toBe(
        `Avenant n° ${n} signé par les deux parties : il fait partie de la convention (version ${n + 1}).`,
      );
    }
    expect((await versionsOf(id)).map((v) => v.kind)).toEqual(['convention', 'amendment', 'amendment']);
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

/** What the page says after a submit: the flash message shown once redirected. */
async function flashAfter(agent: PartnershipFixture['acmAgent'], response: { headers: Record<string, unknown> }) {
  return (await agent.get(response.headers.location as string)).body;
}

/** The form as the page shows it to a side, to submit once or again later. */
async function signForm(agent: PartnershipFixture['acmAgent'], id: number, side: 'acm' | 'partner', signerName: string) {
  const page = await agent.get(`/partenariats/${id}/formalisation`);
  const textHash = /name="textHash" value="([0-9a-f]{64})"/.exec(page.body)![1]!;
  return () => agent.post(`/partenariats/${id}/convention/signer`, { side, signerName, signerRole: 'Représentant·e légal·e', textHash, consent: 'on' });
}

async function signatureRows(id: number) {
  return app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id)).orderBy(asc(conventionSignatures.id));
}

describe('a signature form submitted again', () => {
  it('tells the first signer that the other party must still sign, and keeps one signature', async () => {
    const { f, id } = await conventionSignedBy([]);
    const submit = await signForm(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect((await submit()).statusCode).toBe(303);
    const before = await lastHistoryId(id);
    const again = await submit();
    expect(again.statusCode).toBe(303);
    expect(await flashAfter(f.acmAgent, again)).toContain('Votre signature est enregistrée ; l’autre partie doit signer à son tour.');
    expect((await signatureRows(id)).map((s) => [s.side, s.voidedAt])).toEqual([['acm', null]]);
    expect(await history(id, before)).toEqual([]);
  });

  it('tells the last signer that the convention is signed by both, without an error', async () => {
    const { f, id } = await conventionSignedBy(['acm']);
    const submit = await signForm(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect((await submit()).statusCode).toBe(303);
    const before = await lastHistoryId(id);
    const again = await submit();
    expect(again.statusCode).toBe(303);
    const page = await flashAfter(f.partnerAgent, again);
    expect(page).toContain('La convention est signée par les deux parties.');
    expect(await history(id, before)).toEqual([]);
  });

  it('tells the last signer that the convention is signed, not that the text changed, once an amendment waits', async () => {
    const { f, id } = await conventionSignedBy(['acm']);
    const submit = await signForm(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect((await submit()).statusCode).toBe(303);
    const proposed = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: 'Aucun', confirm: 'on' });
    expect(proposed.headers.location).toContain('#avenant');
    const before = await lastHistoryId(id);
    const page = await flashAfter(f.partnerAgent, await submit());
    expect(page).toContain('La convention est signée par les deux parties.');
    expect(page).not.toContain('Le texte a changé depuis que vous l’avez ouvert');
    expect(await history(id, before)).toEqual([]);
  });

  it('tells a party that signed the amendment that the other party must still sign it', async () => {
    const { f, id } = await conventionSignedBy(['acm', 'partner']);
    const proposed = await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: 'Aucun', confirm: 'on' });
    expect(proposed.headers.location).toContain('#avenant');
    const submit = await signForm(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect(await flashAfter(f.acmAgent, await submit())).toContain('Votre signature est enregistrée ; l’autre partie doit signer à son tour.');
    const before = await lastHistoryId(id);
    const page = await flashAfter(f.acmAgent, await submit());
    expect(page).toContain('Votre signature est enregistrée ; l’autre partie doit signer à son tour.');
    expect(page).not.toContain('signée par les deux parties');
    expect(await history(id, before)).toEqual([]);
    expect((await signatureRows(id)).filter((s) => s.version === null && s.voidedAt === null).map((s) => s.side)).toEqual(['acm']);
  });

  it('tells the last signer of an amendment who submits again that it is signed, and records nothing', async () => {
    const { f, id } = await conventionSignedBy(['acm', 'partner']);
    await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: 'Aucun', confirm: 'on' });
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    const submit = await signForm(f.partnerAgent, id, 'partner', 'Karim Benali');
    expect(await flashAfter(f.partnerAgent, await submit())).toContain('L’avenant n° 1 est signé par les deux parties.');
    const before = await lastHistoryId(id);
    const page = await flashAfter(f.partnerAgent, await submit());
    expect(page).toContain('La convention est signée par les deux parties.');
    expect(await history(id, before)).toEqual([]);
    expect((await signatureRows(id)).filter((s) => s.version === null)).toEqual([]);
  });

  it('refuses a form opened before the text changed, asking to read the convention or the amendment again', async () => {
    const { f, id } = await conventionSignedBy([]);
    const stale = await signForm(f.partnerAgent, id, 'partner', 'Karim Benali');
    await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: 'Aucun', confirm: 'on' });
    expect(await flashAfter(f.partnerAgent, await stale())).toContain(
      'Le texte a changé depuis que vous l’avez ouvert : relisez la convention avant de signer.',
    );
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: 'Rien', confirm: 'on' });
    const staleProposal = await signForm(f.partnerAgent, id, 'partner', 'Karim Benali');
    await f.acmAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_frais: 'Presque rien', confirm: 'on' });
    expect(await flashAfter(f.partnerAgent, await staleProposal())).toContain(
      'Le texte a changé depuis que vous l’avez ouvert : relisez l’avenant n° 1 avant de signer.',
    );
    expect(await signatureRows(id)).toHaveLength(2);
  });
});

describe('a party signing again after its own signature went stale', () => {
  it('voids its signature on the older text, records the new one and asks the other party again', async () => {
    const f = await createPartnershipFixture(app, { acmName: 'Accueil des Tilleuls', partnerName: 'Compagnie du Rebond' });
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    // The profile editor does not touch the convention: the text the ACM reads again has changed.
    expect(
      (await f.partnerAgent.post(`/structures/${f.partner.id}/modifier`, partnerForm({ name: 'Compagnie du Rebond renommée', siret: '' }))).statusCode,
    ).toBe(303);
    const before = await lastHistoryId(id);
    const partnerNoticesBefore = (await noticesOf(f.partnerUser.id)).length;
    const again = await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect(await flashAfter(f.acmAgent, again)).toContain('Votre signature est enregistrée ; l’autre partie doit signer à son tour.');
    const rows = await signatureRows(id);
    expect(rows.map((s) => [s.side, s.voidReason])).toEqual([
      ['acm', 'Le texte a changé depuis cette signature.'],
      ['acm', null],
    ]);
    expect(rows[1]!.textHash).not.toBe(rows[0]!.textHash);
    expect((await history(id, before)).map((e) => e.action)).toEqual(['convention.signatures_voided', 'convention.signed_by_party']);
    expect((await noticesOf(f.partnerUser.id)).slice(partnerNoticesBefore).map((n) => n.title)).toEqual([
      `Accueil des Tilleuls a signé la convention : à votre tour · ${f.partnership.title}`,
    ]);
  });
});

describe('the consent box', () => {
  it('says beside the box that it must be ticked', async () => {
    const f = await createPartnershipFixture(app);
    const page = await f.acmAgent.get(`/partenariats/${f.partnership.id}/formalisation`);
    const textHash = /name="textHash" value="([0-9a-f]{64})"/.exec(page.body)![1]!;
    const response = await f.acmAgent.post(`/partenariats/${f.partnership.id}/convention/signer`, {
      side: 'acm',
      signerName: 'Claire Dubois',
      signerRole: 'Directrice',
      textHash,
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(
      /<p class="error-message" id="f-consent-error"><span class="visually-hidden">Erreur : <\/span>Cochez la case pour confirmer que vous avez lu la convention et que vous pouvez engager votre structure\.<\/p>/,
    );
  });
});

describe('an amendment that leaves out what a first signature needs', () => {
  it('is signed by both all the same: the checks before a first signature do not apply to an amendment', async () => {
    const { f, id } = await conventionSignedBy(['acm', 'partner']);
    const emptied = await f.partnerAgent.post(`/partenariats/${id}/engagements`, { side: 'partner', commitments: '', confirm: 'on' });
    expect(emptied.statusCode).toBe(303);
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect((await versionsOf(id)).map((v) => [v.version, v.kind])).toEqual([
      [1, 'convention'],
      [2, 'amendment'],
    ]);
  });
});
