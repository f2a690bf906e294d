import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { distanceKm } from '../server/kernel/distance.js';
import { slugs } from '../server/kernel/taxonomy.js';
import { bitsOf, emptyFacets, facetColumns, facetDefs, selectedValues, WORD_BITS, wordsOf } from './facets.js';
import { GeoGrid, narrowByPlace } from './geo-grid.js';
import { encodeFields, type FieldLexemes, Lexicon, orderByRelevance, type QueryGroup } from './relevance.js';
import { type Facets, facetNames, type OfferFilters } from './types.js';

const FACET_COLUMNS = facetColumns.map((c) => c.column);
/** Days since 1970 for open ends of the availability period. */
const OPEN_START = -(2 ** 31);
const OPEN_END = 2 ** 31 - 1;

/** An ISO date as days since 1970-01-01. */
export function dayOf(iso: string): number {
  return Math.floor(Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / 86_400_000);
}

/**
 * A `search_offers` row as the snapshot keeps it (SnapshotRow), for a select or a `returning`:
 * the lexemes of the weighted fields A, B and C come space-separated (see search/relevance.ts).
 */
export const SNAPSHOT_COLUMNS = sql`id, array[${sql.raw(FACET_COLUMNS.join(', '))}] as bits, natures, age_min, age_max, lat, lng,
  start_date - date '1970-01-01' as start_day, end_date - date '1970-01-01' as end_day,
  travel_km, venue, code_insee, departments, regions, departments_served, organisation_id, extract(epoch from published_at)::float8 as published,
  array_to_string(tsvector_to_array(ts_filter(tsv, '{a}')), ' ') as lex_a,
  array_to_string(tsvector_to_array(ts_filter(tsv, '{b}')), ' ') as lex_b,
  array_to_string(tsvector_to_array(ts_filter(tsv, '{c}')), ' ') as lex_c`;

export interface Evaluation {
  matches: number[];
  distances: Float64Array | null;
  facets: Facets;
  /** The matches in relevance or distance order, once asked for. */
  byRelevance?: number[];
  byDistance?: number[];
}

export interface SnapshotRow extends FieldLexemes {
  id: number;
  /** The facet bit-mask columns, in facetColumns order. */
  bits: number[];
  natures: string[];
  age_min: number;
  age_max: number;
  /** Availability period in days since 1970 (null: open-ended). */
  start_day: number | null;
  end_day: number | null;
  lat: number | null;
  lng: number | null;
  travel_km: number | null;
  venue: string;
  code_insee: string | null;
  departments: string[];
  regions: string[];
  departments_served: string[];
  organisation_id: number;
  published: number | null;
}

/**
 * The filterable fields of every indexed offer, in typed arrays, and the lexemes of its weighted
 * fields for relevance (about 700 bytes per offer in all), for exact disjunctive facets in one
 * pass over memory instead of dozens of SQL aggregates: the PostgreSQL engine asks the database
 * for the text matches (GIN) and the page's documents, and evaluates everything else here. Rows are kept in "recent" order (published_at desc, id desc).
 * Loaded from `search_offers` for one index version; the engine reloads it when the version moves.
 */
export class OfferSnapshot {
  readonly size: number;
  readonly ids: Int32Array;
  private readonly facetBits: Int32Array[];
  private readonly nature: Int32Array;
  private readonly ageMin: Uint8Array;
  private readonly ageMax: Uint8Array;
  private readonly startDay: Int32Array;
  private readonly endDay: Int32Array;
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  private readonly travel: Float32Array;
  private readonly comes: Uint8Array;
  private readonly commune: (string | null)[];
  private readonly departments: string[][];
  private readonly regions: string[][];
  private readonly served: string[][];
  private readonly org: Int32Array;
  readonly published: Float64Array;
  private readonly fieldTerms: Int32Array[];
  /** Position of each id (-1 when absent), built on first use. */
  private positionsById: Int32Array | null = null;
  /** The longest travel radius (km): bounds how far a "comes to you" offer can match. */
  private maxTravel = 0;
  /** Spatial grids over the positions (search/geo-grid.ts), built on first use. */
  private geoGrid: GeoGrid | null = null;

