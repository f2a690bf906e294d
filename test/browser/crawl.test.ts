import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, signInDemo, useDemoSite } from '../helpers/browser.js';
import { crawl, crawlRoles } from '../helpers/crawl.js';

/**
 * Walks the demo in Chromium as each role, following the links of every page from the dashboard
 * at a phone's width: each kind of page (ids and slugs aside) must answer without a server error,
 * pass axe-core and not scroll sideways. The same walk through fastify.inject checks what needs no
 * browser (junk parameters, unknown ids, valid HTML): test/platform/crawl.test.ts.
 */
const site = useDemoSite();

describe('every page a role reaches from its dashboard', () => {
  for (const [label, email] of crawlRoles) {
    it(`as ${label}: answers without a server error, passes axe-core and does not scroll sideways at 390 px`, async () => {
      const context = await site.newContext();
      if (email) await signInDemo(context, email);
      const page = await context.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const sideways: string[] = [];
      const visited = await crawl(async (path) => {
        const response = await page.goto(path);
        expect(response?.status(), path).toBeLessThan(500);
        if (!response || response.status() >= 400) return null;
        const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, viewport: window.innerWidth }));
        if (widths.scroll > widths.viewport) sideways.push(`${path}: ${widths.scroll} px`);
        await expectNoAxeViolations(page, path);
        return page.$$eval('a[href^="/"]', (anchors) => anchors.map((a) => a.getAttribute('href') ?? ''));
      });
      expect(visited.length).toBeGreaterThan(email ? 15 : 8);
      expect(sideways, 'pages that scroll sideways at 390 px').toEqual([]);
      await context.close();
    }, 300_000);
  }
});
