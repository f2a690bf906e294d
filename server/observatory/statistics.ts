import type { FunnelCounts } from '../coordination/coordination.repository.js';
import { funnelCountsAt, funnelSteps } from '../coordination/funnel.js';
import type { Deps } from '../deps.js';
import { themes } from '../kernel/taxonomy.js';
import { frenchOrder } from '../kernel/text.js';
import { formatters } from '../lib/format.js';
import { COVERAGE_RADIUS_KM, coverageOf } from './coverage.js';
import {
  acmCommunes,
  longestTravel,
  offersAround,
  offersPerTheme,
  readStatistics,
  staleStatistics,
  storeStatistics,
  type TerritoryRef,
} from './statistics.repository.js';
import { unmetDemandByTerritory } from './unmet-demand.js';

/** Below this, a count is shown as « < 5 » (zero stays zero: a gap is what the page is for). */
export const MASK_BELOW = 5;
const UNMET_DAYS = 90;
/** The job refreshes stored figures this often; a page computes them only when none are stored or they are older than MAX_AGE_MS. */
export const REFRESH_EVERY_MS = 10 * 60_000;
const MAX_AGE_MS = 60 * 60_000;

export function masked(count: number): string {
  return count > 0 && count < MASK_BELOW ? '< 5' : String(count);
}

interface TerritoryFigures {
  offers: number;
  themes: Record<string, number>;
  /** The coordinator funnel's steps, counted by the same query. */
  steps: FunnelCounts;
  coverage: { code: string; name: string; acms: number; offers: number; byTheme: Record<string, number> }[];
  unmet: Record<string, number>;
  unmetSince: string;
}

/** Computes the figures of a territory from the database (what the job and a first view run). */
async function computeFigures(deps: Pick<Deps, 'db' | 'clock'>, t: TerritoryRef): Promise<TerritoryFigures> {
  const { db } = deps;
  const offers = await offersPerTheme(db, t);
  const steps = await funnelCountsAt(db, { kind: t.level, code: t.code }, deps.clock.now());
  const places = await acmCommunes(db, t);
  let coverage: TerritoryFigures['coverage'] = [];
  if (places.length > 0) {
    // Only offers that can reach one of these communes: the box of the communes widened by the farthest reach.
    const reachKm = Math.max(COVERAGE_RADIUS_KM, await longestTravel(db)) + 1;
    const lats = places.map((p) => p.lat);
    const maxAbsLat = Math.max(...lats.map(Math.abs));
    const dLat = reachKm / 111;
    const dLng = reachKm / (111 * Math.max(0.1, Math.cos((Math.min(89, maxAbsLat + dLat) * Math.PI) / 180)));
    const candidates = await offersAround(db, {
      south: Math.min(...lats) - dLat,
      north: Math.max(...lats) + dLat,
      west: Math.min(...places.map((p) => p.lng)) - dLng,
      east: Math.max(...places.map((p) => p.lng)) + dLng,
    });
    const counts = coverageOf(places, candidates);
    coverage = places.map((p) => ({ code: p.code, name: p.name, acms: p.acms, ...counts.get(p.code)! }));
  }
  const since = new Date(deps.clock.now().getTime() - UNMET_DAYS * 86_400_000).toISOString().slice(0, 10);
  const unmet: Record<string, number> = {};
  const where =
    t.level === 'commune'
      ? { commune: t.code }
      : t.level === 'epci'
        ? { epci: t.code }
        : t.level === 'department'
          ? { department: t.code }
          : { region: t.code };
  for (const row of await unmetDemandByTerritory(db, where, since)) {
    const key = row.theme ?? '';
    unmet[key] = (unmet[key] ?? 0) + row.searches;
  }
  return { offers: offers.total, themes: Object.fromEntries(offers.perTheme), steps, coverage, unmet, unmetSince: since };
}

/**
 * The stored figures of a territory. The job keeps them fresh; a view computes them only for a
 * territory nobody asked for yet (or when the jobs are off and they are over an hour old).
 */
export async function territoryFigures(deps: Pick<Deps, 'db' | 'clock'>, t: TerritoryRef) {
  const now = deps.clock.now();
  const stored = await readStatistics(deps.db, t);
  // Figures stored before the steps were shared with the coordinator funnel lack its keys.
  if (stored && 'accepted' in ((stored.figures as TerritoryFigures).steps ?? {}) && now.getTime() - stored.computedAt.getTime() < MAX_AGE_MS) {
    return { figures: stored.figures as TerritoryFigures, computedAt: stored.computedAt };
  }
  return refreshFigures(deps, t);
}

