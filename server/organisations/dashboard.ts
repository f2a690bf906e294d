import type { CurrentUser } from '../accounts/sessions.repository.js';
import { SectionRegistry } from '../lib/section-registry.js';

/** Blocks of /tableau-de-bord: each domain registers what waits for the user (subject: the user). */
export const dashboardSections = new SectionRegistry<CurrentUser>();
