import { inArray } from 'drizzle-orm';
import { partnerships } from '../../db/schema/index.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { scopeLabels } from '../kernel/scopes.js';
import { labelOf, orgTypes, themes } from '../kernel/taxonomy.js';
import { slugify } from '../kernel/text.js';
import { csvFilename } from '../lib/csv.js';
import { NotFoundError, ParameterError } from '../lib/errors.js';
import { formatters, frenchDate } from '../lib/format.js';
import { stripControlChars } from '../lib/validation.js';
import { needStatusLabels } from '../matching/needs.usecases.js';
import { organisationPath } from '../organisations/organisations.usecases.js';
import { statusLabels as partnershipStatusLabels } from '../partnerships/labels.js';
import { progressOf } from '../partnerships/overview.js';
import { stepTitles } from '../partnerships/progress.js';
import { statusLabels as requestStatusLabels } from '../requests/labels.js';
import { resolveEpci } from '../territories/territories.repository.js';
import {
  type acmSorts,
  listAcms,
  listNeeds,
  listPartners,
  listPartnerships,
  listRegionsAndDepartments,
  listRequests,
  type needSorts,
  type Paging,
  type partnerSorts,
  type partnershipSorts,
  type requestSorts,
  type Scope,
  type ScopeKind,
  STALLED_DAYS,
  schoolYearsOf,
  territoryName,
} from './coordination.repository.js';

export const PER_PAGE = 25;

/** URL segment of each kind of territory (French, like the rest of the site). */
const kindSlugs: Record<ScopeKind, string> = { region: 'region', department: 'departement', epci: 'intercommunalite', commune: 'commune' };
const kindLabels = scopeLabels;

export interface Territory extends Scope {
  name: string;
  /** "Rhône (69)" */
  label: string;
  kindLabel: string;
  path: string;
}

export function scopeFromPath(kindSlug: string, code: string): Scope {
  const kind = (Object.keys(kindSlugs) as ScopeKind[]).find((k) => kindSlugs[k] === kindSlug);
  if (!kind) throw new NotFoundError();
  return { kind, code };
}

export function isCoordinator(user: CurrentUser): boolean {
  return user.isAdmin || user.coordinatorScopes.length > 0;
}

/** A coordinator opens the territories they were appointed to; admins open every territory. Others get a 404. */
export async function openTerritory(deps: Deps, user: CurrentUser, scope: Scope): Promise<Territory> {
  const appointed = user.coordinatorScopes.some((s) => s.scope === scope.kind && s.code === scope.code);
  if (!appointed && !user.isAdmin) throw new NotFoundError();
  const territory = await describeTerritory(deps, scope);
  if (!territory) throw new NotFoundError();
  return territory;
}

/** Name, label and workspace path of a territory; null when its code does not exist. */
export async function describeTerritory(deps: Deps, scope: Scope): Promise<Territory | null> {
  const name = await territoryName(deps.db, scope);
  if (!name) return null;
  return {
    kind: scope.kind,
    code: scope.code,
    name,
    label: scope.kind === 'region' || scope.kind === 'epci' ? name : `${name} (${scope.code})`,
    kindLabel: kindLabels[scope.kind],
    path: `/coordination/${kindSlugs[scope.kind]}/${scope.code}`,
  };
}

/** An admin opens an intercommunalité by SIREN or name: its workspace's path, or why it was not found. */
export async function chooseEpci(deps: Deps, user: CurrentUser, text: string): Promise<{ path: string } | { error: string }> {
  if (!user.isAdmin) throw new NotFoundError();
  const found = await resolveEpci(deps.db, text);
  if ('epci' in found) return { path: `/coordination/${kindSlugs.epci}/${found.epci.code}` };
  return {
    error:
      found.error === 'unknown'
        ? 'Intercommunalité introuvable : saisissez son numéro SIREN (9 chiffres) ou son nom.'
        : `Plusieurs intercommunalités correspondent (${found.candidates.map((e) => e.name).join(', ')}) : précisez le nom ou saisissez le numéro SIREN.`,
  };
}

/** The coordinator's own territories, and for admins every région and département to choose from. */
export async function territoryChoices(deps: Deps, user: CurrentUser) {
  if (!isCoordinator(user)) throw new NotFoundError();
  const own = user.coordinatorScopes.map((s) => ({
    label: s.label ?? s.code,
    kindLabel: kindLabels[s.scope],
    path: `/coordination/${kindSlugs[s.scope]}/${s.code}`,
  }));
  const all = user.isAdmin ? await listRegionsAndDepartments(deps.db) : null;
  return { own, all };
}

