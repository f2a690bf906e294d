import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/client.js';
import { distanceKm } from '../server/kernel/distance.js';
import { slugs } from '../server/kernel/taxonomy.js';
import { bitsOf, emptyFacets, facetColumns, facetDefs, selectedValues, WORD_BITS, wordsOf } from './facets.js';
import { GeoGrid, narrowByPlace } from './geo-grid.js';
import { encodeFields, type FieldLexemes, Lexicon, orderByRelevance, type QueryGroup } from './relevance.js';
import { type Ragged, RaggedBuilder, raggedHas, sharedArray } from './shared-columns.js';
import { type Facets, facetNames, type OfferFilters } from './types.js';

const FACET_COLUMNS = facetColumns.map((c) => c.column);
/** Days since 1970 for open ends of the availability period. */
const OPEN_START = -(2 ** 31);
const OPEN_END = 2 ** 31 - 1;
/** The id of a code no offer has: matches nothing (-1 is "no commune"). */
const UNKNOWN_CODE = -2;

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

/**
 * Positions are kept in typed arrays: their contents live outside the JavaScript heap, so that the
 * evaluations cached on the main thread cost the garbage collector nothing to copy or mark.
 */
export interface Evaluation {
  matches: Int32Array;
  distances: Float64Array | null;
  facets: Facets;
  /** The matches in relevance or distance order, once asked for. */
  byRelevance?: Int32Array;
  byDistance?: Int32Array;
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
 * The snapshot's columns, every one a typed array on a SharedArrayBuffer (search/shared-columns.ts):
 * posted to an evaluation thread, they are shared, not copied. Codes (communes, départements,
 * regions) and lexemes are ids in the engine's two append-only lexicons.
 */
export interface SnapshotColumns {
  size: number;
  ids: Int32Array;
  /** The facet bit-mask columns, in facetColumns order. */
  facetBits: Int32Array[];
  nature: Int32Array;
  ageMin: Uint8Array;
  ageMax: Uint8Array;
  startDay: Int32Array;
  endDay: Int32Array;
  lat: Float64Array;
  lng: Float64Array;
  travel: Float32Array;
  comes: Uint8Array;
  /** The commune's code id, -1 when none. */
  commune: Int32Array;
  org: Int32Array;
  published: Float64Array;
  departments: Ragged;
  regions: Ragged;
  served: Ragged;
  /** Per offer, its weighted fields' lexemes as (lexeme id << 2 | field index): see search/relevance.ts. */
  terms: Ragged;
  /** The longest travel radius (km): bounds how far a "comes to you" offer can match. */
  maxTravel: number;
}

/** The columns of a snapshot being built, row after row in order. */
class ColumnsBuilder {
  readonly columns: Omit<SnapshotColumns, 'departments' | 'regions' | 'served' | 'terms'>;
  readonly departments: RaggedBuilder;
  readonly regions: RaggedBuilder;
  readonly served: RaggedBuilder;
  readonly terms: RaggedBuilder;

  constructor(
    n: number,
    readonly lexicon: Lexicon,
    readonly codes: Lexicon,
  ) {
    this.columns = {
      size: n,
      ids: sharedArray(Int32Array, n),
      facetBits: FACET_COLUMNS.map(() => sharedArray(Int32Array, n)),
      nature: sharedArray(Int32Array, n),
      ageMin: sharedArray(Uint8Array, n),
      ageMax: sharedArray(Uint8Array, n),
      startDay: sharedArray(Int32Array, n),
      endDay: sharedArray(Int32Array, n),
      lat: sharedArray(Float64Array, n),
      lng: sharedArray(Float64Array, n),
      travel: sharedArray(Float32Array, n),
      comes: sharedArray(Uint8Array, n),
      commune: sharedArray(Int32Array, n),
      org: sharedArray(Int32Array, n),
      published: sharedArray(Float64Array, n),
      maxTravel: 0,
    };
    this.departments = new RaggedBuilder(n);
    this.regions = new RaggedBuilder(n);
    this.served = new RaggedBuilder(n);
    this.terms = new RaggedBuilder(n);
  }

