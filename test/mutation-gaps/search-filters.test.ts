import { describe, expect, it } from 'vitest';
import { bitsOf, selectedValues, wordsOf } from '../../search/facets.js';
import { dayOf, type OfferSnapshot } from '../../search/snapshot.js';
import type { OfferFilters } from '../../search/types.js';
import { distanceKm, EARTH_RADIUS_KM } from '../../server/kernel/distance.js';
import { slugs } from '../../server/kernel/taxonomy.js';
import { snapshotOf } from '../helpers/snapshot-offers.js';

/**
 * The filter evaluator of the PostgreSQL engine (search/snapshot.ts) on hand-made rows, each rule
 * at its boundary. The engine contract (test/search/contract.ts) checks the same rules against a
 * brute-force oracle on generated data; these tests name them one by one.
 */

function idsMatching(snapshot: OfferSnapshot, filters: OfferFilters, candidates: number[] | null = null): number[] {
  const positions = candidates ? snapshot.positionsOf(candidates) : null;
  return Array.from(snapshot.evaluate(filters, positions).matches, (i) => snapshot.ids[i]!);
}

/** A point `km` kilometres north (bearing 0) or east (bearing 90) of another, on the engine's sphere. */
function offset(lat: number, lng: number, km: number, bearing: 0 | 90): { lat: number; lng: number } {
  const R = EARTH_RADIUS_KM;
  const rad = Math.PI / 180;
  if (bearing === 0) return { lat: lat + km / R / rad, lng };
  // Along the parallel: solve distanceKm = km for the longitude difference.
  const dLng = (2 * Math.asin(Math.sin(km / (2 * R)) / Math.cos(lat * rad))) / rad;
  return { lat, lng: lng + dLng };
}

