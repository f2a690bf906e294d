import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { marksFor, starView } from '../favourites/favourites.usecases.js';
import { placeInScopes } from '../kernel/scopes.js';
import { labelOf, orgTypes, themes } from '../kernel/taxonomy.js';
import { idFromParam } from '../kernel/text.js';
import { NotFoundError } from '../lib/errors.js';
import { locationValues } from '../territories/location.js';
import { canSeePartnerContact } from './contact.js';
import { organisationPageSections } from './organisation-page-sections.js';
import { findOrganisationWithPlace, listMembers, type Organisation, type OrganisationKind } from './organisations.repository.js';
import { kindLabels, organisationPath, statusLabels } from './organisations.usecases.js';

export function isAdminOrMember(user: CurrentUser | null, organisationId: number): boolean {
  return Boolean(user && (user.isAdmin || user.memberships.some((m) => m.organisationId === organisationId)));
}

type Loaded = NonNullable<Awaited<ReturnType<typeof findOrganisationWithPlace>>>;

/**
 * The organisation behind a public URL ("12-judo-club"), of the expected kind. A suspended one
 * exists only for its members and the admins. Returns the canonical path when the slug differs.
 */
export async function loadPublicOrganisation(deps: Deps, user: CurrentUser | null, idSlug: string, kind: OrganisationKind) {
  const id = idFromParam(idSlug);
  const found = id ? await findOrganisationWithPlace(deps.db, id) : null;
  if (!found || found.organisation.kind !== kind) throw new NotFoundError();
  const { organisation } = found;
  if (organisation.status === 'suspended' && !isAdminOrMember(user, organisation.id)) throw new NotFoundError();
  const canonical = organisationPath(organisation);
  const requested = `/${kind === 'acm' ? 'accueils' : 'structures'}/${idSlug}`;
  return { found, redirect: requested === canonical ? null : canonical };
}

/** Everything the partner and ACM pages show. */
export async function organisationPageData(deps: Deps, user: CurrentUser | null, found: Loaded) {
  const { organisation, commune, department } = found;
  const member = user?.memberships.find((m) => m.organisationId === organisation.id) ?? null;
  const canEdit = Boolean(member || user?.isAdmin);
  const place = {
    codeInsee: organisation.codeInsee,
    departmentCode: commune?.departmentCode,
    regionCode: commune?.regionCode,
    epciCode: commune?.epciCode,
    eptCode: commune?.eptCode,
  };
  const showContact =
    organisation.kind === 'partner'
      ? canSeePartnerContact(user, organisation)
      : Boolean(user && (canEdit || user.memberships.some((m) => m.kind === 'partner') || placeInScopes(place, user.coordinatorScopes)));
  const marks = organisation.kind === 'partner' && organisation.status !== 'suspended' ? await marksFor(deps, user, [], [organisation.id]) : null;
  const sections = await organisationPageSections.load(deps, organisation, user);
  const members = canEdit ? await listMembers(deps.db, organisation.id) : [];
  return {
    title: organisation.name,
    description: organisation.description ? organisation.description.slice(0, 160) : `${organisation.name} sur Passerelle, les partenariats du Plan mercredi.`,
    canonical: `${deps.config.BASE_URL}${organisationPath(organisation)}`,
    map: organisation.lat !== null,
    scripts: ['/static/js/place-map.js'],
    organisation,
    commune,
    department,
    membership: member,
    canEdit,
    showContact,
    star: marks ? starView('organisation', organisation.id, organisation.name, marks.favouritePartners.has(organisation.id)) : null,
    contacted: Boolean(marks?.contactedPartners.has(organisation.id)),
    members,
    sections,
    kindLabel: kindLabels[organisation.kind],
    statusLabel: statusLabels[organisation.status],
    typeLabel: labelOf(orgTypes, organisation.type),
    themeLabels: organisation.themes.map((t) => labelOf(themes, t)),
    jsonLd:
      organisation.kind === 'partner' && organisation.status !== 'suspended'
        ? {
            '@context': 'https://schema.org',
            '@type': 'Organization',
            name: organisation.name,
            url: `${deps.config.BASE_URL}${organisationPath(organisation)}`,
            ...(organisation.description ? { description: organisation.description } : {}),
            address: {
              '@type': 'PostalAddress',
              streetAddress: organisation.address || undefined,
              postalCode: organisation.postcode || undefined,
              addressLocality: commune?.name,
              addressCountry: 'FR',
            },
          }
        : null,
  };
}

/** Form values from a stored organisation (edit form). */
export function organisationFormValues(found: Loaded): Record<string, unknown> {
  const o: Organisation = found.organisation;
  const yesNo = (value: boolean | null) => (value === null ? '' : value ? 'oui' : 'non');
  const text = (value: string | number | null) => (value === null ? '' : String(value));
  return {
    name: o.name,
    type: o.type ?? '',
    description: o.description,
    siret: text(o.siret),
    rna: text(o.rna),
    website: text(o.website),
    email: text(o.email),
    phone: text(o.phone),
    contactPublic: o.contactPublic,
    themes: o.themes,
    federation: text(o.federation),
    agrementNumber: text(o.agrementNumber),
    organiser: text(o.organiser),
    tamNumber: text(o.tamNumber),
    capacity: text(o.capacity),
    ageMin: text(o.ageMin),
    ageMax: text(o.ageMax),
    pedt: yesNo(o.pedt),
    planMercrediLabel: yesNo(o.planMercrediLabel),
    inclusion: yesNo(o.inclusion),
    ...locationValues(o, found.commune),
  };
}
