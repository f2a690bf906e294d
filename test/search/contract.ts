import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { facetDefs } from '../../search/facets.js';
import { gridFor } from '../../search/map-grid.js';
import {
  type CommuneFilter,
  type EpciFilter,
  type FacetName,
  type Facets,
  facetNames,
  type OfferDocument,
  type OfferFilters,
  type OfferSearch,
  type SearchEngine,
} from '../../search/types.js';
import { distanceKm } from '../../server/kernel/distance.js';
import { prng as seededNext } from '../../server/kernel/prng.js';
import { ageBandsFor, slugs, subthemes } from '../../server/kernel/taxonomy.js';
import { openSearchTestDatabase } from '../helpers/search.js';

/** The kernel's seeded generator with the draws the contract's data makes: the same data on every run. */
export function prng(seed: number) {
  const next = seededNext(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const some = <T>(list: readonly T[], max: number, min = 0): T[] => {
    const n = min + Math.floor(next() * (max - min + 1));
    return [...new Set(Array.from({ length: n }, () => pick(list)))];
  };
  return { next, pick, some };
}

let nextId = 1;

export function makeDocument(values: Partial<OfferDocument> & { title: string }): OfferDocument {
  const id = values.id ?? nextId++;
  const ageMin = values.ageMin ?? 6;
  const ageMax = values.ageMax ?? 11;
  const doc: OfferDocument = {
    id,
    organisationId: 1,
    externalId: null,
    slug: `offre-${id}`,
    summary: '',
    description: '',
    themes: ['culture'],
    subthemes: [],
    themeLabels: [],
    subthemeLabels: [],
    formats: ['atelier'],
    venue: 'chez-le-partenaire',
    travelKm: null,
    departmentsServed: [],
    regionsServed: [],
    ageMin,
    ageMax,
    ageBands: ageBandsFor(ageMin, ageMax),
    price: 'gratuit',
    accessibility: [],
    natures: [],
    slots: [],
    startDate: null,
    endDate: null,
    orgName: 'Association des loisirs',
    orgType: 'association',
    orgSlug: 'association',
    lat: 45.76,
    lng: 4.83,
    codeInsee: '69123',
    communeName: 'Lyon',
    department: '69',
    region: '84',
    publishedAt: new Date(Date.UTC(2025, 0, 1) + id * 3_600_000).toISOString(),
    photoPath: null,
    photoAlt: null,
    ...values,
  };
  doc.ageBands = ageBandsFor(doc.ageMin, doc.ageMax);
  doc.subthemeLabels = doc.subthemes.map((s) => subthemes.find((o) => o.value === s)?.label ?? s);
  return doc;
}

// Places used by the generated data: communes with their département and région.
const places = [
  { code: '69123', lat: 45.764, lng: 4.8357, department: '69', region: '84' },
  { code: '69259', lat: 45.6974, lng: 4.8886, department: '69', region: '84' },
  { code: '38185', lat: 45.1885, lng: 5.7245, department: '38', region: '84' },
  { code: '42218', lat: 45.4397, lng: 4.3872, department: '42', region: '84' },
  { code: '01053', lat: 46.2052, lng: 5.2255, department: '01', region: '84' },
  { code: '71270', lat: 46.3069, lng: 4.8287, department: '71', region: '27' },
  { code: '21231', lat: 47.322, lng: 5.0415, department: '21', region: '27' },
  { code: '13055', lat: 43.2965, lng: 5.3698, department: '13', region: '93' },
];
/** Intercommunalités over the places above: the Métropole de Lyon, and made-up ones across départements. */
export const epcis: EpciFilter[] = [
  { code: '200046977', name: 'Métropole de Lyon', communes: ['69123', '69259', '69381'], departments: ['69'] },
  { code: '200000001', name: 'Entre Saône et Ain', communes: ['71270', '01053'], departments: ['71', '01'] },
  { code: '200000002', name: 'Sud-Est', communes: ['38185', '42218', '13055'], departments: ['38', '42', '13'] },
];
const regionOf: Record<string, string> = { '69': '84', '38': '84', '42': '84', '01': '84', '71': '27', '21': '27', '13': '93' };

export function generateDocuments(count: number, seed = 42): OfferDocument[] {
  const r = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const place = r.pick(places);
    const venue = r.pick(slugs.venue);
    const ageMin = 3 + Math.floor(r.next() * 12);
    const themes = r.some(slugs.theme, 2, 1);
    const served = venue === 'dans-l-accueil' ? r.some(Object.keys(regionOf), 2) : [];
    return makeDocument({
      id: 10_000 + i,
      title: `${r.pick(['Atelier', 'Initiation', 'Cycle', 'Découverte'])} ${r.pick(['judo', 'théâtre', 'lecture', 'jardinage', 'robotique', 'danse'])}`,
      themes,
      subthemes: r.some(
        subthemes.filter((s) => themes.includes(s.theme)).map((s) => s.value),
        2,
      ),
      formats: r.some(slugs.format, 3, 1),
      venue,
      travelKm: venue === 'dans-l-accueil' && r.next() < 0.8 ? 5 + Math.floor(r.next() * 60) : null,
      departmentsServed: served,
      regionsServed: [...new Set(served.map((d) => regionOf[d]!))],
      ageMin,
      ageMax: Math.min(17, ageMin + Math.floor(r.next() * 6)),
      price: r.pick(slugs.price),
      accessibility: r.some(slugs.accessibility, 2),
      natures: r.some(slugs.nature, 2),
      slots: r.some(slugs.slot, 2),
      ...datesOf(r),
      orgType: r.pick(slugs.org_type),
      lat: place.lat + (r.next() - 0.5) * 0.6,
      lng: place.lng + (r.next() - 0.5) * 0.8,
      codeInsee: place.code,
      department: place.department,
      region: place.region,
    });
  });
}

