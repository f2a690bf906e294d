import type { Db } from '../../db/client.js';
import { communeLabel, nearestCommune, resolveCommune } from './territories.repository.js';

/** The place of a search: its point ("lat,lng"), its name for the chip, and the text the form's place field shows. */
interface SearchPlace {
  near: string;
  label: string;
  lieu: string;
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
  const [lat, lng] = near.split(',').map(Number) as [number, number];
  if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) return null;
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
