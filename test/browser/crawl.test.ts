import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { demoAccounts } from '../../server/demo/organisations.js';
import { expectNoAxeViolations, signInDemo, useDemoSite } from '../helpers/browser.js';

/**
 * Walks the demo as each role, following the links of every page from the dashboard: each kind
 * of page (ids and slugs aside) must answer without a server error and pass axe-core, and must
 * also answer without a server error when its query string is junk or its ids do not exist.
 * The crawl runs at a phone's width (no page may scroll sideways), and the HTML of every page and
 * htmx fragment it meets is then checked with the W3C Nu HTML checker (vnu-jar, needs Java).
 */
const PAGE_KINDS_PER_ROLE = 40;
/** Public catalogue pages come last: the crawl reaches each role's own pages first. */
const PUBLIC = /^\/(offres|structures|accueils)\/\d+-|^\/territoires|^\/(a-propos|accessibilite|inscription)/;
const SKIPPED = /deconnexion|desinscri|\.ics|\.pdf|\.csv|\/export|\/api\/|\/static\/|\/uploads\/|\/dev\//;
const JUNK_QUERIES = [
  'page=-1',
  'page=99999999999',
  'q=%00%27%22%3Cscript%3E',
  'sort=zzz&per_page=100000',
  'age=abc&theme=inconnu',
  'near=999,999&radius_km=-1',
];

const site = useDemoSite();
const vnuJar = createRequire(import.meta.url).resolve('vnu-jar/build/dist/vnu.jar');
const htmlDir = mkdtempSync(join(tmpdir(), 'passerelle-crawl-html-'));
const htmlFiles: string[] = [];

function keepHtml(name: string, html: string) {
  const file = join(htmlDir, `${String(htmlFiles.length).padStart(3, '0')}-${name.replace(/[^a-z0-9]+/gi, '_').slice(0, 80)}.html`);
  writeFileSync(file, html);
  htmlFiles.push(file);
}

/** An htmx fragment as the document it ends up in (the checker validates whole documents). */
function asDocument(fragment: string, wrap: [string, string] = ['', '']) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fragment</title></head><body><h1>Fragment</h1>${wrap[0]}${fragment}${wrap[1]}</body></html>`;
}

/** The htmx fragments a role can ask for, with the element each one lands in. */
const FRAGMENTS: { path: string; target: string; wrap?: [string, string] }[] = [
  // The star buttons of the results submit the page's #favourite-form, outside the search form.
  { path: '/offres?theme=sport', target: 'search-results', wrap: ['<form>', '</form><form id="favourite-form" method="post" action="/favoris"></form>'] },
  { path: '/offres/suggestions?q=jud', target: 'q-suggestions', wrap: ['<datalist id="q-suggestions">', '</datalist>'] },
  { path: '/besoins?theme=sport', target: 'search-results', wrap: ['<h2>Besoins</h2><form>', '</form>'] },
  { path: '/demandes?statut=all', target: 'request-list' },
  { path: '/notifications/compteur', target: 'notification-bell' },
];

afterAll(() => rmSync(htmlDir, { recursive: true, force: true }));

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
      const context = await site.newContext();
      if (email) await signInDemo(context, email);
      const page = await context.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const visited: string[] = [];
      const sideways: string[] = [];
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
        keepHtml(`${label}${path}`, await response.text());
        const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
        if (widths.scroll > widths.viewport) sideways.push(`${path}: ${widths.scroll} px`);
        await expectNoAxeViolations(page, path);
        const links = await page.$$eval('a[href^="/"]', (anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
        for (const link of links) if (link && !SKIPPED.test(link)) (PUBLIC.test(link) ? later : own).push(link.split('#')[0]!);
      }
      expect(visited.length).toBeGreaterThan(email ? 15 : 8);
      expect(sideways, 'pages that scroll sideways at 390 px').toEqual([]);

      for (const fragment of FRAGMENTS) {
        const response = await context.request.get(fragment.path, { headers: { 'HX-Request': 'true', 'HX-Target': fragment.target } });
        const html = await response.text();
        // A role that may not see the fragment gets a whole page (sign-in, 404): checked as a page already.
        if (response.status() === 200 && !/^\s*<!doctype/i.test(html)) keepHtml(`${label} fragment ${fragment.path}`, asDocument(html, fragment.wrap));
      }

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

it('every page and htmx fragment of the crawl is valid HTML for the W3C Nu checker: no error, no warning', async () => {
  expect(htmlFiles.length).toBeGreaterThan(60);
  const { stderr } = await promisify(execFile)('java', ['-jar', vnuJar, '--format', 'json', '--exit-zero-always', ...htmlFiles], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const messages = (JSON.parse(stderr) as { messages: { type: string; subType?: string; url: string; lastLine?: number; message: string; extract?: string }[] })
    .messages;
  const problems = messages
    .filter((m) => m.type === 'error' || m.type === 'non-document-error' || m.subType === 'warning')
    .map((m) => `${m.url.replace(/^.*\//, '')}:${m.lastLine ?? '?'} ${m.message} ${m.extract?.trim().slice(0, 120) ?? ''}`);
  expect(problems).toEqual([]);
}, 300_000);
