import { date, doublePrecision, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const regions = pgTable('regions', {
  code: text().primaryKey(),
  name: text().notNull(),
  slug: text().notNull().unique(),
  lat: doublePrecision().notNull(),
  lng: doublePrecision().notNull(),
});

export const departments = pgTable('departments', {
  code: text().primaryKey(),
  name: text().notNull(),
  regionCode: text()
    .notNull()
    .references(() => regions.code),
  lat: doublePrecision().notNull(),
  lng: doublePrecision().notNull(),
  academy: text(),
  /** School holiday zone A/B/C; null for Corsica and overseas (their own calendars). */
  schoolZone: text(),
});

/** Intercommunalités: EPCI à fiscalité propre (CC, CA, CU, métropoles) and the EPT of the Grand Paris, by SIREN. */
export const epcis = pgTable('epcis', {
  code: text().primaryKey(),
  name: text().notNull(),
  /** CC, CA, CU, METRO, MET69 or EPT. */
  type: text().notNull(),
  population: integer().notNull().default(0),
});

export const communes = pgTable(
  'communes',
  {
    codeInsee: text().primaryKey(),
    name: text().notNull(),
    /** Lower-cased, unaccented, hyphens as spaces: what autocomplete matches against. */
    searchName: text().notNull(),
    type: text().notNull(),
    departmentCode: text()
      .notNull()
      .references(() => departments.code),
    regionCode: text()
      .notNull()
      .references(() => regions.code),
    postcodes: text().array().notNull(),
    lat: doublePrecision().notNull(),
    lng: doublePrecision().notNull(),
    population: integer().notNull().default(0),
    /** The EPCI à fiscalité propre (a Lyon, Paris or Marseille arrondissement: its commune's). */
    epciCode: text().references(() => epcis.code),
    /** The établissement public territorial of the Grand Paris, inside the Métropole du Grand Paris. */
    eptCode: text().references(() => epcis.code),
  },
  (t) => [
    index('communes_department_idx').on(t.departmentCode),
    index('communes_epci_idx').on(t.epciCode),
    index('communes_ept_idx').on(t.eptCode),
    // The commune nearest a point (unmet searches): a band of latitude, then longitude, in the index.
    index('communes_lat_lng_idx').on(t.lat, t.lng),
    index('communes_postcodes_idx').using('gin', t.postcodes),
    index('communes_search_name_trgm_idx').using('gin', t.searchName.op('gin_trgm_ops')),
  ],
);

export const schoolHolidays = pgTable(
  'school_holidays',
  {
    schoolYear: text().notNull(),
    zone: text().notNull(),
    label: text().notNull(),
    /** First day off (a Saturday); null for the "Rentrée" rows. */
    startDate: date({ mode: 'string' }),
    /** First school day after; null for the summer. */
    endDate: date({ mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.schoolYear, t.zone, t.label] })],
);