/** An availability period in the 2026-2027 school year, often open at one end or both. */
function datesOf(r: ReturnType<typeof prng>): { startDate: string | null; endDate: string | null } {
  const day = (offset: number) => new Date(Date.UTC(2026, 8, 1) + offset * 86_400_000).toISOString().slice(0, 10);
  const start = Math.floor(r.next() * 300);
  return {
    startDate: r.next() < 0.25 ? null : day(start),
    endDate: r.next() < 0.25 ? null : day(start + Math.floor(r.next() * 120)),
  };
}

const overlap = (selected: string[] | undefined, values: string[]) => !selected?.length || selected.some((v) => values.includes(v));

/** The filter semantics of PRODUCT.md, computed the slow and obvious way. */
/** The point `km` east (negative: west) of `from` along its parallel, to the metre. */
export function alongParallel(from: { lat: number; lng: number }, km: number): { lat: number; lng: number } {
  let [low, high] = [0, 10];
  for (let i = 0; i < 60; i++) {
    const middle = (low + high) / 2;
    if (distanceKm(from.lat, from.lng, from.lat, from.lng + middle) < Math.abs(km)) low = middle;
    else high = middle;
  }
  return { lat: from.lat, lng: from.lng + Math.sign(km) * low };
}

export function bruteMatch(doc: OfferDocument, f: OfferFilters, skipFacet?: FacetName): boolean {
  const comes = doc.venue === 'dans-l-accueil';
  const travelReaches = (lat: number, lng: number) => comes && doc.travelKm !== null && distanceKm(lat, lng, doc.lat!, doc.lng!) <= doc.travelKm;
  if (f.age !== undefined && !(doc.ageMin <= f.age && doc.ageMax >= f.age)) return false;
  if (f.ageRange && !(doc.ageMin <= f.ageRange.max && doc.ageMax >= f.ageRange.min)) return false;
  if (f.period?.from && doc.endDate !== null && doc.endDate < f.period.from) return false;
  if (f.period?.to && doc.startDate !== null && doc.startDate > f.period.to) return false;
  if (!overlap(f.nature, doc.natures)) return false;
  if (
    f.comesTo &&
    !(comes && ((f.comesTo.department !== null && doc.departmentsServed.includes(f.comesTo.department)) || travelReaches(f.comesTo.lat, f.comesTo.lng)))
  ) {
    return false;
  }
  if (f.near && !(distanceKm(f.near.lat, f.near.lng, doc.lat!, doc.lng!) <= f.near.radiusKm || travelReaches(f.near.lat, f.near.lng))) return false;
  if (f.bbox && !(doc.lng! >= f.bbox.west && doc.lng! <= f.bbox.east && doc.lat! >= f.bbox.south && doc.lat! <= f.bbox.north)) return false;
  if (
    f.commune?.length &&
    !f.commune.some((c) => doc.codeInsee === c.code || (comes && doc.departmentsServed.includes(c.department)) || travelReaches(c.lat, c.lng))
  ) {
    return false;
  }
  if (f.department?.length && !f.department.some((d) => doc.department === d || (comes && doc.departmentsServed.includes(d)))) return false;
  if (f.region?.length && !f.region.some((g) => doc.region === g || (comes && doc.regionsServed.includes(g)))) return false;
  if (
    f.epci?.length &&
    !f.epci.some((e) => e.communes.includes(doc.codeInsee ?? '') || (comes && e.departments.some((d) => doc.departmentsServed.includes(d))))
  ) {
    return false;
  }
  for (const name of facetNames) {
    if (name === skipFacet) continue;
    if (!overlap(f[facetDefs[name].filter] as string[] | undefined, facetValuesOf(doc)[name])) return false;
  }
  return true;
}

