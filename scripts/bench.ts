// npm run bench [-- --n 100000 --duration 10 --connections 10 --keep --reuse]
// Generates N offers over France in a dedicated PostgreSQL database (passerelle_bench, on the
// server of BENCH_DATABASE_URL or DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
// the user must be allowed to create databases), indexes them, starts the app in a child process
// and measures with autocannon: the search API mix, the same mix with only URLs never requested
// before (no response cache hit), each search scenario, the map at zooms 5/9/13, and the offer
// page by id as the reference. Prints p50/p95/p99 and req/s and the ratio. --keep leaves the
// database in place; --reuse measures it again without generating.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openPostgres, rows } from '../db/client.js';
import { ensureReferenceData } from '../db/reference.js';
import { PostgresSearchEngine } from '../search/postgres.js';
import { reindexOffers } from '../search/reindex.js';

interface AutocannonInstance extends PromiseLike<{ errors: number; timeouts: number }> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
}
// autocannon ships no types.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: object) => AutocannonInstance;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
  },
});
const N = Number(args.n);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'passerelle_bench';

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

// Activities: word in titles, theme, sub-theme.
const activities: [string, string, string][] = [
  ['judo', 'sport', 'sports-de-combat'],
  ['karaté', 'sport', 'sports-de-combat'],
  ['football', 'sport', 'sports-collectifs'],
  ['basket', 'sport', 'sports-collectifs'],
  ['handball', 'sport', 'sports-collectifs'],
  ['tennis', 'sport', 'sports-de-raquette'],
  ['badminton', 'sport', 'sports-de-raquette'],
  ['escalade', 'sport', 'pleine-nature'],
  ['vélo', 'sport', 'pleine-nature'],
  ['natation', 'sport', 'activites-aquatiques'],
  ['gymnastique', 'sport', 'gymnastique-expression'],
  ['athlétisme', 'sport', 'athletisme'],
  ['théâtre', 'culture', 'theatre-marionnettes'],
  ['marionnettes', 'culture', 'theatre-marionnettes'],
  ['lecture', 'culture', 'lecture-ecriture'],
  ['contes', 'culture', 'lecture-ecriture'],
  ['chant', 'culture', 'musique-chant'],
  ['percussions', 'culture', 'musique-chant'],
  ['danse', 'culture', 'danse'],
  ['hip hop', 'culture', 'danse'],
  ['cinéma', 'culture', 'cinema-image'],
  ['photographie', 'culture', 'arts-plastiques'],
  ['peinture', 'culture', 'arts-plastiques'],
  ['cirque', 'culture', 'cirque-arts-de-la-rue'],
  ['patrimoine', 'culture', 'patrimoine'],
  ['jardinage', 'environnement', 'jardinage'],
  ['potager', 'environnement', 'jardinage'],
  ['biodiversité', 'environnement', 'biodiversite'],
  ['ferme', 'environnement', 'ferme-pedagogique'],
  ['recyclage', 'environnement', 'developpement-durable'],
  ['robotique', 'sciences', 'code-robotique'],
  ['programmation', 'sciences', 'code-robotique'],
  ['expériences', 'sciences', 'experiences'],
  ['astronomie', 'sciences', 'experiences'],
  ['citoyenneté', 'citoyennete', 'participation'],
  ['solidarité', 'citoyennete', 'solidarite'],
  ['cuisine', 'sante', 'alimentation'],
  ['secourisme', 'sante', 'premiers-secours'],
  ['anglais', 'langues', 'langues-etrangeres'],
  ['jeux de société', 'jeux', 'jeux-societe'],
];
const openings = ['Atelier', 'Initiation au', 'Découverte du', 'Cycle', 'Stage', 'Séance', 'Club', 'Parcours'];
const qualifiers = ['pour les petits', 'en plein air', 'au club', 'à la médiathèque', 'au parc', 'du mercredi', 'pour tous', 'en famille'];
const formats = [
  'atelier',
  'cycle',
  'seance-decouverte',
  'visite',
  'spectacle',
  'projection',
  'rencontre',
  'evenement',
  'pret-materiel',
  'formation-animateurs',
];
const orgTypes = [
  'association',
  'club-sportif',
  'education-populaire',
  'mjc',
  'centre-social',
  'bibliotheque',
  'musee-patrimoine',
  'conservatoire',
  'cinema',
  'theatre-spectacle',
  'collectivite',
  'site-nature',
  'intervenant',
];
const cities: [string, number, number][] = [
  ['Paris', 48.8566, 2.3522],
  ['Lyon', 45.764, 4.8357],
  ['Marseille', 43.2965, 5.3698],
  ['Toulouse', 43.6047, 1.4442],
  ['Nantes', 47.2184, -1.5536],
  ['Lille', 50.6292, 3.0573],
  ['Bordeaux', 44.8378, -0.5792],
  ['Strasbourg', 48.5734, 7.7521],
  ['Rennes', 48.1173, -1.6778],
  ['Grenoble', 45.1885, 5.7245],
  ['Dijon', 47.322, 5.0415],
  ['Clermont-Ferrand', 45.7772, 3.087],
];

