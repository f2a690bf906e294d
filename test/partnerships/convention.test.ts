import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conventionSignatures, conventionVersions, partnershipConventions, partnershipParties } from '../../db/schema/index.js';
import { sha256 } from '../../server/partnerships/convention.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture, parsePdfStructure, pdfText } from '../helpers/partnerships.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** The hash of the text the signer reads, as the page's sign form carries it. */
async function shownHash(agent: Agent, id: number): Promise<string> {
  const page = await agent.get(`/partenariats/${id}/formalisation`);
  return /<code class="hash">([0-9a-f]{64})<\/code>/.exec(page.body)![1]!;
}

async function sign(agent: Agent, id: number, side: 'acm' | 'partner', who: { name: string; role: string }) {
  return agent.post(`/partenariats/${id}/convention/signer`, {
    side,
    signerName: who.name,
    signerRole: who.role,
    textHash: await shownHash(agent, id),
    consent: 'on',
  });
}

async function conventionStatus(id: number) {
  const [row] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, id));
  return row!.status;
}

async function activeSignatures(id: number) {
  const rows = await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id));
  return rows.filter((r) => !r.voidedAt);
}

describe('the convention', () => {
  let f: PartnershipFixture;
  beforeAll(async () => {
    f = await createPartnershipFixture(app);
  });

  it('is assembled from the partnership and both profiles, following the convention field list', async () => {
    const page = await f.acmAgent.get(`/partenariats/${f.partnership.id}/formalisation`);
    const body = page.body;
    for (const text of [
      'CONVENTION DE PARTENARIAT — PLAN MERCREDI',
      'Article 1 — L’organisateur de l’accueil',
      'SIRET : 21690123000018',
      'N° de déclaration de l’accueil (TAM) : 0690123AP000321',
      'RNA : W691234567',
      'Fédération et n° d’agrément : Fédération française de judo, n° 69-S-123',
      'Objectif général 1 : Développer la motricité et le respect des règles',
      'Apprendre le salut et les chutes',
      'Réalisation finale : Démonstration devant les familles en juin',
      'Paul Martin, né·e le 12 avril 1990 à Lyon, BPJEPS judo, carte professionnelle n° 06912ED0123',
      'Activité physique à encadrement réglementé (arrêté du 25 avril 2012) : oui',
      'Tarif : 45,00',
      'Assurances',
      'Droit à l’image et données personnelles',
      'Durée et reconduction',
      'Résiliation',
      'Annexes',
    ]) {
      expect(body.replace(/\u00a0/g, ' '), text).toContain(text.replace(/'/g, '&#39;'));
    }
  });

  it('needs the consent box and the signer’s name and role', async () => {
    const response = await f.acmAgent.post(`/partenariats/${f.partnership.id}/convention/signer`, {
      side: 'acm',
      signerName: '',
      signerRole: '',
      textHash: await shownHash(f.acmAgent, f.partnership.id),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Cochez la case pour confirmer que vous avez lu la convention');
    expect(await activeSignatures(f.partnership.id)).toHaveLength(0);
  });

  it('is voided by an edit after one signature, which asks for a new round and shows in the history', async () => {
    const id = f.partnership.id;
    expect((await sign(f.acmAgent, id, 'acm', { name: 'Claire Dubois', role: 'Directrice de l’accueil' })).statusCode).toBe(303);
    const [first] = await activeSignatures(id);
    expect(first).toMatchObject({ side: 'acm', signerName: 'Claire Dubois', signerRole: 'Directrice de l’accueil' });
    expect(first!.textHash).toBe(await shownHash(f.acmAgent, id));

    const staleHash = await shownHash(f.partnerAgent, id);
    // The page says the signature would be voided and asks to confirm; nothing changes until then.
    const ask = await f.partnerAgent.post(`/partenariats/${id}/convention/sections/finances`, { fin_tarif: '40 € par séance', fin_frais: 'Aucun' });
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain('a déjà signé la convention : cette modification change son texte et annule cette signature');
    expect(ask.body).toContain('Je confirme : la signature déjà faite est annulée');
    expect(await activeSignatures(id)).toHaveLength(1);
    const edit = await f.partnerAgent.post(`/partenariats/${id}/convention/sections/finances`, {
      fin_tarif: '40 € par séance',
      fin_frais: 'Aucun',
      confirm: 'on',
    });
    expect(edit.statusCode).toBe(303);
    expect(await activeSignatures(id)).toHaveLength(0);
    const voided = await app.deps.db.select().from(conventionSignatures).where(eq(conventionSignatures.partnershipId, id));
    expect(voided[0]?.voidedAt).not.toBeNull();

    // The partner signs what it read before the change: refused, the text changed meanwhile.
    const late = await f.partnerAgent.post(`/partenariats/${id}/convention/signer`, {
      side: 'partner',
      signerName: 'Karim Benali',
      signerRole: 'Président',
      textHash: staleHash,
      consent: 'on',
    });
    expect(late.statusCode).toBe(303);
    const page = await f.partnerAgent.get(late.headers.location as string);
    expect(page.body).toContain('Le texte a changé depuis que vous l’avez ouvert : relisez la convention avant de signer.');
    expect(await activeSignatures(id)).toHaveLength(0);

    const history = await f.acmAgent.get(`/partenariats/${id}/historique`);
    expect(history.body).toContain('Modification après signature : les signatures sont annulées, une nouvelle signature des deux parties est nécessaire.');
    expect(history.body).toContain('Tarif (par séance, par heure ou forfait), Frais (déplacement, matériel)');
    expect(await conventionStatus(id)).toBe('draft');
  });

  it('is signed when both parties signed the same text, and the signed version is kept with its hash', async () => {
    const id = f.partnership.id;
    expect((await sign(f.acmAgent, id, 'acm', { name: 'Claire Dubois', role: 'Directrice de l’accueil' })).statusCode).toBe(303);
    expect(await conventionStatus(id)).toBe('draft');
    expect((await sign(f.partnerAgent, id, 'partner', { name: 'Karim Benali', role: 'Président' })).statusCode).toBe(303);
    expect(await conventionStatus(id)).toBe('signed');
    const [version] = await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
    expect(version?.version).toBe(1);
    expect(version?.textHash).toBe(sha256(version!.text));
    expect(version?.text).toContain('Tarif : 40 € par séance');
    expect(version?.signatures.map((s) => [s.side, s.name, s.role])).toEqual([
      ['acm', 'Claire Dubois', 'Directrice de l’accueil'],
      ['partner', 'Karim Benali', 'Président'],
    ]);
    const page = await f.acmAgent.get(`/partenariats/${id}/formalisation`);
    expect(page.body).toContain('Signée');
    expect(page.body).toContain('Textes signés par les deux structures');
    const overview = await f.acmAgent.get(`/partenariats/${id}`);
    expect(/is-done"[^>]*>\s*<a href="\/partenariats\/\d+\/formalisation"/.test(overview.body)).toBe(true);
    // Signing twice is refused.
    expect((await sign(f.acmAgent, id, 'acm', { name: 'Claire Dubois', role: 'Directrice' })).statusCode).toBe(303);
    expect(await activeSignatures(id)).toHaveLength(2);
  });

  it('downloads as a valid PDF with both parties’ names, the objectives and French accents', async () => {
    const id = f.partnership.id;
    const response = await f.partnerAgent.get(`/partenariats/${id}/convention.pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toContain('-v1.pdf');
    const pdf = response.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(parsePdfStructure(pdf)).toBeGreaterThan(5);
    const text = pdfText(pdf);
    expect(text).toContain(f.acm.name);
    expect(text).toContain(f.partner.name);
    expect(text).toContain('Objectif général 1 : Développer la motricité et le respect des règles');
    expect(text).toContain('Réalisation finale : Démonstration devant les familles en juin');
    expect(text).toContain('CONVENTION DE PARTENARIAT — PLAN MERCREDI');
    expect(text).toContain('Karim Benali, Président');
    expect(text).toContain('Tarif : 40 € par séance');
    const versionPdf = await f.acmAgent.get(`/partenariats/${id}/convention/versions/1.pdf`);
    expect(versionPdf.statusCode).toBe(200);
    expect(pdfText(versionPdf.rawPayload)).toContain(f.acm.name);
    expect((await f.acmAgent.get(`/partenariats/${id}/convention/versions/2.pdf`)).statusCode).toBe(404);
    const print = await f.acmAgent.get(`/partenariats/${id}/convention/imprimer?version=1`);
    expect(print.statusCode).toBe(200);
    expect(print.body).toContain('version signée 1');
    expect(print.body).toContain('/static/css/print.css');
  });

  it('stays signed when the définition changes after signing: the change becomes an amendment, after a confirmation', async () => {
    const id = f.partnership.id;
    const ask = await f.acmAgent.post(`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Trois animateurs présents à chaque séance.' });
    expect(ask.statusCode).toBe(422);
    expect(ask.body).toContain('Cette modification devient l’avenant n° 1');
    await f.acmAgent.post(`/partenariats/${id}/engagements`, { side: 'acm', commitments: 'Trois animateurs présents à chaque séance.', confirm: 'on' });
    expect(await conventionStatus(id)).toBe('signed');
    expect(await app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id))).toHaveLength(1);
    const history = await f.partnerAgent.get(`/partenariats/${id}/historique`);
    expect(history.body).toContain('Avenant n° 1 proposé : la convention signée reste en vigueur');
    const pdf = await f.acmAgent.get(`/partenariats/${id}/convention.pdf`);
    expect(pdf.headers['content-disposition']).toContain('-v1.pdf');
    const text = pdfText(pdf.rawPayload);
    expect(text).toContain('Deux animateurs présents à chaque séance.');
    expect(text).not.toContain('Trois animateurs');
    expect(text).not.toContain('PROJET');
  });

  it('refuses a party editing the other party’s own details, and takes comments from both', async () => {
    const id = f.partnership.id;
    await f.partnerAgent.post(`/partenariats/${id}/convention/sections/organisateur`, { acm_representant: 'Quelqu’un d’autre' });
    const page = await f.acmAgent.get(`/partenariats/${id}/formalisation`);
    expect(page.body).not.toContain('Quelqu’un d’autre');
    expect(
      (await f.partnerAgent.post(`/partenariats/${id}/convention/commentaires`, { section: 'finances', body: 'Le tarif inclut le matériel.' })).statusCode,
    ).toBe(303);
    const empty = await f.partnerAgent.post(`/partenariats/${id}/convention/commentaires`, { section: 'finances', body: ' ' });
    expect(empty.statusCode).toBe(422);
    // Sent back at the top of a long page, the form starts with its summary (focused by app.js), linked to the field.
    expect(empty.body).toMatch(/id="error-summary"[\s\S]*?<a href="#f-body">Votre commentaire : Ce champ est obligatoire\.<\/a>/);
    const after = await f.acmAgent.get(`/partenariats/${id}/formalisation`);
    expect(after.body).toContain('Le tarif inclut le matériel.');
    expect(after.body).toContain('Article 12 — Conditions financières');
  });

  it('is out of reach of other organisations, including its PDF versions', async () => {
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'acm', ownerId: outsider.id });
    const agent = await signedInAgent(app, outsider);
    for (const path of ['/formalisation', '/convention.pdf', '/convention/versions/1.pdf', '/convention/imprimer?version=1']) {
      expect((await agent.get(`/partenariats/${f.partnership.id}${path}`)).statusCode, path).toBe(404);
    }
    expect(
      (await agent.post(`/partenariats/${f.partnership.id}/convention/signer`, { side: 'acm', signerName: 'X', signerRole: 'Y', textHash: 'x', consent: 'on' }))
        .statusCode,
    ).toBe(404);
  });
});

describe('the lighter formalisation', () => {
  it('records meeting minutes with agreed deadlines, which both parties validate', async () => {
    const f = await createPartnershipFixture(app);
    const id = f.partnership.id;
    expect((await f.acmAgent.post(`/partenariats/${id}/formalisation/mode`, { formalisation: 'minutes' })).statusCode).toBe(303);
    const response = await f.acmAgent.post(`/partenariats/${id}/compte-rendu`, {
      date: '2026-09-10',
      participants: 'Claire Dubois (accueil), Karim Benali (club)',
      minutes: 'Six séances d’initiation, le club fournit les tatamis.',
      deadline_label_0: 'Envoyer les attestations d’assurance',
      deadline_date_0: '2026-09-20',
      deadline_side_0: 'partner',
      deadline_label_1: 'Informer les familles',
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Indiquez la date de l’échéance.');
    expect(
      (
        await f.acmAgent.post(`/partenariats/${id}/compte-rendu`, {
          date: '2026-09-10',
          participants: 'Claire Dubois (accueil), Karim Benali (club)',
          minutes: 'Six séances d’initiation, le club fournit les tatamis.',
          deadline_label_0: 'Envoyer les attestations d’assurance',
          deadline_date_0: '2026-09-20',
          deadline_side_0: 'partner',
        })
      ).statusCode,
    ).toBe(303);
    await f.acmAgent.post(`/partenariats/${id}/compte-rendu/valider`, { side: 'acm' });
    let overview = await f.partnerAgent.get(`/partenariats/${id}`);
    expect(overview.body).toContain('Valider le compte rendu');
    expect(overview.body).toContain('Envoyer les attestations d’assurance');
    await f.partnerAgent.post(`/partenariats/${id}/compte-rendu/valider`, { side: 'partner' });
    const parties = await app.deps.db
      .select()
      .from(partnershipParties)
      .where(and(eq(partnershipParties.partnershipId, id)));
    expect(parties.every((p) => p.minutesApprovedAt)).toBe(true);
    overview = await f.partnerAgent.get(`/partenariats/${id}`);
    expect(/is-done"[^>]*>\s*<a href="\/partenariats\/\d+\/formalisation"/.test(overview.body)).toBe(true);
  });
});
