import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, memberships, notifications, partnershipConventions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createUser } from '../helpers/fixtures.js';
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

async function conventionRow(id: number) {
  const [row] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
  return row!;
}

async function signatureRows(id: number) {
  return app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id)).orderBy(asc(conventionSignatures.id));
}

async function noticeTitles(userId: number) {
  const rows = await app.deps.db.select().from(notifications).where(eq(notifications.userId, userId)).orderBy(asc(notifications.id));
  return rows.map((n) => [n.title, n.url]);
}

/** The two parties, each with a signed-in member and a colleague who only reads the notices. */
async function partiesWithColleagues() {
  const f = await createPartnershipFixture(app, { acmName: 'Accueil des Tilleuls', partnerName: 'Compagnie du Rebond' });
  const acmColleague = await createUser(app, { name: 'Inès Moreau' });
  const partnerColleague = await createUser(app, { name: 'Hugo Lefèvre' });
  await app.deps.db.insert(memberships).values([
    { organisationId: f.acm.id, userId: acmColleague.id, role: 'member' },
    { organisationId: f.partner.id, userId: partnerColleague.id, role: 'member' },
  ]);
  return { f, acmColleague, partnerColleague };
}

async function signBoth(f: PartnershipFixture) {
  await signShownText(f.acmAgent, f.partnership.id, 'acm', 'Claire Dubois');
  await signShownText(f.partnerAgent, f.partnership.id, 'partner', 'Karim Benali');
}

/** The billing clause as the convention words it by default, so as signed. */
const SIGNED_BILLING = 'Facture adressée à l’organisateur à la fin de chaque trimestre.';

const billing = (agent: PartnershipFixture['acmAgent'], id: number, fin_facturation: string, confirm = true) =>
  agent.post(`/partenariats/${id}/convention/sections/finances`, { fin_facturation, ...(confirm ? { confirm: 'on' } : {}) });

/** A convention signed by both, then an amendment proposed by the ACM (the billing clause). */
async function signedWithAmendment() {
  const parties = await partiesWithColleagues();
  await signBoth(parties.f);
  expect((await billing(parties.f.acmAgent, parties.f.partnership.id, 'Chaque trimestre')).headers.location).toContain('#avenant');
  return parties;
}

/**
 * The rules of reconcileConvention, each by what the parties see: messages, history, notices and
 * stored rows (probed by mutation). Each test builds its own state: Stryker runs a mutant's
 * covering tests alone.
 */