async function generate(url: string) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const database = openPostgres(url, { max: 4 });
  await database.migrate();
  await ensureReferenceData(database.db);
  const db = database.db;
  const started = performance.now();
  await rows(db, sql`select setseed(0.42)`);
  // Communes weighted towards the big ones: index = count × random()^3 over communes by population.
  await rows(
    db,
    sql`create temporary table bench_communes as select row_number() over (order by population desc) as i, code_insee, lat, lng from communes where lat <> 0 and population >= 500`,
  );
  const orgCount = Math.max(10, Math.round(N / 8));
  await rows(
    db,
    sql`insert into organisations (kind, name, slug, type, code_insee, lat, lng, themes, status, description)
        select 'partner', 'Structure ' || g, 'structure-' || g, (${sql.param(orgTypes)}::text[])[1 + floor(random() * ${orgTypes.length})::int],
          c.code_insee, c.lat + (random() - 0.5) * 0.04, c.lng + (random() - 0.5) * 0.06, '{}', 'verified', 'Structure partenaire générée pour le banc d’essai.'
        from generate_series(1, ${orgCount}) g
        cross join lateral (select floor(power(random(), 3) * (select count(*) from bench_communes))::int + 1 + g * 0 as pick) p
        join bench_communes c on c.i = p.pick`,
  );
  const [{ first } = { first: 1 }] = await rows<{ first: number }>(db, sql`select min(id)::int as first from organisations where kind = 'partner'`);
  const words = activities.map((a) => a[0]);
  const themes = activities.map((a) => a[1]);
  const subthemes = activities.map((a) => a[2]);
  await rows(
    db,
    sql`insert into offers (organisation_id, slug, title, summary, description, themes, subthemes, formats, venue, travel_km, departments_served,
          code_insee, lat, lng, age_min, age_max, slots, price, accessibility, natures, status, published_at)
        select o.id, 'offre-' || g, (${sql.param(openings)}::text[])[1 + (g % ${openings.length})] || ' ' || w.word || ' ' || (${sql.param(qualifiers)}::text[])[1 + ((g / 7) % ${qualifiers.length})],
          'Une activité de ' || w.word || ' ludique et encadrée pour les enfants accueillis le mercredi.',
          repeat('Les enfants découvrent la pratique avec des animateurs diplômés, du matériel adapté et une progression pensée pour leur âge. ', 3) || 'Thème : ' || w.word || '.',
          array[w.theme], array[w.sub], array[(${sql.param(formats)}::text[])[1 + (g % 10)], (${sql.param(formats)}::text[])[1 + ((g / 10) % 10)]],
          v.venue, case when v.venue = 'dans-l-accueil' then 10 + (g % 50) end, '{}',
          o.code_insee, o.lat, o.lng, a.age_min, least(17, a.age_min + (g % 7)),
          array[(array['mercredi-matin','mercredi-apres-midi','mercredi-journee'])[1 + (g % 3)]],
          (array['gratuit','payant','sur-devis'])[1 + ((g / 3) % 3)],
          case when g % 5 = 0 then array['moteur'] when g % 7 = 0 then array['auditif','visuel'] else '{}' end,
          array['intervention'], case when g % 20 = 0 then 'paused' else 'published' end, now() - (g % 400) * interval '1 day' - g * interval '1 second'
        from generate_series(1, ${N}) g
        cross join lateral (select ${first} + floor(random() * ${orgCount})::int + g * 0 as org) po
        join organisations o on o.id = po.org
        cross join lateral (select (${sql.param(words)}::text[])[k] as word, (${sql.param(themes)}::text[])[k] as theme, (${sql.param(subthemes)}::text[])[k] as sub
                            from (select 1 + floor(random() * ${words.length})::int + g * 0 as k) kk) w
        cross join lateral (select (array['chez-le-partenaire','dans-l-accueil','autre-lieu'])[1 + floor(random() * 3)::int + g * 0] as venue) v
        cross join lateral (select 3 + floor(random() * 12)::int + g * 0 as age_min) a`,
  );
  await rows(db, sql`analyze`);
  const [{ n } = { n: 0 }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from offers where status = 'published'`);
  console.log(`Generated ${orgCount} organisations and ${N} offers (${n} published) in ${Math.round((performance.now() - started) / 1000)} s.`);
  const indexStart = performance.now();
  const engine = new PostgresSearchEngine(db);
  const { count } = await reindexOffers(db, engine, (done) => process.stdout.write(`\rIndexing… ${done}`));
  console.log(`\nIndexed ${count} documents in ${Math.round((performance.now() - indexStart) / 1000)} s.`);
  await database.close();
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function startApp(url: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-session-secret-bench-session-secret',
      SEED_DEMO: '0',
      JOBS_ENABLED: '0',
      API_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      BASE_URL: `http://127.0.0.1:${port}`,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base };
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error('the app did not start');
}

