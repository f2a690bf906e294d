import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { savedSearches } from '../../db/schema/index.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { accessibility, ageBands, formats, labelOf, orgTypes, prices, slots, subthemes, themes, venues } from '../kernel/taxonomy.js';
import { separator } from '../kernel/text.js';
import { NotFoundError } from '../lib/errors.js';
import { FormReader } from '../lib/validation.js';

export type SavedSearch = typeof savedSearches.$inferSelect;
type SearchKind = SavedSearch['kind'];
type Frequency = SavedSearch['frequency'];

export const NAME_MAX = 80;
const QUERY_MAX = 2000;
const MAX_SAVED_SEARCHES = 50;

export const frequencies: { value: Frequency; label: string }[] = [
  { value: 'daily', label: 'Chaque jour' },
  { value: 'weekly', label: 'Chaque semaine' },
  { value: 'none', label: 'Pas d’alerte' },
];

export const kinds: Record<SearchKind, { label: string; path: string; newOne: string; newMany: string }> = {
  offer: { label: 'Offres', path: '/offres', newOne: 'nouvelle offre', newMany: 'nouvelles offres' },
  need: { label: 'Besoins des accueils', path: '/besoins', newOne: 'nouveau besoin', newMany: 'nouveaux besoins' },
};

const savedSearchMessages = {
  duplicateName: 'Vous avez déjà une recherche enregistrée sous ce nom.',
  tooMany: `Vous avez atteint ${MAX_SAVED_SEARCHES} recherches enregistrées : supprimez-en une d’abord.`,
  queryTooLong: 'Cette recherche est trop longue pour être enregistrée.',
  needsForPartners: 'Seules les structures partenaires peuvent enregistrer une recherche de besoins.',
};

/** Parameters a saved search keeps (what the search pages read), per kind. */
const keptParameters: Record<SearchKind, string[]> = {
  offer: [
    'q',
    'theme',
    'subtheme',
    'age',
    'age_min',
    'age_max',
    'age_band',
    'available_from',
    'available_to',
    'vient',
    'comes_to',
    'format',
    'venue',
    'price',
    'accessibility',
    'org_type',
    'nature',
    'slot',
    'lieu',
    'accueil',
    'near',
    'radius_km',
    'bbox',
    'commune',
    'department',
    'epci',
    'region',
    'sort',
  ],
  need: [
    'q',
    'theme',
    'subtheme',
    'age',
    'age_band',
    'venue',
    'accessibility',
    'slot',
    'lieu',
    'structure',
    'near',
    'radius_km',
    'bbox',
    'commune',
    'department',
    'region',
    'sort',
  ],
};

/** "?theme=sport&page=2&q=" → "q=…&theme=sport": known parameters only, no page, sorted, so that equal searches are equal. */
export function normalizeQuery(kind: SearchKind, raw: string): string {
  const queryPart = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : raw;
  const params = new URLSearchParams(queryPart);
  const kept: [string, string][] = [];
  for (const key of keptParameters[kind]) {
    for (const value of params.getAll(key)) {
      const trimmed = value.trim();
      if (trimmed) kept.push([key, trimmed]);
    }
  }
  kept.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  return new URLSearchParams(kept).toString();
}

/** A short French summary of a saved query ("Sport · 6 ans · à 10 km"). */
export function describeQuery(query: string): string {
  const params = new URLSearchParams(query);
  const parts: string[] = [];
  const q = params.get('q');
  if (q) parts.push(`« ${q} »`);
  const labelled: [string, readonly { value: string; label: string }[]][] = [
    ['theme', themes],
    ['subtheme', subthemes],
    ['age_band', ageBands],
    ['format', formats],
    ['venue', venues],
    ['price', prices],
    ['accessibility', accessibility],
    ['org_type', orgTypes],
    ['slot', slots],
  ];
  for (const [key, options] of labelled) {
    const values = params.getAll(key).map((v) => labelOf(options, v));
    if (values.length) parts.push(values.join(' ou '));
  }
  const age = params.get('age');
  if (age) parts.push(`${age} ans`);
  const radius = params.get('radius_km') ?? '20';
  const lieu = params.get('lieu');
  if (lieu) parts.push(`autour de ${lieu} (${radius} km)`);
  else if (params.get('accueil')) parts.push(`autour de votre accueil (${radius} km)`);
  else if (params.get('structure')) parts.push(`autour de votre structure (${radius} km)`);
  else if (params.get('near')) parts.push(`dans un rayon de ${radius} km`);
  const places = [
    ...params.getAll('commune').map((c) => `commune ${c}`),
    ...params.getAll('department').map((d) => `département ${d}`),
    ...params.getAll('epci').map((e) => `intercommunalité ${e}`),
  ];
  if (places.length) parts.push(places.join(', '));
  if (params.get('bbox')) parts.push('zone de la carte');
  return parts.join(separator) || 'Toutes';
}

export function searchUrl(search: Pick<SavedSearch, 'kind' | 'query'>): string {
  return search.query ? `${kinds[search.kind].path}?${search.query}` : kinds[search.kind].path;
}

