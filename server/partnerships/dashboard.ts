import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { parisToday } from '../kernel/paris-time.js';
import { statusLabels } from './labels.js';
import { progressOf } from './overview.js';
import { listUserPartnerships } from './partnerships.usecases.js';

/** Dashboard block: the user's partnerships under way, their next session and what waits for the user's side. */
export async function loadDashboardBlock(deps: Deps, user: CurrentUser) {
  if (!user) return null;
  const rows = (await listUserPartnerships(deps, user)).filter((r) => r.partnership.status !== 'closed').slice(0, 10);
  if (rows.length === 0) return null;
  const today = parisToday(deps.clock.now());
  const progress = await progressOf(
    deps.db,
    rows.map((r) => r.partnership),
    today,
  );
  const items = rows.map((r) => {
    const state = progress.get(r.partnership.id)!;
    const actions = r.side ? state.actions[r.side] : [];
    return {
      id: r.partnership.id,
      title: r.partnership.title,
      other: r.side === 'acm' ? r.partnerName : r.side === 'partner' ? r.acmName : `${r.acmName} et ${r.partnerName}`,
      status: statusLabels[r.partnership.status],
      step: state.currentStep,
      nextSession: state.nextSession,
      actions,
    };
  });
  const next = items
    .filter((i) => i.nextSession)
    .sort((a, b) => `${a.nextSession!.date}${a.nextSession!.startTime}`.localeCompare(`${b.nextSession!.date}${b.nextSession!.startTime}`))[0];
  return { template: 'partnerships/dashboard', data: { partnershipItems: items, nextPartnershipSession: next ?? null } };
}