interface Row {
  name: string;
  urls: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * `paths` are cycled through by each connection (all connections walk the same list); a function
 * instead gives every request its own next path, across connections.
 */
async function measure(name: string, base: string, paths: string[] | (() => string), duration = DURATION): Promise<Row> {
  const latencies: number[] = [];
  const seen = new Set<string>();
  let errors = 0;
  const requests =
    typeof paths === 'function'
      ? [
          {
            method: 'GET',
            setupRequest: (request: { path: string }) => {
              request.path = paths();
              seen.add(request.path);
              return request;
            },
          },
        ]
      : paths.map((path) => ({ method: 'GET', path }));
  const instance = autocannon({ url: base, connections: CONNECTIONS, duration, requests });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode >= 400) errors++;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const row = {
    name,
    urls: typeof paths === 'function' ? seen.size : new Set(paths).size,
    requests: latencies.length,
    rps: latencies.length / duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors + result.errors + result.timeouts,
  };
  console.log(`  ${name}: ${Math.round(row.rps)} req/s, p95 ${row.p95.toFixed(1)} ms`);
  return row;
}

function scenarios(ids: number[], slugOf: Map<number, string>) {
  const r = (() => {
    let a = 7;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  })();
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  const words = [
    'judo',
    'theatre',
    'velo',
    'lecture',
    'foot',
    'jardinage',
    'robotique',
    'danse',
    'cinema',
    'cirque',
    'escalade',
    'contes',
    'cuisine',
    'anglais',
    'jduo',
    'bibliotheque',
    'atelier judo',
    'initiation escalade',
    'hip hop',
    'peinture',
    'photo',
    'natation',
    'athle',
    'astronomie',
    'marionnettes',
  ];
  const themeList = ['sport', 'culture', 'environnement', 'sciences', 'jeux'];
  const bands = ['3-5', '6-8', '9-11', '12-14', '15-17'];
  const variants = 200;
  const make = (f: () => string) => Array.from({ length: variants }, f);
  const city = () => pick(cities);
  const around = (deg: number) => {
    const [, lat, lng] = city();
    return `${(lng - deg).toFixed(4)},${(lat - deg / 1.5).toFixed(4)},${(lng + deg).toFixed(4)},${(lat + deg / 1.5).toFixed(4)}`;
  };
  const search = {
    'search: text only': make(() => `/api/v1/offers?q=${encodeURIComponent(pick(words))}`),
    'search: text + filters': make(() => `/api/v1/offers?q=${encodeURIComponent(pick(words))}&theme=${pick(themeList)}&age_band=${pick(bands)}`),
    'search: filters + radius': make(() => {
      const [, lat, lng] = city();
      return `/api/v1/offers?theme=${pick(themeList)}&near=${lat},${lng}&radius_km=${pick([5, 10, 20, 30])}&sort=distance`;
    }),
    'search: bbox': make(() => `/api/v1/offers?bbox=${around(0.3)}`),
    'search: facets only': make(() => `/api/v1/offers?theme=${pick(themeList)}&format=${pick(formats)}&price=${pick(['gratuit', 'payant'])}`),
    'search: empty query': make(() => `/api/v1/offers?page=${1 + Math.floor(r() * 5)}`),
  };
  const mix = Array.from({ length: variants * 6 }, (_, i) => Object.values(search)[i % 6]![Math.floor(i / 6)]!);
  // The same six kinds, each URL made unique (page size, page, jittered places): no response cache hit.
  const perPage = () => `&per_page=${10 + Math.floor(r() * 41)}&page=${1 + Math.floor(r() * 3)}`;
  const jitter = () => (r() - 0.5) * 0.2;
  const unique: (() => string)[] = [
    () => `/api/v1/offers?q=${encodeURIComponent(pick(words))}${perPage()}`,
    () => `/api/v1/offers?q=${encodeURIComponent(pick(words))}&theme=${pick(themeList)}&age_band=${pick(bands)}${perPage()}`,
    () => {
      const [, lat, lng] = city();
      return `/api/v1/offers?theme=${pick(themeList)}&near=${(lat + jitter()).toFixed(5)},${(lng + jitter()).toFixed(5)}&radius_km=${pick([5, 10, 20, 30])}&sort=distance`;
    },
    () => {
      const [, lat, lng] = city();
      const d = 0.2 + r() * 0.2;
      return `/api/v1/offers?bbox=${(lng - d + jitter()).toFixed(5)},${(lat - d / 1.5).toFixed(5)},${(lng + d).toFixed(5)},${(lat + d / 1.5 + jitter()).toFixed(5)}`;
    },
    () => `/api/v1/offers?theme=${pick(themeList)}&format=${pick(formats)}&price=${pick(['gratuit', 'payant'])}${perPage()}`,
    () => `/api/v1/offers?page=${1 + Math.floor(r() * 50)}&per_page=${10 + Math.floor(r() * 41)}`,
  ];
  const issued = new Set<string>();
  let turn = 0;
  const firstTime = () => {
    for (;;) {
      const path = unique[turn++ % unique.length]!();
      if (!issued.has(path)) {
        issued.add(path);
        return path;
      }
    }
  };
  const map = {
    'map: zoom 5': make(() => `/api/v1/map?bbox=-5.5,41,10,51.5&zoom=5${r() < 0.5 ? `&theme=${pick(themeList)}` : ''}`),
    'map: zoom 9': make(() => `/api/v1/map?bbox=${around(1)}&zoom=9`),
    'map: zoom 13': make(() => `/api/v1/map?bbox=${around(0.06)}&zoom=13`),
  };
  const offerPage = make(() => {
    const id = pick(ids);
    return `/offres/${id}-${slugOf.get(id)}`;
  });
  return { search, mix, firstTime, map, offerPage };
}

