import { inflateSync } from 'node:zlib';
import { offers, partnershipConventions, partnershipParties, partnerships } from '../../db/schema/index.js';
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
  options: { zone?: keyof typeof communesByZone; partnership?: Partial<PartnershipRow>; acmName?: string; partnerName?: string } = {},
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
  await app.deps.db.insert(partnershipConventions).values({ partnershipId: partnership!.id });
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

// Windows-1252 bytes 0x80–0x9f (Node's TextDecoder treats this range as Latin-1).
const cp1252High = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const cp1252 = { decode: (bytes: Buffer) => [...bytes].map((b) => (b >= 0x80 && b < 0xa0 ? cp1252High[b - 0x80] : String.fromCharCode(b))).join('') };

/**
 * The text drawn in a PDF: inflates the content streams and decodes the hex strings of the TJ
 * operators (pdfkit's standard fonts write WinAnsi bytes); one line per text operator.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  for (const match of raw.matchAll(/<<([\s\S]*?)>>\s*stream\r?\n/g)) {
    const start = match.index! + match[0].length;
    const lengthMatch = /\/Length (\d+)/.exec(match[1]!);
    if (!lengthMatch) continue;
    let data = pdf.subarray(start, start + Number(lengthMatch[1]));
    if (match[1]!.includes('/FlateDecode')) {
      try {
        data = inflateSync(data);
      } catch {
        continue;
      }
    }
    for (const op of data.toString('latin1').matchAll(/\[((?:<[0-9a-fA-F]*>|[^\]])*)\]\s*TJ/g)) {
      lines.push([...op[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => cp1252.decode(Buffer.from(h[1]!, 'hex'))).join(''));
    }
  }
  return lines.join('\n');
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