// ——— Lists ———

export interface Cell {
  text: string;
  href?: string;
  /** Kept on one line (an age range « 8–12 ans » would break after its dash in a narrow column). */
  nowrap?: boolean;
}
export interface Column {
  key: string;
  header: string;
  /** Sort key of the column, when it can be sorted. */
  sort?: string;
}
interface FilterSpec {
  name: string;
  label: string;
  /** A select's options; none for a free-text search. */
  options?: { value: string; label: string }[];
  hint?: string;
}
export type ListQuery = Record<string, string | number | undefined>;

interface Sort {
  key: string;
  desc: boolean;
}

interface ListDefinition {
  slug: string;
  title: string;
  /** Singular and plural of what a row is, for the caption. */
  noun: [string, string];
  intro: string;
  columns: Column[];
  defaultSort: Sort;
  filters: (deps: Deps, scope: Scope) => Promise<FilterSpec[]>;
  load: (deps: Deps, scope: Scope, values: Record<string, string>, sort: Sort, paging: Paging | null) => Promise<{ rows: Cell[][]; total: number }>;
}

const yesNo = [
  { value: 'oui', label: 'Oui' },
  { value: 'non', label: 'Non' },
];
const search: FilterSpec = { name: 'q', label: 'Rechercher' };

/** The ACM and partner cells of a row, each linked to the organisation's page. */
function partyCells(r: { acm: string; acm_id: number; acm_slug: string; partner: string; partner_id: number; partner_slug: string }): Cell[] {
  return [
    { text: r.acm, href: organisationPath({ id: r.acm_id, slug: r.acm_slug, kind: 'acm' }) },
    { text: r.partner, href: organisationPath({ id: r.partner_id, slug: r.partner_slug, kind: 'partner' }) },
  ];
}

function boolFilter(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === 'oui';
}
function yes(value: boolean | null): string {
  return value === null ? 'Non renseigné' : value ? 'Oui' : 'Non';
}
/** A delay in hours, in words: "moins d’une heure", "5 heures", "2 jours". */
export function delay(hours: number | null): string {
  if (hours === null) return '';
  if (hours < 1) return 'moins d’une heure';
  if (hours < 48) return formatters.plural(Math.round(hours), 'heure', 'heures');
  return formatters.plural(Math.round(hours / 24), 'jour', 'jours');
}

const acmList: ListDefinition = {
  slug: 'accueils',
  title: 'Accueils (ACM)',
  noun: ['accueil', 'accueils'],
  intro: 'Les accueils de loisirs situés sur le territoire (hors structures suspendues).',
  columns: [
    { key: 'name', header: 'Accueil', sort: 'name' },
    { key: 'commune', header: 'Commune', sort: 'commune' },
    { key: 'label', header: 'Label Plan mercredi' },
    { key: 'pedt', header: 'PEDT' },
    { key: 'capacity', header: 'Capacité', sort: 'capacity' },
    { key: 'active', header: 'Partenariats en cours', sort: 'active' },
    { key: 'activity', header: 'Dernière activité', sort: 'activity' },
  ],
  defaultSort: { key: 'name', desc: false },
  filters: async () => [
    { ...search, hint: 'Nom de l’accueil ou commune.' },
    { name: 'label', label: 'Label Plan mercredi', options: yesNo },
    { name: 'pedt', label: 'PEDT', options: yesNo },
  ],
  load: async (deps, scope, v, sort, paging) => {
    const { rows, total } = await listAcms(
      deps.db,
      scope,
      { q: v.q, label: boolFilter(v.label), pedt: boolFilter(v.pedt) },
      { key: sort.key as keyof typeof acmSorts, desc: sort.desc },
      paging,
    );
    return {
      total,
      rows: rows.map((r) => [
        { text: r.name, href: organisationPath({ id: r.id, slug: r.slug, kind: 'acm' }) },
        { text: r.commune ?? '' },
        { text: yes(r.label) },
        { text: yes(r.pedt) },
        { text: r.capacity === null ? '' : String(r.capacity) },
        { text: String(r.active) },
        { text: frenchDate(r.last_activity) },
      ]),
    };
  },
};

const verificationOptions = [
  { value: 'unverified', label: 'En attente de vérification' },
  { value: 'verified', label: 'Vérifiés' },
];

