// node --expose-gc --import tsx scripts/bench-snapshot.ts [--n 1000000]
// The in-memory snapshot alone, on N generated offers (no database): its memory per offer, the
// time to build it and its spatial grids, and evaluations of the issue 16 mix (a point near a
// city, radius 5–50 km, 50 % a theme, 40 % an age) with the grid and with the full scan.
import { parseArgs } from 'node:util';
import { wordsOf } from '../search/facets.js';
import { OfferSnapshot, type SnapshotRow } from '../search/snapshot.js';
import { facetNames, type OfferFilters } from '../search/types.js';
import { prng } from '../server/kernel/prng.js';
import { ageBandsFor, slugs } from '../server/kernel/taxonomy.js';

const { values: args } = parseArgs({ options: { n: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' } } });
const N = Number(args.n);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const r = prng(42);
const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
// Weighted towards the big cities, like the bench's communes.
const cities: [number, number][] = [
  [48.8566, 2.3522],
  [45.764, 4.8357],
  [43.2965, 5.3698],
  [43.6047, 1.4442],
  [47.2184, -1.5536],
  [50.6292, 3.0573],
  [44.8378, -0.5792],
  [48.5734, 7.7521],
  [48.1173, -1.6778],
  [45.1885, 5.7245],
];
const words = ['judo', 'theatr', 'music', 'dans', 'velo', 'football', 'lectur', 'cirqu', 'jardinag', 'robot', 'cuisin', 'anglais'];

function row(id: number): SnapshotRow {
  const near = r() < 0.7;
  const [lat, lng] = near ? cities[Math.floor(r() ** 2 * cities.length)]! : [42.5 + r() * 8.5, -4.5 + r() * 12.5];
  const spread = near ? 0.5 * r() ** 2 : 0;
  const venue = pick(slugs.venue);
  const ageMin = 3 + Math.floor(r() * 12);
  const ageMax = Math.min(17, ageMin + Math.floor(r() * 7));
  const values = {
    theme: [pick(slugs.theme)],
    subtheme: [pick(slugs.subtheme)],
    age_band: ageBandsFor(ageMin, ageMax),
    format: [pick(slugs.format), pick(slugs.format)],
    venue: [venue],
    price: [pick(slugs.price)],
    accessibility: r() < 0.3 ? [pick(slugs.accessibility)] : [],
    org_type: [pick(slugs.org_type)],
    slot: [pick(slugs.slot)],
  };
  return {
    id,
    bits: facetNames.flatMap((name) => wordsOf(name, values[name])),
    natures: ['intervention'],
    age_min: ageMin,
    age_max: ageMax,
    start_day: null,
    end_day: null,
    lat: lat + (r() - 0.5) * spread,
    lng: lng + (r() - 0.5) * spread * 1.4,
    travel_km: venue === 'dans-l-accueil' ? 10 + Math.floor(r() * 50) : null,
    venue,
    code_insee: String(10000 + Math.floor(r() * 80000)),
    departments: [String(1 + Math.floor(r() * 95)).padStart(2, '0')],
    regions: [String(11 + Math.floor(r() * 84))],
    departments_served: [],
    organisation_id: 1 + Math.floor(r() * (N / 8)),
    published: 1_700_000_000 - id,
    lex_a: `ateli ${pick(words)} ${pick(words)}`,
    lex_b: `${pick(words)} sport`,
    lex_c: `activ ${pick(words)} ludiqu encadr enfant mercred`,
  };
}

gc();
const before = process.memoryUsage();
let started = performance.now();
let snapshot = OfferSnapshot.fromRows(
  1,
  Array.from({ length: N }, (_, i) => row(N - i)),
);
const buildMs = performance.now() - started;
gc();
const after = process.memoryUsage();
started = performance.now();
const grid = snapshot.geo();
const gridMs = performance.now() - started;
const bytes = after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers;
console.log(
  `${N.toLocaleString('en')} offers: snapshot ${Math.round(bytes / 1e6)} MB (${Math.round(bytes / N)} bytes per offer, ${Math.round(((bytes / N) * 100_000) / 1e6)} MB per 100,000), built in ${Math.round(buildMs)} ms`,
);
console.log(`spatial grids: ${(grid.bytes / 1e6).toFixed(1)} MB (${Math.round(grid.bytes / N)} bytes per offer), built in ${Math.round(gridMs)} ms`);

const queries: OfferFilters[] = Array.from({ length: Number(args.queries) }, () => {
  const [lat, lng] = pick(cities);
  const filters: OfferFilters = { near: { lat: lat + (r() - 0.5) * 0.3, lng: lng + (r() - 0.5) * 0.4, radiusKm: pick([5, 10, 20, 30, 50]) } };
  if (r() < 0.5) filters.theme = [pick(slugs.theme)];
  if (r() < 0.4) filters.age = 3 + Math.floor(r() * 15);
  return filters;
});
// Each mode twice, alternating: the first passes warm the code up, the second ones are printed.
for (const [pass, prune] of [
  [1, true],
  [1, false],
  [2, true],
  [2, false],
] as const) {
  const times: number[] = [];
  let matched = 0;
  for (const filters of queries) {
    const t = performance.now();
    matched += snapshot.evaluate(filters, null, { prune }).matches.length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  if (pass === 1) continue;
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!.toFixed(2);
  console.log(
    `evaluate, ${prune ? 'grid' : 'full scan'}: p50 ${at(50)} ms, p95 ${at(95)} ms, p99 ${at(99)} ms, max ${at(100)} ms (${Math.round(matched / queries.length)} matches on average)`,
  );
}
snapshot = null as unknown as OfferSnapshot;
