import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * Names in the order a French reader looks them up: accents and case aside ("Écully" between
 * "Dardilly" and "Francheville"), which the databases' byte-wise collation (C.UTF-8, PGlite)
 * does not give. The name itself breaks ties so the order stays stable.
 */
export function byFrenchName(name: SQLWrapper): SQL {
  return sql`search_norm(${name}), ${name}`;
}
