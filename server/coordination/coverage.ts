import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { distanceKm } from '../kernel/distance.js';
import { ageBands, ageBandsFor, themes } from '../kernel/taxonomy.js';
import { ParameterError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { COVERAGE_RADIUS_KM } from '../observatory/coverage.js';
import { type AcmCommune, acmCommunes, longestTravel } from '../observatory/statistics.repository.js';
import type { Scope } from './coordination.repository.js';
import type { Territory } from './coordination.usecases.js';
import { type CoverageOfferRow, coverageOffers, firstAcmPerCommune, pruneCoverage, readCoverage, staleCoverage, storeCoverage } from './coverage.repository.js';

/** The radius of the precomputed figures (the public statistics' one); a coordinator may choose another within the bounds. */
const DEFAULT_RADIUS_KM = COVERAGE_RADIUS_KM;
export const MIN_RADIUS_KM = 1;
export const MAX_RADIUS_KM = 50;
const RADIUS_MESSAGE = `Indiquez un rayon en kilomètres, nombre entier de ${MIN_RADIUS_KM} à ${MAX_RADIUS_KM}.`;
/** The job recomputes the default radius's figures this often. */
export const COVERAGE_REFRESH_MS = 10 * 60_000;
/** A view recomputes stored default figures only past this age (jobs off); another radius's past COVERAGE_REFRESH_MS. */
const MAX_AGE_MS = 60 * 60_000;
/** Coverages of another radius are forgotten after a day. */
const OTHER_RADIUS_KEEP_MS = 24 * 60 * 60_000;
const COMMUNES_PER_PAGE = 20;

const themeSlugs = themes.map((t) => t.value as string);
const bandSlugs = ageBands.map((b) => b.value as string);

interface CommuneCoverage {
  code: string;
  name: string;
  lat: number;
  lng: number;
  acms: number;
  /** Offers that serve the commune, every theme and age. */
  total: number;
  /** Per theme (taxonomy order), every age. */
  byTheme: number[];
  /** Per age band (taxonomy order), every theme. */
  byBand: number[];
  /** Per theme × age band, theme-major: cells[t * bands + b]. */
  cells: number[];
}

interface CoverageFigures {
  radiusKm: number;
  /** The taxonomy the arrays follow: stored figures of another taxonomy are recomputed. */
  themes: string[];
  bands: string[];
  communes: CommuneCoverage[];
}

/** Offers sorted by latitude, each with the cells it adds to, for the band scans of coverageMatrix. */
function sortedOffers(offers: CoverageOfferRow[]) {
  const B = bandSlugs.length;
  // Few distinct age ranges and theme lists: each is turned into indexes once.
  const bandsOf = new Map<number, number[]>();
  const themesOf = new Map<string, number[]>();
  const prepared = offers
    .map((o) => {
      const ageKey = o.ageMin * 100 + o.ageMax;
      let b = bandsOf.get(ageKey);
      if (!b) {
        b = ageBandsFor(o.ageMin, o.ageMax).map((x) => bandSlugs.indexOf(x));
        bandsOf.set(ageKey, b);
      }
      const themeKey = o.themes.join();
      let t = themesOf.get(themeKey);
      if (!t) {
        t = o.themes.map((x) => themeSlugs.indexOf(x)).filter((i) => i >= 0);
        themesOf.set(themeKey, t);
      }
      const bands = b;
      return { offer: o, themes: t, bands, cells: t.flatMap((ti) => bands.map((bi) => ti * B + bi)) };
    })
    .sort((a, b) => a.offer.lat - b.offer.lat);
  return { prepared, lats: prepared.map((p) => p.offer.lat) };
}

/** Index of the first latitude at or above `min` (binary search). */
function firstAtOrAbove(lats: number[], min: number): number {
  let lo = 0;
  let hi = lats.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lats[mid]! < min) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For each place, the offers that serve it (the search's rule, servesPoint: base within the
 * radius, or the place inside the travel radius of an offer that comes to the ACM), per theme ×
 * age band (an offer counts in every band its age range overlaps). Two scans of offers sorted by
 * latitude keep it fast: every offer within the radius's band, then the offers whose travel
 * radius reaches farther than the radius within theirs; a longitude test skips most before the
 * exact distance.
 */
export function coverageMatrix(places: AcmCommune[], offers: CoverageOfferRow[], radiusKm: number): CommuneCoverage[] {
  const near = sortedOffers(offers);
  const travelling = sortedOffers(offers.filter((o) => o.travelKm !== null && o.travelKm > radiusKm));
  const longest = Math.max(0, ...offers.map((o) => o.travelKm ?? 0));
  const T = themeSlugs.length;
  const B = bandSlugs.length;
  return places.map((place) => {
    const byTheme = new Array<number>(T).fill(0);
    const byBand = new Array<number>(B).fill(0);
    const cells = new Array<number>(T * B).fill(0);
    let total = 0;
    const scan = (set: ReturnType<typeof sortedOffers>, reachKm: number, serves: (offer: CoverageOfferRow, d: number) => boolean) => {
      const dLat = (reachKm + 1) / 110;
      const cos = Math.max(0.05, Math.cos((Math.min(89, Math.abs(place.lat) + dLat) * Math.PI) / 180));
      const dLng = (reachKm + 1) / (110 * cos);
      for (let i = firstAtOrAbove(set.lats, place.lat - dLat); i < set.prepared.length && set.lats[i]! <= place.lat + dLat; i++) {
        const p = set.prepared[i]!;
        if (Math.abs(p.offer.lng - place.lng) > dLng) continue;
        if (!serves(p.offer, distanceKm(place.lat, place.lng, p.offer.lat, p.offer.lng))) continue;
        total++;
        for (const t of p.themes) byTheme[t]!++;
        for (const b of p.bands) byBand[b]!++;
        for (const c of p.cells) cells[c]!++;
      }
    };
    scan(near, radiusKm, (_, d) => d <= radiusKm);
    if (travelling.prepared.length) scan(travelling, longest, (o, d) => d > radiusKm && d <= o.travelKm!);
    return { code: place.code, name: place.name, lat: place.lat, lng: place.lng, acms: place.acms, total, byTheme, byBand, cells };
  });
}

/** Computes the coverage of a scope for a radius from the database (what the job and a first view run). */
async function computeCoverage(deps: Pick<Deps, 'db'>, scope: Scope, radiusKm: number): Promise<CoverageFigures> {
  const places = await acmCommunes(deps.db, { level: scope.kind, code: scope.code });
  let offers: CoverageOfferRow[] = [];
  if (places.length > 0) {
    // Only offers that can reach one of these communes: the communes' box widened by the farthest reach.
    const reachKm = Math.max(radiusKm, await longestTravel(deps.db)) + 1;
    const lats = places.map((p) => p.lat);
    const maxAbsLat = Math.max(...lats.map(Math.abs));
    const dLat = reachKm / 111;
    const dLng = reachKm / (111 * Math.max(0.1, Math.cos((Math.min(89, maxAbsLat + dLat) * Math.PI) / 180)));
    offers = await coverageOffers(deps.db, {
      south: Math.min(...lats) - dLat,
      north: Math.max(...lats) + dLat,
      west: Math.min(...places.map((p) => p.lng)) - dLng,
      east: Math.max(...places.map((p) => p.lng)) + dLng,
    });
  }
  return { radiusKm, themes: themeSlugs, bands: bandSlugs, communes: coverageMatrix(places, offers, radiusKm) };
}

/** Computations in progress (per database), so that simultaneous views of one scope and radius compute it once. */
type Computation = Promise<{ figures: CoverageFigures; computedAt: Date }>;
const inFlightByDb = new WeakMap<object, Map<string, Computation>>();

async function refreshCoverage(deps: Pick<Deps, 'db' | 'clock'>, scope: Scope, radiusKm: number) {
  const key = `${scope.kind}:${scope.code}:${radiusKm}`;
  const inFlight = inFlightByDb.get(deps.db) ?? new Map<string, Computation>();
  inFlightByDb.set(deps.db, inFlight);
  const running = inFlight.get(key);
  if (running) return running;
  const work = (async () => {
    // Stamped with the start: a write during the computation leaves the row stale (see figures-dirty.repository.ts).
    const computedAt = deps.clock.now();
    const figures = await computeCoverage(deps, scope, radiusKm);
    await storeCoverage(deps.db, scope, radiusKm, figures, computedAt);
    return { figures, computedAt };
  })();
  inFlight.set(key, work);
  try {
    return await work;
  } finally {
    inFlight.delete(key);
  }
}

/**
 * The stored coverage of a scope and radius. The job keeps the default radius fresh, so a view
 * reads it; a view computes only a scope nobody asked for yet, a radius chosen by a coordinator
 * (then kept for the next views) or figures too old (jobs off).
 */
export async function territoryCoverage(deps: Pick<Deps, 'db' | 'clock'>, scope: Scope, radiusKm: number) {
  const stored = await readCoverage(deps.db, scope, radiusKm);
  const maxAge = radiusKm === DEFAULT_RADIUS_KM ? MAX_AGE_MS : COVERAGE_REFRESH_MS;
  if (stored) {
    const figures = stored.figures as CoverageFigures;
    const sameTaxonomy = figures.themes?.join() === themeSlugs.join() && figures.bands?.join() === bandSlugs.join();
    if (sameTaxonomy && deps.clock.now().getTime() - stored.computedAt.getTime() < maxAge) return { figures, computedAt: stored.computedAt };
  }
  return refreshCoverage(deps, scope, radiusKm);
}

/** The job: recomputes the default radius's coverages stored more than COVERAGE_REFRESH_MS ago (a bounded batch), forgets old one-off radii. */
export async function refreshStaleCoverage(deps: Pick<Deps, 'db' | 'clock'>, limit = 20): Promise<number> {
  const now = deps.clock.now().getTime();
  const stale = await staleCoverage(deps.db, DEFAULT_RADIUS_KM, new Date(now - COVERAGE_REFRESH_MS + 1000), limit);
  for (const scope of stale) await refreshCoverage(deps, scope, DEFAULT_RADIUS_KM);
  await pruneCoverage(deps.db, DEFAULT_RADIUS_KM, new Date(now - OTHER_RADIUS_KEEP_MS));
  return stale.length;
}

// ——— What the coordinator chose ———

interface CoverageSelection {
  radiusKm: number;
  /** The radius as typed, shown again with its error. */
  radiusText: string;
  radiusError: string | null;
  /** A theme slug, or '' for every theme. */
  theme: string;
  /** An age band slug, or '' for every age. */
  age: string;
}

/**
 * Reads the form: a radius outside the bounds gives a French message beside the field (and the
 * default radius meanwhile); an unknown theme or age band, which no form sends, a 400 naming it.
 */
export function readSelection(query: { rayon?: string; theme?: string; age?: string }): CoverageSelection {
  const text = (query.rayon ?? '').trim();
  let radiusKm = DEFAULT_RADIUS_KM;
  let radiusError: string | null = null;
  if (text !== '') {
    const value = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isInteger(value) && value >= MIN_RADIUS_KM && value <= MAX_RADIUS_KM) radiusKm = value;
    else radiusError = RADIUS_MESSAGE;
  }
  const theme = query.theme ?? '';
  if (theme && !themeSlugs.includes(theme)) throw new ParameterError('theme', 'thème inconnu');
  const age = query.age ?? '';
  if (age && !bandSlugs.includes(age)) throw new ParameterError('age', 'tranche d’âge inconnue');
  return { radiusKm, radiusText: text === '' ? String(DEFAULT_RADIUS_KM) : text, radiusError, theme, age };
}

