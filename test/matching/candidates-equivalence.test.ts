import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../db/client.js';
import { needs, offers, organisations } from '../../db/schema/index.js';
import { prng } from '../../server/kernel/prng.js';
import { subthemes as subthemeOptions } from '../../server/kernel/taxonomy.js';
import { boxAround, type NeedCandidate, needCandidates, type OfferCandidate, publishedOffersOf } from '../../server/matching/matching.repository.js';
import { responsivenessOf } from '../../server/matching/responsiveness.js';
import { DEFAULT_MAX_TRAVEL_KM, type Ranked, rankMatches, type Wish } from '../../server/matching/score.js';
import { factsOfOffer, rankOffers, suggestNeedsForOffers, suggestOffers, today, wishOfNeed } from '../../server/matching/suggestions.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { insertOffer } from '../helpers/search.js';

/**
 * The dashboards' suggestions come from indexed candidates (places, travel reach, départements)
 * restricted to the wish's themes, and are cached; they must rank exactly as the previous code
 * did: every published offer of the age range through the old geographic test, all scored.
 */

let app: App;
const random = prng(1234);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const some = <T>(list: readonly T[], max: number): T[] => [...new Set(Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(list)))];
const places = [
  { lat: 45.764, lng: 4.8357, department: '69' },
  { lat: 45.19, lng: 5.72, department: '38' },
  { lat: 48.8566, lng: 2.3522, department: '75' },
];
const near = (spread: number) => {
  const place = pick(places);
  return { lat: place.lat + (random() - 0.5) * spread, lng: place.lng + (random() - 0.5) * spread * 1.4, department: place.department };
};
const pickedSubthemes = subthemeOptions.filter((s) => ['sport', 'culture', 'environnement', 'sciences'].includes(s.theme)).slice(0, 14);

/** The previous offerCandidates: a scan with the geographic test, no theme restriction, no index. */
async function previousCandidates(wish: Wish): Promise<OfferCandidate[]> {
  let geo: SQL = sql`true`;
  if (wish.location) {
    const { lat, lng } = wish.location;
    const cos = Math.max(0.2, Math.cos((lat * Math.PI) / 180));
    const box = boxAround(wish.location, wish.maxTravelKm ?? DEFAULT_MAX_TRAVEL_KM);
    const baseLat = sql`coalesce(o.lat, g.lat)`;
    const baseLng = sql`coalesce(o.lng, g.lng)`;
    geo = sql`((o.venue = 'dans-l-accueil' and (${wish.departmentCode ?? ''} = any(o.departments_served) or ${baseLat} is null
        or (o.travel_km is null and cardinality(o.departments_served) = 0)
        or (abs(${baseLat} - ${lat}) <= o.travel_km * 1.1 / 111.2 and abs(${baseLng} - ${lng}) <= o.travel_km * 1.1 / (111.2 * ${cos}))))
      or (o.venue <> 'dans-l-accueil' and (${baseLat} is null or (${baseLat} between ${box.south} and ${box.north} and ${baseLng} between ${box.west} and ${box.east}))))`;
  }
  return rows<OfferCandidate>(
    app.deps.db,
    sql`select o.id, o.slug, o.title, o.summary, o.themes, o.subthemes, o.age_min as "ageMin", o.age_max as "ageMax", o.venue,
          o.travel_km as "travelKm", o.departments_served as "departmentsServed", o.lat, o.lng, o.group_min as "groupMin", o.group_max as "groupMax",
          o.slots, o.start_date::text as "startDate", o.end_date::text as "endDate", o.price, o.price_eur::text as "priceEur", o.accessibility,
          g.id as "partnerId", g.name as "partnerName", g.slug as "partnerSlug", g.status as "partnerStatus", g.lat as "partnerLat", g.lng as "partnerLng",
          c.name as "communeName"
        from offers o join organisations g on g.id = o.organisation_id left join communes c on c.code_insee = o.code_insee
        where o.status = 'published' and g.status <> 'suspended' and o.age_min <= ${wish.ageMax} and o.age_max >= ${wish.ageMin}
          and (o.end_date is null or o.end_date >= ${today(app.deps)}::date) and ${geo}
        order by o.id`,
  );
}

async function previousRanking(wish: Wish, threshold?: number): Promise<Ranked<OfferCandidate>[]> {
  const candidates = await previousCandidates(wish);
  const responsiveness = await responsivenessOf(app.deps.db, [...new Set(candidates.map((c) => c.partnerId))], app.deps.clock.now());
  return rankMatches(wish, candidates, (offer) => factsOfOffer(offer, responsiveness), { limit: 10, threshold });
}

