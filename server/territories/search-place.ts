import type { Db } from '../../db/client.js';
import { parsePoint } from '../kernel/distance.js';
import { CommuneGrid } from './commune-grid.js';
import { allCommuneCentres, type CommuneCentre, communeLabel, resolveCommune } from './territories.repository.js';

/** The place of a search: its point ("lat,lng"), its name for the chip, and the text the form's place field shows. */
interface SearchPlace {
  near: string;
  label: string;
  lieu: string;
}

/** Past this distance (in degrees of latitude, about 33 km), a point is at sea or abroad: it keeps its coordinates as its name. */
const NAMED_WITHIN_DEGREES = 0.3;

/**
 * The communes' centres, read once per database: a link or the map gives a bare point on every
 * search page, and naming it took a query each time. The gazetteer changes only with a release
 * (db/reference.ts loads it at start).
 */
const grids = new WeakMap<Db, Promise<CommuneGrid<CommuneCentre>>>();

function communeGrid(db: Db): Promise<CommuneGrid<CommuneCentre>> {
  let grid = grids.get(db);
  if (!grid) {
    grid = allCommuneCentres(db).then((centres) => new CommuneGrid(centres));
    grid.catch(() => grids.delete(db)); // a failed read is retried by the next search
    grids.set(db, grid);
  }
  return grid;
}

/** Reads the communes' centres ahead of the first search (production start). */
export async function loadCommuneCentres(db: Db): Promise<void> {
  await communeGrid(db);
}

async function nearestCommune(db: Db, lat: number, lng: number): Promise<CommuneCentre | null> {
  const found = (await communeGrid(db)).nearest(lat, lng);
  return found && found.degrees <= NAMED_WITHIN_DEGREES ? found.commune : null;
}

/** What a place field says when its text names no commune, or several. */
export const placeErrors = {
  unknown: 'Lieu introuvable : vérifiez l’orthographe ou saisissez le code postal.',
  ambiguous: 'Plusieurs communes correspondent : précisez le code postal.',
};

/**
 * Reads the place fields of a search form: a typed commune (lieu), a commune picked from the
 * suggestions (lieu and its point, near), or a point alone (a link built by hand or by another
 * tool), named after its nearest commune so that its chip can remove it and the form keeps it.
 * Null without a place, or when near is not a point (the query's validation says why).
 */
async function readSearchPlace(db: Db, lieu: string | undefined, near: string | undefined): Promise<SearchPlace | { error: string } | null> {
  if (lieu && !near) {
    const found = await resolveCommune(db, lieu);
    if (!('commune' in found)) return { error: placeErrors[found.error] };
    return { near: `${found.commune.lat},${found.commune.lng}`, label: found.commune.name, lieu };
  }
  if (lieu && near) return { near, label: lieu, lieu };
  if (!near) return null;
  const point = parsePoint(near);
  if (!point) return null;
  const { lat, lng } = point;
  const commune = await nearestCommune(db, lat, lng);
  if (!commune) return { near, label: `${lat}, ${lng}`, lieu: `${lat}, ${lng}` };
  return { near, label: commune.name, lieu: communeLabel(commune) };
}

/**
 * Reads the place fields of a search form's parameters into its engine query (`api.near`) and back
 * into the form (`params.lieu`, the named place); gives the chip's label, or the field's error.
 */
export async function applySearchPlace(
  db: Db,
  params: Record<string, string | string[]>,
  api: Record<string, unknown>,
): Promise<{ label: string | null; error: string | null }> {
  const place = await readSearchPlace(db, params.lieu as string | undefined, params.near as string | undefined);
  if (!place) return { label: null, error: null };
  if ('error' in place) return { label: null, error: place.error };
  api.near = place.near;
  params.lieu = place.lieu;
  return { label: place.label, error: null };
}

/** A place searched without a radius gets the forms' default one; a radius without its place goes. */
export function settleRadius(api: Record<string, unknown>): void {
  if (api.near && api.radius_km === undefined) api.radius_km = 20;
  if (!api.near) delete api.radius_km;
}
