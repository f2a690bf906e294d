import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../server/demo/index.js';
import { DEMO_PASSWORD } from '../../server/demo/organisations.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { crawl, crawlRoles } from '../helpers/crawl.js';
import { signedInAgent } from '../helpers/fixtures.js';
import { syncSearch } from '../helpers/search.js';

/**
 * Walks the demo through fastify.inject as each role, following the links of every page from the
 * dashboard (the walk test/browser/crawl.test.ts makes in Chromium for layout and axe-core): each
 * kind of page must answer without a server error, and still so when its query string is junk or
 * its ids do not exist. The HTML of every page and htmx fragment is then checked with the W3C Nu
 * HTML checker (vnu-jar, needs Java).
 */
const JUNK_QUERIES = [
  'page=-1',
  'page=99999999999',
  'q=%00%27%22%3Cscript%3E',
  'sort=zzz&per_page=100000',
  'age=abc&theme=inconnu',
  'near=999,999&radius_km=-1',
];

let app: App;
const vnuJar = createRequire(import.meta.url).resolve('vnu-jar/build/dist/vnu.jar');
const htmlDir = mkdtempSync(join(tmpdir(), 'passerelle-crawl-html-'));
const htmlFiles: string[] = [];

beforeAll(async () => {
  app = await createTestApp();
  await seedDemo(app.deps);
  await syncSearch(app);
}, 600_000);
afterAll(async () => {
  await app?.close();
  rmSync(htmlDir, { recursive: true, force: true });
});

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

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>' };

/** The hrefs of the page's links to this site, as a browser reads them. */
function linksOf(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*?\bhref="(\/[^"]*)"/g)].map((m) => m[1]!.replace(/&(amp|quot|#39|#x27|lt|gt);/g, (e) => ENTITIES[e]!));
}

/** Opens a page as a browser does: following the site's redirects. */
async function open(agent: Agent, path: string) {
  let response = await agent.get(path);
  for (let hops = 0; response.statusCode >= 300 && response.statusCode < 400 && hops < 5; hops++) {
    const next = new URL(String(response.headers.location), app.deps.config.BASE_URL);
    response = await agent.get(`${next.pathname}${next.search}`);
  }
  return response;
}

describe('every page a role reaches from its dashboard', () => {
  for (const [label, email] of crawlRoles) {
    it(`as ${label}: answers without a server error, even with junk parameters or unknown ids`, async () => {
      const agent = email ? await signedInAgent(app, { email, password: DEMO_PASSWORD }) : new Agent(app);
      const visited = await crawl(async (path) => {
        const response = await open(agent, path);
        expect(response.statusCode, path).toBeLessThan(500);
        if (response.statusCode >= 400) return null;
        keepHtml(`${label}${path}`, response.body);
        return linksOf(response.body);
      });
      expect(visited.length).toBeGreaterThan(email ? 15 : 8);

      for (const fragment of FRAGMENTS) {
        const { statusCode, body: html } = await agent.get(fragment.path, { 'hx-request': 'true', 'hx-target': fragment.target });
        // A role that may not see the fragment gets a whole page (sign-in, 404): checked as a page already.
        if (statusCode === 200 && !/^\s*<!doctype/i.test(html)) keepHtml(`${label} fragment ${fragment.path}`, asDocument(html, fragment.wrap));
      }

      const serverErrors: string[] = [];
      for (const path of visited) {
        const variants = JUNK_QUERIES.map((junk) => `${path}${path.includes('?') ? '&' : '?'}${junk}`);
        if (/\/\d+/.test(path)) variants.push(path.replace(/\/\d+/, '/99999999'), path.replace(/\/\d+/, '/99999999999999999999'));
        for (const variant of variants) {
          const response = await agent.get(variant);
          if (response.statusCode >= 500) serverErrors.push(`${response.statusCode} ${variant}`);
        }
      }
      expect(serverErrors).toEqual([]);
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
