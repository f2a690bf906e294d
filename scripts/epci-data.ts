// npm run data:epci
// Regenerates db/data/epci.csv and the epci, ept and population columns of db/data/communes.csv
// from the pinned @etalab/decoupage-administratif package (data: Licence Ouverte 2.0; code: MIT).
// The generated files are committed: the app never reads the package (12 MB of JSON) at start.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

interface PackageCommune {
  code: string;
  type: string;
  commune?: string;
  chefLieu?: string;
  anciensCodes?: string[];
  population?: number;
}
interface PackageGroup {
  code: string;
  nom: string;
  type: string;
  membres: { code: string }[];
}

const require = createRequire(import.meta.url);
const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'db', 'data');
const pkg = '@etalab/decoupage-administratif';
const version: string = require(`${pkg}/package.json`).version;
const packageCommunes: PackageCommune[] = require(`${pkg}/data/communes.json`);
const epcis: PackageGroup[] = require(`${pkg}/data/epci.json`);
const epts: PackageGroup[] = require(`${pkg}/data/ept.json`);

const byCode = new Map<string, PackageCommune>();
for (const c of packageCommunes) if (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal') byCode.set(c.code, c);
/** A commune merged since the project's copy: its current commune (chef-lieu). */
const mergedInto = new Map<string, string>();
for (const c of packageCommunes) {
  if ((c.type === 'commune-deleguee' || c.type === 'commune-associee') && c.chefLieu) mergedInto.set(c.code, c.chefLieu);
  if (c.type === 'commune-actuelle') for (const old of c.anciensCodes ?? []) if (!byCode.has(old)) mergedInto.set(old, c.code);
}

const epciOf = new Map<string, string>();
for (const e of epcis) for (const m of e.membres) epciOf.set(m.code, e.code);
const eptOf = new Map<string, string>();
for (const e of epts) for (const m of e.membres) eptOf.set(m.code, e.code);

/** The current commune a code of the project's copy stands for (a Lyon arrondissement → Lyon, a merged commune → its new one). */
function current(code: string): string {
  const c = byCode.get(code);
  if (c?.type === 'arrondissement-municipal' && c.commune) return c.commune;
  return mergedInto.get(code) ?? code;
}

const communesFile = join(dataDir, 'communes.csv');
const rows: Record<string, string>[] = parse(readFileSync(communesFile), { columns: true, skip_empty_lines: true, bom: true });
let updatedPopulations = 0;
let withoutEpci = 0;
const populationOf = new Map<string, number>();
for (const row of rows) {
  const fresh = byCode.get(row.code_insee!)?.population;
  if (fresh !== undefined && String(fresh) !== row.population) {
    row.population = String(fresh);
    updatedPopulations++;
  }
  const parent = current(row.code_insee!);
  row.epci = epciOf.get(parent) ?? '';
  row.ept = eptOf.get(parent) ?? '';
  if (!row.epci) withoutEpci++;
  if (row.type === 'COM') populationOf.set(row.code_insee!, Number(row.population) || 0);
}
const columns = ['code_insee', 'nom', 'type', 'departement', 'region', 'codes_postaux', 'lat', 'lng', 'population', 'epci', 'ept'];
writeFileSync(communesFile, stringify(rows, { header: true, columns }));

const groups = [...epcis, ...epts]
  .map((e) => ({
    code: e.code,
    nom: e.nom,
    type: e.type,
    // The sum of the member communes' populations of the project's copy, so that the figures add up.
    population: String(e.membres.reduce((sum, m) => sum + (populationOf.get(m.code) ?? 0), 0)),
  }))
  .sort((a, b) => a.code.localeCompare(b.code));
writeFileSync(join(dataDir, 'epci.csv'), stringify(groups, { header: true, columns: ['code', 'nom', 'type', 'population'] }));

console.log(`${pkg}@${version}: ${epcis.length} EPCI, ${epts.length} EPT; ${updatedPopulations} populations updated; ${withoutEpci} communes without EPCI`);
