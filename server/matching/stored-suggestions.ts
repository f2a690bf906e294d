import type { Deps } from '../deps.js';
import {
  type AcmCandidate,
  acmProfile,
  needCandidatesByIds,
  type OfferCandidate,
  offerCandidatesByIds,
  openNeedById,
  publishedOffersOf,
} from './matching.repository.js';
import { responsivenessOf, responsivenessOfOfferPartners } from './responsiveness.js';
import { type Ranked, rankMatches, type Wish } from './score.js';
import {
  dueSubjects,
  lastOutboxId,
  markNeedsChanged,
  markOffersChanged,
  markOrganisationsChanged,
  outboxChanges,
  readCursor,
  readStored,
  type Subject,
  saveCursor,
  storeItems,
} from './stored-suggestions.repository.js';
import { cachedSuggestions, matchingDataState } from './suggestion-cache.js';
import {
  bestNeedsFor,
  factsOfOffer,
  type NeedSuggestion,
  rankOffers,
  suggestNeedsForOffers,
  suggestNeedsForPartner,
  suggestOffers,
  today,
  wishOfAcm,
  wishOfNeed,
} from './suggestions.js';

/**
 * The dashboards' suggestions are stored per subject (an ACM's profile, a need, a partner) by the
 * matching-suggestions job, so that a first view reads a few rows instead of ranking thousands of
 * offers. A page re-reads the stored offers (and needs) and scores them again with score.ts: what
 * changed on them since shows at once, and a row only lists more items than the page shows so
 * that withdrawn ones leave room. The job follows the search outbox (every write of an offer, a
 * need or an organisation adds a row to it) and marks stale the rows each write may affect; a
 * stale row, or one whose own subject changed since, is computed on the page, as before.
 */

export const MATCHING_SUGGESTIONS_JOB = 'matching-suggestions';
/** Items stored per subject: more than a dashboard shows (3 offers, 5 needs). */
const STORED_ITEMS = 10;
/** Outbox rows read per query by the job. */
const OUTBOX_BATCH = 5_000;
/**
 * Rows are also recomputed after a day (the responsiveness criterion moves, new dates start); a
 * page re-reads the stored offers, so one that ended never shows. Each row's own age spreads the work.
 */
const REFRESH_AFTER_MS = 86_400_000;
/** Subjects computed per query of the due ones. */
const SUBJECT_BATCH = 50;

type ClockDb = Pick<Deps, 'db' | 'clock'>;

/** Ranked offers for an ACM profile or need (wishes[i] is the wish of subjects[i]), from the stored rows where fresh. */
export async function storedOfferSuggestions(
  deps: ClockDb,
  kind: 'acm' | 'need',
  subjects: { id: number; wish: Wish }[],
  limit: number,
): Promise<Ranked<OfferCandidate>[][]> {
  // Each read waits for a pool connection under load: the cache's data state is read with the stored rows, the partners' responsiveness with the offers.
  const state = matchingDataState(deps.db);
  const stored = await readStored(
    deps.db,
    kind,
    subjects.map((s) => s.id),
  );
  const ids = [...new Set(subjects.flatMap((s) => (stored.get(s.id)?.fresh ? (stored.get(s.id)!.items as number[]) : [])))];
  // Kept in the suggestion cache, whose key changes with any write: a dashboard seen again reads no offer.
  const { offers, responsiveness } = await cachedSuggestions(
    deps,
    JSON.stringify(['stored-offers', ids, today(deps)]),
    async () => {
      const [offers, responsiveness] = await Promise.all([
        offerCandidatesByIds(deps.db, ids, today(deps)),
        responsivenessOfOfferPartners(deps.db, ids, deps.clock.now()),
      ]);
      return { offers, responsiveness };
    },
    state,
  );
  return Promise.all(
    subjects.map(async ({ id, wish }) => {
      const row = stored.get(id);
      if (row?.fresh) {
        const listed = new Set(row.items as number[]);
        return rankMatches(
          wish,
          offers.filter((o) => listed.has(o.id)),
          (o) => factsOfOffer(o, responsiveness),
          { limit },
        );
      }
      const at = deps.clock.now();
      const ranked = await suggestOffers(deps, wish, { limit: STORED_ITEMS });
      await storeItems(
        deps.db,
        { kind, id },
        ranked.map((r) => r.item.id),
        at,
      );
      return ranked.slice(0, limit);
    }),
  );
}