function facetValuesOf(doc: OfferDocument): Record<FacetName, string[]> {
  return {
    theme: doc.themes,
    subtheme: doc.subthemes,
    age_band: doc.ageBands,
    format: doc.formats,
    venue: [doc.venue],
    price: [doc.price],
    accessibility: doc.accessibility,
    org_type: doc.orgType ? [doc.orgType] : [],
    slot: doc.slots,
  };
}

export function bruteFacets(docs: OfferDocument[], f: OfferFilters): Facets {
  const facets = {} as Facets;
  for (const name of facetNames) {
    facets[name] = Object.fromEntries(facetDefs[name].values.map((v) => [v, 0]));
    for (const doc of docs) {
      if (!bruteMatch(doc, f, name)) continue;
      const values = facetValuesOf(doc)[name];
      for (const v of values) facets[name][v] = (facets[name][v] ?? 0) + 1;
    }
  }
  return facets;
}

export function randomFilters(seed: number, count: number): OfferFilters[] {
  const r = prng(seed);
  const communes: CommuneFilter[] = places.map((p) => ({ code: p.code, lat: p.lat, lng: p.lng, department: p.department }));
  return Array.from({ length: count }, () => {
    const f: OfferFilters = {};
    const maybe = (p: number) => r.next() < p;
    if (maybe(0.4)) f.theme = r.some(slugs.theme, 2, 1);
    if (maybe(0.2)) f.subtheme = r.some(slugs.subtheme, 3, 1);
    if (maybe(0.3)) f.age = 3 + Math.floor(r.next() * 15);
    if (maybe(0.3)) f.ageBand = r.some(slugs.age_band, 2, 1);
    if (maybe(0.3)) f.format = r.some(slugs.format, 2, 1);
    if (maybe(0.3)) f.venue = r.some(slugs.venue, 2, 1);
    if (maybe(0.25)) f.price = r.some(slugs.price, 2, 1);
    if (maybe(0.2)) f.accessibility = r.some(slugs.accessibility, 2, 1);
    if (maybe(0.2)) f.orgType = r.some(slugs.org_type, 4, 1);
    if (maybe(0.15)) f.nature = r.some(slugs.nature, 2, 1);
    if (maybe(0.15)) f.slot = r.some(slugs.slot, 1, 1);
    if (maybe(0.2)) {
      const min = 3 + Math.floor(r.next() * 12);
      f.ageRange = { min, max: min + Math.floor(r.next() * 5) };
    }
    if (maybe(0.25)) {
      const { startDate, endDate } = datesOf(r);
      f.period = { ...(startDate ? { from: startDate } : {}), ...(endDate ? { to: endDate } : {}) };
    }
    const place = r.pick(places);
    const geo = r.next();
    if (geo < 0.3) f.near = { lat: place.lat + (r.next() - 0.5) * 0.3, lng: place.lng + (r.next() - 0.5) * 0.3, radiusKm: 2 + Math.floor(r.next() * 40) };
    else if (geo < 0.45) f.bbox = { west: place.lng - 0.3, south: place.lat - 0.2, east: place.lng + 0.25, north: place.lat + 0.3 };
    else if (geo < 0.55) f.commune = [r.pick(communes)];
    else if (geo < 0.65) f.department = r.some(Object.keys(regionOf), 2, 1);
    else if (geo < 0.72) f.region = [r.pick(['84', '27', '93'])];
    else if (geo < 0.8) f.epci = r.some(epcis, 2, 1);
    if (maybe(0.15)) {
      const acm = r.pick(places);
      f.comesTo = { lat: acm.lat + (r.next() - 0.5) * 0.2, lng: acm.lng + (r.next() - 0.5) * 0.2, department: r.next() < 0.7 ? acm.department : null };
    }
    return f;
  });
}

