import { eq } from 'drizzle-orm';
import { offers } from '../../db/schema/index.js';
import { slugify } from '../../server/kernel/text.js';
import { availabilityDefaults } from '../../server/offers/offers.usecases.js';
import type { App } from '../../server/types.js';

type Form = Record<string, string | string[] | undefined>;

/** A complete, valid editor form (a theatre cycle the partner runs in the ACM), to override field by field. */
export function offerForm(overrides: Form = {}): Form {
  const period = availabilityDefaults({ clock: { now: () => new Date() } as never });
  return {
    title: 'Cycle théâtre d’objets',
    summary: 'Six séances pour inventer une histoire avec des objets du quotidien, jusqu’à une petite représentation devant les familles.',
    description:
      'Chaque mercredi, les enfants explorent un objet, lui donnent une voix, puis construisent une scène.\nLa dernière séance est une représentation.',
    themes: ['culture'],
    subthemes: ['theatre-marionnettes'],
    formats: ['cycle', 'atelier'],
    ageMin: '6',
    ageMax: '10',
    groupMin: '8',
    groupMax: '15',
    adultsRequired: '1',
    accessibility: ['moteur', 'auditif'],
    slots: ['mercredi-apres-midi'],
    periodicity: 'cycle',
    sessionsCount: '6',
    startDate: period.start,
    endDate: period.end,
    venue: 'dans-l-accueil',
    travelKm: '20',
    departmentsServed: '',
    price: 'payant',
    priceEur: '90',
    priceDetails: 'par séance, matériel compris',
    natures: ['intervention', 'projet-commun'],
    regulated: undefined,
    contactEmail: 'theatre@exemple.fr',
    ...overrides,
  };
}

/** The offers of an organisation straight from the database. */
export async function offersOf(app: App, organisationId: number) {
  return app.deps.db.select().from(offers).where(eq(offers.organisationId, organisationId)).orderBy(offers.id);
}

export async function offerRow(app: App, id: number) {
  const [row] = await app.deps.db.select().from(offers).where(eq(offers.id, id));
  return row!;
}

/** An offer inserted directly (status and fields overridable), for tests that start from an existing offer. */
export async function insertOffer(app: App, organisationId: number, values: Partial<typeof offers.$inferInsert> = {}) {
  const [row] = await app.deps.db
    .insert(offers)
    .values({
      organisationId,
      title: 'Initiation au judo',
      slug: 'initiation-au-judo',
      summary: 'Découverte du judo par le jeu.',
      description: 'Jeux d’opposition, chutes et respect du partenaire.',
      themes: ['sport'],
      subthemes: ['sports-de-combat'],
      formats: ['seance-decouverte'],
      venue: 'chez-le-partenaire',
      address: '12 rue Marius-Berliet',
      postcode: '69008',
      codeInsee: '69388',
      lat: 45.737,
      lng: 4.87,
      ageMin: 6,
      ageMax: 11,
      slots: ['mercredi-matin'],
      periodicity: 'hebdomadaire',
      startDate: '2026-09-01',
      endDate: availabilityDefaults({ clock: { now: () => new Date() } as never }).end,
      price: 'gratuit',
      natures: ['accueil-groupe'],
      status: 'published',
      publishedAt: new Date(),
      ...values,
      ...(values.title && !values.slug ? { slug: slugify(values.title) } : {}),
    })
    .returning();
  return row!;
}