describe('an amendment to a signed convention, as its text changes', () => {
  it('changes nothing and writes nothing when a change leaves the signed text as it is', async () => {
    const { f } = await partiesWithColleagues();
    const id = f.partnership.id;
    await signBoth(f);
    const before = await lastHistoryId(id);
    const same = await f.acmAgent.post(`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Deux animateurs présents à chaque séance.' });
    expect(same.statusCode).toBe(303);
    expect((await history(id, before)).map((e) => e.action)).toEqual(['commitments.updated']);
    expect(await conventionRow(id)).toMatchObject({ status: 'signed', amendmentProposedAt: null, amendmentHash: null });
  });

  it('is proposed by the first change, by its author’s side, and told to the other party only', async () => {
    const { f, acmColleague, partnerColleague } = await partiesWithColleagues();
    const id = f.partnership.id;
    await signBoth(f);
    const before = await lastHistoryId(id);
    const saved = await billing(f.acmAgent, id, 'Chaque trimestre');
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/partenariats/${id}/formalisation#avenant`);
    const [edited, proposed, ...more] = await history(id, before);
    expect(more).toEqual([]);
    expect(edited!.action).toBe('convention.edited');
    expect(proposed).toMatchObject({
      action: 'convention.amendment_proposed',
      organisation: 'Accueil des Tilleuls',
      summary: 'Avenant n° 1 proposé : la convention signée reste en vigueur jusqu’à la signature de l’avenant par les deux parties.',
    });
    const row = await conventionRow(id);
    expect(row).toMatchObject({ status: 'signed', amendmentProposedBy: f.acmUser.id, amendmentSide: 'acm', updatedBy: f.acmUser.id });
    expect(row.amendmentProposedAt).toEqual(row.updatedAt);
    expect(row.amendmentHash).toMatch(/^[0-9a-f]{64}$/);
    const title = `Avenant n° 1 à la convention proposé : à relire et signer · ${f.partnership.title}`;
    expect(await noticeTitles(f.partnerUser.id)).toContainEqual([title, `/partenariats/${id}/formalisation#avenant`]);
    expect(await noticeTitles(partnerColleague.id)).toContainEqual([title, `/partenariats/${id}/formalisation#avenant`]);
    expect((await noticeTitles(acmColleague.id)).map(([t]) => t)).not.toContain(title);
  });

  it('is kept as it is, without asking again, when a change leaves the amendment’s text as it is', async () => {
    const { f } = await signedWithAmendment();
    const id = f.partnership.id;
    const row = await conventionRow(id);
    const before = await lastHistoryId(id);
    const same = await f.acmAgent.post(`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Deux animateurs présents à chaque séance.' });
    expect(same.statusCode).toBe(303);
    expect((await history(id, before)).map((e) => e.action)).toEqual(['commitments.updated']);
    expect(await conventionRow(id)).toEqual(row);
  });

  it('asks to confirm a change to an amendment that waits for signatures, saying the signatures made on it are voided', async () => {
    const { f } = await signedWithAmendment();
    const ask = await billing(f.partnerAgent, f.partnership.id, 'Chaque mois', false);
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain(
      'Un avenant n° 1 attend déjà les signatures : cette modification le change, et les signatures déjà faites sur l’avenant sont annulées. Cochez la case pour confirmer.',
    );
  });

  it('voids the signature made on the amendment when the other party changes it, keeps its proposer, and tells the signer', async () => {
    const { f, partnerColleague } = await signedWithAmendment();
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    const row = await conventionRow(id);
    const before = await lastHistoryId(id);
    const acmNoticesBefore = (await noticeTitles(f.acmUser.id)).length;
    const partnerColleagueNoticesBefore = (await noticeTitles(partnerColleague.id)).length;
    const changed = await billing(f.partnerAgent, id, 'Chaque mois');
    expect(changed.statusCode).toBe(303);

    const amendmentSignature = (await signatureRows(id)).at(-1)!;
    expect(amendmentSignature).toMatchObject({ side: 'acm', version: null, voidReason: 'Le texte de l’avenant a changé depuis cette signature.' });
    const [, entry, ...more] = await history(id, before);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      action: 'convention.amendment_changed',
      organisation: 'Compagnie du Rebond',
      summary: 'Avenant n° 1 modifié : les signatures déjà faites sont annulées ; les deux parties doivent le signer.',
    });
    const after = await conventionRow(id);
    expect(after).toMatchObject({ amendmentProposedBy: f.acmUser.id, amendmentSide: 'acm', updatedBy: f.partnerUser.id });
    expect(after.amendmentProposedAt).toEqual(row.amendmentProposedAt);
    expect(after.updatedAt.getTime()).toBeGreaterThan(row.updatedAt.getTime());
    expect(after.amendmentHash).not.toBe(row.amendmentHash);
    expect((await noticeTitles(f.acmUser.id)).slice(acmNoticesBefore)).toEqual([
      [`Avenant n° 1 modifié : à relire et signer · ${f.partnership.title}`, `/partenariats/${id}/formalisation#avenant`],
    ]);
    expect((await noticeTitles(partnerColleague.id)).length).toBe(partnerColleagueNoticesBefore);
  });

  it('says nothing of voided signatures when an amendment nobody signed yet changes again', async () => {
    const { f } = await signedWithAmendment();
    const id = f.partnership.id;
    const before = await lastHistoryId(id);
    await billing(f.acmAgent, id, 'Chaque semaine');
    const [, entry] = await history(id, before);
    expect(entry).toMatchObject({ action: 'convention.amendment_changed', summary: 'Avenant n° 1 modifié ; les deux parties doivent le signer.' });
  });

  it('is withdrawn when a change brings the text back to the signed one: its signatures are voided and the history says so', async () => {
    const { f } = await signedWithAmendment();
    const id = f.partnership.id;
    await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
    const before = await lastHistoryId(id);
    const back = await billing(f.acmAgent, id, SIGNED_BILLING);
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe(`/partenariats/${id}/formalisation#section-finances`);
    const page = await f.acmAgent.get(back.headers.location as string);
    expect(page.body).toContain('La section de la convention est enregistrée.');
    expect(page.body).not.toContain('proposée comme avenant');

    expect((await signatureRows(id)).at(-1)).toMatchObject({
      side: 'partner',
      version: null,
      voidReason: 'L’avenant a été retiré : le texte est revenu à la version signée.',
    });
    expect(await conventionRow(id)).toMatchObject({
      status: 'signed',
      amendmentProposedAt: null,
      amendmentProposedBy: null,
      amendmentSide: null,
      amendmentHash: null,
      followsLiveSources: false,
    });
    const [, entry, ...more] = await history(id, before);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      action: 'convention.amendment_withdrawn',
      organisation: 'Accueil des Tilleuls',
      summary: 'Avenant n° 1 retiré : le texte est revenu à la version signée.',
    });
  });

  it('numbers the next amendment after the ones signed', async () => {
    const { f } = await signedWithAmendment();
    const id = f.partnership.id;
    await signBoth(f);
    const ask = await billing(f.partnerAgent, id, 'Chaque mois', false);
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain('Cette modification devient l’avenant n° 2, proposé à l’autre structure');
    const before = await lastHistoryId(id);
    await billing(f.partnerAgent, id, 'Chaque mois');
    expect((await history(id, before)).at(-1)).toMatchObject({
      action: 'convention.amendment_proposed',
      summary: expect.stringMatching(/^Avenant n° 2 proposé/),
    });
    await billing(f.partnerAgent, id, 'Chaque trimestre');
    expect((await history(id, before)).at(-1)).toMatchObject({ summary: 'Avenant n° 2 retiré : le texte est revenu à la version signée.' });
  });
});

