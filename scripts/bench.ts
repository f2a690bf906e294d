// npm run bench [-- --n 100000 --duration 10 --connections 10 --keep --reuse --db passerelle_bench --only REGEXP]
// Generates N offers over France in a dedicated PostgreSQL database (--db, default passerelle_bench,
// on the server of BENCH_DATABASE_URL or DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
// the user must be allowed to create databases), indexes them, starts the app in a child process
// and measures with autocannon: `GET /api/v1/offers/:id` as the reference, the first-time search
// mix of issue 16 (every URL new: a random commune moved by up to ±0.01°, radius 5–50 km, keywords
// with typos and accents, theme, age, page, page size) on the API and on the search page, the same
// mix cycled over 200 URLs (cached), the older six-kind mix, each search scenario, the map at
// zooms 5/9/13 and the offer page. Prints req/s, p50/p95/p97.5/p99, the app's event loop delay
// (p99/max, measured inside the app) per scenario, /healthz p99 while the first-time mix runs and, as a
// control, while the reference runs (probed from a process of its own), and
// the throughput ratio (--trace and --profile DIR: see startApp; --node-flags "…": flags for the app's node,
// e.g. V8's GC flags, which NODE_OPTIONS refuses; --accept-encoding "…": what every request accepts, a browser's
// "gzip, deflate, br, zstd" unless told, so that compression is measured as users cause it; identity for none;
// --load-niceness N: how far below the app the load generator runs, 10 unless told, 0 for the same priority). --keep leaves the database in place; --reuse measures it again without
// generating; --only measures the scenarios whose name matches (the reference always runs).
// Then the signed-in dashboards of each role (scripts/bench/dashboards.ts; --dashboards-only for
// them alone). --load runs the load and fault script instead (scripts/bench/load.ts), --memory the
// memory of one instance after a reindex and 10 minutes of the first-time mix (scripts/bench/memory.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openPostgres, rows } from '../db/client.js';
import { ensureReferenceData } from '../db/reference.js';
import { PostgresSearchEngine } from '../search/postgres/engine.js';
import { reindexOffers } from '../search/reindex.js';
import { prng } from '../server/kernel/prng.js';
import {
  BROWSER_ACCEPT_ENCODING,
  benchHeaders,
  lowerLoadGeneratorPriority,
  percentile,
  postgresCpuMs,
  setAcceptEncoding,
  startHealthProbe,
} from './bench/app.js';
import { runDashboardsBench } from './bench/dashboards.js';
import { withDirectorFilters } from './bench/director-filters.js';
import { firstTimeOnly, issueMix } from './bench/issue-mix.js';
import { runLoadBench } from './bench/load.js';
import { runMemoryBench } from './bench/memory.js';
import { measurePaced } from './bench/paced.js';

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
    db: { type: 'string', default: 'passerelle_bench' },
    only: { type: 'string' },
    'dashboards-only': { type: 'boolean', default: false },
    load: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    profile: { type: 'string' },
    'node-flags': { type: 'string' },
    'accept-encoding': { type: 'string', default: BROWSER_ACCEPT_ENCODING },
    'load-niceness': { type: 'string', default: '10' },
  },
});
const N = Number(args.n);
const DURATION = Number(args.duration);
setAcceptEncoding(args['accept-encoding']!);
const CONNECTIONS = Number(args.connections);
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = process.env.BENCH_DB_NAME ?? args.db;
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error('--db: a lower-case identifier');
const ONLY = args.only ? new RegExp(args.only) : null;

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
  // --trace: what the long event loop blocks are made of (scripts/bench-trace.ts); --profile DIR: a CPU profile of the app.
  const diagnostics = [
    ...(args.trace ? ['--import', './scripts/bench-trace.ts'] : []),
    ...(args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : []),
  ];
  const nodeFlags = args['node-flags']?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', '--import', './scripts/bench-loop-monitor.ts', ...diagnostics, 'server/main.ts'], {
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
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
  p975: number;
  p99: number;
  errors: number;
  /** The app's event loop delay during the scenario (ms). */
  loopP99: number;
  loopMax: number;
  /** The main thread's longest garbage collection pause during the scenario (ms). */
  gcMax: number;
  /** The app's main thread during the scenario: time on a CPU, and time ready to run but waiting for one (ms; Linux). */
  cpuMs: number;
  waitMs: number;
  /** CPU time of the machine's PostgreSQL processes during the scenario (ms; Linux). */
  databaseCpuMs: number;
  /** /healthz requests during the scenario, their time in the app (from the request parsed to the answer written, ms). */
  healthP99: number;
  healthMax: number;
}

