import { offerPageSections } from '../offers/offer-page-sections.js';
import { dashboardSections } from '../organisations/dashboard.js';
import { organisationPageSections } from '../organisations/organisation-page-sections.js';
import { loadWaiting } from './inbox.js';
import { acmsOf, openRequestsFor } from './request-form.js';
import { findOrganisation } from './requests.repository.js';
import { responsivenessOf } from './responsiveness.js';

/** Blocks this domain adds to pages it does not own (dashboard, organisation page, offer page). */
export function registerRequestSections(): void {
  dashboardSections.register({
    id: 'requests-waiting',
    order: 10,
    load: async (deps, user) => {
      if (!user.memberships.some((m) => m.kind === 'partner' || m.kind === 'acm')) return null;
      return { template: 'requests/dashboard', data: { waiting: await loadWaiting(deps, user) } };
    },
  });

  organisationPageSections.register({
    id: 'requests-responsiveness',
    order: 30,
    load: async (deps, organisation) => {
      if (organisation.kind !== 'partner') return null;
      const responsiveness = await responsivenessOf(deps.db, organisation.id, deps.clock.now());
      return responsiveness ? { template: 'requests/organisation-section', data: { responsiveness } } : null;
    },
  });

  offerPageSections.register({
    id: 'requests-offer',
    order: 20,
    load: async (deps, offer, user) => {
      const responsiveness = await responsivenessOf(deps.db, offer.organisationId, deps.clock.now());
      let openRequests: Awaited<ReturnType<typeof openRequestsFor>> = [];
      if (user?.memberships.some((m) => m.kind === 'acm')) {
        const partner = await findOrganisation(deps.db, offer.organisationId);
        if (partner) openRequests = await openRequestsFor(deps, await acmsOf(deps, user), { offer, partner });
      }
      if (!responsiveness && openRequests.length === 0) return null;
      return { template: 'requests/offer-section', data: { responsiveness, openRequests } };
    },
  });
}