/** The count of a commune for a theme and an age band ('' for all). */
function countFor(c: CommuneCoverage, theme: string, age: string): number {
  const t = theme ? themeSlugs.indexOf(theme) : -1;
  const b = age ? bandSlugs.indexOf(age) : -1;
  if (t >= 0 && b >= 0) return c.cells[t * bandSlugs.length + b]!;
  if (t >= 0) return c.byTheme[t]!;
  if (b >= 0) return c.byBand[b]!;
  return c.total;
}

// ——— The table (page and CSV share it) ———

interface CoverageRow {
  /** Theme slug, or '' for the row of every theme. */
  theme: string;
  label: string;
  /** One value per age band, then every age. */
  values: number[];
}

interface CoverageGroup {
  commune: CommuneCoverage;
  rows: CoverageRow[];
}

export const ageColumns = [...ageBands.map((b) => ({ value: b.value as string, label: b.label })), { value: '', label: 'Tous âges' }];

/** Communes with the fewest offers for the selection first (the gaps), then by name; one row per theme (or the chosen one) and one for every theme. */
export function coverageGroups(figures: CoverageFigures, selection: Pick<CoverageSelection, 'theme' | 'age'>): CoverageGroup[] {
  const chosen = selection.theme ? themes.filter((t) => t.value === selection.theme) : themes;
  return [...figures.communes]
    .sort((a, b) => countFor(a, selection.theme, selection.age) - countFor(b, selection.theme, selection.age) || a.name.localeCompare(b.name, 'fr'))
    .map((commune) => ({
      commune,
      rows: [
        ...chosen.map((t) => ({ theme: t.value as string, label: t.label, values: ageColumns.map((a) => countFor(commune, t.value, a.value)) })),
        ...(selection.theme ? [] : [{ theme: '', label: 'Tous les thèmes', values: ageColumns.map((a) => countFor(commune, '', a.value)) }]),
      ],
    }));
}