const partnerList: ListDefinition = {
  slug: 'partenaires',
  title: 'Partenaires',
  noun: ['partenaire', 'partenaires'],
  intro:
    'Les structures partenaires établies sur le territoire. Taux de réponse et délai médian de première réponse : demandes reçues sur les 12 derniers mois, hors demandes encore en attente et demandes retirées avant toute réponse.',
  columns: [
    { key: 'name', header: 'Partenaire', sort: 'name' },
    { key: 'commune', header: 'Commune', sort: 'commune' },
    { key: 'type', header: 'Type' },
    { key: 'offers', header: 'Offres publiées', sort: 'offers' },
    { key: 'rate', header: 'Taux de réponse', sort: 'rate' },
    { key: 'reply', header: 'Délai médian de première réponse', sort: 'reply' },
    { key: 'partnerships', header: 'Partenariats', sort: 'partnerships' },
  ],
  defaultSort: { key: 'name', desc: false },
  filters: async () => [
    { ...search, hint: 'Nom du partenaire ou commune.' },
    { name: 'type', label: 'Type', options: orgTypes.map((o) => ({ value: o.value, label: o.label })) },
    { name: 'offres', label: 'Offres publiées', options: yesNo },
    { name: 'statut', label: 'Vérification', options: verificationOptions },
  ],
  load: async (deps, scope, v, sort, paging) => {
    const { rows, total } = await listPartners(
      deps.db,
      scope,
      { q: v.q, type: v.type, withOffers: boolFilter(v.offres), status: v.statut as 'unverified' | 'verified' | undefined },
      { key: sort.key as keyof typeof partnerSorts, desc: sort.desc },
      paging,
      deps.clock.now(),
    );
    return {
      total,
      rows: rows.map((r) => [
        { text: r.name, href: organisationPath({ id: r.id, slug: r.slug, kind: 'partner' }) },
        { text: r.commune ?? '' },
        { text: labelOf(orgTypes, r.type) },
        { text: String(r.offers) },
        { text: r.rate === null ? 'Aucune demande' : `${r.rate} % (${r.answered}/${r.considered})` },
        { text: delay(r.median_hours) },
        { text: String(r.partnerships) },
      ]),
    };
  },
};

const stepOptions = [
  ...Object.entries(stepTitles).map(([value, title], i) => ({ value, label: `${i + 1} · ${title}` })),
  { value: 'aucune', label: 'Terminé ou toutes les étapes faites' },
];

const partnershipList: ListDefinition = {
  slug: 'partenariats',
  title: 'Partenariats',
  noun: ['partenariat', 'partenariats'],
  intro:
    'Tous les partenariats d’un accueil du territoire, qu’ils viennent d’une demande ou d’une prescription. Vous les consultez en lecture seule. Dernière activité : la dernière modification du partenariat, de sa convention (signatures comprises), de ses séances, rencontres ou bilans.',
  columns: [
    { key: 'title', header: 'Partenariat', sort: 'title' },
    { key: 'acm', header: 'Accueil', sort: 'acm' },
    { key: 'partner', header: 'Partenaire', sort: 'partner' },
    { key: 'year', header: 'Année scolaire', sort: 'year' },
    { key: 'status', header: 'Statut' },
    { key: 'step', header: 'Étape en cours' },
    { key: 'origin', header: 'Origine' },
    { key: 'activity', header: 'Dernière activité', sort: 'activity' },
  ],
  defaultSort: { key: 'activity', desc: true },
  filters: async (deps, scope) => [
    { ...search, hint: 'Titre, accueil ou partenaire.' },
    { name: 'statut', label: 'Statut', options: Object.entries(partnershipStatusLabels).map(([value, label]) => ({ value, label })) },
    { name: 'etape', label: 'Étape en cours', options: stepOptions },
    { name: 'annee', label: 'Année scolaire', options: (await schoolYearsOf(deps.db, scope)).map((y) => ({ value: y, label: y })) },
    { name: 'inactif', label: 'Activité', options: [{ value: 'oui', label: `Sans activité depuis ${STALLED_DAYS} jours` }] },
  ],
  load: async (deps, scope, v, sort, paging) => {
    const filter = { q: v.q, status: v.statut, year: v.annee, stalledAt: v.inactif === 'oui' ? deps.clock.now() : undefined };
    const sorted = { key: sort.key as keyof typeof partnershipSorts, desc: sort.desc };
    // The step is computed, not stored: filtering on it reads every partnership of the filter.
    const { rows: found, total: count } = await listPartnerships(deps.db, scope, filter, sorted, v.etape ? null : paging);
    const full = found.length
      ? await deps.db
          .select()
          .from(partnerships)
          .where(
            inArray(
              partnerships.id,
              found.map((r) => r.id),
            ),
          )
      : [];
    const progress = await progressOf(deps.db, full, parisToday(deps.clock.now()));
    const stepOf = (id: number) => progress.get(id)?.currentStep ?? null;
    let list = found;
    let total = count;
    if (v.etape) {
      list = found.filter((r) => (stepOf(r.id)?.key ?? 'aucune') === v.etape);
      total = list.length;
      if (paging) list = list.slice(paging.offset, paging.offset + paging.limit);
    }
    return {
      total,
      rows: list.map((r) => {
        const step = stepOf(r.id);
        return [
          { text: r.title, href: `/partenariats/${r.id}` },
          ...partyCells(r),
          { text: r.school_year },
          { text: partnershipStatusLabels[r.status] },
          { text: step ? `${step.number} · ${step.title}` : r.status === 'closed' ? 'Terminé' : 'Toutes les étapes faites' },
          { text: r.prescribed ? 'Prescription' : 'Demande' },
          { text: frenchDate(r.last_activity) },
        ];
      }),
    };
  },
};

