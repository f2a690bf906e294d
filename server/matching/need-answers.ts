import type { Deps } from '../deps.js';
import { statusLabels as partnershipStatusLabels } from '../partnerships/labels.js';
import { statusLabels as requestStatusLabels } from '../requests/labels.js';
import { publishedOffersOf } from './matching.repository.js';
import { answersOfNeed, type NeedWithAcm, prescriptionsOfNeed } from './needs.repository.js';
import { scoreMatch } from './score.js';
import { factsOfOffer, wishOfNeed } from './suggestions.js';

/** The request threads opened from a need (answers of partners). */
export async function needAnswers(deps: Deps, needId: number) {
  const found = await answersOfNeed(deps.db, needId);
  return found.map((r) => ({ ...r, statusLabel: requestStatusLabels[r.status] ?? r.status }));
}

/** The partnerships prescribed for a need by the territory's coordinators. */
export async function needPrescriptions(deps: Deps, needId: number) {
  const found = await prescriptionsOfNeed(deps.db, needId);
  return found.map((p) => ({ ...p, statusLabel: p.declined ? 'Décliné' : partnershipStatusLabels[p.status] }));
}

/** The answering partner's published offers as select options, best match for the need first. */
export async function partnerAnswerOptions(deps: Deps, found: NeedWithAcm, partnerIds: number[]) {
  const candidates = await publishedOffersOf(deps.db, partnerIds);
  const wish = wishOfNeed(found.need);
  const several = partnerIds.length > 1;
  return candidates
    .map((offer) => ({ offer, match: scoreMatch(wish, factsOfOffer(offer, new Map())) }))
    .sort((a, b) => Number(a.match.excluded) - Number(b.match.excluded) || b.match.score - a.match.score)
    .map(({ offer, match }) => {
      const prefix = several ? `${offer.partnerName} — ` : '';
      const fit = match.excluded
        ? ` (ne convient pas : ${match.criteria
            .filter((c) => c.excludes)
            .map((c) => c.label.toLowerCase())
            .join(', ')})`
        : ` (${match.score} %)`;
      return { value: offer.id, label: `${prefix}${offer.title}${fit}` };
    });
}
