import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';

/** A block a domain adds to a page it does not own: a partial under views/partials and its data. */
export interface Section<Subject> {
  id: string;
  /** Lower comes first. */
  order: number;
  /** Returns null to show nothing (no data, or not for this user). */
  load(deps: Deps, subject: Subject, user: CurrentUser | null): Promise<{ template: string; data: Record<string, unknown> } | null>;
}

interface LoadedSection {
  id: string;
  template: string;
  data: Record<string, unknown>;
}

/**
 * Pages shared by several domains (dashboard, organisation page, offer page) render the sections
 * registered here, in order: `<% it.sections.forEach(s => { %><%~ include('/partials/' + s.template, { ...it, ...s.data }) %><% }) %>`.
 */
export class SectionRegistry<Subject> {
  private readonly sections: Section<Subject>[] = [];

  register(section: Section<Subject>): void {
    const existing = this.sections.findIndex((s) => s.id === section.id);
    if (existing >= 0) this.sections.splice(existing, 1);
    this.sections.push(section);
    this.sections.sort((a, b) => a.order - b.order);
  }

  async load(deps: Deps, subject: Subject, user: CurrentUser | null): Promise<LoadedSection[]> {
    const loaded = await Promise.all(
      this.sections.map(async (section) => {
        const view = await section.load(deps, subject, user);
        return view ? { id: section.id, ...view } : null;
      }),
    );
    return loaded.filter((s): s is LoadedSection => s !== null);
  }
}