const requestStatusOptions = Object.entries(requestStatusLabels).map(([value, label]) => ({ value, label }));

const requestList: ListDefinition = {
  slug: 'demandes',
  title: 'Demandes de partenariat',
  noun: ['demande', 'demandes'],
  intro:
    'Les demandes envoyées par un accueil du territoire ou reçues par lui en réponse à un besoin. « En retard » : sans réponse après la moitié du délai avant expiration.',
  columns: [
    { key: 'sent', header: 'Envoyée le', sort: 'sent' },
    { key: 'acm', header: 'Accueil', sort: 'acm' },
    { key: 'partner', header: 'Partenaire', sort: 'partner' },
    { key: 'subject', header: 'Offre ou besoin' },
    { key: 'direction', header: 'Sens' },
    { key: 'status', header: 'Statut' },
    { key: 'reply', header: 'Première réponse après', sort: 'reply' },
    { key: 'activity', header: 'Dernière activité', sort: 'activity' },
  ],
  defaultSort: { key: 'sent', desc: true },
  filters: async () => [
    { ...search, hint: 'Accueil, partenaire, offre ou besoin.' },
    { name: 'statut', label: 'Statut', options: requestStatusOptions },
    { name: 'retard', label: 'Sans réponse', options: [{ value: 'oui', label: 'En retard (plus de la moitié du délai)' }] },
  ],
  load: async (deps, scope, v, sort, paging) => {
    const { rows, total } = await listRequests(
      deps.db,
      scope,
      { q: v.q, statuses: v.statut ? [v.statut] : undefined, overdue: v.retard === 'oui' },
      { key: sort.key as keyof typeof requestSorts, desc: sort.desc },
      paging,
      deps.clock.now(),
    );
    return {
      total,
      rows: rows.map((r) => [
        { text: frenchDate(r.sent) },
        ...partyCells(r),
        { text: r.subject ?? '' },
        { text: r.direction === 'acm_to_partner' ? 'Accueil → partenaire' : 'Partenaire → accueil' },
        { text: requestStatusLabels[r.status] + (r.overdue ? ' (en retard)' : '') },
        { text: r.reply_hours === null ? 'Pas de réponse' : delay(r.reply_hours) },
        { text: frenchDate(r.last_activity) },
      ]),
    };
  },
};

/** « aujourd’hui », « 1 jour », « 12 jours »: how long a need has been open. */
const openFor = (days: number) => (days === 0 ? 'aujourd’hui' : formatters.plural(days, 'jour', 'jours'));