async function refreshFigures(deps: Pick<Deps, 'db' | 'clock'>, t: TerritoryRef) {
  // Stamped with the start: a write during the computation leaves the row stale (see figures-dirty.repository.ts).
  const computedAt = deps.clock.now();
  const figures = await computeFigures(deps, t);
  await storeStatistics(deps.db, t, figures, computedAt);
  return { figures, computedAt };
}

/** The job: recomputes the figures stored more than REFRESH_EVERY_MS ago (a bounded batch per run). */
export async function refreshStaleFigures(deps: Pick<Deps, 'db' | 'clock'>, limit = 50): Promise<number> {
  const stale = await staleStatistics(deps.db, new Date(deps.clock.now().getTime() - REFRESH_EVERY_MS + 1000), limit);
  for (const t of stale) await refreshFigures(deps, t);
  return stale.length;
}

export interface StatTable {
  id: string;
  caption: string;
  definition: string;
  rowHeader: string;
  columns: string[];
  rows: { label: string; values: number[]; definition?: string }[];
  /** The column drawn as a chart, or null for a table alone. */
  chartColumn: number | null;
  /** A zero is a gap to point out (coverage), not good news (unmet demand). */
  zeroIsGap: boolean;
}

/** The indicators as tables: the page shows them, the CSV writes them, cell for cell. */
export function statTables(figures: TerritoryFigures): StatTable[] {
  return [
    {
      id: 'offres',
      caption: 'Offres publiées par thème',
      definition: 'Offres publiées dont le lieu est dans le territoire, au moment du calcul ; une offre à plusieurs thèmes compte dans chacun.',
      rowHeader: 'Thème',
      columns: ['Offres publiées'],
      rows: [...themes.map((t) => ({ label: t.label, values: [figures.themes[t.value] ?? 0] })), { label: 'Toutes les offres', values: [figures.offers] }],
      chartColumn: 0,
      zeroIsGap: false,
    },
    {
      id: 'partenariats',
      caption: 'Partenariats par étape',
      definition:
        'Demandes de partenariat des accueils (ACM) situés dans le territoire, créées au cours des 12 derniers mois, suivies jusqu’au bilan : chaque étape compte celles qui l’ont atteinte (les mêmes chiffres que l’entonnoir des coordinateurs).',
      rowHeader: 'Étape',
      columns: ['Nombre'],
      rows: funnelSteps.map((step) => ({ label: step.label, values: [figures.steps[step.key] ?? 0], definition: step.definition })),
      chartColumn: 0,
      zeroIsGap: false,
    },
    {
      id: 'couverture',
      caption: 'Couverture des communes ayant un accueil de loisirs',
      definition: `Pour chaque commune ayant au moins un ACM : offres publiées dont le lieu est à ${COVERAGE_RADIUS_KM} km au plus du centre de la commune, ou qui viennent dans l’accueil et dont la zone de déplacement couvre ce centre (la règle de la recherche). « 0 » signale une zone blanche.`,
      rowHeader: 'Commune',
      columns: ['ACM', 'Offres accessibles', ...themes.map((t) => t.label)],
      rows: [...figures.coverage]
        .sort((a, b) => frenchOrder(a.name, b.name) || a.code.localeCompare(b.code))
        .map((c) => ({
          label: `${c.name} (${c.code})`,
          values: [c.acms, c.offers, ...themes.map((t) => c.byTheme[t.value] ?? 0)],
        })),
      chartColumn: null,
      zeroIsGap: true,
    },
    {
      id: 'demande',
      caption: 'Recherches sans résultat par thème',
      definition: `Recherches d’offres (site et API) faites depuis le territoire depuis le ${formatters.date(figures.unmetSince)} qui n’ont trouvé aucune offre, par thème recherché ; aucune donnée personnelle n’est gardée.`,
      rowHeader: 'Thème recherché',
      columns: ['Recherches'],
      rows: [...themes.map((t) => ({ label: t.label, values: [figures.unmet[t.value] ?? 0] })), { label: 'Sans thème', values: [figures.unmet[''] ?? 0] }],
      chartColumn: 0,
      zeroIsGap: false,
    },
  ];
}
