import { index, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core';
import { users } from './accounts.js';
import { offers } from './offers.js';
import { organisations } from './organisations.js';

/** Offers a user starred (favourites are personal: colleagues of the same ACM keep their own). */
export const favouriteOffers = pgTable(
  'favourite_offers',
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    offerId: integer()
      .notNull()
      .references(() => offers.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.offerId] }), index('favourite_offers_offer_idx').on(t.offerId)],
);

/** Partner organisations a user starred. */
export const favouriteOrganisations = pgTable(
  'favourite_organisations',
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organisationId: integer()
      .notNull()
      .references(() => organisations.id, { onDelete: 'cascade' }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.organisationId] }), index('favourite_organisations_organisation_idx').on(t.organisationId)],
);