/** The CSV: the page's table, every commune (not one page), cell for cell. */
export function coverageCsv(groups: CoverageGroup[], radiusKm: number) {
  const columns = [
    { key: 'commune', header: 'Commune' },
    { key: 'code', header: 'Code INSEE' },
    { key: 'acms', header: 'Accueils (ACM)' },
    { key: 'theme', header: 'Thème' },
    ...ageColumns.map((a, i) => ({ key: `a${i}`, header: a.label })),
    { key: 'radius', header: 'Rayon (km)' },
  ];
  const records = groups.flatMap((g) =>
    g.rows.map((r) => ({
      commune: g.commune.name,
      code: g.commune.code,
      acms: g.commune.acms,
      theme: r.label,
      ...Object.fromEntries(r.values.map((v, i) => [`a${i}`, v])),
      radius: radiusKm,
    })),
  );
  return { columns, records };
}

// ——— The map ———

export const legendClasses = [
  { key: 'gap', min: 0, max: 0, label: 'Zone blanche : aucune offre' },
  { key: 'low', min: 1, max: 2, label: '1 ou 2 offres' },
  { key: 'mid', min: 3, max: 9, label: 'De 3 à 9 offres' },
  { key: 'high', min: 10, max: Number.POSITIVE_INFINITY, label: '10 offres ou plus' },
];

