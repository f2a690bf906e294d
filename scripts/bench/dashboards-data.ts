import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/client.js';

/**
 * The people of the dashboards bench, added to the bench database next to its offers: ACMs with
 * open needs (each with one owner), owners of generated partners, and coordinators of a
 * département, each signed in through a session row whose token the bench sends as the cookie.
 * Idempotent: a second call only refreshes the sessions (a reused database keeps its people).
 */

/** Session tokens by role, each a cookie value. */
export interface DashboardPeople {
  acm: string[];
  partner: string[];
  coordinator: string[];
}

const needThemes: [string, string][] = [
  ['sport', 'sports-de-combat'],
  ['sport', 'sports-collectifs'],
  ['sport', 'pleine-nature'],
  ['culture', 'theatre-marionnettes'],
  ['culture', 'danse'],
  ['culture', 'arts-plastiques'],
  ['environnement', 'jardinage'],
  ['sciences', 'code-robotique'],
  ['citoyennete', 'solidarite'],
  ['jeux', 'jeux-societe'],
];

/** The département of each bench coordinator, in the order of their tokens. */
export const DEPARTMENTS = ['75', '69', '13', '31', '33', '59', '44', '67', '35', '38'];

function tokenList(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-${prefix}-${i + 1}-session-token-0123456789`);
}

export async function seedDashboardPeople(db: Db, offerCount: number): Promise<DashboardPeople> {
  const acmCount = Math.max(60, Math.round(offerCount / 40));
  const partnerCount = Math.max(60, Math.round(offerCount / 200));
  const people: DashboardPeople = {
    acm: tokenList('acm', acmCount),
    partner: tokenList('partner', partnerCount),
    coordinator: tokenList('coordinator', DEPARTMENTS.length),
  };
  const [{ n } = { n: 0 }] = await rows<{ n: number }>(db, sql`select count(*)::int as n from users where email like 'bench-%@passerelle.test'`);
  if (n === 0) {
    await rows(db, sql`select setseed(0.24)`);
    // ACMs in communes weighted towards the big ones, like the partners of the offers.
    await rows(
      db,
      sql`create temporary table if not exists bench_acm_communes as
            select row_number() over (order by population desc) as i, code_insee, lat, lng from communes where lat <> 0 and population >= 2000`,
    );
    await rows(
      db,
      sql`insert into organisations (kind, name, slug, code_insee, lat, lng, themes, status, age_min, age_max, capacity, description)
          select 'acm', 'Accueil de loisirs ' || g, 'accueil-' || g, c.code_insee, c.lat + (random() - 0.5) * 0.03, c.lng + (random() - 0.5) * 0.04,
            case when g % 3 = 0 then '{}' else array[(${sql.param(needThemes.map((t) => t[0]))}::text[])[1 + g % ${needThemes.length}]] end,
            'verified', 3 + (g % 4), 10 + (g % 4), 40 + g % 60, 'Accueil généré pour le banc d’essai.'
          from generate_series(1, ${acmCount}) g
          cross join lateral (select floor(power(random(), 3) * (select count(*) from bench_acm_communes))::int + 1 + g * 0 as pick) p
          join bench_acm_communes c on c.i = p.pick`,
    );
    // 0 to 4 open needs per ACM (about 2 on average), with the ACM's place.
    await rows(
      db,
      sql`insert into needs (acm_id, title, themes, subthemes, age_min, age_max, group_size, slots, venue_preference, max_travel_km, code_insee, department_code, lat, lng, created_at)
          select a.id, 'Besoin ' || k || ' de ' || a.name,
            array[(${sql.param(needThemes.map((t) => t[0]))}::text[])[1 + (a.id + k) % ${needThemes.length}]],
            case when k % 2 = 0 then array[(${sql.param(needThemes.map((t) => t[1]))}::text[])[1 + (a.id + k) % ${needThemes.length}]] else '{}' end,
            4 + (k % 3), 8 + (k % 4), case when k % 3 = 0 then null else 12 + (a.id % 10) end,
            case when k % 2 = 0 then array['mercredi-apres-midi'] else '{}' end,
            case when k % 4 = 1 then array['dans-l-accueil'] else '{}' end,
            case when k % 3 = 2 then 10 else null end,
            a.code_insee, cm.department_code, a.lat, a.lng, now() - (a.id % 90) * interval '1 day' - k * interval '1 minute'
          from organisations a
          join communes cm on cm.code_insee = a.code_insee
          cross join lateral generate_series(1, (a.id * 7) % 5) k
          where a.kind = 'acm' and a.slug like 'accueil-%'`,
    );
    await rows(
      db,
      sql`insert into users (email, name, password_hash, email_verified_at)
          select 'bench-' || role || '-' || g || '@passerelle.test', 'Banc ' || role || ' ' || g, 'no-password', now()
          from (values ('acm', ${acmCount}::int), ('partner', ${partnerCount}::int), ('coordinator', ${DEPARTMENTS.length}::int)) r(role, n)
          cross join lateral generate_series(1, r.n) g`,
    );
    await rows(
      db,
      sql`insert into memberships (organisation_id, user_id, role)
          select a.id, u.id, 'owner'
          from (select id, row_number() over (order by id) as i from organisations where kind = 'acm' and slug like 'accueil-%') a
          join users u on u.email = 'bench-acm-' || a.i || '@passerelle.test'`,
    );
    // Partners with published offers, spread over the whole list.
    await rows(
      db,
      sql`insert into memberships (organisation_id, user_id, role)
          select p.id, u.id, 'owner'
          from (select id, row_number() over (order by id) as i
                from organisations g where kind = 'partner' and exists (select 1 from offers o where o.organisation_id = g.id and o.status = 'published')
                  and id % ${Math.max(1, Math.floor(offerCount / 8 / partnerCount / 2))} = 0) p
          join users u on u.email = 'bench-partner-' || p.i || '@passerelle.test'`,
    );
    await rows(
      db,
      sql`insert into coordinator_scopes (user_id, scope, code)
          select u.id, 'department', (${sql.param(DEPARTMENTS)}::text[])[g]
          from generate_series(1, ${DEPARTMENTS.length}) g
          join users u on u.email = 'bench-coordinator-' || g || '@passerelle.test'`,
    );
    await rows(db, sql`analyze organisations, needs, users, memberships`);
  }
  await rows(
    db,
    sql`insert into sessions (id, user_id, created_at, last_seen_at, expires_at)
        select encode(sha256(convert_to('bench-' || split_part(split_part(u.email, '@', 1), '-', 2) || '-' || split_part(split_part(u.email, '@', 1), '-', 3) || '-session-token-0123456789', 'UTF8')), 'hex'),
          u.id, now(), now(), now() + interval '1 day'
        from users u where u.email like 'bench-%@passerelle.test'
        on conflict (id) do update set last_seen_at = now(), expires_at = now() + interval '1 day'`,
  );
  return people;
}
