import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')]),
  HOST: Type.String({ minLength: 1 }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  BASE_URL: Type.String({ pattern: '^https?://[^/]+' }),
  DATA_DIR: Type.String({ minLength: 1 }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  /** Connections of this instance's PostgreSQL pool (the health check has one more of its own). */
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 200 }),
  MEILI_HOST: Type.Optional(Type.String({ pattern: '^https?://' })),
  MEILI_API_KEY: Type.Optional(Type.String()),
  MEILI_INDEX_PREFIX: Type.String({ pattern: '^[a-zA-Z0-9_-]+$' }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3 }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_PREFIX: Type.String({ pattern: '^[a-zA-Z0-9_:.-]{1,64}$' }),
  /** false, a number of proxy hops, or the addresses/CIDRs of the proxies (Fastify's trustProxy). */
  TRUST_PROXY: Type.Union([Type.Literal(false), Type.Integer({ minimum: 1, maximum: 10 }), Type.Array(Type.String(), { minItems: 1 })]),
  SESSION_SECRET: Type.String({ minLength: 32 }),
  SESSION_IDLE_MINUTES: Type.Integer({ minimum: 5 }),
  SESSION_ABSOLUTE_HOURS: Type.Integer({ minimum: 1 }),
  SEED_DEMO: Type.Boolean(),
  JOBS_ENABLED: Type.Boolean(),
  TILE_URL: Type.String({ pattern: '^https?://' }),
  TILE_ATTRIBUTION: Type.String(),
  REQUEST_EXPIRY_DAYS: Type.Integer({ minimum: 1, maximum: 365 }),
  API_RATE_LIMIT: Type.Integer({ minimum: 0 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
  STORAGE: Type.Union([Type.Literal('disk'), Type.Literal('database'), Type.Literal('s3')]),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://[^/]+' })),
  S3_BUCKET: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' })),
  S3_REGION: Type.String({ minLength: 1 }),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String({ minLength: 1 })),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  S3_PATH_STYLE: Type.Boolean(),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  JOBS_TICK_MS: Type.Integer({ minimum: 100, maximum: 60_000 }),
  SEARCH_THREADS: Type.Integer({ minimum: 0, maximum: 16 }),
  /** Reads (GET, HEAD) answered at once by this instance, the others waiting their turn; 0: no limit. */
  MAX_ACTIVE_REQUESTS: Type.Integer({ minimum: 0, maximum: 10_000 }),
  /** Past this wait for its turn, a read answers 503 with a Retry-After. */
  ADMISSION_WAIT_MS: Type.Integer({ minimum: 10, maximum: 600_000 }),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const defaults = {
  NODE_ENV: 'development',
  HOST: '0.0.0.0',
  PORT: '3000',
  DATA_DIR: './data',
  DATABASE_POOL_MAX: '20',
  MEILI_INDEX_PREFIX: 'passerelle',
  MAIL_FROM: 'Passerelle <ne-pas-repondre@passerelle.local>',
  REDIS_PREFIX: 'passerelle:',
  TRUST_PROXY: '0',
  SESSION_IDLE_MINUTES: '120',
  SESSION_ABSOLUTE_HOURS: '168',
  SEED_DEMO: '1',
  JOBS_ENABLED: '1',
  TILE_URL: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  TILE_ATTRIBUTION: '&copy; les contributeurs d’<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  REQUEST_EXPIRY_DAYS: '21',
  API_RATE_LIMIT: '600',
  LOG_LEVEL: 'info',
  S3_REGION: 'us-east-1',
  S3_PATH_STYLE: '0',
  JOBS_TICK_MS: '5000',
  SEARCH_THREADS: '1',
  // Enough to keep the event loop, the search threads and PostgreSQL busy; few enough that a
  // request is not split among dozens of others (see server/plugins/admission.ts).
  MAX_ACTIVE_REQUESTS: String(4 * availableParallelism()),
  ADMISSION_WAIT_MS: '10000',
} satisfies Env;

const integerKeys = [
  'PORT',
  'DATABASE_POOL_MAX',
  'SESSION_IDLE_MINUTES',
  'SESSION_ABSOLUTE_HOURS',
  'REQUEST_EXPIRY_DAYS',
  'JOBS_TICK_MS',
  'API_RATE_LIMIT',
  'SEARCH_THREADS',
  'MAX_ACTIVE_REQUESTS',
  'ADMISSION_WAIT_MS',
] as const;
const booleanKeys = ['SEED_DEMO', 'JOBS_ENABLED', 'S3_PATH_STYLE'] as const;

const proxyPresets = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrCidr(entry: string): boolean {
  if (proxyPresets.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * Off ("0"), a hop count ("1": the proxy in front of the app), or the proxies' addresses. Never
 * "trust everybody": a client could then choose its own IP with X-Forwarded-For.
 */
function parseTrustProxy(value: string): Config['TRUST_PROXY'] {
  if (value === '0' || value.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isAddressOrCidr(entry));
  if (bad !== undefined) {
    throw new ConfigError(`TRUST_PROXY: expected 0, a number of proxies or a comma list of addresses/CIDRs, got "${bad}"`);
  }
  return entries;
}

/** Reads and validates the configuration; throws a ConfigError naming the first bad setting. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && key in ConfigSchema.properties) raw[key] = value;
  }
  const nodeEnv = String(raw.NODE_ENV);
  raw.BASE_URL ??= `http://localhost:${raw.PORT}`;
  if (raw.SESSION_SECRET === undefined) {
    if (nodeEnv === 'production') throw new ConfigError('SESSION_SECRET: required in production (at least 32 characters)');
    raw.SESSION_SECRET = randomBytes(32).toString('hex');
  }
  for (const key of integerKeys) {
    const value = String(raw[key]);
    if (!/^-?\d+$/.test(value)) throw new ConfigError(`${key}: expected an integer, got "${value}"`);
    raw[key] = Number(value);
  }
  for (const key of booleanKeys) {
    const value = String(raw[key]).toLowerCase();
    if (!['0', '1', 'true', 'false'].includes(value)) throw new ConfigError(`${key}: expected 0 or 1, got "${value}"`);
    raw[key] = value === '1' || value === 'true';
  }
  raw.TRUST_PROXY = parseTrustProxy(String(raw.TRUST_PROXY));
  Object.assign(raw, overrides);
  // Files go where every instance sees them: the bucket when one is named, else the shared database.
  raw.STORAGE ??= raw.S3_BUCKET ? 's3' : raw.DATABASE_URL ? 'database' : 'disk';
  if (!Value.Check(ConfigSchema, raw)) {
    const first = Value.Errors(ConfigSchema, raw).First();
    const key = first?.path.replace(/^\//, '') ?? 'config';
    throw new ConfigError(`${key}: ${first?.message ?? 'invalid'} (got "${String(raw[key] ?? '')}")`);
  }
  if (raw.STORAGE === 's3') {
    for (const key of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!raw[key]) throw new ConfigError(`${key}: required when STORAGE=s3`);
    }
  }
  return raw as Config;
}
