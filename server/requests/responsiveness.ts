import { and, eq, gte, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { offers, requests } from '../../db/schema/index.js';

/** Below this many requests over the period, figures would say more about chance than about the partner. */
const RESPONSIVENESS_MIN_REQUESTS = 3;
const PERIOD_DAYS = 365;

export interface Responsiveness {
  organisationId: number;
  /** Requests taken into account (received over 12 months, not withdrawn before an answer, not still waiting). */
  considered: number;
  answered: number;
  /** 0–100, rounded. */
  answerRate: number;
  /** Median time to the first answer, in hours; null if nothing was answered. */
  medianHours: number | null;
  /** "en 2 jours en général", for cards and pages. */
  medianLabel: string | null;
}

export function medianLabel(hours: number | null): string | null {
  if (hours === null) return null;
  if (hours < 1) return 'en moins d’une heure';
  if (hours < 24) {
    const h = Math.round(hours);
    return `en ${h} heure${h > 1 ? 's' : ''}`;
  }
  const days = Math.round(hours / 24);
  return `en ${days} jour${days > 1 ? 's' : ''}`;
}

/**
 * Median first-reply time and answer rate of partners over the last 12 months, for many
 * organisations in one query (search result cards). Organisations with too few requests are
 * left out of the map: show nothing for them.
 */
export async function loadResponsiveness(db: Db, organisationIds: number[], now: Date): Promise<Map<number, Responsiveness>> {
  const ids = [...new Set(organisationIds)];
  if (ids.length === 0) return new Map();
  return measure(db, sql`${requests.partnerId} = any(${sql.param(ids)}::int[])`, now);
}

/** The same figures for the partners of some offers, so that they can be read alongside the offers. */
export async function loadResponsivenessOfOfferPartners(db: Db, offerIds: number[], now: Date): Promise<Map<number, Responsiveness>> {
  if (offerIds.length === 0) return new Map();
  return measure(
    db,
    sql`${requests.partnerId} in (select ${offers.organisationId} from ${offers} where ${offers.id} = any(${sql.param(offerIds)}::int[]))`,
    now,
  );
}

async function measure(db: Db, partners: SQL, now: Date): Promise<Map<number, Responsiveness>> {
  const since = new Date(now.getTime() - PERIOD_DAYS * 86_400_000);
  const counted = sql`not (${requests.status} = 'sent' or (${requests.status} = 'withdrawn' and ${requests.firstReplyAt} is null))`;
  const rows = await db
    .select({
      organisationId: requests.partnerId,
      considered: sql<number>`count(*) filter (where ${counted})`.mapWith(Number),
      answered: sql<number>`count(*) filter (where ${counted} and ${requests.firstReplyAt} is not null)`.mapWith(Number),
      medianSeconds: sql<
        number | null
      >`percentile_cont(0.5) within group (order by extract(epoch from ${requests.firstReplyAt} - ${requests.createdAt})) filter (where ${counted} and ${requests.firstReplyAt} is not null)`,
    })
    .from(requests)
    .where(and(partners, eq(requests.direction, 'acm_to_partner'), gte(requests.createdAt, since)))
    .groupBy(requests.partnerId);
  const result = new Map<number, Responsiveness>();
  for (const row of rows) {
    if (row.considered < RESPONSIVENESS_MIN_REQUESTS) continue;
    const medianHours = row.medianSeconds === null ? null : Number(row.medianSeconds) / 3600;
    result.set(row.organisationId, {
      organisationId: row.organisationId,
      considered: row.considered,
      answered: row.answered,
      answerRate: Math.round((row.answered / row.considered) * 100),
      medianHours,
      medianLabel: medianLabel(medianHours),
    });
  }
  return result;
}

export async function responsivenessOf(db: Db, organisationId: number, now: Date): Promise<Responsiveness | null> {
  return (await loadResponsiveness(db, [organisationId], now)).get(organisationId) ?? null;
}