describe('the search filter evaluator', () => {
  it('keeps an offer for an age within its range, both ends included', () => {
    const snapshot = snapshotOf([
      { id: 1, ageMin: 6, ageMax: 11 },
      { id: 2, ageMin: 3, ageMax: 5 },
      { id: 3, ageMin: 12, ageMax: 17 },
    ]);
    expect(idsMatching(snapshot, { age: 6 })).toEqual([1]);
    expect(idsMatching(snapshot, { age: 11 })).toEqual([1]);
    expect(idsMatching(snapshot, { age: 5 })).toEqual([2]);
    expect(idsMatching(snapshot, { age: 12 })).toEqual([3]);
    expect(idsMatching(snapshot, {})).toEqual([1, 2, 3]);
  });

  it('matches any of the chosen sub-themes, including those past the 31st', () => {
    const late = slugs.subtheme.slice(31);
    expect(late.length).toBeGreaterThan(1);
    const snapshot = snapshotOf([
      { id: 1, subthemes: [slugs.subtheme[0]!] },
      { id: 2, subthemes: [late[0]!] },
      { id: 3, subthemes: [slugs.subtheme[30]!, late[1]!] },
      { id: 4, subthemes: [slugs.subtheme[1]!] },
      { id: 5, subthemes: [] },
    ]);
    expect(idsMatching(snapshot, { subtheme: [slugs.subtheme[0]!] })).toEqual([1]);
    expect(idsMatching(snapshot, { subtheme: [late[0]!] })).toEqual([2]);
    expect(idsMatching(snapshot, { subtheme: [late[1]!] })).toEqual([3]);
    expect(idsMatching(snapshot, { subtheme: [slugs.subtheme[30]!] })).toEqual([3]);
    expect(idsMatching(snapshot, { subtheme: [slugs.subtheme[0]!, late[0]!] })).toEqual([1, 2]);
    // An unknown sub-theme is skipped, not the ones after it.
    expect(idsMatching(snapshot, { subtheme: ['inconnu', slugs.subtheme[1]!] })).toEqual([4]);
    expect(idsMatching(snapshot, { subtheme: ['inconnu'] })).toEqual([1, 2, 3, 4, 5]);
    expect(idsMatching(snapshot, { subtheme: [] })).toEqual([1, 2, 3, 4, 5]);
  });

  it('matches any of the chosen natures and slots, and one organisation', () => {
    const snapshot = snapshotOf([
      { id: 1, natures: ['intervention'], slots: ['mercredi-matin'], organisationId: 7 },
      { id: 2, natures: ['formation', 'projet-commun'], slots: ['mercredi-journee'], organisationId: 8 },
      { id: 3, natures: [], slots: [], organisationId: 7 },
    ]);
    expect(idsMatching(snapshot, { nature: ['projet-commun'] })).toEqual([2]);
    expect(idsMatching(snapshot, { nature: ['intervention', 'formation'] })).toEqual([1, 2]);
    expect(idsMatching(snapshot, { nature: [] })).toEqual([1, 2, 3]);
    expect(idsMatching(snapshot, { slot: ['mercredi-journee'] })).toEqual([2]);
    expect(idsMatching(snapshot, { slot: [] })).toEqual([1, 2, 3]);
    expect(idsMatching(snapshot, { organisationId: 7 })).toEqual([1, 3]);
    expect(idsMatching(snapshot, { organisationId: 9 })).toEqual([]);
  });

  it('keeps offers within the radius, the boundary included, with their distances', () => {
    const centre = { lat: 45.76, lng: 4.83 };
    const north9 = offset(centre.lat, centre.lng, 9.99, 0);
    const north11 = offset(centre.lat, centre.lng, 10.01, 0);
    const east9 = offset(centre.lat, centre.lng, 9.99, 90);
    const east11 = offset(centre.lat, centre.lng, 10.01, 90);
    const south9 = offset(centre.lat, centre.lng, -9.99, 0);
    const west9 = offset(centre.lat, centre.lng, -9.99, 90);
    const snapshot = snapshotOf([
      { id: 1, ...north9 },
      { id: 2, ...north11 },
      { id: 3, ...east9 },
      { id: 4, ...east11 },
      { id: 5, lat: null, lng: null },
      { id: 6, ...south9 },
      { id: 7, ...west9 },
      { id: 8, ...centre },
    ]);
    const result = snapshot.evaluate({ near: { ...centre, radiusKm: 10 } }, null);
    expect(Array.from(result.matches, (i) => snapshot.ids[i]!)).toEqual([1, 3, 6, 7, 8]);
    expect([...result.distances!].map((d) => Math.round(d * 100) / 100)).toEqual([9.99, 9.99, 9.99, 9.99, 0]);
    expect(snapshot.evaluate({}, null).distances).toBeNull();
  });

  it('keeps an offer just inside a small radius and a large one due north: the latitude band never cuts it', () => {
    const centre = { lat: 45.76, lng: 4.83 };
    const snapshot = snapshotOf([
      { id: 1, ...offset(centre.lat, centre.lng, 0.99, 0) },
      { id: 2, ...offset(centre.lat, centre.lng, 99.9, 0) },
      { id: 3, ...offset(centre.lat, centre.lng, 100.1, 0) },
    ]);
    expect(idsMatching(snapshot, { near: { ...centre, radiusKm: 1 } })).toEqual([1]);
    expect(idsMatching(snapshot, { near: { ...centre, radiusKm: 100 } })).toEqual([1, 2]);
  });

  it('keeps an offer whose distance is exactly the radius', () => {
    const centre = { lat: 45.76, lng: 4.83 };
    const spot = { lat: 45.9, lng: 5.1 };
    const snapshot = snapshotOf([{ id: 1, ...spot }]);
    const radiusKm = distanceKm(centre.lat, centre.lng, spot.lat, spot.lng);
    expect(idsMatching(snapshot, { near: { ...centre, radiusKm } })).toEqual([1]);
  });

  it('keeps an offer that comes to the point from farther than the radius, within its own travel radius only', () => {
    const centre = { lat: 45.76, lng: 4.83 };
    const snapshot = snapshotOf([
      { id: 1, venue: 'dans-l-accueil', travelKm: 30, ...offset(centre.lat, centre.lng, 29.9, 0) },
      { id: 2, venue: 'dans-l-accueil', travelKm: 30, ...offset(centre.lat, centre.lng, 30.1, 0) },
      { id: 3, venue: 'dans-l-accueil', travelKm: 30, ...offset(centre.lat, centre.lng, 29.9, 90) },
      { id: 4, venue: 'chez-le-partenaire', ...offset(centre.lat, centre.lng, 20, 0) },
    ]);
    expect(idsMatching(snapshot, { near: { ...centre, radiusKm: 5 } })).toEqual([1, 3]);
    const result = snapshot.evaluate({ near: { ...centre, radiusKm: 5 } }, null);
    expect([...result.distances!].map((d) => Math.round(d * 10) / 10)).toEqual([29.9, 29.9]);
    // A radius wider than the travel radius keeps both kinds.
    expect(idsMatching(snapshot, { near: { ...centre, radiusKm: 20.5 } })).toEqual([1, 3, 4]);
  });

  it('finds an offer east of a point at a high latitude, where degrees of longitude are short', () => {
    const centre = { lat: 69.65, lng: 18.96 };
    const snapshot = snapshotOf([
      { id: 1, ...offset(centre.lat, centre.lng, 49.5, 90) },
      { id: 2, ...offset(centre.lat, centre.lng, -49.5, 90) },
      { id: 3, venue: 'dans-l-accueil', travelKm: 120, ...offset(centre.lat, centre.lng, 119, 90) },
      { id: 4, ...offset(centre.lat, centre.lng, 50.5, 90) },
    ]);
    expect(idsMatching(snapshot, { near: { ...centre, radiusKm: 50 } })).toEqual([1, 2, 3]);
  });

  it('finds an offer across the pole, on the other side of the meridians', () => {
    const snapshot = snapshotOf([
      { id: 1, lat: 89.6, lng: 180 },
      { id: 2, lat: 89.6, lng: -90 },
      { id: 3, lat: 88, lng: 180 },
    ]);
    expect(distanceKm(89.6, 0, 89.6, 180)).toBeLessThan(100);
    expect(idsMatching(snapshot, { near: { lat: 89.6, lng: 0, radiusKm: 100 } })).toEqual([1, 2]);
  });

  it('finds an offer across the pole within a small radius, where the longitude band must be every meridian', () => {
    const snapshot = snapshotOf([
      { id: 1, lat: 89.96, lng: 180 },
      { id: 2, lat: 89.8, lng: 180 },
    ]);
    expect(distanceKm(89.95, 0, 89.96, 180)).toBeLessThan(15);
    expect(idsMatching(snapshot, { near: { lat: 89.95, lng: 0, radiusKm: 15 } })).toEqual([1]);
  });

  it('keeps offers inside the map box, its edges included', () => {
    const bbox = { west: 4, south: 45, east: 5, north: 46 };
    const snapshot = snapshotOf([
      { id: 1, lat: 45.5, lng: 4.5 },
      { id: 2, lat: 45, lng: 4 },
      { id: 3, lat: 46, lng: 5 },
      { id: 4, lat: 44.99, lng: 4.5 },
      { id: 5, lat: 46.01, lng: 4.5 },
      { id: 6, lat: 45.5, lng: 3.99 },
      { id: 7, lat: 45.5, lng: 5.01 },
      { id: 8, lat: null, lng: null },
    ]);
    expect(idsMatching(snapshot, { bbox })).toEqual([1, 2, 3]);
  });

  it('keeps, for a commune, the offers located there, those serving its département and those travelling that far', () => {
    const lyon = { code: '69123', lat: 45.76, lng: 4.83, department: '69' };
    const near20 = offset(lyon.lat, lyon.lng, 20, 0);
    const snapshot = snapshotOf([
      { id: 1, codeInsee: '69123' },
      { id: 2, codeInsee: '38185', venue: 'dans-l-accueil', departmentsServed: ['69'], ...near20 },
      { id: 3, codeInsee: '38185', venue: 'dans-l-accueil', travelKm: 25, ...near20 },
      { id: 4, codeInsee: '38185', venue: 'dans-l-accueil', travelKm: 15, ...near20 },
      { id: 5, codeInsee: '38185', venue: 'chez-le-partenaire', departmentsServed: ['69'], travelKm: 25, ...near20 },
      { id: 6, codeInsee: null, venue: 'dans-l-accueil', travelKm: 25, lat: null, lng: null },
      { id: 7, codeInsee: '38185', venue: 'dans-l-accueil', departmentsServed: ['38'], ...near20 },
    ]);
    expect(idsMatching(snapshot, { commune: [lyon] })).toEqual([1, 2, 3]);
    const other = { code: '38185', lat: 45.19, lng: 5.72, department: '38' };
    expect(idsMatching(snapshot, { commune: [lyon, other] })).toEqual([1, 2, 3, 4, 5, 7]);
    expect(idsMatching(snapshot, { commune: [] })).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('matches any of the chosen départements and régions', () => {
    const snapshot = snapshotOf([
      { id: 1, departments: ['69'], regions: ['84'] },
      { id: 2, departments: ['33', '40'], regions: ['75'] },
      { id: 3, departments: ['93'], regions: ['11'] },
    ]);
    expect(idsMatching(snapshot, { department: ['40'] })).toEqual([2]);
    expect(idsMatching(snapshot, { department: ['69', '93'] })).toEqual([1, 3]);
    expect(idsMatching(snapshot, { department: [] })).toEqual([1, 2, 3]);
    expect(idsMatching(snapshot, { region: ['75', '11'] })).toEqual([2, 3]);
    expect(idsMatching(snapshot, { region: [] })).toEqual([1, 2, 3]);
  });

  it('keeps offers whose age range overlaps the chosen range, both ends included', () => {
    const snapshot = snapshotOf([
      { id: 1, ageMin: 6, ageMax: 8 },
      { id: 2, ageMin: 3, ageMax: 5 },
      { id: 3, ageMin: 11, ageMax: 14 },
      { id: 4, ageMin: 12, ageMax: 17 },
    ]);
    expect(idsMatching(snapshot, { ageRange: { min: 8, max: 11 } })).toEqual([1, 3]);
    expect(idsMatching(snapshot, { ageRange: { min: 5, max: 5 } })).toEqual([2]);
    expect(idsMatching(snapshot, { ageRange: { min: 3, max: 17 } })).toEqual([1, 2, 3, 4]);
  });

  it('keeps offers available during part of the period, open ends included', () => {
    const snapshot = snapshotOf([
      { id: 1, startDate: '2026-09-01', endDate: '2026-12-20' },
      { id: 2, startDate: '2027-01-06', endDate: '2027-06-30' },
      { id: 3, startDate: null, endDate: null },
      { id: 4, startDate: '2027-03-01', endDate: null },
    ]);
    expect(idsMatching(snapshot, { period: { from: '2026-12-20', to: '2027-01-05' } })).toEqual([1, 3]);
    expect(idsMatching(snapshot, { period: { from: '2027-01-06' } })).toEqual([2, 3, 4]);
    expect(idsMatching(snapshot, { period: { to: '2026-08-31' } })).toEqual([3]);
    expect(idsMatching(snapshot, { period: { from: '2027-07-01', to: '2027-08-01' } })).toEqual([3, 4]);
  });

  it('reads a period bound given as a date-time as its calendar day, the time ignored', () => {
    const snapshot = snapshotOf([
      { id: 1, startDate: '2026-09-01', endDate: '2026-12-20' },
      { id: 2, startDate: '2026-12-21', endDate: '2027-06-30' },
    ]);
    expect(dayOf('2026-12-20T23:59:59.999Z')).toBe(dayOf('2026-12-20'));
    expect(idsMatching(snapshot, { period: { from: '2026-12-20T18:00:00.000Z', to: '2026-12-20T20:00:00.000Z' } })).toEqual([1]);
  });

  it('keeps, for "comes to my ACM", travelling offers whose radius reaches it or that serve its département', () => {
    const acm = { lat: 45.76, lng: 4.83, department: '69' };
    const snapshot = snapshotOf([
      { id: 1, venue: 'dans-l-accueil', travelKm: 20, lat: 45.76, lng: 5.0 },
      { id: 2, venue: 'dans-l-accueil', travelKm: 5, lat: 45.76, lng: 5.0 },
      { id: 3, venue: 'dans-l-accueil', travelKm: null, departmentsServed: ['69'], lat: 46.5, lng: 5.0 },
      { id: 4, venue: 'chez-le-partenaire', lat: 45.76, lng: 4.83 },
    ]);
    expect(idsMatching(snapshot, { comesTo: acm })).toEqual([1, 3]);
    expect(idsMatching(snapshot, { comesTo: { ...acm, department: null } })).toEqual([1]);
  });

  it('does not bring an offer without a travel radius to a place, even one at its own address', () => {
    const place = { lat: 45.76, lng: 4.83 };
    const snapshot = snapshotOf([
      { id: 1, venue: 'dans-l-accueil', travelKm: null, codeInsee: '38185', departments: ['38'], ...place },
      { id: 2, venue: 'dans-l-accueil', travelKm: 1, codeInsee: '38185', departments: ['38'], ...place },
    ]);
    expect(idsMatching(snapshot, { comesTo: { ...place, department: '69' } })).toEqual([2]);
    expect(idsMatching(snapshot, { commune: [{ code: '69123', ...place, department: '69' }] })).toEqual([2]);
  });

  it('counts sub-themes and slots disjunctively, sub-themes past the 31st included', () => {
    const late = slugs.subtheme.at(-1)!;
    const snapshot = snapshotOf([
      { id: 1, subthemes: [late], slots: ['mercredi-matin'] },
      { id: 2, subthemes: [slugs.subtheme[0]!], slots: ['mercredi-apres-midi'] },
      { id: 3, subthemes: [late, slugs.subtheme[0]!], slots: ['mercredi-matin'] },
    ]);
    const { matches, facets } = snapshot.evaluate({ subtheme: [late], slot: ['mercredi-matin'] }, null);
    expect(Array.from(matches, (i) => snapshot.ids[i])).toEqual([1, 3]);
    expect(facets.subtheme[late]).toBe(2);
    expect(facets.subtheme[slugs.subtheme[0]!]).toBe(1);
    expect(facets.slot).toEqual({ 'mercredi-matin': 2, 'mercredi-apres-midi': 0, 'mercredi-journee': 0 });
  });

  it('restricts to the text matches when there are some', () => {
    const snapshot = snapshotOf([{ id: 1 }, { id: 2 }, { id: 3, ageMin: 12, ageMax: 14 }]);
    expect(idsMatching(snapshot, {}, [3, 1])).toEqual([1, 3]);
    expect(idsMatching(snapshot, { age: 7 }, [3, 1])).toEqual([1]);
    expect(idsMatching(snapshot, {}, [])).toEqual([]);
  });

  it('counts facets disjunctively: each facet counts the offers that pass every other filter', () => {
    const snapshot = snapshotOf([
      { id: 1, themes: ['culture'], price: 'gratuit', formats: ['atelier', 'visite'] },
      { id: 2, themes: ['sport', 'sante'], price: 'gratuit', formats: ['atelier'] },
      { id: 3, themes: ['culture'], price: 'payant', formats: ['spectacle'] },
      { id: 4, themes: ['sport'], price: 'payant', formats: ['cycle'] },
      { id: 5, themes: ['culture'], price: 'gratuit', ageMin: 12, ageMax: 14 },
    ]);
    const { matches, facets } = snapshot.evaluate({ theme: ['culture'], price: ['gratuit'], age: 8 }, null);
    expect(Array.from(matches, (i) => snapshot.ids[i])).toEqual([1]);
    // Theme: offers passing price and age, whatever their theme.
    expect(facets.theme).toMatchObject({ culture: 1, sport: 1, sante: 1, sciences: 0 });
    // Price: offers passing theme and age, whatever their price.
    expect(facets.price).toEqual({ gratuit: 1, payant: 1, 'sur-devis': 0 });
    // Other facets: the matches only.
    expect(facets.format).toMatchObject({ atelier: 1, visite: 1, spectacle: 0, cycle: 0 });
    expect(facets.age_band).toMatchObject({ '6-8': 1, '9-11': 1, '12-14': 0 });
    expect(facets.venue['chez-le-partenaire']).toBe(1);
  });

  it('counts every value of every offer when no facet is chosen, and matches any value within one facet', () => {
    const snapshot = snapshotOf([
      { id: 1, themes: ['culture', 'jeux'], accessibility: ['moteur', 'visuel'] },
      { id: 2, themes: ['sport'], accessibility: ['moteur'], orgType: 'club-sportif' },
      { id: 3, themes: ['jeux'], accessibility: [] },
    ]);
    const all = snapshot.evaluate({}, null);
    expect(Array.from(all.matches, (i) => snapshot.ids[i]!)).toEqual([1, 2, 3]);
    expect(all.facets.theme).toMatchObject({ culture: 1, sport: 1, jeux: 2 });
    expect(all.facets.accessibility).toEqual({ moteur: 2, mental: 0, auditif: 0, visuel: 1 });
    expect(all.facets.org_type).toMatchObject({ association: 2, 'club-sportif': 1 });
    expect(idsMatching(snapshot, { theme: ['culture', 'sport'] })).toEqual([1, 2]);
    expect(idsMatching(snapshot, { accessibility: ['visuel'], orgType: ['association'] })).toEqual([1]);
    const twoFailures = snapshot.evaluate({ accessibility: ['visuel'], orgType: ['club-sportif'] }, null);
    expect([...twoFailures.matches]).toEqual([]);
    // Offer 3 fails both facets: it counts nowhere; offer 1 fails org type only, offer 2 accessibility only.
    expect(twoFailures.facets.org_type).toMatchObject({ association: 1, 'club-sportif': 0 });
    expect(twoFailures.facets.accessibility).toMatchObject({ moteur: 1, visuel: 0 });
    expect(twoFailures.facets.theme).toMatchObject({ culture: 0, sport: 0, jeux: 0 });
  });

  it('counts the highest bit of a facet (the last value of the taxonomy)', () => {
    const lastOrgType = slugs.org_type.at(-1)!;
    const lastTheme = slugs.theme.at(-1)!;
    const snapshot = snapshotOf([{ id: 1, orgType: lastOrgType, themes: [slugs.theme[0]!, lastTheme] }]);
    const { facets } = snapshot.evaluate({}, null);
    expect(facets.org_type[lastOrgType]).toBe(1);
    expect(facets.theme[lastTheme]).toBe(1);
    expect(facets.theme[slugs.theme[0]!]).toBe(1);
    expect(Object.values(facets.theme).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('reads facet selections from their filters, ignoring values outside the taxonomy', () => {
    expect(selectedValues({ orgType: ['mjc'] }, 'org_type')).toEqual(['mjc']);
    expect(selectedValues({ ageBand: ['6-8'] }, 'age_band')).toEqual(['6-8']);
    expect(selectedValues({}, 'theme')).toEqual([]);
    expect(selectedValues({ age: 8 } as OfferFilters, 'age_band')).toEqual([]);
    expect(bitsOf(['a', 'b', 'c'], ['c', null, 'x', 'a'])).toBe(0b101);
    expect(bitsOf(['a', 'b', 'c'], [])).toBe(0);
  });

  it('sets, for a sub-theme past the 31st, a bit of the second word only, none of the first', () => {
    const first = slugs.subtheme[0]!;
    const second = slugs.subtheme[31]!;
    expect(bitsOf(slugs.subtheme, [second], 0)).toBe(0);
    expect(bitsOf(slugs.subtheme, [second, first], 1)).toBe(1);
    expect(wordsOf('subtheme', [second])).toEqual([0, 1]);
  });
});
