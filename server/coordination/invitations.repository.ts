import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';
import { invitations, organisationImports, organisations, users } from '../../db/schema/index.js';
import { codeInseeInScope, type Scope } from '../territories/scopes.js';

export type OrganisationImport = typeof organisationImports.$inferSelect;

/** Organisations that already hold one of these SIRET or RNA numbers. */
export async function organisationsWithIds(db: Db, sirets: string[], rnas: string[]) {
  const conditions: SQL[] = [];
  if (sirets.length) conditions.push(inArray(organisations.siret, sirets));
  if (rnas.length) conditions.push(inArray(organisations.rna, rnas));
  if (!conditions.length) return [];
  return db
    .select({ id: organisations.id, name: organisations.name, siret: organisations.siret, rna: organisations.rna })
    .from(organisations)
    .where(sql.join(conditions, sql` or `));
}

/** Name, kind and commune of every organisation of these communes (to refuse a second page for the same one). */
export async function organisationsOfCommunes(db: Db, codes: string[]) {
  if (!codes.length) return [];
  return db
    .select({ id: organisations.id, name: organisations.name, kind: organisations.kind, codeInsee: organisations.codeInsee })
    .from(organisations)
    .where(inArray(organisations.codeInsee, codes));
}

export async function insertImport(db: Db, values: typeof organisationImports.$inferInsert): Promise<OrganisationImport> {
  const [row] = await db.insert(organisationImports).values(values).returning();
  return row!;
}

export async function updateImport(db: Db, id: number, values: Partial<typeof organisationImports.$inferInsert>): Promise<void> {
  await db.update(organisationImports).set(values).where(eq(organisationImports.id, id));
}

/** An import of this territory (another territory's import is not found). */
export async function findImport(db: Db, scope: Scope, id: number): Promise<(OrganisationImport & { by: string | null }) | null> {
  const [row] = await db
    .select({ item: organisationImports, by: users.name })
    .from(organisationImports)
    .leftJoin(users, eq(users.id, organisationImports.createdBy))
    .where(and(eq(organisationImports.id, id), eq(organisationImports.scope, scope.kind), eq(organisationImports.code, scope.code)))
    .limit(1);
  return row ? { ...row.item, by: row.by } : null;
}

export async function recentImports(db: Db, scope: Scope, limit = 10) {
  return db
    .select({
      id: organisationImports.id,
      filename: organisationImports.filename,
      created: organisationImports.created,
      rejected: organisationImports.rejected,
      createdAt: organisationImports.createdAt,
      by: users.name,
    })
    .from(organisationImports)
    .leftJoin(users, eq(users.id, organisationImports.createdBy))
    .where(and(eq(organisationImports.scope, scope.kind), eq(organisationImports.code, scope.code)))
    .orderBy(desc(organisationImports.id))
    .limit(limit);
}

interface PendingClaim {
  id: number;
  email: string;
  organisation_id: number;
  organisation_name: string;
  kind: 'partner' | 'acm';
  type: string | null;
  slug: string;
  commune: string | null;
  expires_at: Date;
  sent_at: Date | null;
  send_count: number;
}

/**
 * Invitations to claim a page of the territory that nobody accepted yet (expired ones included:
 * they are the ones to resend), the page still unclaimed.
 */
export async function pendingClaims(db: Db, scope: Scope): Promise<PendingClaim[]> {
  return rows<PendingClaim>(
    db,
    sql`select i.id, i.email, o.id as organisation_id, o.name as organisation_name, o.kind, o.type, o.slug, c.name as commune,
          i.expires_at, i.sent_at, i.send_count
        from invitations i
        join organisations o on o.id = i.organisation_id
        left join communes c on c.code_insee = o.code_insee
        where i.import_id is not null and i.accepted_at is null and o.unclaimed and ${codeInseeInScope(scope, sql`o.code_insee`)}
        order by i.expires_at asc, i.id asc`,
  );
}

/** One pending claim invitation of the territory, locked for its resend. */
export async function lockPendingClaim(db: Db, scope: Scope, invitationId: number) {
  const [row] = await rows<{ id: number; email: string; organisation_id: number; organisation_name: string; kind: 'partner' | 'acm' }>(
    db,
    sql`select i.id, i.email, o.id as organisation_id, o.name as organisation_name, o.kind
        from invitations i join organisations o on o.id = i.organisation_id
        where i.id = ${invitationId} and i.import_id is not null and i.accepted_at is null and o.unclaimed
          and ${codeInseeInScope(scope, sql`o.code_insee`)}
        for update of i`,
  );
  return row ?? null;
}

export async function renewInvitation(db: Db, id: number, values: { tokenHash: string; expiresAt: Date; sentAt: Date }): Promise<void> {
  await db
    .update(invitations)
    .set({ ...values, sendCount: sql`${invitations.sendCount} + 1` })
    .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt)));
}
