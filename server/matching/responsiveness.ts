import type { Db } from '../../db/client.js';
import { loadResponsiveness } from '../requests/responsiveness.js';
import type { Responsiveness } from './score.js';

/**
 * How quickly partners answer requests, for the "Réactivité" criterion, from the requests
 * domain's measure (partners with too few requests have no figure: the criterion does not apply).
 */
export async function responsivenessOf(db: Db, partnerIds: number[], now: Date): Promise<Map<number, Responsiveness>> {
  const measured = await loadResponsiveness(db, partnerIds, now);
  return new Map([...measured].map(([id, r]) => [id, { answeredRate: r.answerRate / 100, medianHours: r.medianHours }]));
}
