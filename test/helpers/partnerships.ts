import { execFileSync } from 'node:child_process';
import { and, asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { auditLog, offers, partnershipConventions, partnershipParties, partnerships } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import type { Agent } from './agent.js';
import { createOrganisation, createUser, signedInAgent } from './fixtures.js';

/** A commune per school zone (the ACM's zone comes from its département). */
export const communesByZone = {
  A: { codeInsee: '69382', postcode: '69002', lat: 45.7464, lng: 4.8265 },
  B: { codeInsee: '59350', postcode: '59000', lat: 50.6311, lng: 3.047 },
  C: { codeInsee: '75056', postcode: '75001', lat: 48.8598, lng: 2.3456 },
} as const;

type PartnershipRow = typeof partnerships.$inferInsert;

export interface PartnershipFixture {
  partnership: typeof partnerships.$inferSelect;
  acm: Awaited<ReturnType<typeof createOrganisation>>;
  partner: Awaited<ReturnType<typeof createOrganisation>>;
  acmUser: Awaited<ReturnType<typeof createUser>>;
  partnerUser: Awaited<ReturnType<typeof createUser>>;
  acmAgent: Agent;
  partnerAgent: Agent;
}

/**
 * Two organisations (an ACM in the given zone, a partner), one member each signed in, an offer and
 * a partnership row between them with both parties, inserted directly.
 */
export async function createPartnershipFixture(
  app: App,
  options: {
    zone?: keyof typeof communesByZone;
    partnership?: Partial<PartnershipRow>;
    acmName?: string;
    partnerName?: string;
    conventionFields?: Record<string, string>;
  } = {},
): Promise<PartnershipFixture> {
  const suffix = Math.random().toString(36).slice(2, 7);
  const acmUser = await createUser(app, { name: 'Claire Dubois' });
  const partnerUser = await createUser(app, { name: 'Karim Benali' });
  const commune = communesByZone[options.zone ?? 'A'];
  const acm = await createOrganisation(app, {
    kind: 'acm',
    name: options.acmName ?? `Accueil de loisirs Jean-Zay ${suffix}`,
    organiser: 'Commune de Lyon',
    tamNumber: '0690123AP000321',
    pedt: true,
    planMercrediLabel: true,
    inclusion: true,
    siret: '21690123000018',
    ...commune,
    ownerId: acmUser.id,
  });
  const partner = await createOrganisation(app, {
    kind: 'partner',
    type: 'club-sportif',
    name: options.partnerName ?? `Club de judo des Pentes ${suffix}`,
    rna: 'W691234567',
    federation: 'Fédération française de judo',
    agrementNumber: '69-S-123',
    ownerId: partnerUser.id,
  });
  const [offer] = await app.deps.db
    .insert(offers)
    .values({
      organisationId: partner.id,
      slug: 'initiation-judo',
      title: 'Initiation au judo',
      summary: 'Découvrir le judo en s’amusant, du salut aux premières chutes.',
      themes: ['sport'],
      subthemes: ['sports-de-combat'],
      formats: ['cycle'],
      venue: 'dans-l-accueil',
      ageMin: 6,
      ageMax: 11,
      price: 'payant',
      priceEur: '45.00',
      priceDetails: 'par séance',
      regulated: true,
      status: 'published',
    })
    .returning();
  const [partnership] = await app.deps.db
    .insert(partnerships)
    .values({
      acmId: acm.id,
      partnerId: partner.id,
      offerId: offer!.id,
      title: 'Judo du mercredi',
      schoolYear: '2026-2027',
      status: 'active',
      objectives: [
        {
          general: 'Développer la motricité et le respect des règles',
          operational: ['Apprendre le salut et les chutes', 'Participer à une rencontre inter-centres'],
        },
      ],
      expectedResults: 'Chaque enfant maîtrise le salut et les chutes.',
      finalRealisation: 'Démonstration devant les familles en juin',
      charterAxes: ['activites-variees', 'inclusion'],
      reasons: ['diversifier-activites'],
      childrenExpected: 12,
      ageMin: 6,
      ageMax: 10,
      ...options.partnership,
    })
    .returning();
  await app.deps.db.insert(partnershipParties).values([
    { partnershipId: partnership!.id, organisationId: acm.id, side: 'acm', commitments: 'Deux animateurs présents à chaque séance.', confirmedAt: new Date() },
    {
      partnershipId: partnership!.id,
      organisationId: partner.id,
      side: 'partner',
      commitments: 'Un éducateur diplômé et les tatamis.',
      confirmedAt: new Date(),
      intervenants: [
        { name: 'Paul Martin', birthDate: '1990-04-12', birthPlace: 'Lyon', qualification: 'BPJEPS judo', cardNumber: '06912ED0123', cardExpiry: '2029-06-30' },
      ],
    },
  ]);
  // Named legal representatives: with the SIRET/RNA and commitments above, the convention can be signed.
  await app.deps.db.insert(partnershipConventions).values({
    partnershipId: partnership!.id,
    fields: options.conventionFields ?? {
      acm_representant: 'Mme Claire Dubois, directrice de l’accueil',
      partner_representant: 'M. Karim Benali, président',
    },
  });
  return {
    partnership: partnership!,
    acm,
    partner,
    acmUser,
    partnerUser,
    acmAgent: await signedInAgent(app, acmUser),
    partnerAgent: await signedInAgent(app, partnerUser),
  };
}

/**
 * A PDF read back by poppler's tools (pdftotext, pdffonts, pdfinfo), like a reader would: the
 * text with every run of white space as one space (lines wrap where the layout decides).
 */
export function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, ' ');
}