function classOf(count: number) {
  return legendClasses.find((c) => count >= c.min && count <= c.max)!;
}

/** Geometry of the map: each commune at its centre (equirectangular, north up), coloured by its count for the selection. */
function coverageMap(figures: CoverageFigures, selection: Pick<CoverageSelection, 'theme' | 'age'>) {
  const width = 400;
  const pad = 20;
  const communes = figures.communes;
  if (communes.length === 0) return null;
  const midLat = (Math.min(...communes.map((c) => c.lat)) + Math.max(...communes.map((c) => c.lat))) / 2;
  const cos = Math.cos((midLat * Math.PI) / 180);
  const xs = communes.map((c) => c.lng * cos);
  const ys = communes.map((c) => -c.lat);
  const spanX = Math.max(0.05, Math.max(...xs) - Math.min(...xs));
  const spanY = Math.max(0.05, Math.max(...ys) - Math.min(...ys));
  const height = Math.round(Math.min(520, Math.max(220, (width * spanY) / spanX)));
  const scale = Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY);
  const offsetX = (width - scale * spanX) / 2 - scale * Math.min(...xs);
  const offsetY = (height - scale * spanY) / 2 - scale * Math.min(...ys);
  const points = communes
    .map((c, i) => {
      const count = countFor(c, selection.theme, selection.age);
      const x = Math.round((offsetX + scale * xs[i]!) * 10) / 10;
      const y = Math.round((offsetY + scale * ys[i]!) * 10) / 10;
      return { code: c.code, name: c.name, count, cls: classOf(count).key, x, y, label: null as null | { x: number; anchor: string; text: string } };
    })
    // Gaps drawn last: never hidden under a neighbour.
    .sort((a, b) => b.count - a.count);
  // Labels, gaps first, on the right of their point or else on its left, skipped where they would overlap another (the table names every commune).
  const placed: { x1: number; x2: number; y1: number; y2: number }[] = points.map((p) => ({ x1: p.x - 8, x2: p.x + 8, y1: p.y - 8, y2: p.y + 8 }));
  const overlaps = (box: (typeof placed)[number]) => placed.some((p) => box.x1 < p.x2 && box.x2 > p.x1 && box.y1 < p.y2 && box.y2 > p.y1);
  for (const p of [...points].reverse()) {
    const text = `${p.name} (${p.count})`;
    const w = text.length * 6.2;
    for (const side of ['right', 'left'] as const) {
      const x1 = side === 'right' ? p.x + 10 : p.x - 10 - w;
      const box = { x1, x2: x1 + w, y1: p.y - 9, y2: p.y + 7 };
      if (box.x1 < 0 || box.x2 > width || overlaps(box)) continue;
      placed.push(box);
      p.label = { x: side === 'right' ? p.x + 10 : p.x - 10, anchor: side === 'right' ? 'start' : 'end', text };
      break;
    }
  }
  const legend = legendClasses.map((l) => ({ ...l, communes: points.filter((p) => p.cls === l.key).length }));
  return { width, height, points, legend };
}