describe('a draft convention signed by one party, as its text changes', () => {
  it('asks to confirm naming the signer, then voids the signature, says so in the history and tells both parties', async () => {
    const { f, acmColleague, partnerColleague } = await partiesWithColleagues();
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');

    const ask = await billing(f.partnerAgent, id, 'Chaque trimestre', false);
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain(
      'Accueil des Tilleuls a déjà signé la convention : cette modification change son texte et annule cette signature ; les deux structures devront signer le nouveau texte. Cochez la case pour confirmer.',
    );
    expect((await signatureRows(id)).map((s) => s.voidedAt)).toEqual([null]);

    const before = await lastHistoryId(id);
    const saved = await billing(f.partnerAgent, id, 'Chaque trimestre');
    expect(saved.statusCode).toBe(303);
    const page = await f.partnerAgent.get(saved.headers.location as string);
    expect(page.body).toContain('La signature déjà faite est annulée : les deux structures doivent signer le nouveau texte.');
    expect((await signatureRows(id)).map((s) => s.voidReason)).toEqual(['Le texte de la convention a été modifié après la signature.']);
    const [, entry, ...more] = await history(id, before);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      action: 'convention.signatures_voided',
      organisation: 'Compagnie du Rebond',
      summary: 'Modification après signature : les signatures sont annulées, une nouvelle signature des deux parties est nécessaire.',
    });
    const notice = [`Convention modifiée : nouvelle signature nécessaire · ${f.partnership.title}`, `/partenariats/${id}/formalisation#signer`];
    for (const user of [f.acmUser, acmColleague, partnerColleague]) expect(await noticeTitles(user.id)).toContainEqual(notice);
    expect(await conventionRow(id)).toMatchObject({ status: 'draft' });
  });

  it('keeps the signature, without asking, when a change leaves the text as signed', async () => {
    const { f } = await partiesWithColleagues();
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    const before = await lastHistoryId(id);
    const same = await f.partnerAgent.post(`/partenariats/${id}/engagements`, { side: 'partner', commitments: 'Un éducateur diplômé et les tatamis.' });
    expect(same.statusCode).toBe(303);
    expect((await signatureRows(id)).map((s) => s.voidedAt)).toEqual([null]);
    expect((await history(id, before)).map((e) => e.action)).toEqual(['commitments.updated']);
  });
});

describe('a partnership formalised by meeting minutes after a first signature', () => {
  it('leaves the convention and its signature alone when the text it would have changes', async () => {
    const { f } = await partiesWithColleagues();
    const id = f.partnership.id;
    await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
    expect((await f.acmAgent.post(`/partenariats/${id}/formalisation/mode`, { formalisation: 'minutes' })).statusCode).toBe(303);
    const before = await lastHistoryId(id);
    const changed = await f.partnerAgent.post(`/partenariats/${id}/engagements`, { side: 'partner', commitments: 'Deux éducateurs diplômés.' });
    expect(changed.statusCode).toBe(303);
    expect((await signatureRows(id)).map((s) => s.voidedAt)).toEqual([null]);
    expect((await history(id, before)).map((e) => e.action)).toEqual(['commitments.updated']);
  });
});