/** A partner's dashboard needs, from its stored row where fresh. */
export async function storedNeedSuggestions(deps: ClockDb, partnerId: number, limit: number): Promise<NeedSuggestion[]> {
  const row = (await readStored(deps.db, 'partner', [partnerId])).get(partnerId);
  if (row?.fresh) {
    const pairs = row.items as [number, number][];
    const [needs, offers, responsiveness] = await Promise.all([
      needCandidatesByIds(
        deps.db,
        pairs.map((p) => p[0]),
        today(deps),
      ),
      publishedOffersOf(deps.db, [partnerId]),
      responsivenessOf(deps.db, [partnerId], deps.clock.now()),
    ]);
    return bestNeedsFor(needs, offers, responsiveness, { limit });
  }
  const at = deps.clock.now();
  const found = await suggestNeedsForPartner(deps, partnerId, { limit: STORED_ITEMS });
  await storeItems(
    deps.db,
    { kind: 'partner', id: partnerId },
    found.map((s): [number, number] => [s.need.id, s.offer.id]),
    at,
  );
  return found.slice(0, limit);
}

/** Computes and stores one subject's items (the job's unit of work); a subject gone or closed stores nothing to show. */
async function computeSubject(deps: ClockDb, subject: Subject): Promise<void> {
  const at = deps.clock.now();
  let items: number[] | [number, number][] = [];
  if (subject.kind === 'acm') {
    const acm: AcmCandidate | null = await acmProfile(deps.db, subject.id);
    if (acm) items = (await rankOffers(deps, wishOfAcm(acm), { limit: STORED_ITEMS })).map((r) => r.item.id);
  } else if (subject.kind === 'need') {
    const need = await openNeedById(deps.db, subject.id);
    if (need) items = (await rankOffers(deps, wishOfNeed(need), { limit: STORED_ITEMS })).map((r) => r.item.id);
  } else {
    const found = await suggestNeedsForOffers(deps, await publishedOffersOf(deps.db, [subject.id]), { limit: STORED_ITEMS });
    items = found.map((s): [number, number] => [s.need.id, s.offer.id]);
  }
  await storeItems(deps.db, subject, items, at);
}

/**
 * The job: marks stale what the writes since its last run may affect, then computes the due
 * subjects (stale, a day old, not stored yet) until `budgetMs` is spent.
 */
export async function refreshStoredSuggestions(deps: ClockDb, options: { budgetMs?: number; onProgress?: (done: number) => void } = {}) {
  const started = performance.now();
  const now = deps.clock.now();
  let cursor = await readCursor(deps.db);
  if (cursor === null) {
    // First run: nothing was stored before, nothing to mark.
    await saveCursor(deps.db, await lastOutboxId(deps.db));
  } else {
    for (;;) {
      const changes = await outboxChanges(deps.db, cursor, OUTBOX_BATCH);
      if (changes.last === cursor) break;
      const owned = await markOrganisationsChanged(deps.db, changes.organisations, now);
      await markOffersChanged(deps.db, [...new Set([...changes.offers, ...owned.offers])], now);
      await markNeedsChanged(deps.db, [...new Set([...changes.needs, ...owned.needs])], now);
      cursor = changes.last;
      await saveCursor(deps.db, cursor);
    }
  }
  const budget = options.budgetMs ?? 20_000;
  let done = 0;
  while (performance.now() - started < budget) {
    const due = await dueSubjects(deps.db, new Date(deps.clock.now().getTime() - REFRESH_AFTER_MS), SUBJECT_BATCH);
    if (due.length === 0) break;
    for (const subject of due) {
      await computeSubject(deps, subject);
      done++;
      if (performance.now() - started >= budget) break;
    }
    options.onProgress?.(done);
  }
  return { computed: done };
}
