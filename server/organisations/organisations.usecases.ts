import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { organisations } from '../../db/schema/index.js';
import { enqueueSearchSync } from '../../search/outbox.js';
import { membershipOf } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { AGE_MAX, AGE_MIN, slugs } from '../kernel/taxonomy.js';
import { slugify } from '../kernel/text.js';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';
import { readLocation } from '../territories/location.js';
import {
  addMembership,
  findOrganisation,
  insertOrganisation,
  lastAudit,
  type NewOrganisation,
  type Organisation,
  type OrganisationKind,
  offerIdsOf,
  ownerEmails,
  updateOrganisation,
  writeAudit,
} from './organisations.repository.js';

export const kindLabels: Record<OrganisationKind, string> = { partner: 'Partenaire', acm: 'Accueil de loisirs (ACM)' };
export const statusLabels: Record<Organisation['status'], string> = { unverified: 'Non vérifiée', verified: 'Vérifiée', suspended: 'Suspendue' };
export const roleLabels = { owner: 'Responsable', member: 'Membre' } as const;

/** URL segment of the public page: /structures for partners, /accueils for ACMs. */
export function organisationPath(organisation: { id: number; slug: string; kind: OrganisationKind }): string {
  return `/${organisation.kind === 'acm' ? 'accueils' : 'structures'}/${organisation.id}-${organisation.slug}`;
}

/** Labels of the partner form fields, for the error summary. */
export const partnerLabels = {
  name: 'Nom',
  type: 'Type de structure',
  description: 'Présentation',
  siret: 'SIRET',
  rna: 'Numéro RNA',
  address: 'Numéro et voie',
  commune: 'Commune',
  website: 'Site web',
  email: 'E-mail de contact',
  phone: 'Téléphone',
  themes: 'Thèmes',
  federation: 'Fédération',
  agrementNumber: 'Numéro d’agrément',
};

export const acmLabels = {
  name: 'Nom de l’accueil',
  organiser: 'Organisateur',
  tamNumber: 'Numéro de déclaration TAM',
  description: 'Présentation',
  address: 'Numéro et voie',
  commune: 'Commune',
  capacity: 'Capacité',
  ageMin: 'Âge minimum',
  ageMax: 'Âge maximum',
  pedt: 'PEDT',
  planMercrediLabel: 'Label Plan mercredi',
  inclusion: 'Inclusion',
  email: 'E-mail de contact',
  phone: 'Téléphone',
};

const yesNo = ['oui', 'non'] as const;

function readYesNo(form: FormReader, name: string): boolean | null {
  const value = form.oneOf(name, yesNo);
  return value === null ? null : value === 'oui';
}

/** Reads and validates a partner or ACM profile form; throws a ValidationError with French messages. */
async function readOrganisationForm(deps: Pick<Deps, 'db'>, kind: OrganisationKind, body: Record<string, unknown>) {
  const form = new FormReader(body);
  const name = form.text('name', { required: true, min: 2, max: 150 });
  const description = form.text('description', { max: 3000, multiline: true });
  const email = form.email('email', { required: true });
  const phone = form.phone('phone');
  let values: Partial<NewOrganisation>;
  if (kind === 'partner') {
    const type = form.oneOf('type', slugs.org_type, { required: true });
    const siret = form.siret('siret');
    const rna = form.rna('rna');
    const website = form.url('website');
    const themes = form.someOf('themes', slugs.theme, { min: 1, requiredMessage: 'Choisissez au moins un thème.' });
    const federation = form.optionalText('federation', { max: 150 });
    const agrementNumber = form.optionalText('agrementNumber', { max: 60 });
    const contactPublic = body.contactPublic === 'on';
    values = { type, siret, rna, website, themes, federation, agrementNumber, contactPublic };
  } else {
    const organiser = form.text('organiser', { required: true, max: 150 });
    const tamNumber = form.optionalText('tamNumber', { max: 60 });
    const capacity = form.int('capacity', { min: 1, max: 2000 });
    const ageMin = form.int('ageMin', { required: true, min: AGE_MIN, max: AGE_MAX });
    const ageMax = form.int('ageMax', { required: true, min: AGE_MIN, max: AGE_MAX });
    if (ageMin !== null && ageMax !== null && !form.errors.ageMin && !form.errors.ageMax && ageMin > ageMax) {
      form.fail('ageMax', 'L’âge maximum doit être supérieur ou égal à l’âge minimum.');
    }
    values = {
      organiser,
      tamNumber,
      capacity,
      ageMin,
      ageMax,
      pedt: readYesNo(form, 'pedt'),
      planMercrediLabel: readYesNo(form, 'planMercrediLabel'),
      inclusion: readYesNo(form, 'inclusion'),
    };
  }
  const location = await readLocation(deps, form);
  form.assertValid();
  return {
    ...values,
    name,
    slug: slugify(name),
    description,
    email,
    phone,
    address: location!.address,
    postcode: location!.postcode,
    codeInsee: location!.codeInsee,
    lat: location!.lat,
    lng: location!.lng,
  } satisfies Partial<NewOrganisation>;
}

async function assertSiretFree(db: Db, siret: string | null | undefined, exceptId?: number) {
  if (!siret) return;
  const [other] = await db
    .select({ id: organisations.id, name: organisations.name })
    .from(organisations)
    .where(exceptId ? and(eq(organisations.siret, siret), ne(organisations.id, exceptId)) : eq(organisations.siret, siret))
    .limit(1);
  if (other) {
    throw new ValidationError({
      siret: `Ce SIRET est déjà enregistré pour « ${other.name} ». Demandez à ses responsables de vous inviter.`,
    });
  }
}