  private constructor(
    readonly version: number,
    readonly lexicon: Lexicon,
    n: number,
    fill: (target: OfferSnapshot) => void,
  ) {
    this.size = n;
    this.ids = new Int32Array(n);
    this.facetBits = FACET_COLUMNS.map(() => new Int32Array(n));
    this.nature = new Int32Array(n);
    this.ageMin = new Uint8Array(n);
    this.ageMax = new Uint8Array(n);
    this.startDay = new Int32Array(n);
    this.endDay = new Int32Array(n);
    this.lat = new Float64Array(n);
    this.lng = new Float64Array(n);
    this.travel = new Float32Array(n);
    this.comes = new Uint8Array(n);
    this.commune = new Array(n);
    this.departments = new Array(n);
    this.regions = new Array(n);
    this.served = new Array(n);
    this.org = new Int32Array(n);
    this.published = new Float64Array(n);
    this.fieldTerms = new Array(n);
    fill(this);
  }

  private setRow(i: number, r: SnapshotRow): void {
    this.ids[i] = r.id;
    r.bits.forEach((b, f) => {
      this.facetBits[f]![i] = b;
    });
    this.nature[i] = bitsOf(slugs.nature, r.natures);
    this.ageMin[i] = r.age_min;
    this.ageMax[i] = r.age_max;
    this.startDay[i] = r.start_day === null ? OPEN_START : Number(r.start_day);
    this.endDay[i] = r.end_day === null ? OPEN_END : Number(r.end_day);
    this.lat[i] = r.lat === null ? Number.NaN : Number(r.lat);
    this.lng[i] = r.lng === null ? Number.NaN : Number(r.lng);
    this.travel[i] = r.travel_km ?? 0;
    if (this.travel[i]! > this.maxTravel) this.maxTravel = this.travel[i]!;
    this.comes[i] = r.venue === 'dans-l-accueil' ? 1 : 0;
    this.commune[i] = r.code_insee;
    this.departments[i] = r.departments;
    this.regions[i] = r.regions;
    this.served[i] = r.departments_served;
    this.org[i] = r.organisation_id;
    this.published[i] = r.published === null ? Number.NEGATIVE_INFINITY : Number(r.published);
    this.fieldTerms[i] = encodeFields(this.lexicon, r);
  }

  private copyRow(from: OfferSnapshot, i: number, j: number): void {
    this.ids[j] = from.ids[i]!;
    this.facetBits.forEach((column, f) => {
      column[j] = from.facetBits[f]![i]!;
    });
    this.nature[j] = from.nature[i]!;
    this.ageMin[j] = from.ageMin[i]!;
    this.ageMax[j] = from.ageMax[i]!;
    this.startDay[j] = from.startDay[i]!;
    this.endDay[j] = from.endDay[i]!;
    this.lat[j] = from.lat[i]!;
    this.lng[j] = from.lng[i]!;
    this.travel[j] = from.travel[i]!;
    if (this.travel[j]! > this.maxTravel) this.maxTravel = this.travel[j]!;
    this.comes[j] = from.comes[i]!;
    this.commune[j] = from.commune[i]!;
    this.departments[j] = from.departments[i]!;
    this.regions[j] = from.regions[i]!;
    this.served[j] = from.served[i]!;
    this.org[j] = from.org[i]!;
    this.published[j] = from.published[i]!;
    this.fieldTerms[j] = from.fieldTerms[i]!;
  }

  static fromRows(version: number, list: SnapshotRow[], lexicon = new Lexicon()): OfferSnapshot {
    return new OfferSnapshot(version, lexicon, list.length, (target) => {
      for (let i = 0; i < list.length; i++) target.setRow(i, list[i]!);
    });
  }

  /**
   * This snapshot with some rows replaced or added and some ids removed, for the next version:
   * the engine applies its own writes this way instead of reloading everything (a merge, O(n)).
   */
  withChanges(version: number, upserts: SnapshotRow[], removed: number[]): OfferSnapshot {
    const drop = new Set([...removed, ...upserts.map((r) => r.id)]);
    const published = (r: SnapshotRow) => (r.published === null ? Number.NEGATIVE_INFINITY : Number(r.published));
    const incoming = [...upserts].sort((a, b) => published(b) - published(a) || b.id - a.id);
    let kept = 0;
    for (let i = 0; i < this.size; i++) if (!drop.has(this.ids[i]!)) kept++;
    return new OfferSnapshot(version, this.lexicon, kept + incoming.length, (target) => {
      let i = 0;
      let k = 0;
      for (let j = 0; j < target.size; j++) {
        while (i < this.size && drop.has(this.ids[i]!)) i++;
        const next = incoming[k];
        const oldFirst =
          i < this.size && (next === undefined || this.published[i]! > published(next) || (this.published[i] === published(next) && this.ids[i]! > next.id));
        if (oldFirst) target.copyRow(this, i++, j);
        else target.setRow(j, incoming[k++]!);
      }
    });
  }

