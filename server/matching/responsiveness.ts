import type { Db } from '../../db/client.js';
import { loadResponsiveness, loadResponsivenessOfOfferPartners, type Responsiveness as Measured } from '../requests/responsiveness.js';
import type { Responsiveness } from './score.js';

/**
 * How quickly partners answer requests, for the "Réactivité" criterion, from the requests
 * domain's measure (partners with too few requests have no figure: the criterion does not apply).
 */
export async function responsivenessOf(db: Db, partnerIds: number[], now: Date): Promise<Map<number, Responsiveness>> {
  return criterion(await loadResponsiveness(db, partnerIds, now));
}

/** The same for the partners of some offers, read alongside the offers rather than after them. */
export async function responsivenessOfOfferPartners(db: Db, offerIds: number[], now: Date): Promise<Map<number, Responsiveness>> {
  return criterion(await loadResponsivenessOfOfferPartners(db, offerIds, now));
}

function criterion(measured: Map<number, Measured>): Map<number, Responsiveness> {
  return new Map([...measured].map(([id, r]) => [id, { answeredRate: r.answerRate / 100, medianHours: r.medianHours }]));
}