export interface ContractOptions {
  /** Builds the engine under test on a fresh database (with the migrations: synonyms, lexicon…). */
  engine(database: Database): SearchEngine;
  /** Why the suite is skipped, if it is. */
  skip?: string;
}

/** The results contract every engine must meet (run by one file per engine). */
export function searchEngineContract(name: string, options: ContractOptions) {
  const suite = options.skip ? describe.skip : describe;
  suite(`${name} search engine contract`, () => {
    let database: Database;
    let close: () => Promise<void>;
    let engine: SearchEngine;
    const search = (q: Partial<OfferSearch>) => engine.searchOffers({ sort: 'relevance', page: 1, perPage: 100, ...q });
    const titles = async (q: Partial<OfferSearch>) => (await search(q)).items.map((i) => i.document.title);

    beforeAll(async () => {
      ({ database, close } = await openSearchTestDatabase());
      engine = options.engine(database);
    });
    afterAll(async () => {
      await engine?.close();
      await close?.();
    });

    describe('relevance', () => {
      const relevanceDocs = [
        makeDocument({ id: 1, title: 'Atelier théâtre et improvisation', summary: 'Jouer ensemble sur scène' }),
        makeDocument({ id: 2, title: 'Jeux coopératifs', description: 'Une séance qui finit par un petit théâtre d’ombres' }),
        makeDocument({ id: 3, title: 'Initiation au judo', themes: ['sport'], subthemes: ['sports-de-combat'] }),
        makeDocument({ id: 4, title: 'Balade à vélo dans le parc', themes: ['sport'], subthemes: ['pleine-nature'] }),
        makeDocument({ id: 5, title: 'Lectures à la bibliothèque', subthemes: ['lecture-ecriture'] }),
        makeDocument({ id: 6, title: 'École de football des Minimes', themes: ['sport'], subthemes: ['sports-collectifs'] }),
        makeDocument({ id: 7, title: 'Découverte du cinéma d’animation', subthemes: ['cinema-image'] }),
        makeDocument({ id: 8, title: 'Danse hip hop', subthemes: ['danse'] }),
        makeDocument({ id: 9, title: 'Créer sa bande dessinée', subthemes: ['arts-plastiques'] }),
        makeDocument({ id: 10, title: 'Cycle de découverte', description: 'Des sorties à vélo sur les chemins', themes: ['environnement'] }),
        makeDocument({ id: 11, title: 'Sortie en forêt', summary: 'Escalade sur les rochers et orientation' }),
        makeDocument({ id: 12, title: 'Escalade en forêt', summary: 'Grimper en sécurité' }),
      ];

      beforeAll(async () => {
        await engine.index('offer', relevanceDocs);
      });

      it('ignores accents and case: "theatre" and "THÉÂTRE" find the Théâtre workshop', async () => {
        expect(await titles({ q: 'theatre' })).toContain('Atelier théâtre et improvisation');
        expect(await titles({ q: 'THÉÂTRE' })).toContain('Atelier théâtre et improvisation');
      });

      it('ranks a title match above a description match', async () => {
        const found = await titles({ q: 'théâtre' });
        expect(found.indexOf('Atelier théâtre et improvisation')).toBeGreaterThanOrEqual(0);
        expect(found.indexOf('Atelier théâtre et improvisation')).toBeLessThan(found.indexOf('Jeux coopératifs'));
        const velo = await titles({ q: 'vélo' });
        expect(velo[0]).toBe('Balade à vélo dans le parc');
        expect(velo).toContain('Cycle de découverte');
      });

      it('ranks an offer with every word in its title above one with a word only in its summary', async () => {
        expect(await titles({ q: 'escalade forêt' })).toEqual(['Escalade en forêt', 'Sortie en forêt']);
      });

      it('matches plurals and singulars: "vélos" and "velo"', async () => {
        expect(await titles({ q: 'vélos' })).toContain('Balade à vélo dans le parc');
        expect(await titles({ q: 'velo' })).toContain('Balade à vélo dans le parc');
        expect(await titles({ q: 'lecture' })).toContain('Lectures à la bibliothèque');
      });

      it('tolerates typos: "jduo" finds judo, "bibliotheqe" and "biblioteque" find the library', async () => {
        expect(await titles({ q: 'jduo' })).toEqual(['Initiation au judo']);
        expect(await titles({ q: 'bibliotheqe' })).toContain('Lectures à la bibliothèque');
        expect(await titles({ q: 'biblioteque' })).toContain('Lectures à la bibliothèque');
      });

      it('expands synonyms: foot, ciné, médiathèque, BD, hiphop', async () => {
        expect(await titles({ q: 'foot' })).toContain('École de football des Minimes');
        expect(await titles({ q: 'ciné' })).toContain('Découverte du cinéma d’animation');
        expect(await titles({ q: 'médiathèque' })).toContain('Lectures à la bibliothèque');
        expect(await titles({ q: 'BD' })).toContain('Créer sa bande dessinée');
        expect(await titles({ q: 'hiphop' })).toContain('Danse hip hop');
      });

      it('matches the last word as a prefix while typing', async () => {
        expect(await titles({ q: 'théâ' })).toContain('Atelier théâtre et improvisation');
        expect(await titles({ q: 'initiation ju' })).toEqual(['Initiation au judo']);
      });

      it('finds sub-theme labels and returns the same order for the same query', async () => {
        expect(await titles({ q: 'sports de combat' })).toContain('Initiation au judo');
        const first = await titles({ q: 'découverte' });
        expect(first.length).toBeGreaterThan(1);
        expect(await titles({ q: 'découverte' })).toEqual(first);
      });

      it('answers junk queries safely', async () => {
        // Nothing searchable in the query: the same answer as no query at all.
        const all = (await search({ perPage: 50 })).items.map((i) => i.document.id);
        expect(all).toHaveLength(relevanceDocs.length);
        for (const q of ['%_\\', '😀💥 ∞', 'a & | ! <-> :*', '\u0000\u200b']) {
          const result = await search({ q, perPage: 50 });
          expect(result.total, JSON.stringify(q)).toBe(relevanceDocs.length);
          expect(result.items.map((i) => i.document.id).sort(), JSON.stringify(q)).toEqual([...all].sort());
        }
        // Stop words alone match some offers, not all, and the same ones each time.
        const stopWords = await search({ q: 'le la les de', perPage: 50 });
        expect(stopWords.total).toBeLessThan(relevanceDocs.length);
        expect((await search({ q: 'le la les de', perPage: 50 })).items).toEqual(stopWords.items);
        expect((await search({ q: "'; drop table search_offers; --" })).total).toBe(0);
        expect(await engine.count('offer')).toBe(relevanceDocs.length);
      });

      it('suggests titles while typing', async () => {
        expect(await engine.suggest('initia', 5)).toContain('Initiation au judo');
      });

      it('returns the photo of a document (its key and alt text) with the document, and none once it is taken away', async () => {
        await engine.index('offer', [{ ...relevanceDocs[2]!, photoPath: 'offres/3/photo.webp', photoAlt: 'Deux enfants au tapis' }]);
        const withPhoto = (await search({ q: 'judo' })).items.find((hit) => hit.document.id === 3)!.document;
        expect([withPhoto.photoPath, withPhoto.photoAlt]).toEqual(['offres/3/photo.webp', 'Deux enfants au tapis']);
        await engine.index('offer', [relevanceDocs[2]!]);
        const without = (await search({ q: 'judo' })).items.find((hit) => hit.document.id === 3)!.document;
        expect([without.photoPath, without.photoAlt]).toEqual([null, null]);
      });

      it('forgets removed documents and replaces edited ones', async () => {
        await engine.index('offer', [makeDocument({ id: 3, title: 'Initiation au karaté', themes: ['sport'] })]);
        expect(await titles({ q: 'judo' })).toEqual([]);
        expect(await titles({ q: 'karaté' })).toEqual(['Initiation au karaté']);
        await engine.remove('offer', [3, 999_999]);
        expect(await titles({ q: 'karaté' })).toEqual([]);
        await engine.remove(
          'offer',
          relevanceDocs.map((d) => d.id),
        );
        expect(await engine.count('offer')).toBe(0);
      });
    });

    describe('exact filters and facets on generated data', () => {
      const docs = generateDocuments(300);
      const byId = new Map(docs.map((d) => [d.id, d]));

      beforeAll(async () => {
        async function* batches() {
          yield docs.slice(0, 150);
          yield docs.slice(150);
        }
        expect(await engine.rebuild('offer', batches())).toEqual({ count: 300 });
      });

      it('rebuilds to exactly the documents given', async () => {
        expect(await engine.count('offer')).toBe(300);
      });

      it('returns, for every filter combination, the brute-force results and facet counts', async () => {
        const combos: OfferFilters[] = [
          {},
          { theme: ['sport', 'culture'] },
          { theme: ['sport'], ageBand: ['6-8'], venue: ['dans-l-accueil'] },
          { near: { lat: 45.76, lng: 4.84, radiusKm: 10 } },
          { near: { lat: 45.3, lng: 5.3, radiusKm: 5 }, venue: ['dans-l-accueil'] },
          // The filters directors use, one by one and together.
          { slot: ['mercredi-matin'] },
          { subtheme: ['danse', 'sports-de-combat'] },
          { theme: ['sport'], subtheme: ['sports-de-combat'] },
          { ageRange: { min: 8, max: 11 } },
          { period: { from: '2026-12-01', to: '2027-01-31' } },
          { period: { from: '2027-05-01' } },
          { comesTo: { lat: 45.76, lng: 4.84, department: '69' } },
          { comesTo: { lat: 45.76, lng: 4.84, department: null }, price: ['gratuit'] },
          { price: ['gratuit'], accessibility: ['moteur', 'auditif'] },
          { epci: [epcis[0]!] },
          { epci: [epcis[1]!, epcis[2]!], theme: ['sport'] },
          { epci: [epcis[0]!], comesTo: { lat: 45.76, lng: 4.84, department: '69' } },
          { slot: ['mercredi-apres-midi'], ageRange: { min: 8, max: 11 }, period: { from: '2026-10-01', to: '2026-12-31' }, price: ['payant'] },
          ...randomFilters(7, 60),
        ];
        for (const filters of combos) {
          const expected = docs.filter((d) => bruteMatch(d, filters)).map((d) => d.id);
          const found: number[] = [];
          let page = 1;
          let result = await search({ ...filters, sort: 'recent', page, perPage: 100 });
          const label = JSON.stringify(filters);
          expect(result.total, label).toBe(expected.length);
          expect(result.facets, label).toEqual(bruteFacets(docs, filters));
          for (;;) {
            found.push(...result.items.map((i) => i.document.id));
            if (result.items.length < 100) break;
            result = await search({ ...filters, sort: 'recent', page: ++page, perPage: 100 });
          }
          expect(found.sort(), label).toEqual(expected.sort());
          if (filters.near) {
            for (const item of result.items) {
              const doc = byId.get(item.document.id)!;
              expect(item.distanceKm!, label).toBeCloseTo(distanceKm(filters.near.lat, filters.near.lng, doc.lat!, doc.lng!), 3);
            }
          }
        }
      });

      it('counts without items when asked for 0 per page: the same total and facets as a page of results', async () => {
        const combos: OfferFilters[] = [
          {},
          { theme: ['sport'], ageBand: ['6-8'] },
          { near: { lat: 45.76, lng: 4.84, radiusKm: 10 } },
          ...randomFilters(11, 10),
        ];
        for (const filters of combos) {
          const label = JSON.stringify(filters);
          const counted = await search({ ...filters, perPage: 0 });
          expect(counted.items, label).toEqual([]);
          expect(counted.total, label).toBe(docs.filter((d) => bruteMatch(d, filters)).length);
          expect(counted.facets, label).toEqual(bruteFacets(docs, filters));
          for (const sort of ['distance', 'recent'] as const) expect((await search({ ...filters, sort, perPage: 0 })).total, label).toBe(counted.total);
        }
      });

      it('stays exact after documents are edited, added and removed one write at a time', async () => {
        const changed = generateDocuments(40, 99).map((d, i) => ({ ...d, id: docs[i * 5]!.id }));
        const added = generateDocuments(10, 123).map((d, i) => ({ ...d, id: 20_000 + i }));
        const removed = docs.slice(250, 260).map((d) => d.id);
        await engine.index('offer', changed.slice(0, 20));
        await engine.index('offer', [...changed.slice(20), ...added]);
        await engine.remove('offer', removed);
        const current = new Map(docs.map((d) => [d.id, d]));
        for (const d of [...changed, ...added]) current.set(d.id, d);
        for (const id of removed) current.delete(id);
        const now = [...current.values()];
        for (const filters of [{}, ...randomFilters(11, 15)]) {
          const result = await search({ ...filters, sort: 'recent', perPage: 100 });
          const expected = now.filter((d) => bruteMatch(d, filters));
          expect(result.total, JSON.stringify(filters)).toBe(expected.length);
          expect(result.facets, JSON.stringify(filters)).toEqual(bruteFacets(now, filters));
        }
        const recent = (await search({ sort: 'recent', perPage: 100 })).items.map((i) => i.document.id);
        const expectedOrder = [...now]
          .sort((a, b) => b.publishedAt!.localeCompare(a.publishedAt!) || b.id - a.id)
          .slice(0, 100)
          .map((d) => d.id);
        expect(recent).toEqual(expectedOrder);
        // Back to the generated set for the next tests.
        await engine.remove(
          'offer',
          added.map((d) => d.id),
        );
        await engine.index('offer', [...changed.map((c) => byId.get(c.id)!), ...docs.filter((d) => removed.includes(d.id))]);
        expect(await engine.count('offer')).toBe(300);
      });

      it('matches an offer that comes to the point even when its base is farther than the radius', async () => {
        const comes = docs.find((d) => d.venue === 'dans-l-accueil' && (d.travelKm ?? 0) > 30)!;
        const point = { lat: comes.lat! + 0.2, lng: comes.lng! };
        const away = distanceKm(point.lat, point.lng, comes.lat!, comes.lng!);
        expect(away).toBeGreaterThan(20);
        const ids = (await search({ near: { ...point, radiusKm: 1 }, perPage: 100 })).items.map((i) => i.document.id);
        expect(ids).toContain(comes.id);
        const idsNear = async (near: { lat: number; lng: number }, radiusKm: number) =>
          (await search({ near: { ...near, radiusKm }, perPage: 100 })).items.map((i) => i.document.id);
        const base = { lat: comes.lat!, lng: comes.lng! };
        const travel = comes.travelKm!;
        // Due east and west, where a longitude band too narrow (degrees of longitude are short) would drop it.
        expect(await idsNear(alongParallel(base, 0.95 * travel), 1)).toContain(comes.id);
        expect(await idsNear(alongParallel(base, -0.95 * travel), 1)).toContain(comes.id);
        // Beyond its travel radius, it does not come, even if the search radius would cover the difference.
        expect(await idsNear(alongParallel(base, travel + 5), 10)).not.toContain(comes.id);
        expect(await idsNear({ lat: base.lat + (travel + 5) / 111.2, lng: base.lng }, 10)).not.toContain(comes.id);
      });

      it('finds an offer due east near the edge of the search radius, not beyond', async () => {
        const based = docs.find((d) => d.venue !== 'dans-l-accueil' && d.lat !== null)!;
        const base = { lat: based.lat!, lng: based.lng! };
        const ids = async (point: { lat: number; lng: number }) =>
          (await search({ near: { ...point, radiusKm: 30 }, perPage: 100 })).items.map((i) => i.document.id);
        expect(await ids(alongParallel(base, 28))).toContain(based.id);
        expect(await ids(alongParallel(base, -28))).toContain(based.id);
        expect(await ids(alongParallel(base, 32))).not.toContain(based.id);
      });

      it('sorts by distance and by date', async () => {
        const near = { lat: 45.76, lng: 4.84, radiusKm: 30 };
        const byDistance = (await search({ near, sort: 'distance', perPage: 50 })).items.map((i) => i.distanceKm!);
        expect(byDistance.length).toBeGreaterThan(5);
        expect([...byDistance].sort((a, b) => a - b)).toEqual(byDistance);
        const recent = (await search({ sort: 'recent', perPage: 20 })).items.map((i) => i.document.publishedAt!);
        expect([...recent].sort().reverse()).toEqual(recent);
      });

      it('paginates without overlap', async () => {
        const one = await search({ theme: ['sport'], sort: 'recent', perPage: 10, page: 1 });
        const two = await search({ theme: ['sport'], sort: 'recent', perPage: 10, page: 2 });
        expect(one.items).toHaveLength(10);
        expect(new Set([...one.items, ...two.items].map((i) => i.document.id)).size).toBe(20);
      });

      it('clusters the map under 500 features that add up to the matching offers', async () => {
        const view = { west: 3, south: 42.5, east: 7, north: 48 };
        for (const zoom of [5, 9, 13]) {
          const map = await engine.mapOffers({ bbox: view, zoom, theme: ['sport'] });
          expect(map.features.length).toBeLessThanOrEqual(500);
          const sum = map.features.reduce((s, f) => s + f.properties.count, 0);
          // The view is widened to whole grid cells, so that clusters do not change while panning.
          const bbox = gridFor(view, zoom).bbox;
          expect(sum).toBe(docs.filter((d) => bruteMatch(d, { bbox, theme: ['sport'] })).length);
        }
        const close = await engine.mapOffers({ bbox: { west: 4.8, south: 45.7, east: 4.9, north: 45.8 }, zoom: 14 });
        expect(close.clustered).toBe(false);
        expect(close.features.every((f) => !f.properties.cluster && f.properties.path.startsWith('/offres/'))).toBe(true);
      });
    });
  });
}
