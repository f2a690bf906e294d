import type { organisations } from '../../db/schema/index.js';
import { SectionRegistry } from '../lib/section-registry.js';

/** Blocks of the public organisation page (/structures/:id-:slug) added by other domains. */
export const organisationPageSections = new SectionRegistry<typeof organisations.$inferSelect>();
