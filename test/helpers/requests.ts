import { offers } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import type { Agent } from './agent.js';
import { createOrganisation, createUser, readMails, signedInAgent } from './fixtures.js';

type OfferRow = typeof offers.$inferInsert;

/** A published offer of the organisation (typed row: the offers domain's own fixtures may differ). */
export async function createOffer(app: App, organisationId: number, values: Partial<OfferRow> = {}) {
  const title = values.title ?? 'Atelier théâtre et marionnettes';
  const [offer] = await app.deps.db
    .insert(offers)
    .values({
      organisationId,
      slug: title
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z0-9]+/g, '-'),
      title,
      summary: 'Un cycle de dix séances pour créer un petit spectacle de marionnettes.',
      description: 'Nous venons dans votre accueil avec le castelet et les marionnettes.',
      themes: ['culture'],
      subthemes: ['theatre-marionnettes'],
      formats: ['cycle'],
      venue: 'dans-l-accueil',
      travelKm: 20,
      ageMin: 6,
      ageMax: 10,
      groupMin: 8,
      groupMax: 15,
      adultsRequired: 1,
      slots: ['mercredi-apres-midi'],
      periodicity: 'hebdomadaire',
      price: 'gratuit',
      status: 'published',
      publishedAt: new Date(),
      ...values,
    })
    .returning();
  return offer!;
}

/** An ACM with its director, a partner with its coordinator, an offer, and both signed in. */
export async function createRequestParties(app: App, names: { acm?: string; partner?: string } = {}) {
  const director = await createUser(app, { name: 'Camille Directrice' });
  const acm = await createOrganisation(app, {
    kind: 'acm',
    name: names.acm ?? `Accueil de loisirs Les Pinsons ${Math.random().toString(36).slice(2, 6)}`,
    ownerId: director.id,
    ageMin: 6,
    ageMax: 11,
    capacity: 40,
  });
  const coordinator = await createUser(app, { name: 'Karim Médiateur' });
  const partner = await createOrganisation(app, {
    kind: 'partner',
    name: names.partner ?? `Compagnie du Castelet ${Math.random().toString(36).slice(2, 6)}`,
    ownerId: coordinator.id,
  });
  const offer = await createOffer(app, partner.id);
  const acmAgent = await signedInAgent(app, director);
  const partnerAgent = await signedInAgent(app, coordinator);
  return { director, acm, coordinator, partner, offer, acmAgent, partnerAgent };
}

export const validRequestForm = {
  periodStart: '2026-09-09',
  periodEnd: '2026-12-16',
  slots: ['mercredi-apres-midi'],
  childrenCount: '12',
  ageMin: '6',
  ageMax: '8',
  adultsCount: '2',
  objectives: ['nouveaux-projets', 'vivre-ensemble'],
  objectivesOther: 'Préparer la fête de fin d’année avec les familles.',
  message: 'Bonjour, notre accueil aimerait monter un spectacle de marionnettes avec un groupe de CP-CE1 le mercredi après-midi.',
};

/** Sends a request from the ACM agent about the offer; returns its id. */
export async function sendRequest(agent: Agent, offerId: number, form: Record<string, string | string[]> = {}): Promise<number> {
  const response = await agent.post(`/demandes/nouvelle?offre=${offerId}`, { ...validRequestForm, ...form });
  if (response.statusCode !== 303) throw new Error(`request not created: ${response.statusCode}\n${response.body.slice(0, 3000)}`);
  const match = /^\/demandes\/(\d+)$/.exec(String(response.headers.location));
  if (!match) throw new Error(`unexpected redirect ${response.headers.location}`);
  return Number(match[1]);
}

/** The emails to `email` sent while `action` ran (.eml names follow the test clock: compare sets). */
export async function newMailsTo(app: App, email: string, action: () => Promise<unknown>) {
  const before = new Set((await readMails(app)).filter((m) => m.to.includes(email)).map((m) => m.file));
  await action();
  return (await readMails(app)).filter((m) => m.to.includes(email) && !before.has(m.file));
}
