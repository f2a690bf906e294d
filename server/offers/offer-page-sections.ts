import type { offers } from '../../db/schema/index.js';
import { SectionRegistry } from '../lib/section-registry.js';

/** Blocks of the offer page (/offres/:id-:slug) added by other domains (requests, matching). */
export const offerPageSections = new SectionRegistry<typeof offers.$inferSelect>();