let app: ChildProcess | null = null;

/** Asks the app's loop monitor (scripts/bench-loop-monitor.ts) to reset, or for its figures. */
type LoopFigures = Pick<Row, 'loopP99' | 'loopMax' | 'gcMax' | 'cpuMs' | 'waitMs' | 'healthP99' | 'healthMax'>;
async function loopMonitor(command: 'reset' | 'report'): Promise<LoopFigures> {
  const none = {
    loopP99: Number.NaN,
    loopMax: Number.NaN,
    gcMax: Number.NaN,
    cpuMs: Number.NaN,
    waitMs: Number.NaN,
    healthP99: Number.NaN,
    healthMax: Number.NaN,
  };
  const child = app;
  if (!child?.send) return none;
  if (command === 'reset') {
    child.send('reset');
    return none;
  }
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as LoopFigures));
    child.send('report');
  });
}

/**
 * `paths` are cycled through by each connection (all connections walk the same list); a function
 * instead gives every request its own next path, across connections.
 */
async function measure(name: string, base: string, paths: string[] | (() => string), duration = DURATION): Promise<Row> {
  const latencies: number[] = [];
  await loopMonitor('reset');
  const databaseCpuBefore = postgresCpuMs();
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
  const instance = autocannon({ url: base, connections: CONNECTIONS, duration, requests, headers: benchHeaders() });
  let bytes = 0;
  instance.on('response', (_client: unknown, statusCode: number, size: number, responseTime: number) => {
    latencies.push(responseTime);
    bytes += size;
    if (statusCode >= 400) errors++;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const urls = typeof paths === 'function' ? seen.size : new Set(paths).size;
  return scenarioRow(name, { urls, latencies, errors: errors + result.errors + result.timeouts, bytes, duration, databaseCpuBefore });
}

/** `next()`'s paths sent at `rate` requests per second (scripts/bench/paced.ts), on up to CONNECTIONS connections. */
async function measureAtRate(name: string, base: string, next: () => string, rate: number): Promise<Row> {
  await loopMonitor('reset');
  const databaseCpuBefore = postgresCpuMs();
  const { latencies, errors, bytes } = await measurePaced(base, next, { rate, duration: DURATION, connections: CONNECTIONS, headers: benchHeaders() });
  return scenarioRow(name, { urls: latencies.length, latencies, errors, bytes, duration: DURATION, databaseCpuBefore });
}

async function scenarioRow(
  name: string,
  run: { urls: number; latencies: number[]; errors: number; bytes: number; duration: number; databaseCpuBefore: number },
): Promise<Row> {
  const loop = await loopMonitor('report');
  const { latencies } = run;
  const row = {
    name,
    urls: run.urls,
    requests: latencies.length,
    rps: latencies.length / run.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p975: percentile(latencies, 97.5),
    p99: percentile(latencies, 99),
    errors: run.errors,
    databaseCpuMs: postgresCpuMs() - run.databaseCpuBefore,
    ...loop,
  };
  console.log(
    `  ${name}: ${Math.round(row.rps)} req/s, p95 ${row.p95.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms, loop p99/max ${row.loopP99.toFixed(1)}/${row.loopMax.toFixed(1)} ms, longest GC pause ${row.gcMax.toFixed(1)} ms, ${(run.bytes / Math.max(1, latencies.length) / 1024).toFixed(1)} KB per answer`,
  );
  return row;
}

function scenarios(ids: number[], slugOf: Map<number, string>) {
  const r = prng(7);
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
  let turn = 0;
  const firstTime = firstTimeOnly(() => unique[turn++ % unique.length]!());
  const map = {
    'map: zoom 5': make(() => `/api/v1/map?bbox=-5.5,41,10,51.5&zoom=5${r() < 0.5 ? `&theme=${pick(themeList)}` : ''}`),
    'map: zoom 9': make(() => `/api/v1/map?bbox=${around(1)}&zoom=9`),
    'map: zoom 13': make(() => `/api/v1/map?bbox=${around(0.06)}&zoom=13`),
  };
  // A person panning the map: every box new, a city's centre moved by up to ±0.01°.
  const mapFirstTime = firstTimeOnly(() => {
    const [, lat, lng] = city();
    const [y, x] = [lat + (r() - 0.5) * 0.02, lng + (r() - 0.5) * 0.02];
    return `/api/v1/map?bbox=${(x - 0.06).toFixed(4)},${(y - 0.04).toFixed(4)},${(x + 0.06).toFixed(4)},${(y + 0.04).toFixed(4)}&zoom=13`;
  });
  const offerPage = make(() => {
    const id = pick(ids);
    return `/offres/${id}-${slugOf.get(id)}`;
  });
  const byId = make(() => `/api/v1/offers/${pick(ids)}`);
  return { search, mix, firstTime, map, mapFirstTime, offerPage, byId };
}

async function main() {
  const url = withDatabase(serverUrl, DB_NAME);
  if (!args.reuse) await generate(url);
  const benchOptions = { url, n: N, duration: DURATION, connections: CONNECTIONS };
  if (args['dashboards-only'] || args.load || args.memory) {
    await (args.load ? runLoadBench(benchOptions) : args.memory ? runMemoryBench(benchOptions) : runDashboardsBench(benchOptions));
    return dropUnlessKept();
  }
  const database = openPostgres(url, { max: 2 });
  const sample = await rows<{ id: number; slug: string }>(
    database.db,
    sql`select id, slug from offers where status = 'published' order by random() limit 2000`,
  );
  const communes = (await rows<{ lat: number; lng: number }>(database.db, sql`select lat, lng from communes where lat <> 0 order by code_insee`)).map((c) => ({
    lat: Number(c.lat),
    lng: Number(c.lng),
  }));
  await database.close();
  const slugOf = new Map(sample.map((s) => [s.id, s.slug]));
  const { search, mix, firstTime, map, mapFirstTime, offerPage, byId } = scenarios(
    sample.map((s) => s.id),
    slugOf,
  );
  const random = prng(16);
  const issue = issueMix(communes, random);
  const issueApi = firstTimeOnly(() => `/api/v1/offers?${issue()}`);
  const issuePage = firstTimeOnly(() => `/offres?${issue()}`);
  const issueCached = Array.from({ length: 200 }, () => `/api/v1/offers?${issue()}`);
  const directorApi = firstTimeOnly(() => `/api/v1/offers?${withDirectorFilters(issue(), random)}`);
  const directorPage = firstTimeOnly(() => `/offres?${withDirectorFilters(issue(), random)}`);
  const started = await startApp(url);
  app = started.child;
  const { base } = started;
  const restorePriority = lowerLoadGeneratorPriority(Number(args['load-niceness']));
  const results: Row[] = [];
  const wanted = (name: string) => !ONLY || ONLY.test(name);
  const run = async (name: string, paths: string[] | (() => string)) => {
    if (!wanted(name)) return;
    results.push(await measure(name, base, paths));
  };
  let healthOwnProcess: { p99: number; max: number } | null = null;
  let healthDuringReference: { p99: number; max: number } | null = null;
  let healthAtHalfRate: { p99: number; max: number } | null = null;
  try {
    // The first search waits for the snapshot to load: the warm-up starts once the app can search.
    const loading = performance.now();
    await fetch(`${base}/api/v1/offers?q=judo&near=48.85,2.35&radius_km=10`);
    console.log(`First search answered after ${Math.round(performance.now() - loading)} ms.`);
    console.log('Warming up (reference, search, map)…');
    await measure('warm-up', base, [...byId.slice(0, 50), ...offerPage.slice(0, 20), ...mix, ...Object.values(map).flat()], 5);
    console.log('Measuring…');
    // /healthz is probed during the reference too: a control for what the mix adds to it.
    const referenceProbe = await startHealthProbe(base, 50, DURATION);
    results.push(await measure(REFERENCE, base, byId));
    const { latencies: referenceLatencies } = await referenceProbe.result();
    healthDuringReference = { p99: percentile(referenceLatencies, 99), max: referenceLatencies.at(-1) ?? Number.NaN };
    if (wanted(FIRST_TIME)) {
      // From a process of its own, as a load balancer: this one's event loop is busy with the load.
      const probe = await startHealthProbe(base, 50, DURATION);
      results.push(await measure(FIRST_TIME, base, issueApi));
      const { latencies } = await probe.result();
      healthOwnProcess = { p99: percentile(latencies, 99), max: latencies.at(-1) ?? Number.NaN };
      // The same mix at half the rate just measured: at full rate ten requests always wait for the
      // main thread, so its loop delay is their queue; below saturation it is what one request blocks.
      const halfRate = Math.max(1, Math.round(results.at(-1)!.rps / 2));
      const halfProbe = await startHealthProbe(base, 50, DURATION);
      results.push(await measureAtRate(`${FIRST_TIME}, at half that rate`, base, issueApi, halfRate));
      const { latencies: halfLatencies } = await halfProbe.result();
      healthAtHalfRate = { p99: percentile(halfLatencies, 99), max: halfLatencies.at(-1) ?? Number.NaN };
    }
    await run('search API issue mix, cached (200 URLs cycled)', issueCached);
    await run('search page /offres?… issue mix, first-time URLs only', issuePage);
    await run('search API issue mix + director filters, first-time URLs only', directorApi);
    await run('search page /offres?… issue mix + director filters, first-time URLs only', directorPage);
    await run('offer page /offres/:id-:slug', offerPage);
    await run('search API six-kind mix (1,200 URLs cycled)', mix);
    await run('search API six-kind mix, first-time URLs only', firstTime);
    for (const [name, paths] of Object.entries(search)) await run(name, paths);
    for (const [name, paths] of Object.entries(map)) await run(name, paths);
    await run(MAP_FIRST_TIME, mapFirstTime);
    const mapFull = results.find((row) => row.name === MAP_FIRST_TIME);
    // Below saturation, the loop delay is what one map answer blocks rather than the queue of ten.
    if (mapFull) results.push(await measureAtRate(`${MAP_FIRST_TIME}, at half that rate`, base, mapFirstTime, Math.max(1, Math.round(mapFull.rps / 2))));
  } finally {
    started.child.kill('SIGTERM');
    restorePriority();
  }
  const ref = results[0]!;
  const find = (name: string) => results.find((r) => r.name === name);
  const firstTimeMix = find(FIRST_TIME);
  const pageMix = results.find((r) => r.name.startsWith('search page'));
  const mapRows = results.filter((r) => r.name.startsWith('map'));
  console.log(
    `\n${N.toLocaleString('en')} offers, ${CONNECTIONS} connections, ${DURATION} s per scenario, load generator at niceness +${args['load-niceness']} from the app (latencies in ms; loop = how late the app's event loop ran)\n`,
  );
  console.log(
    '| scenario | distinct URLs | requests | req/s | p50 | p95 | p97.5 | p99 | loop p99 | loop max | longest GC pause | main thread waiting for a CPU | PostgreSQL CPU per request | errors |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const ms = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(1));
  // The share of the time the main thread was ready to run that it spent waiting for a CPU.
  const share = (row: Row) => (Number.isNaN(row.waitMs) ? '–' : `${Math.round((100 * row.waitMs) / (row.cpuMs + row.waitMs))} %`);
  for (const row of results) {
    console.log(
      `| ${row.name} | ${row.urls} | ${row.requests} | ${Math.round(row.rps)} | ${ms(row.p50)} | ${ms(row.p95)} | ${ms(row.p975)} | ${ms(row.p99)} | ${ms(row.loopP99)} | ${ms(row.loopMax)} | ${ms(row.gcMax)} | ${share(row)} | ${(row.databaseCpuMs / Math.max(1, row.requests)).toFixed(2)} ms | ${row.errors} |`,
    );
  }
  console.log('');
  if (firstTimeMix) {
    console.log(`first-time API mix / reference throughput: ${(firstTimeMix.rps / ref.rps).toFixed(2)} (target ≥ 0.5)`);
    console.log(`first-time API mix p95: ${ms(firstTimeMix.p95)} ms (target ≤ 30)`);
    console.log(
      `event loop delay during the first-time API mix: p99 ${ms(firstTimeMix.loopP99)} ms, max ${ms(firstTimeMix.loopMax)} ms (target ≤ 20); the main thread's longest GC pause ${ms(firstTimeMix.gcMax)} ms`,
    );
    console.log(
      `the app's main thread during the first-time API mix: ${Math.round(firstTimeMix.cpuMs)} ms on a CPU, ${Math.round(firstTimeMix.waitMs)} ms ready but waiting for one (${share(firstTimeMix)})`,
    );
  }
  // What the probe saw, and how much of it was spent in the app (scripts/bench-loop-monitor.ts).
  const inApp = (row: Row | undefined) => (row ? ` (in the app: p99 ${ms(row.healthP99)} ms, max ${ms(row.healthMax)} ms)` : '');
  if (healthOwnProcess) {
    console.log(
      `/healthz during the first-time API mix, probed from a process of its own: p99 ${ms(healthOwnProcess.p99)} ms, max ${ms(healthOwnProcess.max)} ms${inApp(firstTimeMix)} (target p99 ≤ 20)`,
    );
  }
  const halfRateMix = find(`${FIRST_TIME}, at half that rate`);
  if (halfRateMix && healthAtHalfRate) {
    console.log(
      `at half that rate (${Math.round(halfRateMix.rps)} req/s): event loop delay p99 ${ms(halfRateMix.loopP99)} ms, max ${ms(halfRateMix.loopMax)} ms (longest GC pause ${ms(halfRateMix.gcMax)} ms); /healthz p99 ${ms(healthAtHalfRate.p99)} ms, max ${ms(healthAtHalfRate.max)} ms${inApp(halfRateMix)}; API p95 ${ms(halfRateMix.p95)} ms`,
    );
  }
  if (healthDuringReference) {
    console.log(
      `/healthz during the reference (control), probed from a process of its own: p99 ${ms(healthDuringReference.p99)} ms, max ${ms(healthDuringReference.max)} ms${inApp(ref)}`,
    );
  }
  if (pageMix) console.log(`first-time search page p95: ${ms(pageMix.p95)} ms (target ≤ 60)`);
  const mapHalf = find(`${MAP_FIRST_TIME}, at half that rate`);
  if (mapHalf)
    console.log(
      `map at zoom 13, first-time boxes at half the rate reached (${Math.round(mapHalf.rps)} req/s): event loop delay p99 ${ms(mapHalf.loopP99)} ms, max ${ms(mapHalf.loopMax)} ms; p95 ${ms(mapHalf.p95)} ms`,
    );
  if (mapRows.length) console.log(`map p95 (worst zoom): ${Math.max(...mapRows.map((r) => r.p95)).toFixed(1)} ms (target ≤ 100)`);
  // --only names search scenarios; the dashboards run when it matches "dashboards" (or without it).
  if (wanted('dashboards')) await runDashboardsBench(benchOptions);
  await dropUnlessKept();
}

async function dropUnlessKept() {
  if (args.keep) return;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end();
}

const REFERENCE = 'offer by id /api/v1/offers/:id (reference)';
const FIRST_TIME = 'search API issue mix, first-time URLs only';
const MAP_FIRST_TIME = 'map: zoom 13, first-time boxes';

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