function randomWish(): Wish {
  const place = near(1.2);
  const subthemes = random() < 0.4 ? some(pickedSubthemes, 2).map((s) => s.value) : [];
  const themes = random() < 0.8 ? some(['sport', 'culture', 'environnement', 'sciences'], 2) : [];
  const ageMin = 3 + Math.floor(random() * 9);
  return {
    themes,
    subthemes,
    ageMin,
    ageMax: ageMin + Math.floor(random() * 6),
    groupSize: random() < 0.5 ? 8 + Math.floor(random() * 20) : null,
    slots: random() < 0.5 ? [pick(['mercredi-matin', 'mercredi-apres-midi', 'mercredi-journee'])] : [],
    startDate: null,
    endDate: null,
    budgetEur: random() < 0.3 ? 50 + Math.floor(random() * 200) : null,
    venuePreference: random() < 0.3 ? [pick(['dans-l-accueil', 'chez-le-partenaire', 'autre-lieu'])] : [],
    maxTravelKm: random() < 0.4 ? pick([5, 10, 40, 80]) : null,
    accessibilityRequired: random() < 0.1 ? ['moteur'] : [],
    location: random() < 0.93 ? { lat: place.lat, lng: place.lng } : null,
    departmentCode: place.department,
  };
}

const summary = (ranked: Ranked<OfferCandidate>[]) => ranked.map((r) => `${r.item.id}:${r.match.score}:${r.match.distanceKm?.toFixed(3) ?? '-'}`);

beforeAll(async () => {
  app = await createTestApp();
  const db = app.deps.db;
  const partners = await db
    .insert(organisations)
    .values(
      Array.from({ length: 60 }, (_, i) => {
        const place = near(1.5);
        const located = random() > 0.05;
        return {
          kind: 'partner' as const,
          name: `Partenaire ${i}`,
          slug: `partenaire-${i}`,
          status: pick(['verified', 'verified', 'unverified', 'suspended'] as const),
          lat: located ? place.lat : null,
          lng: located ? place.lng : null,
        };
      }),
    )
    .returning({ id: organisations.id, lat: organisations.lat, lng: organisations.lng });
  const values = Array.from({ length: 1500 }, (_, i) => {
    const partner = pick(partners);
    const sub = pick(pickedSubthemes);
    const venue = pick(['dans-l-accueil', 'chez-le-partenaire', 'autre-lieu'] as const);
    const own = random() < 0.85 && partner.lat !== null ? { lat: partner.lat + (random() - 0.5) * 0.2, lng: partner.lng! + (random() - 0.5) * 0.3 } : null;
    const ageMin = 3 + Math.floor(random() * 10);
    return {
      organisationId: partner.id,
      slug: `offre-${i}`,
      title: `Offre ${i}`,
      summary: 'Une activité.',
      themes: random() < 0.9 ? [sub.theme] : [pick(['sport', 'culture'])],
      subthemes: random() < 0.7 ? [sub.value] : [],
      formats: ['atelier'],
      venue,
      travelKm: venue === 'dans-l-accueil' && random() < 0.8 ? pick([5, 15, 30, 60, 120]) : null,
      departmentsServed: venue === 'dans-l-accueil' && random() < 0.3 ? some(['69', '38', '75', '01'], 2) : [],
      lat: own?.lat ?? null,
      lng: own?.lng ?? null,
      ageMin,
      ageMax: Math.min(17, ageMin + Math.floor(random() * 7)),
      groupMax: random() < 0.5 ? 10 + Math.floor(random() * 20) : null,
      slots: some(['mercredi-matin', 'mercredi-apres-midi', 'mercredi-journee'], 2),
      price: pick(['gratuit', 'payant', 'sur-devis'] as const),
      priceEur: random() < 0.5 ? String(20 + Math.floor(random() * 200)) : null,
      accessibility: random() < 0.3 ? ['moteur'] : [],
      endDate: random() < 0.1 ? '2020-01-01' : null,
      status: pick(['published', 'published', 'published', 'paused'] as const),
    };
  });
  for (let i = 0; i < values.length; i += 500) await db.insert(offers).values(values.slice(i, i + 500));
});

afterAll(async () => {
  await app?.close();
});