/** Creates a partner organisation or an ACM; its creator becomes its owner. */
export async function createOrganisation(deps: Deps, user: CurrentUser, kind: OrganisationKind, body: Record<string, unknown>): Promise<Organisation> {
  const values = await readOrganisationForm(deps, kind, body);
  await assertSiretFree(deps.db, values.siret);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const organisation = await insertOrganisation(tx, { ...values, kind, status: 'unverified', createdAt: now, updatedAt: now });
    await addMembership(tx, organisation.id, user.id, 'owner');
    await writeAudit(tx, {
      actorId: user.id,
      action: 'organisation.create',
      entity: 'organisation',
      entityId: organisation.id,
      data: { kind, name: organisation.name },
      at: now,
    });
    if (kind === 'partner') await enqueueSearchSync(tx, 'organisation', organisation.id);
    return organisation;
  });
}

/** The organisation a member (or an admin) may edit; anyone else gets a 404. */
export async function editableOrganisation(deps: Deps, user: CurrentUser, id: number): Promise<Organisation> {
  if (!user.isAdmin) membershipOf(user, id);
  const organisation = await findOrganisation(deps.db, id);
  if (!organisation) throw new NotFoundError();
  return organisation;
}

const trackedFields = [
  'name',
  'type',
  'description',
  'siret',
  'rna',
  'address',
  'codeInsee',
  'website',
  'email',
  'phone',
  'contactPublic',
  'themes',
  'federation',
  'agrementNumber',
  'organiser',
  'tamNumber',
  'capacity',
  'ageMin',
  'ageMax',
  'pedt',
  'planMercrediLabel',
  'inclusion',
] as const;

export async function updateOrganisationProfile(deps: Deps, user: CurrentUser, id: number, body: Record<string, unknown>): Promise<Organisation> {
  const current = await editableOrganisation(deps, user, id);
  const values = await readOrganisationForm(deps, current.kind, body);
  await assertSiretFree(deps.db, values.siret, id);
  const changed = trackedFields.filter(
    (field) => JSON.stringify((values as Record<string, unknown>)[field] ?? null) !== JSON.stringify(current[field] ?? null) && field in values,
  );
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const updated = await updateOrganisation(tx, id, { ...values, updatedAt: now });
    await writeAudit(tx, { actorId: user.id, action: 'organisation.update', entity: 'organisation', entityId: id, data: { fields: changed }, at: now });
    if (current.kind === 'partner') await enqueueSearchSync(tx, 'organisation', id);
    return updated!;
  });
}

export type StatusAction = 'verify' | 'suspend' | 'reinstate';

/**
 * Admin decisions on an organisation: verify, suspend (with a reason, emailed to the owners) or
 * reinstate (back to the status it had before the suspension). The organisation and its offers
 * are queued for the search index.
 */
export async function setOrganisationStatus(
  deps: Deps,
  admin: CurrentUser,
  id: number,
  action: StatusAction,
  body: Record<string, unknown> = {},
): Promise<Organisation> {
  const organisation = await findOrganisation(deps.db, id);
  if (!organisation) throw new NotFoundError();
  const form = new FormReader(body);
  let reason: string | null = null;
  if (action === 'suspend') {
    reason = form.text('reason', { required: true, max: 1000, multiline: true });
    form.assertValid();
    if (organisation.status === 'suspended') throw new ConflictError('Cette structure est déjà suspendue.');
  }
  if (action === 'verify' && organisation.status !== 'unverified') throw new ConflictError('Seule une structure non vérifiée peut être vérifiée.');
  if (action === 'reinstate' && organisation.status !== 'suspended') throw new ConflictError('Cette structure n’est pas suspendue.');

  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    let status: Organisation['status'];
    if (action === 'verify') status = 'verified';
    else if (action === 'suspend') status = 'suspended';
    else {
      const suspension = await lastAudit(tx, 'organisation', id, 'organisation.suspend');
      const previous = suspension?.data.previousStatus;
      status = previous === 'verified' ? 'verified' : 'unverified';
    }
    const updated = await updateOrganisation(tx, id, { status, statusReason: action === 'suspend' ? reason : null, updatedAt: now });
    await writeAudit(tx, {
      actorId: admin.id,
      action: `organisation.${action}`,
      entity: 'organisation',
      entityId: id,
      data: action === 'suspend' ? { reason, previousStatus: organisation.status } : { status },
      at: now,
    });
    if (organisation.kind === 'partner') {
      await enqueueSearchSync(tx, 'organisation', id);
      await enqueueSearchSync(tx, 'offer', await offerIdsOf(tx, id));
    }
    const template = { verify: 'organisation-verified', suspend: 'organisation-suspended', reinstate: 'organisation-reinstated' }[action];
    const subject = {
      verify: `« ${organisation.name} » est vérifiée sur Passerelle`,
      suspend: `« ${organisation.name} » est suspendue sur Passerelle`,
      reinstate: `« ${organisation.name} » est de nouveau visible sur Passerelle`,
    }[action];
    for (const owner of await ownerEmails(tx, id)) {
      await deps.mailer.queue(
        {
          to: owner.email,
          subject,
          template,
          data: { name: owner.name, organisationName: organisation.name, reason, url: `${deps.config.BASE_URL}${organisationPath(organisation)}` },
        },
        tx,
      );
    }
    return updated!;
  });
}