export async function listSavedSearches(deps: Deps, userId: number): Promise<SavedSearch[]> {
  return deps.db.select().from(savedSearches).where(eq(savedSearches.userId, userId)).orderBy(asc(savedSearches.createdAt), asc(savedSearches.id));
}

export async function findOwnedSearch(deps: Deps, user: CurrentUser, id: number): Promise<SavedSearch> {
  const [row] = await deps.db
    .select()
    .from(savedSearches)
    .where(and(eq(savedSearches.id, id), eq(savedSearches.userId, user.id)))
    .limit(1);
  if (!row) throw new NotFoundError();
  return row;
}

async function nameTaken(deps: Deps, userId: number, name: string, exceptId?: number): Promise<boolean> {
  const [row] = await deps.db
    .select({ id: savedSearches.id })
    .from(savedSearches)
    .where(
      and(eq(savedSearches.userId, userId), sql`lower(${savedSearches.name}) = lower(${name})`, exceptId ? sql`${savedSearches.id} <> ${exceptId}` : undefined),
    )
    .limit(1);
  return Boolean(row);
}

function readNameAndFrequency(form: FormReader) {
  const name = form.text('name', { required: true, max: NAME_MAX });
  const frequency = form.oneOf(
    'frequency',
    frequencies.map((f) => f.value),
    { required: true },
  );
  return { name, frequency: frequency ?? 'weekly' };
}

/** Saves the search a user is looking at (from the "Enregistrer cette recherche" form). */
export async function saveSearch(deps: Deps, user: CurrentUser, body: Record<string, unknown>): Promise<SavedSearch> {
  const form = new FormReader(body);
  const kind = form.oneOf('kind', ['offer', 'need'] as const, { required: true });
  if (!kind) throw new NotFoundError();
  if (kind === 'need' && !user.isAdmin && !user.memberships.some((m) => m.kind === 'partner')) throw new NotFoundError(savedSearchMessages.needsForPartners);
  const raw = form.raw('query');
  const query = normalizeQuery(kind, raw);
  if (query.length > QUERY_MAX) form.fail('name', savedSearchMessages.queryTooLong);
  const { name, frequency } = readNameAndFrequency(form);
  if (name && !form.errors.name && (await nameTaken(deps, user.id, name))) form.fail('name', savedSearchMessages.duplicateName);
  const [{ value } = { value: 0 }] = await deps.db.select({ value: count() }).from(savedSearches).where(eq(savedSearches.userId, user.id));
  if (value >= MAX_SAVED_SEARCHES) form.fail('name', savedSearchMessages.tooMany);
  form.assertValid();
  const now = deps.clock.now();
  const [row] = await deps.db
    .insert(savedSearches)
    .values({
      userId: user.id,
      kind,
      name,
      query,
      frequency,
      unsubscribeToken: randomBytes(24).toString('base64url'),
      lastCheckedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return row!;
}

export async function updateSavedSearch(deps: Deps, user: CurrentUser, id: number, body: Record<string, unknown>): Promise<SavedSearch> {
  const search = await findOwnedSearch(deps, user, id);
  const form = new FormReader(body);
  const { name, frequency } = readNameAndFrequency(form);
  if (name && !form.errors.name && (await nameTaken(deps, user.id, name, id))) form.fail('name', savedSearchMessages.duplicateName);
  form.assertValid();
  const now = deps.clock.now();
  // Turning an alert on (again) starts from now: it does not send what was published meanwhile.
  const restart = search.frequency === 'none' && frequency !== 'none';
  const [row] = await deps.db
    .update(savedSearches)
    .set({ name, frequency, updatedAt: now, ...(restart ? { lastCheckedAt: now } : {}) })
    .where(eq(savedSearches.id, id))
    .returning();
  return row!;
}

export async function deleteSavedSearch(deps: Deps, user: CurrentUser, id: number): Promise<void> {
  await findOwnedSearch(deps, user, id);
  await deps.db.delete(savedSearches).where(eq(savedSearches.id, id));
}

export async function findByUnsubscribeToken(deps: Deps, token: string): Promise<SavedSearch | null> {
  const [row] = await deps.db.select().from(savedSearches).where(eq(savedSearches.unsubscribeToken, token)).limit(1);
  return row ?? null;
}

/** One-click unsubscribe: turns the alert off (the saved search itself stays). */
export async function unsubscribeAlert(deps: Deps, token: string): Promise<SavedSearch | null> {
  const found = await findByUnsubscribeToken(deps, token);
  if (!found) return null;
  if (found.frequency !== 'none') {
    await deps.db.update(savedSearches).set({ frequency: 'none', updatedAt: deps.clock.now() }).where(eq(savedSearches.id, found.id));
  }
  return { ...found, frequency: 'none' };
}

/** A saved query string as the search forms receive it (one string, or a list for repeated keys). */
export function formParams(query: string): Record<string, string | string[]> {
  const params = new URLSearchParams(query);
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length > 1 ? values : values[0]!;
  }
  return out;
}
