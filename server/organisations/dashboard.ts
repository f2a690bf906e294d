import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';

/** A block of the dashboard: a partial under views/partials and its data, or null to hide it. */
export interface DashboardSection {
  id: string;
  /** Lower comes first. */
  order: number;
  load(deps: Deps, user: CurrentUser): Promise<{ template: string; data: Record<string, unknown> } | null>;
}

const sections: DashboardSection[] = [];

/** Each domain adds its own blocks (what waits for the user) from its routes plugin. */
export function registerDashboardSection(section: DashboardSection): void {
  if (sections.some((s) => s.id === section.id)) return;
  sections.push(section);
  sections.sort((a, b) => a.order - b.order);
}

export async function loadDashboardSections(deps: Deps, user: CurrentUser) {
  const loaded = await Promise.all(sections.map(async (section) => ({ id: section.id, view: await section.load(deps, user) })));
  return loaded.filter((s) => s.view !== null) as { id: string; view: { template: string; data: Record<string, unknown> } }[];
}
