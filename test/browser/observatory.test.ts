import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, useDemoSite } from '../helpers/browser.js';

/** The public statistics page and the embed builder on the demo, at a laptop and a phone width. */
const shots = '/tmp/public14';

const site = useDemoSite();
beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
});

const widths = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

async function openAt(viewport: { width: number; height: number }, path: string): Promise<Page> {
  const context = await site.newContext();
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(path);
  return page;
}

async function expectNoSidewaysScroll(page: Page, label: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${label}: horizontal scroll`).toBeLessThanOrEqual(0);
}

describe('public statistics page', () => {
  for (const viewport of widths) {
    it(`shows the Rhône's gaps and unmet demand at ${viewport.width} px, accessible and without sideways scroll`, async () => {
      const page = await openAt(viewport, '/territoires/departements/69/statistiques');
      await expect.poll(() => page.locator('h1').textContent()).toBe('Statistiques : Rhône\u00a0(69)');
      // The rural accueils of the demo have no offer within reach in several themes.
      const tarare = page.locator('table[data-stat-table="couverture"] tr', { hasText: 'Tarare (69243)' });
      await expect.poll(() => tarare.count()).toBe(1);
      expect(await tarare.locator('td.stat-zero').count()).toBeGreaterThan(0);
      const sciences = page.locator('table[data-stat-table="demande"] tr', { hasText: 'Sciences et numérique' }).locator('td');
      expect(await sciences.textContent()).toBe('8');
      expect(await page.locator('.stat-chart').count()).toBe(3);
      // Its labels keep a readable size at every width (a chart drawn to scale shrank them to 8 px).
      const labelHeight = await page
        .locator('.stat-chart .bars-label')
        .first()
        .evaluate((e) => e.getBoundingClientRect().height);
      expect(labelHeight).toBeGreaterThanOrEqual(18);
      await expectNoSidewaysScroll(page, `statistics ${viewport.width}`);
      await expectNoAxeViolations(page, `statistics ${viewport.width}`);
      await page.screenshot({ path: `${shots}/statistics-${viewport.width}.png`, fullPage: true });
      await page
        .locator('section.stat-section')
        .nth(1)
        .screenshot({ path: `${shots}/statistics-steps-${viewport.width}.png` });
      await page
        .locator('section.stat-section')
        .nth(2)
        .screenshot({ path: `${shots}/statistics-coverage-${viewport.width}.png` });
      await page.context().close();
    }, 120_000);
  }
});

describe('embed builder', () => {
  for (const viewport of widths) {
    it(`builds a snippet and previews the embed at ${viewport.width} px, accessible and without sideways scroll`, async () => {
      const page = await openAt(viewport, '/integrer');
      await page.getByLabel('Territoire').selectOption('d-69');
      await page.getByLabel('Sport').check();
      await page.getByLabel('Culture et arts').check();
      await Promise.all([page.waitForURL(/territoire=d-69/), page.getByRole('button', { name: 'Obtenir le code' }).click()]);
      const snippet = await page.getByLabel('Code HTML de la carte (à coller dans votre page)').inputValue();
      expect(snippet).toMatch(
        /^<iframe src="http:\/\/localhost:3000\/integrer\/carte\?department=69&amp;theme=culture&amp;theme=sport" title="Offres du Plan mercredi : Rhône \(69\)"/,
      );
      const frame = page.frameLocator('iframe.embed-preview');
      await page.locator('iframe.embed-preview').scrollIntoViewIfNeeded();
      await expect.poll(() => frame.locator('h1').textContent(), { timeout: 15_000 }).toBe('Offres du Plan mercredi : Rhône\u00a0(69)');
      expect(await frame.locator('.embed-legend li').allTextContents()).toEqual(['Culture et arts', 'Sport']);
      expect(await frame.locator('.embed-list > li').count()).toBeGreaterThan(3);
      await expectNoSidewaysScroll(page, `builder ${viewport.width}`);
      await expectNoAxeViolations(page, `builder ${viewport.width}`);
      await page.screenshot({ path: `${shots}/embed-builder-${viewport.width}.png`, fullPage: true });
      await page.context().close();
    }, 120_000);

    it(`shows the embed itself at ${viewport.width} px, accessible and without sideways scroll`, async () => {
      const page = await openAt(viewport, '/integrer/carte?department=69&theme=sport&theme=culture');
      await page.locator('#offers-map').scrollIntoViewIfNeeded();
      await expect.poll(() => page.locator('#offers-map').getAttribute('data-loaded'), { timeout: 15_000 }).not.toBeNull();
      await expectNoSidewaysScroll(page, `embed ${viewport.width}`);
      await expectNoAxeViolations(page, `embed ${viewport.width}`);
      await page.screenshot({ path: `${shots}/embed-${viewport.width}.png`, fullPage: true });
      await page.context().close();
    }, 120_000);
  }
});
