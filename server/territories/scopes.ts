import { type SQL, sql } from 'drizzle-orm';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { ScopeKind } from '../kernel/scopes.js';
import { NotFoundError } from '../lib/errors.js';

/** A territory: a coordinator's scope, a coverage map, a statistics page. */
export interface Scope {
  kind: ScopeKind;
  code: string;
}

/** The communes of a scope, as a condition on the communes table under `alias`. */
export function communesInScope(scope: Scope, alias = 'c'): SQL {
  const column = (name: string) => sql.raw(`${alias}.${name}`);
  if (scope.kind === 'commune') return sql`${column('code_insee')} = ${scope.code}`;
  if (scope.kind === 'department') return sql`${column('department_code')} = ${scope.code}`;
  if (scope.kind === 'epci') return sql`(${column('epci_code')} = ${scope.code} or ${column('ept_code')} = ${scope.code})`;
  return sql`${column('region_code')} = ${scope.code}`;
}

/**
 * The organisations of a scope (id, kind, status), for counting them once in a query that needs
 * several counts (PostgreSQL reads the whole organisations table for a large scope).
 */
export function organisationsInScope(scope: Scope): SQL {
  return sql`select o.id, o.kind, o.status from organisations o where ${codeInseeInScope(scope, sql`o.code_insee`)}`;
}

/** A column holding a commune code lies in the scope. */
export function codeInseeInScope(scope: Scope, codeInsee: SQL): SQL {
  if (scope.kind === 'commune') return sql`${codeInsee} = ${scope.code}`;
  return sql`${codeInsee} in (select c.code_insee from communes c where ${communesInScope(scope)})`;
}

/** Coordinator pages answer 404 to anyone not appointed to a territory. */
export function requireCoordinator(user: CurrentUser): void {
  if (user.coordinatorScopes.length === 0) throw new NotFoundError();
}