  setRow(i: number, r: SnapshotRow): void {
    const c = this.columns;
    c.ids[i] = r.id;
    r.bits.forEach((b, f) => {
      c.facetBits[f]![i] = b;
    });
    c.nature[i] = bitsOf(slugs.nature, r.natures);
    c.ageMin[i] = r.age_min;
    c.ageMax[i] = r.age_max;
    c.startDay[i] = r.start_day === null ? OPEN_START : Number(r.start_day);
    c.endDay[i] = r.end_day === null ? OPEN_END : Number(r.end_day);
    c.lat[i] = r.lat === null ? Number.NaN : Number(r.lat);
    c.lng[i] = r.lng === null ? Number.NaN : Number(r.lng);
    c.travel[i] = r.travel_km ?? 0;
    if (c.travel[i]! > c.maxTravel) c.maxTravel = c.travel[i]!;
    c.comes[i] = r.venue === 'dans-l-accueil' ? 1 : 0;
    c.commune[i] = r.code_insee === null ? -1 : this.codes.idOf(r.code_insee);
    this.departments.push(i, this.codeIds(r.departments));
    this.regions.push(i, this.codeIds(r.regions));
    this.served.push(i, this.codeIds(r.departments_served));
    c.org[i] = r.organisation_id;
    c.published[i] = r.published === null ? Number.NEGATIVE_INFINITY : Number(r.published);
    this.terms.push(i, encodeFields(this.lexicon, r));
  }

  copyRow(from: SnapshotColumns, i: number, j: number): void {
    const c = this.columns;
    c.ids[j] = from.ids[i]!;
    c.facetBits.forEach((column, f) => {
      column[j] = from.facetBits[f]![i]!;
    });
    c.nature[j] = from.nature[i]!;
    c.ageMin[j] = from.ageMin[i]!;
    c.ageMax[j] = from.ageMax[i]!;
    c.startDay[j] = from.startDay[i]!;
    c.endDay[j] = from.endDay[i]!;
    c.lat[j] = from.lat[i]!;
    c.lng[j] = from.lng[i]!;
    c.travel[j] = from.travel[i]!;
    if (c.travel[j]! > c.maxTravel) c.maxTravel = c.travel[j]!;
    c.comes[j] = from.comes[i]!;
    c.commune[j] = from.commune[i]!;
    this.departments.copy(j, from.departments, i);
    this.regions.copy(j, from.regions, i);
    this.served.copy(j, from.served, i);
    c.org[j] = from.org[i]!;
    c.published[j] = from.published[i]!;
    this.terms.copy(j, from.terms, i);
  }

  finish(): SnapshotColumns {
    return {
      ...this.columns,
      departments: this.departments.finish(),
      regions: this.regions.finish(),
      served: this.served.finish(),
      terms: this.terms.finish(),
    };
  }

  private codeIds(codes: string[]): number[] {
    return codes.map((code) => this.codes.idOf(code));
  }
}

/**
 * The filterable fields of every indexed offer, in typed arrays, and the lexemes of its weighted
 * fields for relevance, for exact disjunctive facets in one pass over memory instead of dozens of
 * SQL aggregates: the PostgreSQL engine asks the database for the text matches (GIN) and the
 * page's documents, and evaluates everything else here. Rows are kept in "recent" order
 * (published_at desc, id desc). Loaded from `search_offers` for one index version; the engine
 * reloads it when the version moves. Its columns can be shared with evaluation threads
 * (`columns`, `fromColumns`).
 */
export class OfferSnapshot {
  readonly size: number;
  readonly ids: Int32Array;
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  readonly published: Float64Array;
  /** Position of each id (-1 when absent), built on first use. */
  private positionsById: Int32Array | null = null;
  /** Spatial grids over the positions (search/geo-grid.ts), built on first use. */
  private geoGrid: GeoGrid | null = null;

  private constructor(
    readonly version: number,
    readonly lexicon: Lexicon,
    /** Commune, département and region codes as ids. */
    readonly codes: Lexicon,
    readonly columns: SnapshotColumns,
  ) {
    this.size = columns.size;
    this.ids = columns.ids;
    this.lat = columns.lat;
    this.lng = columns.lng;
    this.published = columns.published;
  }

  private static build(version: number, lexicon: Lexicon, codes: Lexicon, n: number, fill: (builder: ColumnsBuilder) => void): OfferSnapshot {
    const builder = new ColumnsBuilder(n, lexicon, codes);
    fill(builder);
    return new OfferSnapshot(version, lexicon, codes, builder.finish());
  }

