import type { App } from '../../server/types.js';
import { createOrganisation, createUser, signedInAgent } from './fixtures.js';
import { insertOffer } from './search.js';

type OrganisationValues = Parameters<typeof createOrganisation>[1];

let sequence = 0;

/** An ACM (Lyon 2e by default, 6-11 ans) with a signed-in owner; its contact details are recognisable. */
export async function acmWithMember(app: App, values: OrganisationValues = {}) {
  sequence++;
  const user = await createUser(app, { name: `Directrice ${sequence}` });
  const acm = await createOrganisation(app, {
    kind: 'acm',
    name: `Accueil de loisirs ${sequence}`,
    ageMin: 6,
    ageMax: 11,
    email: `direction${sequence}@accueil-prive.fr`,
    phone: '04 78 00 00 99',
    address: '7 rue Secrète',
    status: 'verified',
    ownerId: user.id,
    ...values,
  });
  return { user, acm, agent: await signedInAgent(app, user) };
}

/** A verified partner (Lyon 2e by default) with a signed-in owner. */
export async function partnerWithMember(app: App, values: OrganisationValues = {}) {
  sequence++;
  const user = await createUser(app, { name: `Animateur ${sequence}` });
  const partner = await createOrganisation(app, { kind: 'partner', name: `Compagnie ${sequence}`, status: 'verified', ownerId: user.id, ...values });
  return { user, partner, agent: await signedInAgent(app, user) };
}

/** A theatre workshop for 6-12 ans at the partner's, in Villeurbanne (≈ 5 km from Lyon 2e). */
export async function theatreOffer(app: App, partnerId: number, values: Parameters<typeof insertOffer>[2] = {}) {
  return insertOffer(app, partnerId, {
    title: 'Atelier théâtre des mercredis',
    themes: ['culture'],
    subthemes: ['theatre-marionnettes'],
    ageMin: 6,
    ageMax: 12,
    venue: 'chez-le-partenaire',
    codeInsee: '69266',
    lat: 45.7719,
    lng: 4.8902,
    groupMin: 6,
    groupMax: 16,
    slots: ['mercredi-apres-midi'],
    price: 'payant',
    priceEur: '60',
    ...values,
  });
}

/** A valid need form, to override field by field. */
export function needForm(overrides: Record<string, string | string[] | undefined> = {}) {
  return {
    title: 'Un atelier théâtre pour les 8-11 ans',
    description: 'Nous voulons monter un petit spectacle pour la fête de fin d’année.',
    themes: ['culture'],
    subthemes: ['theatre-marionnettes'],
    ageMin: '8',
    ageMax: '11',
    groupSize: '12',
    slots: ['mercredi-apres-midi'],
    periodicity: 'hebdomadaire',
    startDate: '',
    endDate: '',
    budgetEur: '80',
    maxTravelKm: '',
    ...overrides,
  };
}