describe('dashboard suggestions from indexed candidates', () => {
  it('rank exactly as the previous full scan for 80 generated wishes, with and without the theme restriction', async () => {
    let restricted = 0;
    let nonEmpty = 0;
    for (let i = 0; i < 80; i++) {
      const wish = randomWish();
      const threshold = i % 5 === 4 ? 60 : undefined;
      const expected = summary(await previousRanking(wish, threshold));
      const actual = summary(await rankOffers(app.deps, wish, { limit: 10, threshold }));
      expect(actual, JSON.stringify(wish)).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
      if (threshold === undefined && (wish.themes.length > 0 || wish.subthemes.length > 0)) restricted++;
    }
    // The generated data exercise the rankings, not only empty lists.
    expect(nonEmpty).toBeGreaterThan(50);
    expect(restricted).toBeGreaterThan(40);
  }, 120_000);

  it('find for a partner the same needs as scoring every need against every offer', async () => {
    const acms = await app.deps.db
      .insert(organisations)
      .values(Array.from({ length: 40 }, (_, i) => ({ kind: 'acm' as const, name: `Accueil ${i}`, slug: `accueil-${i}`, status: 'verified' as const })))
      .returning({ id: organisations.id });
    await app.deps.db.insert(needs).values(
      Array.from({ length: 200 }, (_, i) => {
        const wish = randomWish();
        return {
          acmId: pick(acms).id,
          title: `Besoin ${i}`,
          themes: wish.themes,
          subthemes: wish.subthemes,
          ageMin: wish.ageMin,
          ageMax: wish.ageMax,
          slots: wish.slots,
          venuePreference: wish.venuePreference,
          maxTravelKm: wish.maxTravelKm,
          departmentCode: wish.departmentCode,
          lat: wish.location?.lat ?? null,
          lng: wish.location?.lng ?? null,
        };
      }),
    );
    const partners = await rows<{ id: number }>(
      app.deps.db,
      sql`select id from organisations where kind = 'partner' and status <> 'suspended' order by id limit 25`,
    );
    let found = 0;
    for (const partner of partners) {
      const offersOf = await publishedOffersOf(app.deps.db, [partner.id]);
      if (offersOf.length === 0) continue;
      const actual = await suggestNeedsForOffers(app.deps, offersOf, { limit: 10 });
      // The previous loop: every candidate need against every offer.
      const responsiveness = await responsivenessOf(app.deps.db, [partner.id], app.deps.clock.now());
      const candidates: NeedCandidate[] = await needCandidatesLike(offersOf);
      const expected = candidates
        .map((need) => {
          const ranked = rankMatches(wishOfNeed(need), offersOf, (offer) => factsOfOffer(offer, responsiveness), { limit: 1 });
          return ranked[0] ? { need, offer: ranked[0].item, match: ranked[0].match } : null;
        })
        .filter((s) => s !== null)
        .sort((a, b) => b.match.score - a.match.score || (a.match.distanceKm ?? 1e9) - (b.match.distanceKm ?? 1e9))
        .slice(0, 10);
      const key = (list: { need: { id: number }; offer: { id: number }; match: { score: number } }[]) =>
        list.map((s) => `${s.need.id}>${s.offer.id}:${s.match.score}`);
      expect(key(actual)).toEqual(key(expected));
      found += actual.length;
    }
    expect(found).toBeGreaterThan(20);
  }, 120_000);

  it('serve a cached ranking until an offer is written, then the new offer at once', async () => {
    const wish: Wish = { ...randomWish(), themes: ['sciences'], subthemes: [], location: { lat: 45.764, lng: 4.8357 }, ageMin: 6, ageMax: 10 };
    const first = await suggestOffers(app.deps, wish, { limit: 50 });
    expect(await suggestOffers(app.deps, wish, { limit: 50 })).toBe(first);
    const [partner] = await rows<{ id: number }>(
      app.deps.db,
      sql`select id from organisations where kind = 'partner' and status = 'verified' order by id limit 1`,
    );
    const offer = await insertOffer(app, partner!.id, {
      title: 'Robotique au centre',
      themes: ['sciences'],
      subthemes: [],
      ageMin: 6,
      ageMax: 10,
      lat: 45.764,
      lng: 4.8357,
      venue: 'chez-le-partenaire',
    });
    const after = await suggestOffers(app.deps, wish, { limit: 50 });
    expect(after).not.toBe(first);
    expect(after.map((r) => r.item.id)).toContain(offer.id);
  });
});

/** The needs the previous code read for these offers (same repository function). */
async function needCandidatesLike(offersOf: OfferCandidate[]): Promise<NeedCandidate[]> {
  const reach = offersOf
    .map((o) => {
      const lat = o.lat ?? o.partnerLat;
      const lng = o.lng ?? o.partnerLng;
      if (lat === null || lng === null) return null;
      return boxAround({ lat: Number(lat), lng: Number(lng) }, o.venue === 'dans-l-accueil' ? (o.travelKm ?? 0) : 200);
    })
    .filter((b) => b !== null);
  const box = reach.length
    ? {
        south: Math.min(...reach.map((b) => b.south)),
        north: Math.max(...reach.map((b) => b.north)),
        west: Math.min(...reach.map((b) => b.west)),
        east: Math.max(...reach.map((b) => b.east)),
      }
    : null;
  const departments = [...new Set(offersOf.flatMap((o) => (o.venue === 'dans-l-accueil' ? o.departmentsServed : [])))];
  return needCandidates(
    app.deps.db,
    { box, departments, ageMin: Math.min(...offersOf.map((o) => o.ageMin)), ageMax: Math.max(...offersOf.map((o) => o.ageMax)) },
    { today: today(app.deps) },
  );
}
