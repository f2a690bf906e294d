import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../db/seed/index.js';
import { DEMO_PASSWORD, demoAccounts } from '../../db/seed/organisations.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { expectNoAxeViolations, launchBrowser, listen, newContext } from '../helpers/browser.js';
import { syncSearch } from '../helpers/search.js';

/**
 * Walks the demo as each role, following the links of every page from the dashboard: each kind
 * of page (ids and slugs aside) must answer without a server error and pass axe-core, and must
 * also answer without a server error when its query string is junk or its ids do not exist.
 */
const PAGE_KINDS_PER_ROLE = 40;
/** Public catalogue pages come last: the crawl reaches each role's own pages first. */
const PUBLIC = /^\/(offres|structures|accueils)\/\d+-|^\/territoires|^\/(a-propos|accessibilite|inscription)/;
const SKIPPED = /deconnexion|desinscri|\.ics|\.pdf|\/export|\/api\/|\/static\/|\/uploads\/|\/dev\//;
const JUNK_QUERIES = [
  'page=-1',
  'page=99999999999',
  'q=%00%27%22%3Cscript%3E',
  'sort=zzz&per_page=100000',
  'age=abc&theme=inconnu',
  'near=999,999&radius_km=-1',
];

let app: App;
let browser: Browser;
let baseURL: string;

beforeAll(async () => {
  app = await createTestApp();
  await seedDemo(app.deps);
  await syncSearch(app);
  baseURL = await listen(app);
  browser = await launchBrowser();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signIn(context: BrowserContext, email: string) {
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/connexion')), page.getByRole('button', { name: /connecter/i }).click()]);
  await page.close();
}

const kindOf = (path: string) => path.replace(/\?.*$/, '').replace(/\d+(-[a-z0-9-]+)?/g, 'N');

describe('every page a role reaches from its dashboard', () => {
  const roles: [string, string | null][] = [
    ['a visitor', null],
    ['an accueil director', demoAccounts.acm],
    ['a partner', demoAccounts.partner],
    ['a coordinator', demoAccounts.coordinator],
    ['an administrator', demoAccounts.admin],
  ];
  for (const [label, email] of roles) {
    it(`as ${label}: answers without a server error, passes axe-core, and survives junk parameters`, async () => {
      const context = await newContext(browser, baseURL);
      if (email) await signIn(context, email);
      const page = await context.newPage();
      const visited: string[] = [];
      const kinds = new Set<string>();
      const own = ['/tableau-de-bord'];
      const later = ['/'];
      while ((own.length > 0 || later.length > 0) && kinds.size < PAGE_KINDS_PER_ROLE) {
        const path = (own.shift() ?? later.shift())!;
        if (kinds.has(kindOf(path))) continue;
        kinds.add(kindOf(path));
        const response = await page.goto(path);
        expect(response?.status(), path).toBeLessThan(500);
        if (!response || response.status() >= 400) continue;
        visited.push(path);
        await expectNoAxeViolations(page, path);
        const links = await page.$$eval('a[href^="/"]', (anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
        for (const link of links) if (link && !SKIPPED.test(link)) (PUBLIC.test(link) ? later : own).push(link.split('#')[0]!);
      }
      expect(visited.length).toBeGreaterThan(email ? 15 : 8);

      const serverErrors: string[] = [];
      for (const path of visited) {
        const variants = JUNK_QUERIES.map((junk) => `${path}${path.includes('?') ? '&' : '?'}${junk}`);
        if (/\/\d+/.test(path)) variants.push(path.replace(/\/\d+/, '/99999999'), path.replace(/\/\d+/, '/99999999999999999999'));
        for (const variant of variants) {
          const response = await context.request.get(variant, { maxRedirects: 0 });
          if (response.status() >= 500) serverErrors.push(`${response.status()} ${variant}`);
        }
      }
      expect(serverErrors).toEqual([]);
      await context.close();
    }, 300_000);
  }
});
