import { demoAccounts } from '../../server/demo/organisations.js';

/** How the crawls of the demo (test/browser/crawl.test.ts, test/platform/crawl.test.ts) walk it. */
const PAGE_KINDS_PER_ROLE = 40;
/** Public catalogue pages come last: the crawl reaches each role's own pages first. */
const PUBLIC = /^\/(offres|structures|accueils)\/\d+-|^\/territoires|^\/(a-propos|accessibilite|inscription)/;
const SKIPPED = /deconnexion|desinscri|\.ics|\.pdf|\.csv|\/export|\/api\/|\/static\/|\/uploads\/|\/dev\//;

const kindOf = (path: string) => path.replace(/\?.*$/, '').replace(/\d+(-[a-z0-9-]+)?/g, 'N');

/**
 * Follows the links of every page from the dashboard, one page per kind (ids and slugs aside), at
 * most PAGE_KINDS_PER_ROLE kinds. `open` loads a page and gives back the hrefs of its links, or
 * null when it answers with a client error. Returns the paths that answered.
 */
export async function crawl(open: (path: string) => Promise<string[] | null>): Promise<string[]> {
  const visited: string[] = [];
  const kinds = new Set<string>();
  const own = ['/tableau-de-bord'];
  const later = ['/'];
  while ((own.length > 0 || later.length > 0) && kinds.size < PAGE_KINDS_PER_ROLE) {
    const path = (own.shift() ?? later.shift())!;
    if (kinds.has(kindOf(path))) continue;
    kinds.add(kindOf(path));
    const links = await open(path);
    if (!links) continue;
    visited.push(path);
    for (const link of links) if (link.startsWith('/') && !SKIPPED.test(link)) (PUBLIC.test(link) ? later : own).push(link.split('#')[0]!);
  }
  return visited;
}

/** The roles both crawls walk the demo as: a label and the demo account (null: a visitor). */
export const crawlRoles: [string, string | null][] = [
  ['a visitor', null],
  ['an accueil director', demoAccounts.acm],
  ['a partner', demoAccounts.partner],
  ['a coordinator', demoAccounts.coordinator],
  ['an administrator', demoAccounts.admin],
];
