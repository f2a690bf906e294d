import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { labelOf, orgTypes } from '../kernel/taxonomy.js';
import { ForbiddenError, NotFoundError } from '../lib/errors.js';
import { offerCard, organisationPath } from '../offers/offers.view.js';
import { contactedAmong } from '../requests/requests.repository.js';
import {
  addFavourite,
  type FavouriteKind,
  favouritesAmong,
  findStarTarget,
  listFavouriteOffers,
  listFavouriteOrganisations,
  removeFavourite,
} from './favourites.repository.js';

export type { FavouriteKind };

/** Favourites belong to ACM members: they are the ones choosing partners. */
function canStar(user: CurrentUser | null): user is CurrentUser {
  return Boolean(user?.memberships.some((m) => m.kind === 'acm'));
}

function acmIdsOf(user: CurrentUser): number[] {
  return user.memberships.filter((m) => m.kind === 'acm' && m.status !== 'suspended').map((m) => m.organisationId);
}

class NotAnAcmMemberError extends ForbiddenError {
  constructor() {
    super('Les favoris sont réservés aux membres d’un accueil de loisirs.');
  }
}

/** The model of views/partials/favourites/toggle.eta. */
interface StarView {
  kind: FavouriteKind;
  id: number;
  name: string;
  pressed: boolean;
  action: string;
  domId: string;
}

export function starView(kind: FavouriteKind, id: number, name: string, pressed: boolean): StarView {
  const segment = kind === 'offer' ? 'offres' : 'structures';
  return { kind, id, name, pressed, action: `/favoris/${segment}/${id}`, domId: `favori-${segment}-${id}` };
}

/**
 * Stars or unstars an offer or a partner. Starring needs something the user can see (a published
 * offer, a partner that is not suspended); unstarring always works, so that a paused offer can leave the list.
 */
export async function setFavourite(deps: Deps, user: CurrentUser, kind: FavouriteKind, id: number, on: boolean): Promise<StarView> {
  if (!canStar(user)) throw new NotAnAcmMemberError();
  const target = await findStarTarget(deps.db, kind, id);
  if (!target || (on && !target.visible))
    throw new NotFoundError(kind === 'offer' ? 'Cette offre n’existe pas ou n’est plus publiée.' : 'Structure introuvable.');
  if (on) await addFavourite(deps.db, user.id, kind, id);
  else await removeFavourite(deps.db, user.id, kind, id);
  return starView(kind, id, target.name, on);
}

/** What the user's own marks say about listed offers and partners: starred, already contacted. */
export interface Marks {
  favouriteOffers: Set<number>;
  favouritePartners: Set<number>;
  contactedOffers: Set<number>;
  contactedPartners: Set<number>;
}

export async function marksFor(deps: Deps, user: CurrentUser | null, offerIds: number[], partnerIds: number[]): Promise<Marks | null> {
  if (!canStar(user)) return null;
  const [favourites, contacted] = await Promise.all([
    favouritesAmong(deps.db, user.id, offerIds, partnerIds),
    contactedAmong(deps.db, acmIdsOf(user), offerIds, partnerIds),
  ]);
  return {
    favouriteOffers: favourites.offers,
    favouritePartners: favourites.organisations,
    contactedOffers: contacted.offers,
    contactedPartners: contacted.partners,
  };
}

const unavailable: Record<string, string> = {
  paused: 'En pause : le partenaire ne la propose plus pour le moment.',
  archived: 'Archivée : cette offre n’est plus proposée.',
};

/** The /favoris page: starred offers (saying when one is no longer on offer) and partners. */
export async function favouritesPage(deps: Deps, user: CurrentUser) {
  if (!canStar(user)) throw new NotAnAcmMemberError();
  const [offerRows, organisationRows] = await Promise.all([listFavouriteOffers(deps.db, user.id), listFavouriteOrganisations(deps.db, user.id)]);
  const contacted = await contactedAmong(
    deps.db,
    acmIdsOf(user),
    offerRows.map((r) => r.offer.id),
    organisationRows.map((r) => r.id),
  );
  const offers = offerRows.map(({ offer, partner, commune }) => {
    const available = offer.status === 'published' && partner.status !== 'suspended';
    return {
      card: offerCard(offer, partner, commune),
      available,
      unavailableNote: available
        ? null
        : partner.status === 'suspended'
          ? 'La structure qui la propose est suspendue : l’offre n’est plus visible.'
          : (unavailable[offer.status] ?? 'Cette offre n’est plus visible dans l’annuaire.'),
      requestUrl: available ? `/demandes/nouvelle?offre=${offer.id}` : null,
      contacted: contacted.offers.has(offer.id),
      star: starView('offer', offer.id, offer.title, true),
    };
  });
  const organisations = organisationRows.map((o) => {
    const available = o.status !== 'suspended';
    return {
      id: o.id,
      name: o.name,
      url: available ? organisationPath(o) : null,
      type: o.type ? labelOf(orgTypes, o.type) : '',
      commune: o.commune,
      verified: o.status === 'verified',
      unavailableNote: available ? null : 'Cette structure est suspendue : sa page n’est plus visible.',
      requestUrl: available ? `/demandes/nouvelle?structure=${o.id}` : null,
      contacted: contacted.partners.has(o.id),
      star: starView('organisation', o.id, o.name, true),
    };
  });
  return { offers, organisations };
}
