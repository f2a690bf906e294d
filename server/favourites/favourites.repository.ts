import { and, desc, eq, inArray } from 'drizzle-orm';
import { byFrenchName } from '../../db/by-french-name.js';
import type { Db } from '../../db/client.js';
import { communes, favouriteOffers, favouriteOrganisations, offers, organisations } from '../../db/schema/index.js';

export type FavouriteKind = 'offer' | 'organisation';

export async function addFavourite(db: Db, userId: number, kind: FavouriteKind, id: number): Promise<void> {
  if (kind === 'offer') await db.insert(favouriteOffers).values({ userId, offerId: id }).onConflictDoNothing();
  else await db.insert(favouriteOrganisations).values({ userId, organisationId: id }).onConflictDoNothing();
}

export async function removeFavourite(db: Db, userId: number, kind: FavouriteKind, id: number): Promise<void> {
  if (kind === 'offer') await db.delete(favouriteOffers).where(and(eq(favouriteOffers.userId, userId), eq(favouriteOffers.offerId, id)));
  else await db.delete(favouriteOrganisations).where(and(eq(favouriteOrganisations.userId, userId), eq(favouriteOrganisations.organisationId, id)));
}

/** Which of these offers and organisations the user starred. */
export async function favouritesAmong(db: Db, userId: number, offerIds: number[], organisationIds: number[]) {
  const [offerRows, organisationRows] = await Promise.all([
    offerIds.length
      ? db
          .select({ id: favouriteOffers.offerId })
          .from(favouriteOffers)
          .where(and(eq(favouriteOffers.userId, userId), inArray(favouriteOffers.offerId, offerIds)))
      : [],
    organisationIds.length
      ? db
          .select({ id: favouriteOrganisations.organisationId })
          .from(favouriteOrganisations)
          .where(and(eq(favouriteOrganisations.userId, userId), inArray(favouriteOrganisations.organisationId, organisationIds)))
      : [],
  ]);
  return { offers: new Set(offerRows.map((r) => r.id)), organisations: new Set(organisationRows.map((r) => r.id)) };
}

export async function listFavouriteOffers(db: Db, userId: number) {
  return db
    .select({
      offer: offers,
      partner: { id: organisations.id, name: organisations.name, slug: organisations.slug, status: organisations.status },
      commune: communes.name,
    })
    .from(favouriteOffers)
    .innerJoin(offers, eq(offers.id, favouriteOffers.offerId))
    .innerJoin(organisations, eq(organisations.id, offers.organisationId))
    .leftJoin(communes, eq(communes.codeInsee, offers.codeInsee))
    .where(eq(favouriteOffers.userId, userId))
    .orderBy(desc(favouriteOffers.createdAt), desc(favouriteOffers.offerId));
}

export async function listFavouriteOrganisations(db: Db, userId: number) {
  return db
    .select({
      id: organisations.id,
      name: organisations.name,
      slug: organisations.slug,
      type: organisations.type,
      status: organisations.status,
      description: organisations.description,
      logoPath: organisations.logoPath,
      commune: communes.name,
    })
    .from(favouriteOrganisations)
    .innerJoin(organisations, eq(organisations.id, favouriteOrganisations.organisationId))
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(eq(favouriteOrganisations.userId, userId))
    .orderBy(desc(favouriteOrganisations.createdAt), desc(favouriteOrganisations.organisationId));
}

/** The target of a star: an offer (with its partner's status) or a partner organisation. */
export async function findStarTarget(db: Db, kind: FavouriteKind, id: number) {
  if (kind === 'offer') {
    const [row] = await db
      .select({ id: offers.id, name: offers.title, status: offers.status, partnerStatus: organisations.status })
      .from(offers)
      .innerJoin(organisations, eq(organisations.id, offers.organisationId))
      .where(eq(offers.id, id));
    return row ? { id: row.id, name: row.name, visible: row.status === 'published' && row.partnerStatus !== 'suspended' } : null;
  }
  const [row] = await db
    .select({ id: organisations.id, name: organisations.name, kind: organisations.kind, status: organisations.status })
    .from(organisations)
    .where(eq(organisations.id, id));
  return row && row.kind === 'partner' ? { id: row.id, name: row.name, visible: row.status !== 'suspended' } : null;
}

/** The user's ACMs that have a location, with their département (for "départements served"). */
export async function placedAcms(db: Db, acmIds: number[]) {
  if (acmIds.length === 0) return [];
  const found = await db
    .select({ id: organisations.id, name: organisations.name, lat: organisations.lat, lng: organisations.lng, department: communes.departmentCode })
    .from(organisations)
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(and(inArray(organisations.id, acmIds), eq(organisations.kind, 'acm')))
    .orderBy(byFrenchName(organisations.name));
  return found.flatMap((a) => (a.lat === null || a.lng === null ? [] : [{ ...a, lat: a.lat, lng: a.lng }]));
}
