import type { Db } from '../../db/client.js';
import { communes } from '../../db/schema/index.js';
import { normalize, normalizeCommuneQuery } from '../kernel/text.js';
import { CommuneGrid } from './commune-grid.js';

export interface GazetteerCommune {
  codeInsee: string;
  name: string;
  searchName: string;
  postcodes: string[];
  lat: number;
  lng: number;
  population: number;
  departmentCode?: string;
  regionCode?: string;
  epciCode?: string | null;
  eptCode?: string | null;
}

/**
 * The communes table in memory for a bulk import: lookups by INSEE code, by postcode, and the
 * nearest commune of a point (CommuneGrid), without one query per row.
 */
export class Gazetteer {
  private readonly byCode = new Map<string, GazetteerCommune>();
  private readonly byPostcode = new Map<string, GazetteerCommune[]>();
  private readonly grid: CommuneGrid<GazetteerCommune>;
  private readonly byName = new Map<string, GazetteerCommune[]>();

  static async load(db: Db): Promise<Gazetteer> {
    const rows = await db
      .select({
        codeInsee: communes.codeInsee,
        name: communes.name,
        searchName: communes.searchName,
        postcodes: communes.postcodes,
        lat: communes.lat,
        lng: communes.lng,
        population: communes.population,
        departmentCode: communes.departmentCode,
        regionCode: communes.regionCode,
        epciCode: communes.epciCode,
        eptCode: communes.eptCode,
      })
      .from(communes);
    return new Gazetteer(rows);
  }

  constructor(rows: GazetteerCommune[]) {
    for (const commune of rows) {
      this.byCode.set(commune.codeInsee, commune);
      for (const postcode of commune.postcodes) {
        const list = this.byPostcode.get(postcode) ?? [];
        list.push(commune);
        this.byPostcode.set(postcode, list);
      }
      const named = this.byName.get(commune.searchName) ?? [];
      named.push(commune);
      this.byName.set(commune.searchName, named);
    }
    this.grid = new CommuneGrid(rows);
  }

  byInsee(code: string): GazetteerCommune | null {
    return this.byCode.get(code.toUpperCase()) ?? null;
  }

  /** The commune of a postcode; when several share it, the one named in the address, else the most populated. */
  byPostcodeAndAddress(postcode: string, address: string): GazetteerCommune | null {
    const candidates = this.byPostcode.get(postcode);
    if (!candidates || candidates.length === 0) return null;
    if (candidates.length === 1) return candidates[0]!;
    const text = ` ${normalize(address)} `;
    const named = candidates.filter((c) => text.includes(` ${c.searchName} `)).sort((a, b) => b.searchName.length - a.searchName.length);
    if (named[0]) return named[0];
    return [...candidates].sort((a, b) => b.population - a.population)[0]!;
  }

  /** The communes of a name (accents, case and hyphens ignored), with a postcode when given: only those that have it. */
  named(name: string, postcode?: string | null): GazetteerCommune[] {
    const all = this.byName.get(normalizeCommuneQuery(name)) ?? [];
    return postcode ? all.filter((c) => c.postcodes.includes(postcode)) : all;
  }

  nearest(lat: number, lng: number): GazetteerCommune | null {
    return this.grid.nearest(lat, lng)?.commune ?? null;
  }
}