/** The fonts of a PDF as pdffonts lists them: name, type and whether it is embedded. */
export function pdfFonts(pdf: Buffer): { name: string; type: string; embedded: boolean }[] {
  const lines = execFileSync('pdffonts', ['-'], { input: pdf }).toString('utf8').split('\n').slice(2).filter(Boolean);
  return lines.map((line) => {
    const [name, ...columns] = line.trim().split(/\s+/);
    // Columns after the name: type (one or two words), encoding, emb, sub, uni, object, id.
    const [emb] = columns.slice(-5);
    return { name: name!, type: columns.slice(0, -6).join(' '), embedded: emb === 'yes' };
  });
}

/** pdfinfo's fields (Title, Tagged, PDF version…). */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const text = execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8');
  const fields = text.split('\n').map((line) => /^([^:]+):\s*(.*)$/.exec(line));
  return Object.fromEntries(fields.filter((m) => m !== null).map((m) => [m[1]!.trim(), m[2]!.trim()]));
}

/**
 * Parses the PDF's structure: header, cross-reference table (each entry's offset points at its
 * "N 0 obj"), trailer with /Root and /Size, startxref and %%EOF. Returns the number of objects.
 */
export function parsePdfStructure(pdf: Buffer): number {
  const raw = pdf.toString('latin1');
  if (!raw.startsWith('%PDF-1.')) throw new Error('missing %PDF header');
  if (!/%%EOF\s*$/.test(raw)) throw new Error('missing %%EOF');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(raw);
  if (!startxref) throw new Error('missing startxref');
  const xrefAt = Number(startxref[1]);
  if (raw.slice(xrefAt, xrefAt + 4) !== 'xref') throw new Error('startxref does not point at the xref table');
  const header = /^xref\s+(\d+) (\d+)\s+/.exec(raw.slice(xrefAt));
  if (!header) throw new Error('bad xref header');
  const count = Number(header[2]);
  const entries = raw
    .slice(xrefAt + header[0].length)
    .split(/\r?\n/)
    .slice(0, count);
  entries.forEach((entry, index) => {
    const [offset, , kind] = entry.trim().split(' ');
    if (kind !== 'n') return;
    const objectHeader = raw.slice(Number(offset), Number(offset) + 20);
    if (!objectHeader.startsWith(`${Number(header[1]) + index} 0 obj`)) throw new Error(`xref entry ${index} does not point at its object`);
  });
  const trailer = /trailer\s*<<([\s\S]*?)>>/.exec(raw.slice(xrefAt));
  if (!trailer || !/\/Root \d+ 0 R/.test(trailer[1]!) || !/\/Size \d+/.test(trailer[1]!)) throw new Error('bad trailer');
  return count;
}

/** Signs what the formalisation page shows (the convention, or the amendment when one waits) for one side, as its legal representative. */
export async function signShownText(agent: Agent, id: number, side: 'acm' | 'partner', name: string) {
  const page = await agent.get(`/partenariats/${id}/formalisation`);
  const textHash = /name="textHash" value="([0-9a-f]{64})"/.exec(page.body)![1]!;
  const response = await agent.post(`/partenariats/${id}/convention/signer`, {
    side,
    signerName: name,
    signerRole: 'Représentant·e légal·e',
    textHash,
    consent: 'on',
  });
  expect(response.statusCode).toBe(303);
  return response;
}

/** A partnership's history from the audit log entry `after` on: id, action and the entry's data (summary, organisation…). */
export async function partnershipHistory(app: App, id: number, after = 0) {
  const rows = await app.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, id)))
    .orderBy(asc(auditLog.id));
  return rows.filter((r) => r.id > after).map((r): Record<string, unknown> & { id: number; action: string } => ({ id: r.id, action: r.action, ...r.data }));
}

/** The id of a partnership's last history entry (0 when it has none). */
export async function lastPartnershipHistoryId(app: App, id: number): Promise<number> {
  return (await partnershipHistory(app, id)).at(-1)?.id ?? 0;
}