  static async load(db: Db, version: number, lexicon: Lexicon): Promise<OfferSnapshot> {
    return OfferSnapshot.fromRows(version, await snapshotRows(db), lexicon);
  }

  /** The current rows of these offers (an id absent from the result is no longer indexed). */
  static rowsOf(db: Db, ids: number[]): Promise<SnapshotRow[]> {
    return snapshotRows(db, sql`where id = any(${sql.param(ids)}::int[])`);
  }

  /** The positions of these ids (ascending, so in recent order), skipping ids not in this snapshot. */
  positionsOf(ids: Iterable<number>): Int32Array {
    if (!this.positionsById) {
      let max = 0;
      for (let i = 0; i < this.size; i++) if (this.ids[i]! > max) max = this.ids[i]!;
      this.positionsById = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < this.size; i++) this.positionsById[this.ids[i]!] = i;
    }
    const found: number[] = [];
    for (const id of ids) {
      const position = id < this.positionsById.length ? this.positionsById[id]! : -1;
      if (position >= 0) found.push(position);
    }
    return Int32Array.from(found).sort();
  }

  /** Text matches (positions) in relevance order: see search/relevance.ts. */
  byRelevance(matches: number[], groups: QueryGroup[]): number[] {
    return orderByRelevance(matches, (i) => this.fieldTerms[i]!, this.lexicon, groups);
  }

  /** The spatial grids, built now if not yet (the engine calls it after a load, off the request path). */
  geo(): GeoGrid {
    this.geoGrid ??= GeoGrid.build(this.lat, this.lng, this.travel, this.size);
    return this.geoGrid;
  }

  /**
   * Positions matching every filter (in recent order), their distances to `near` (aligned with
   * the positions), the total and the disjunctive facet counts. `candidates` (ascending
   * positions) restricts to the full-text matches when q is given. A place filter first narrows
   * the candidates through the spatial grids (`prune: false` scans every offer, for tests).
   */
  evaluate(filters: OfferFilters, textCandidates: Int32Array | null, options: { prune?: boolean } = {}): Evaluation {
    const candidates = options.prune === false ? textCandidates : narrowByPlace(() => this.geo(), filters, textCandidates);
    const words = facetNames.map((name) => wordsOf(name, selectedValues(filters, name)));
    const active = words.map((w) => w.some((m) => m !== 0));
    // Per bit-mask column: its selection mask, its facet, and the first column of each facet.
    const masks = facetColumns.map((c) => words[c.facet]![c.word]!);
    const columnFacet = facetColumns.map((c) => c.facet);
    const firstColumn = facetNames.map((_name, f) => facetColumns.findIndex((c) => c.facet === f));
    const columnEnd = facetNames.map((_name, f) => firstColumn[f]! + facetDefs[facetNames[f]!].columns.length);
    const natureMask = filters.nature?.length ? bitsOf(slugs.nature, filters.nature) : 0;
    const near = filters.near;
    const bbox = filters.bbox;
    const matchDistances: number[] = [];
    const counts = facetColumns.map(() => new Float64Array(WORD_BITS));
    const matches: number[] = [];
    const facetCount = facetNames.length;
    const columnCount = facetColumns.length;
    const bitsOfFacet = this.facetBits;

    const age = filters.age;
    const hasAge = age !== undefined;
    const range = filters.ageRange;
    const fromDay = filters.period?.from ? dayOf(filters.period.from) : OPEN_START;
    const toDay = filters.period?.to ? dayOf(filters.period.to) : OPEN_END;
    const hasPeriod = fromDay !== OPEN_START || toDay !== OPEN_END;
    const comesTo = filters.comesTo;
    const organisation = filters.organisationId;
    const communes = filters.commune?.length ? filters.commune : null;
    const departmentList = filters.department?.length ? filters.department : null;
    const regionList = filters.region?.length ? filters.region : null;
    const epciCommunes = filters.epci?.length ? new Set(filters.epci.flatMap((e) => e.communes)) : null;
    const epciDepartments = filters.epci?.flatMap((e) => e.departments) ?? [];
    const anyFacet = active.some(Boolean);
    // 1° of latitude ≥ 110.5 km on this sphere; longitude degrees shrink with the cosine of the latitude.
    const reachKm = near ? Math.max(near.radiusKm, this.maxTravel) * 1.01 + 0.1 : 0;
    const reachLat = reachKm / 110.5;
    const maxAbsLat = near ? Math.min(89.9, Math.abs(near.lat) + reachLat) : 0;
    const reachLng = near ? (maxAbsLat >= 89 ? 360 : reachKm / (110.5 * Math.cos((maxAbsLat * Math.PI) / 180))) : 0;

    const n = candidates ? candidates.length : this.size;
    for (let k = 0; k < n; k++) {
      const i = candidates ? candidates[k]! : k;
      if (hasAge && !(this.ageMin[i]! <= age && this.ageMax[i]! >= age)) continue;
      if (range && !(this.ageMin[i]! <= range.max && this.ageMax[i]! >= range.min)) continue;
      if (hasPeriod && !(this.startDay[i]! <= toDay && this.endDay[i]! >= fromDay)) continue;
      if (natureMask && !(this.nature[i]! & natureMask)) continue;
      if (comesTo && !this.comesToPlace(i, comesTo)) continue;
      if (organisation !== undefined && this.org[i] !== organisation) continue;
      const lat = this.lat[i]!;
      const lng = this.lng[i]!;
      let distance = 0;
      if (near) {
        if (Number.isNaN(lat)) continue;
        // Cheap band test first: no offer reaches farther than max(radius, longest travel radius).
        if (Math.abs(lat - near.lat) > reachLat || Math.abs(lng - near.lng) > reachLng) continue;
        const d = distanceKm(near.lat, near.lng, lat, lng);
        if (!(d <= near.radiusKm || (this.travel[i]! > 0 && d <= this.travel[i]!))) continue;
        distance = d;
      }
      if (bbox && !(lng >= bbox.west && lng <= bbox.east && lat >= bbox.south && lat <= bbox.north)) continue;
      if (communes && !communes.some((c) => this.inCommune(i, c))) continue;
      if (departmentList && !departmentList.some((d) => this.departments[i]!.includes(d))) continue;
      if (regionList && !regionList.some((r) => this.regions[i]!.includes(r))) continue;
      if (epciCommunes && !(epciCommunes.has(this.commune[i] ?? '') || epciDepartments.some((d) => this.served[i]!.includes(d)))) continue;

      // Which facet filters fail: a row failing none counts everywhere, failing one counts only in that facet.
      let failed = -1;
      let failures = 0;
      for (let f = 0; anyFacet && f < facetCount; f++) {
        if (!active[f]) continue;
        let hit = false;
        for (let c = firstColumn[f]!; c < columnEnd[f]! && !hit; c++) hit = (bitsOfFacet[c]![i]! & masks[c]!) !== 0;
        if (!hit) {
          failures++;
          failed = f;
          if (failures > 1) break;
        }
      }
      if (failures > 1) continue;
      if (failures === 0) {
        matches.push(i);
        if (near) matchDistances.push(distance);
      }
      for (let c = 0; c < columnCount; c++) {
        if (failures === 1 && columnFacet[c] !== failed) continue;
        let bits = bitsOfFacet[c]![i]!;
        const target = counts[c]!;
        while (bits) {
          const bit = 31 - Math.clz32(bits);
          target[bit]!++;
          bits &= ~(1 << bit);
        }
      }
    }
    const facets = emptyFacets();
    facetNames.forEach((name, f) => {
      facetDefs[name].values.forEach((value, v) => {
        facets[name][value] = counts[firstColumn[f]! + Math.floor(v / WORD_BITS)]![v % WORD_BITS]!;
      });
    });
    return { matches, distances: near ? Float64Array.from(matchDistances) : null, facets };
  }

  /** Comes to the ACM's place: the point within its travel radius, or the département served. */
  private comesToPlace(i: number, place: { lat: number; lng: number; department: string | null }): boolean {
    if (!this.comes[i]) return false;
    if (place.department !== null && this.served[i]!.includes(place.department)) return true;
    const travel = this.travel[i]!;
    return travel > 0 && !Number.isNaN(this.lat[i]!) && distanceKm(place.lat, place.lng, this.lat[i]!, this.lng[i]!) <= travel;
  }

  private inCommune(i: number, c: { code: string; lat: number; lng: number; department: string }): boolean {
    if (this.commune[i] === c.code) return true;
    if (!this.comes[i]) return false;
    if (this.served[i]!.includes(c.department)) return true;
    const travel = this.travel[i]!;
    return travel > 0 && !Number.isNaN(this.lat[i]!) && distanceKm(c.lat, c.lng, this.lat[i]!, this.lng[i]!) <= travel;
  }
}

function snapshotRows(db: Db, where = sql``): Promise<SnapshotRow[]> {
  return rows<SnapshotRow>(db, sql`select ${SNAPSHOT_COLUMNS} from search_offers ${where} order by published_at desc nulls last, id desc`);
}