async function main() {
  const url = withDatabase(serverUrl, DB_NAME);
  if (!args.reuse) await generate(url);
  const database = openPostgres(url, { max: 2 });
  const sample = await rows<{ id: number; slug: string }>(
    database.db,
    sql`select id, slug from offers where status = 'published' order by random() limit 2000`,
  );
  await database.close();
  const slugOf = new Map(sample.map((s) => [s.id, s.slug]));
  const { search, mix, firstTime, map, offerPage } = scenarios(
    sample.map((s) => s.id),
    slugOf,
  );
  const { child, base } = await startApp(url);
  const results: Row[] = [];
  try {
    const probe = await fetch(`${base}${offerPage[0]}`);
    const reference = probe.ok ? offerPage : sample.slice(0, 200).map((s) => `/api/v1/offers/${s.id}`);
    const referenceName = probe.ok ? 'offer page /offres/:id-:slug (reference)' : 'offer by id /api/v1/offers/:id (reference)';
    console.log(`Warming up (${referenceName}, search, map)…`);
    await measure('warm-up', base, [...reference.slice(0, 50), ...mix, ...Object.values(map).flat()], 5);
    console.log('Measuring…');
    results.push(await measure(referenceName, base, reference));
    results.push(await measure('search API mix', base, mix));
    results.push(await measure('search API mix, first-time URLs only', base, firstTime));
    for (const [name, paths] of Object.entries(search)) results.push(await measure(name, base, paths));
    for (const [name, paths] of Object.entries(map)) results.push(await measure(name, base, paths));
  } finally {
    child.kill('SIGTERM');
  }
  const ref = results[0]!;
  const searchMix = results[1]!;
  const firstTimeMix = results[2]!;
  const mapRows = results.filter((r) => r.name.startsWith('map'));
  console.log(`\n${N.toLocaleString('en')} offers, ${CONNECTIONS} connections, ${DURATION} s per scenario (latencies in ms)\n`);
  console.log('| scenario | distinct URLs | requests | req/s | p50 | p95 | p99 | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of results) {
    console.log(
      `| ${row.name} | ${row.urls} | ${row.requests} | ${Math.round(row.rps)} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.errors} |`,
    );
  }
  const ratio = searchMix.rps / ref.rps;
  console.log(`\nsearch mix / reference throughput: ${ratio.toFixed(2)} (target ≥ 0.25)`);
  console.log(`search mix p95: ${searchMix.p95.toFixed(1)} ms (target ≤ 30)`);
  console.log(`search mix, first-time URLs only, p95: ${firstTimeMix.p95.toFixed(1)} ms`);
  console.log(`map p95 (worst zoom): ${Math.max(...mapRows.map((r) => r.p95)).toFixed(1)} ms (target ≤ 100)`);
  if (!args.keep) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