const needList: ListDefinition = {
  slug: 'besoins',
  title: 'Besoins des accueils',
  noun: ['besoin', 'besoins'],
  intro:
    'Les besoins publiés par les accueils du territoire. « Sans réponse » : ouvert depuis plus de 21 jours sans aucune proposition de partenaire ni prescription.',
  columns: [
    { key: 'title', header: 'Besoin', sort: 'title' },
    { key: 'acm', header: 'Accueil', sort: 'acm' },
    { key: 'commune', header: 'Commune' },
    { key: 'themes', header: 'Thèmes' },
    { key: 'ages', header: 'Âges' },
    { key: 'status', header: 'Statut' },
    { key: 'posted', header: 'Publié le', sort: 'posted' },
    { key: 'answers', header: 'Propositions reçues', sort: 'answers' },
  ],
  defaultSort: { key: 'posted', desc: true },
  filters: async () => [
    { ...search, hint: 'Titre du besoin ou accueil.' },
    { name: 'statut', label: 'Statut', options: Object.entries(needStatusLabels).map(([value, { label }]) => ({ value, label })) },
    { name: 'theme', label: 'Thème', options: themes.map((t) => ({ value: t.value, label: t.label })) },
    { name: 'sansreponse', label: 'Sans réponse', options: [{ value: 'oui', label: 'Ouverts depuis plus de 21 jours sans proposition' }] },
  ],
  load: async (deps, scope, v, sort, paging) => {
    const today = parisToday(deps.clock.now());
    const { rows, total } = await listNeeds(
      deps.db,
      scope,
      { q: v.q, status: v.statut, theme: v.theme, unanswered: v.sansreponse === 'oui' },
      { key: sort.key as keyof typeof needSorts, desc: sort.desc },
      paging,
      today,
    );
    return {
      total,
      rows: rows.map((r) => [
        { text: r.title, href: `/besoins/${r.id}` },
        { text: r.acm, href: organisationPath({ id: r.acm_id, slug: r.acm_slug, kind: 'acm' }) },
        { text: r.commune ?? '' },
        { text: r.themes.map((t) => labelOf(themes, t)).join(', ') },
        { text: formatters.ages(r.age_min, r.age_max), nowrap: true },
        { text: needStatusLabels[r.status].label + (r.status === 'open' ? ` depuis ${openFor(r.days_open)}` : '') },
        { text: frenchDate(r.posted) },
        // Prescriptions beside the answers: a ninth column squeezed the titles at 1280 px.
        { text: r.prescriptions ? `${r.answers} + ${formatters.plural(r.prescriptions, 'prescription', 'prescriptions')}` : String(r.answers) },
      ]),
    };
  },
};

export const lists: ListDefinition[] = [acmList, partnerList, partnershipList, requestList, needList];

export function listBySlug(slug: string): ListDefinition {
  const list = lists.find((l) => l.slug === slug);
  if (!list) throw new NotFoundError();
  return list;
}

const SORT_ORDERS = ['asc', 'desc'];

/**
 * One list of a territory, filtered and sorted as the query says; paginated for the page, whole
 * for the export (the same rows, cell by cell). Unknown filter values answer a 400 naming them.
 */
export async function loadList(deps: Deps, territory: Territory, list: ListDefinition, query: ListQuery, options: { whole?: boolean } = {}) {
  const filters = await list.filters(deps, territory);
  const values: Record<string, string> = {};
  for (const filter of filters) {
    const raw = query[filter.name];
    // A NUL would make PostgreSQL refuse the query: control characters never match anything anyway.
    const value = typeof raw === 'string' ? stripControlChars(raw).trim() : '';
    if (!value) continue;
    if (filter.options && !filter.options.some((o) => o.value === value)) throw new ParameterError(filter.name, 'valeur inconnue');
    values[filter.name] = value.slice(0, 200);
  }
  const sortKey = typeof query.tri === 'string' && query.tri ? query.tri : list.defaultSort.key;
  if (!list.columns.some((c) => c.sort === sortKey)) throw new ParameterError('tri', 'colonne inconnue');
  const order = typeof query.ordre === 'string' && query.ordre ? query.ordre : null;
  if (order && !SORT_ORDERS.includes(order)) throw new ParameterError('ordre', 'asc ou desc attendu');
  const sort = { key: sortKey, desc: order ? order === 'desc' : sortKey === list.defaultSort.key && list.defaultSort.desc };
  const page = typeof query.page === 'number' ? query.page : 1;
  const paging = options.whole ? null : { limit: PER_PAGE, offset: (page - 1) * PER_PAGE };
  const { rows, total } = await list.load(deps, territory, values, sort, paging);
  return { filters, values, sort, page, pages: Math.max(1, Math.ceil(total / PER_PAGE)), rows, total };
}

/** "coordination-accueils-rhone-69-2026-12-04.csv": the list, the territory and the Paris date. */
export function exportFilename(territory: Territory, what: string, now: Date): string {
  return csvFilename(`coordination-${what}-${slugify(territory.label)}`, now);
}
