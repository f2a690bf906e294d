import { eq } from 'drizzle-orm';
import { auditLog, organisations, searchOutbox } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';

/** A SIRET with a valid Luhn key, from its first 13 digits. */
export function siretFrom(first13: string): string {
  for (let key = 0; key <= 9; key++) {
    const candidate = `${first13}${key}`;
    let sum = 0;
    for (let i = 0; i < 14; i++) {
      let digit = Number(candidate[13 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

/** A complete, valid partner form (Lyon 8e), to override field by field. */
export function partnerForm(overrides: Record<string, string | string[] | undefined> = {}) {
  return {
    name: 'Judo Club de Lyon 8',
    type: 'club-sportif',
    description: 'Judo et éveil corporel pour les 4-12 ans.',
    siret: siretFrom('4421234560001'),
    rna: 'W691234567',
    address: '12 rue Marius-Berliet',
    commune: 'Lyon 8e Arrondissement (69008)',
    codeInsee: '',
    lat: '',
    lng: '',
    website: 'https://judo-lyon8.fr',
    email: 'contact@judo-lyon8.fr',
    phone: '04 72 00 00 00',
    themes: ['sport'],
    federation: 'Fédération française de judo',
    agrementNumber: 'JS-69-2019-001',
    ...overrides,
  };
}

/** A complete, valid ACM form (Villeurbanne). */
export function acmForm(overrides: Record<string, string | string[] | undefined> = {}) {
  return {
    name: 'Accueil de loisirs Jean-Macé',
    organiser: 'Ville de Villeurbanne',
    tamNumber: '0690123CL000124-E01',
    description: '',
    address: '5 rue Jean-Macé',
    commune: 'Villeurbanne (69100)',
    codeInsee: '69266',
    capacity: '80',
    ageMin: '3',
    ageMax: '11',
    pedt: 'oui',
    planMercrediLabel: 'oui',
    inclusion: 'non',
    email: 'alsh.jeanmace@villeurbanne.fr',
    phone: '04 78 00 00 00',
    ...overrides,
  };
}

export async function organisationByName(app: App, name: string) {
  const [row] = await app.deps.db.select().from(organisations).where(eq(organisations.name, name));
  return row ?? null;
}

export async function auditActions(app: App, organisationId: number): Promise<string[]> {
  const list = await app.deps.db.select().from(auditLog).where(eq(auditLog.entityId, organisationId));
  return list.filter((a) => a.entity === 'organisation').map((a) => a.action);
}

export async function outboxFor(app: App, entity: 'organisation' | 'offer', id: number) {
  const list = await app.deps.db.select().from(searchOutbox).where(eq(searchOutbox.entityId, id));
  return list.filter((row) => row.entity === entity);
}
