import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { distanceKm } from '../kernel/distance.js';
import { placedAcms } from './favourites.repository.js';

interface Place {
  lat: number | null;
  lng: number | null;
  venue: string;
  travelKm: number | null;
  departmentsServed: string[];
}

function kmText(km: number): string {
  return km < 10 ? km.toFixed(1).replace('.', ',').replace(',0', '') : String(Math.round(km));
}

/**
 * "Votre accueil Les Pitchouns" (for "Accueil de loisirs Les Pitchouns" too); a name that would
 * read badly once shortened ("Accueil de loisirs des Calades") is kept whole.
 */
export function acmSubject(name: string): string {
  const kind = /^(accueil de loisirs|accueil|centre de loisirs|centre|alsh|acm)\s+/i.exec(name);
  if (!kind) return `Votre accueil ${name}`;
  const rest = name.slice(kind[0].length);
  return /^\p{Lu}/u.test(rest) ? `Votre accueil ${rest}` : name;
}

/**
 * For a signed-in ACM member, how far each of their accueils is from the offer and, when the
 * partner travels, whether it lies in the travel zone (radius or départements served).
 */
export async function distancesFromMyAcms(deps: Pick<Deps, 'db'>, user: CurrentUser | null, offer: Place): Promise<{ text: string; inZone: boolean | null }[]> {
  if (!user || offer.lat === null || offer.lng === null) return [];
  const ids = user.memberships.filter((m) => m.kind === 'acm' && m.status !== 'suspended').map((m) => m.organisationId);
  const acms = await placedAcms(deps.db, ids);
  return acms.map((acm) => {
    const km = distanceKm(acm.lat, acm.lng, offer.lat!, offer.lng!);
    const base = `${acmSubject(acm.name)} est à ${kmText(km)} km`;
    if (offer.venue !== 'dans-l-accueil') return { text: `${base} de ce lieu.`, inZone: null };
    const zoned = offer.travelKm !== null || offer.departmentsServed.length > 0;
    if (!zoned) return { text: `${base}.`, inZone: null };
    const inZone = (offer.travelKm !== null && km <= offer.travelKm) || (acm.department !== null && offer.departmentsServed.includes(acm.department));
    return { text: `${base} — ${inZone ? 'dans la zone de déplacement' : 'hors de la zone de déplacement'}.`, inZone };
  });
}
