import { customType, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** postgres.js returns a Buffer, PGlite a Uint8Array: both come back as a Buffer. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * Uploaded files kept in the database (the default storage engine with PostgreSQL): every
 * instance sees them, and one pg_dump backs up the data and the files together.
 */
export const storedFiles = pgTable('stored_files', {
  key: text().primaryKey(),
  contentType: text().notNull(),
  size: integer().notNull(),
  /** Hex SHA-256 of the content: checked by the migration command and usable to verify a restore. */
  sha256: text().notNull(),
  data: bytea().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