  /** A snapshot over columns built elsewhere (another thread's), with lexicons holding their ids. */
  static fromColumns(version: number, columns: SnapshotColumns, lexicon: Lexicon, codes: Lexicon): OfferSnapshot {
    return new OfferSnapshot(version, lexicon, codes, columns);
  }

  static fromRows(version: number, list: SnapshotRow[], lexicon = new Lexicon(), codes = new Lexicon()): OfferSnapshot {
    return OfferSnapshot.build(version, lexicon, codes, list.length, (target) => {
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
    return OfferSnapshot.build(version, this.lexicon, this.codes, kept + incoming.length, (target) => {
      let i = 0;
      let k = 0;
      for (let j = 0; j < kept + incoming.length; j++) {
        while (i < this.size && drop.has(this.ids[i]!)) i++;
        const next = incoming[k];
        const oldFirst =
          i < this.size && (next === undefined || this.published[i]! > published(next) || (this.published[i] === published(next) && this.ids[i]! > next.id));
        if (oldFirst) target.copyRow(this.columns, i++, j);
        else target.setRow(j, incoming[k++]!);
      }
    });
  }

  /**
   * Every indexed offer, read through a cursor a page at a time: the load holds one page of rows
   * beside the columns, not every row at once (at a million offers, a gigabyte more at its peak).
   * The count and the pages see one state of the table (repeatable read).
   */
  static async load(db: Db, version: number, lexicon: Lexicon, codes: Lexicon, pageSize = LOAD_PAGE): Promise<OfferSnapshot> {
    return db.transaction(
      async (tx) => {
        const [counted] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from search_offers`);
        const n = counted?.n ?? 0;
        const builder = new ColumnsBuilder(n, lexicon, codes);
        await tx.execute(sql`declare snapshot_rows no scroll cursor for select ${SNAPSHOT_COLUMNS} from search_offers ${RECENT_ORDER}`);
        let i = 0;
        for (;;) {
          const page = await rows<SnapshotRow>(tx, sql`fetch ${sql.raw(String(Math.trunc(pageSize)))} from snapshot_rows`);
          for (const row of page) builder.setRow(i++, row);
          if (page.length < pageSize) break;
        }
        if (i !== n) throw new Error(`snapshot load: ${i} rows read, ${n} counted`);
        return new OfferSnapshot(version, lexicon, codes, builder.finish());
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
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
  byRelevance(matches: Int32Array, groups: QueryGroup[]): Int32Array {
    return orderByRelevance(matches, this.columns.terms, this.lexicon, groups);
  }

  /** The spatial grids, built now if not yet (the engine calls it after a load, off the request path). */
  geo(): GeoGrid {
    this.geoGrid ??= GeoGrid.build(this.lat, this.lng, this.columns.travel, this.size);
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
    const c = this.columns;
    const bitsOfFacet = c.facetBits;

    const age = filters.age;
    const hasAge = age !== undefined;
    const range = filters.ageRange;
    const fromDay = filters.period?.from ? dayOf(filters.period.from) : OPEN_START;
    const toDay = filters.period?.to ? dayOf(filters.period.to) : OPEN_END;
    const hasPeriod = fromDay !== OPEN_START || toDay !== OPEN_END;
    const comesTo = filters.comesTo;
    const organisation = filters.organisationId;
    // Codes as the snapshot's ids (UNKNOWN_CODE, matching no offer, for a code it never met).
    const communes = filters.commune?.length
      ? filters.commune.map((place) => ({ ...place, id: this.codeId(place.code), department: this.codeId(place.department) }))
      : null;
    const departmentList = filters.department?.length ? filters.department.map((code) => this.codeId(code)) : null;
    const regionList = filters.region?.length ? filters.region.map((code) => this.codeId(code)) : null;
    const epciCommunes = filters.epci?.length ? new Set(filters.epci.flatMap((e) => e.communes).map((code) => this.codeId(code))) : null;
    const epciDepartments = filters.epci?.flatMap((e) => e.departments).map((code) => this.codeId(code)) ?? [];
    const comesToDepartment = comesTo && comesTo.department !== null ? this.codeId(comesTo.department) : null;
    const anyFacet = active.some(Boolean);
    // 1° of latitude ≥ 110.5 km on this sphere; longitude degrees shrink with the cosine of the latitude.
    const reachKm = near ? Math.max(near.radiusKm, c.maxTravel) * 1.01 + 0.1 : 0;
    const reachLat = reachKm / 110.5;
    const maxAbsLat = near ? Math.min(89.9, Math.abs(near.lat) + reachLat) : 0;
    const reachLng = near ? (maxAbsLat >= 89 ? 360 : reachKm / (110.5 * Math.cos((maxAbsLat * Math.PI) / 180))) : 0;

    const n = candidates ? candidates.length : this.size;
    for (let k = 0; k < n; k++) {
      const i = candidates ? candidates[k]! : k;
      if (hasAge && !(c.ageMin[i]! <= age && c.ageMax[i]! >= age)) continue;
      if (range && !(c.ageMin[i]! <= range.max && c.ageMax[i]! >= range.min)) continue;
      if (hasPeriod && !(c.startDay[i]! <= toDay && c.endDay[i]! >= fromDay)) continue;
      if (natureMask && !(c.nature[i]! & natureMask)) continue;
      if (comesTo && !this.comesToPlace(i, comesTo, comesToDepartment)) continue;
      if (organisation !== undefined && c.org[i] !== organisation) continue;
      const lat = this.lat[i]!;
      const lng = this.lng[i]!;
      let distance = 0;
      if (near) {
        if (Number.isNaN(lat)) continue;
        // Cheap band test first: no offer reaches farther than max(radius, longest travel radius).
        if (Math.abs(lat - near.lat) > reachLat || Math.abs(lng - near.lng) > reachLng) continue;
        const d = distanceKm(near.lat, near.lng, lat, lng);
        if (!(d <= near.radiusKm || (c.travel[i]! > 0 && d <= c.travel[i]!))) continue;
        distance = d;
      }
      if (bbox && !(lng >= bbox.west && lng <= bbox.east && lat >= bbox.south && lat <= bbox.north)) continue;
      if (communes && !communes.some((place) => this.inCommune(i, place))) continue;
      if (departmentList && !departmentList.some((d) => raggedHas(c.departments, i, d))) continue;
      if (regionList && !regionList.some((r) => raggedHas(c.regions, i, r))) continue;
      if (epciCommunes && !(epciCommunes.has(c.commune[i]!) || epciDepartments.some((d) => raggedHas(c.served, i, d)))) continue;

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
      for (let column = 0; column < columnCount; column++) {
        if (failures === 1 && columnFacet[column] !== failed) continue;
        let bits = bitsOfFacet[column]![i]!;
        const target = counts[column]!;
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
    return { matches: Int32Array.from(matches), distances: near ? Float64Array.from(matchDistances) : null, facets };
  }

  /** Comes to the ACM's place: the point within its travel radius, or the département served. */
  private comesToPlace(i: number, place: { lat: number; lng: number }, department: number | null): boolean {
    const c = this.columns;
    if (!c.comes[i]) return false;
    if (department !== null && raggedHas(c.served, i, department)) return true;
    const travel = c.travel[i]!;
    return travel > 0 && !Number.isNaN(this.lat[i]!) && distanceKm(place.lat, place.lng, this.lat[i]!, this.lng[i]!) <= travel;
  }

  private inCommune(i: number, place: { id: number; lat: number; lng: number; department: number }): boolean {
    const c = this.columns;
    if (c.commune[i] === place.id) return true;
    if (!c.comes[i]) return false;
    if (raggedHas(c.served, i, place.department)) return true;
    const travel = c.travel[i]!;
    return travel > 0 && !Number.isNaN(this.lat[i]!) && distanceKm(place.lat, place.lng, this.lat[i]!, this.lng[i]!) <= travel;
  }

  /** A code's id in this snapshot, UNKNOWN_CODE when no offer has it. */
  private codeId(code: string): number {
    return this.codes.find(code) ?? UNKNOWN_CODE;
  }
}

/** The snapshot's row order: recent first. */
const RECENT_ORDER = sql`order by published_at desc nulls last, id desc`;
/** Rows read at a time by a full load. */
const LOAD_PAGE = 5_000;

function snapshotRows(db: Db, where = sql``): Promise<SnapshotRow[]> {
  return rows<SnapshotRow>(db, sql`select ${SNAPSHOT_COLUMNS} from search_offers ${where} ${RECENT_ORDER}`);
}