// ——— The page ———

/** Whether this person may prescribe for the ACMs of the territory (the prescription's own rule: a coordinator of it). */
function canPrescribeIn(user: CurrentUser, territory: Territory): boolean {
  return user.coordinatorScopes.some((s) => s.scope === territory.kind && s.code === territory.code);
}

function prescribeHref(acmId: number, theme: string, age: string): string {
  const query = new URLSearchParams({ accueil: String(acmId) });
  if (theme) query.set('theme', theme);
  if (age) query.set('age', age);
  return `/partenariats/prescrire?${query.toString()}`;
}

function selectionLabel(selection: Pick<CoverageSelection, 'theme' | 'age'>): string {
  const theme = selection.theme ? themes.find((t) => t.value === selection.theme)!.label : 'tous thèmes';
  const age = selection.age ? ageBands.find((b) => b.value === selection.age)!.label : 'tous âges';
  return `${theme}, ${age}`;
}

export async function loadCoveragePage(deps: Pick<Deps, 'db' | 'clock'>, user: CurrentUser, territory: Territory, selection: CoverageSelection, page: number) {
  const [{ figures, computedAt }, firstAcms] = await Promise.all([
    territoryCoverage(deps, territory, selection.radiusKm),
    firstAcmPerCommune(deps.db, territory),
  ]);
  const groups = coverageGroups(figures, selection);
  const pages = Math.max(1, Math.ceil(groups.length / COMMUNES_PER_PAGE));
  const current = Math.min(page, pages);
  const canPrescribe = canPrescribeIn(user, territory);
  const gapCells = figures.communes.reduce((n, c) => n + c.cells.filter((v) => v === 0).length, 0);
  const selectedGaps = figures.communes.filter((c) => countFor(c, selection.theme, selection.age) === 0).length;
  return {
    figures,
    computedAt,
    map: coverageMap(figures, selection),
    selectionLabel: selectionLabel(selection),
    summary: {
      communes: figures.communes.length,
      acms: figures.communes.reduce((n, c) => n + c.acms, 0),
      gapCells,
      cells: figures.communes.length * themeSlugs.length * bandSlugs.length,
      selectedGaps,
      text: formatters.plural(selectedGaps, 'commune', 'communes'),
    },
    groups: groups.slice((current - 1) * COMMUNES_PER_PAGE, current * COMMUNES_PER_PAGE).map((g) => {
      const acm = firstAcms.get(g.commune.code) ?? null;
      return {
        ...g,
        acm,
        rows: g.rows.map((r) => ({
          ...r,
          links: r.values.map((v, i) => (v === 0 && acm && canPrescribe ? prescribeHref(acm.id, r.theme, ageColumns[i]!.value) : null)),
        })),
      };
    }),
    page: current,
    pages,
    canPrescribe,
  };
}
