import { eq, inArray } from 'drizzle-orm';
import { communes, organisations, regions } from '../../db/schema/index.js';
import { currentUser, requireUser } from '../accounts/guards.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { scopeLabels } from '../kernel/scopes.js';
import type { App } from '../types.js';
import { dashboardSections } from './dashboard.js';
import { countOrganisationsInScope } from './organisations.repository.js';
import { kindLabels, organisationPath, roleLabels, statusLabels } from './organisations.usecases.js';

async function membershipCards(deps: Deps, user: CurrentUser) {
  const ids = user.memberships.map((m) => m.organisationId);
  if (ids.length === 0) return [];
  const list = await deps.db
    .select({ id: organisations.id, statusReason: organisations.statusReason, communeName: communes.name })
    .from(organisations)
    .leftJoin(communes, eq(communes.codeInsee, organisations.codeInsee))
    .where(inArray(organisations.id, ids));
  const details = new Map(list.map((o) => [o.id, o]));
  return user.memberships.map((m) => ({
    ...m,
    path: organisationPath({ id: m.organisationId, slug: m.slug, kind: m.kind }),
    kindLabel: kindLabels[m.kind],
    roleLabel: roleLabels[m.role],
    statusLabel: statusLabels[m.status],
    statusReason: details.get(m.organisationId)?.statusReason ?? null,
    communeName: details.get(m.organisationId)?.communeName ?? null,
  }));
}

/** Each coordinator scope with the number of partners and ACMs it covers, and its territory page. */
async function scopeCards(deps: Deps, user: CurrentUser) {
  return Promise.all(
    user.coordinatorScopes.map(async (s) => {
      const counts = await countOrganisationsInScope(deps.db, { kind: s.scope, code: s.code }, 'verified');
      const sum = (kind: string) => counts.filter((c) => c.kind === kind).reduce((total, c) => total + c.value, 0);
      let href = `/territoires/communes/${s.code}`;
      if (s.scope === 'department') href = `/territoires/departements/${s.code}`;
      if (s.scope === 'epci') href = `/territoires/intercommunalites/${s.code}`;
      if (s.scope === 'region') {
        const [region] = await deps.db.select({ slug: regions.slug }).from(regions).where(eq(regions.code, s.code)).limit(1);
        href = `/territoires/${region?.slug ?? s.code}`;
      }
      const scopeLabel = scopeLabels[s.scope];
      return { ...s, scopeLabel, label: s.label ?? s.code, href, partners: sum('partner'), acms: sum('acm') };
    }),
  );
}

export default async function dashboardRoutes(app: App) {
  const { deps } = app;

  app.get('/tableau-de-bord', { preHandler: requireUser }, async (request, reply) => {
    const user = currentUser(request);
    const [cards, scopes, sections] = await Promise.all([membershipCards(deps, user), scopeCards(deps, user), dashboardSections.load(deps, user, user)]);
    return reply.page('dashboard/index', { title: 'Tableau de bord', cards, scopes, sections });
  });
}
