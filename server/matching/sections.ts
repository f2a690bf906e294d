import { isMember } from '../accounts/guards.js';
import { offerPageSections } from '../offers/offer-page-sections.js';
import { dashboardSections } from '../organisations/dashboard.js';
import { acmProfile, offerCandidateById, openNeedsOfAcms } from './matching.repository.js';
import { acmSuggestionView, needSuggestionView, needView, offerSuggestionView } from './matching.view.js';
import { acmMemberships, partnerMemberships } from './needs.usecases.js';
import { storedNeedSuggestions, storedOfferSuggestions } from './stored-suggestions.js';
import { suggestAcmsForOffer, today, wishOfAcm, wishOfNeed } from './suggestions.js';

const NEEDS_ON_DASHBOARD = 3;
const PER_NEED = 3;

/** Blocks the matching domain adds to the dashboard and to the offer page. */
export function registerMatchingSections(): void {
  dashboardSections.register({
    id: 'matching-acm-suggestions',
    order: 30,
    async load(deps, user) {
      const acms = acmMemberships(user);
      if (acms.length === 0) return null;
      const loaded = await Promise.all(
        acms.map(async (membership) => {
          const [acm, needs] = await Promise.all([
            acmProfile(deps.db, membership.organisationId),
            openNeedsOfAcms(deps.db, [membership.organisationId], today(deps)),
          ]);
          if (!acm) return null;
          const shown = needs.slice(0, NEEDS_ON_DASHBOARD);
          const [[profile], perNeed] = await Promise.all([
            storedOfferSuggestions(deps, 'acm', [{ id: acm.id, wish: wishOfAcm(acm) }], PER_NEED),
            storedOfferSuggestions(
              deps,
              'need',
              shown.map((need) => ({ id: need.id, wish: wishOfNeed(need) })),
              PER_NEED,
            ),
          ]);
          const needBlocks = shown.map((need, i) => ({ need: needView(need), suggestions: perNeed[i]!.map((r) => offerSuggestionView(r.item, r.match)) }));
          return {
            acm: { id: acm.id, name: acm.name },
            needs: needBlocks,
            moreNeeds: Math.max(0, needs.length - NEEDS_ON_DASHBOARD),
            profile: profile!.map((r) => offerSuggestionView(r.item, r.match)),
          };
        }),
      );
      const blocks = loaded.filter((block) => block !== null);
      return { template: 'matching/dashboard-acm', data: { matchingBlocks: blocks } };
    },
  });

  dashboardSections.register({
    id: 'matching-partner-needs',
    order: 31,
    async load(deps, user) {
      const partners = partnerMemberships(user);
      if (partners.length === 0) return null;
      const blocks = [];
      for (const partner of partners) {
        const found = await storedNeedSuggestions(deps, partner.organisationId, 5);
        blocks.push({ partner: { id: partner.organisationId, name: partner.name }, items: found.map((s) => needSuggestionView(s.need, s.offer, s.match)) });
      }
      return { template: 'matching/dashboard-partner', data: { nearbyBlocks: blocks, severalPartners: partners.length > 1 } };
    },
  });

  offerPageSections.register({
    id: 'matching-interested-acms',
    order: 50,
    async load(deps, offer, user) {
      if (!isMember(user, offer.organisationId) || offer.status !== 'published') return null;
      const candidate = await offerCandidateById(deps.db, offer.id);
      if (!candidate) return null;
      const found = await suggestAcmsForOffer(deps, candidate, { limit: 8 });
      return { template: 'matching/offer-acms', data: { interestedAcms: found.map((s) => acmSuggestionView(s.acm, s.needs, s.match)) } };
    },
  });
}
