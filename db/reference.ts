import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { count, sql } from 'drizzle-orm';
import { normalize, slugify } from '../server/kernel/text.js';
import { type Db, rows } from './client.js';
import { communes, departments, regions, schoolHolidays } from './schema/index.js';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), 'data');

function readCsv(name: string): Record<string, string>[] {
  return parse(readFileSync(join(dataDir, name)), { columns: true, skip_empty_lines: true, bom: true });
}

async function insertInBatches<T>(rowsToInsert: T[], size: number, insert: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < rowsToInsert.length; i += size) await insert(rowsToInsert.slice(i, i + size));
}

/**
 * Loads the gazetteer (régions, départements, communes) and the school calendar from the
 * project's copy of the open data, once: a database that has them is left alone.
 */
export async function ensureReferenceData(db: Db): Promise<void> {
  const [{ value } = { value: 0 }] = await db.select({ value: count() }).from(communes);
  if (value > 0) return;

  const regionRows = readCsv('regions.csv').map((r) => ({
    code: r.code!,
    name: r.nom!,
    slug: slugify(r.nom!),
    lat: Number(r.lat),
    lng: Number(r.lng),
  }));
  const zones = new Map(readCsv('zones-academies.csv').map((z) => [z.departement!, z]));
  const departmentRows = readCsv('departements.csv').map((d) => ({
    code: d.code!,
    name: d.nom!,
    regionCode: d.region!,
    lat: Number(d.lat),
    lng: Number(d.lng),
    academy: zones.get(d.code!)?.academie || null,
    schoolZone: zones.get(d.code!)?.zone || null,
  }));
  const departmentCentre = new Map(departmentRows.map((d) => [d.code, d]));
  const communeRows = readCsv('communes.csv').map((c) => {
    const fallback = departmentCentre.get(c.departement!);
    return {
      codeInsee: c.code_insee!,
      name: c.nom!,
      searchName: normalize(c.nom!),
      type: c.type!,
      departmentCode: c.departement!,
      regionCode: c.region!,
      postcodes: (c.codes_postaux ?? '').split(' ').filter(Boolean),
      lat: c.lat ? Number(c.lat) : (fallback?.lat ?? 0),
      lng: c.lng ? Number(c.lng) : (fallback?.lng ?? 0),
      population: Number(c.population) || 0,
    };
  });
  const holidayRows = readCsv('vacances-scolaires.csv').map((h) => ({
    schoolYear: h.annee_scolaire!,
    zone: h.zone!,
    label: h.libelle!,
    startDate: h.debut || null,
    endDate: h.reprise || null,
  }));

  await db.transaction(async (tx) => {
    await tx.insert(regions).values(regionRows).onConflictDoNothing();
    await tx.insert(departments).values(departmentRows).onConflictDoNothing();
    // One statement per 5,000 rows with the batch as a single JSON parameter: much faster than binding 10 parameters a row.
    await insertInBatches(communeRows, 5_000, (batch) =>
      rows(
        tx,
        sql`insert into communes (code_insee, name, search_name, type, department_code, region_code, postcodes, lat, lng, population)
            select c.code_insee, c.name, c.search_name, c.type, c.department_code, c.region_code, c.postcodes, c.lat, c.lng, c.population
            from json_to_recordset(${JSON.stringify(
              batch.map((r) => ({
                code_insee: r.codeInsee,
                name: r.name,
                search_name: r.searchName,
                type: r.type,
                department_code: r.departmentCode,
                region_code: r.regionCode,
                postcodes: r.postcodes,
                lat: r.lat,
                lng: r.lng,
                population: r.population,
              })),
            )}::json)
              as c(code_insee text, name text, search_name text, type text, department_code text, region_code text, postcodes text[], lat float8, lng float8, population int)
            on conflict do nothing`,
      ),
    );
    await tx.insert(schoolHolidays).values(holidayRows).onConflictDoNothing();
  });
}
