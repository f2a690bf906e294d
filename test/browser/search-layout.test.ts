import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { demoAccounts } from '../../server/demo/organisations.js';
import { expectNoAxeViolations, signInDemo, useDemoSite, waitForMap } from '../helpers/browser.js';

/**
 * The search pages after every kind of htmx update, at a laptop and a phone width: the result
 * cards keep their width, ids stay unique (one #search-results), and the map shows what the list
 * shows (same filters; same count when no place limits the map's view).
 */

const site = useDemoSite();

function layout(page: Page) {
  return page.evaluate(() => {
    const ids = [...document.querySelectorAll('[id]')].map((element) => element.id);
    const map = document.getElementById('offers-map');
    return {
      duplicateIds: ids.filter((id, index) => ids.indexOf(id) !== index),
      cardWidths: [...document.querySelectorAll('.offer-card')].map((card) => Math.round(card.getBoundingClientRect().width)),
      total: Number(document.getElementById('search-count')?.dataset.total),
      listQuery: document.getElementById('search-results')?.dataset.mapQuery,
      mapQuery: map?.dataset.query,
      mapShown: Number(map?.dataset.shown),
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    };
  });
}

/** Runs an update, waits for the swap and for the map to load the list's new filters, then checks the layout. */
async function update(page: Page, label: string, action: () => Promise<unknown>) {
  const before = await page.evaluate(() => document.getElementById('offers-map')?.dataset.loaded ?? '');
  const url = page.url();
  await action();
  await page.waitForURL((next) => next.toString() !== url);
  const settled = () =>
    page.evaluate((previous) => {
      const map = document.getElementById('offers-map');
      if (document.querySelector('.htmx-request')) return 'htmx request running';
      if (!map?.dataset.loaded || map.dataset.loaded === previous) return 'map not reloaded';
      const list = document.getElementById('search-results')?.dataset.mapQuery;
      return map.dataset.query === list ? 'ok' : `map shows ${map.dataset.query}, list ${list}`;
    }, before);
  await expect.poll(settled, { message: `${label}: the map follows the list`, timeout: 10_000 }).toBe('ok');
  await expectSound(page, label);
}

async function expectSound(page: Page, label: string) {
  const state = await layout(page);
  expect(state.duplicateIds, `${label}: duplicate ids`).toEqual([]);
  for (const width of state.cardWidths) expect(width, `${label}: card width`).toBeGreaterThanOrEqual(280);
  expect(state.overflow, `${label}: sideways scroll`).toBeLessThanOrEqual(0);
  expect(state.mapQuery, `${label}: map filters`).toBe(state.listQuery);
  if (!new URLSearchParams(state.listQuery).has('near')) expect(state.mapShown, `${label}: map count`).toBe(state.total);
  return state;
}

/** On a phone the filters sit in a panel: open it before ticking, close it to see the results. */
async function withFilters(page: Page, action: () => Promise<unknown>) {
  const toggle = page.locator('#filters-toggle');
  if (await toggle.isVisible()) {
    if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
    await action();
    await expect.poll(() => page.evaluate(() => !document.querySelector('.htmx-request'))).toBe(true);
    await page.locator('.filters-foot button').click();
  } else {
    await action();
  }
}

async function tickFacet(page: Page, group: string) {
  const id = await page.evaluate((name) => {
    const boxes = [...document.querySelectorAll<HTMLInputElement>(`.facet-option input[name="${name}"]:not(:checked)`)];
    return boxes.find((box) => !/\(0/.test(box.labels?.[0]?.textContent ?? ''))?.id;
  }, group);
  expect(id, `a ${group} facet with results`).toBeTruthy();
  await page.locator(`#${id}`).check();
}

async function searchHere(page: Page) {
  const map = page.locator('#offers-map');
  await map.scrollIntoViewIfNeeded();
  const loaded = await map.getAttribute('data-loaded');
  await page.locator('.leaflet-control-zoom-in').click();
  await expect.poll(() => map.getAttribute('data-loaded')).not.toBe(loaded);
  await page.getByRole('button', { name: 'Rechercher dans cette zone' }).click();
}

for (const [width, height] of [
  [1280, 800],
  [390, 844],
] as const) {
  describe(`at ${width} px wide`, () => {
    it('/offres keeps its layout through pagination, a facet, keywords, a place, a radius, a search in the map area and the back button', async () => {
      const context = await site.newContext();
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/offres');
      await waitForMap(page);
      const first = await expectSound(page, 'first load');
      expect(first.cardWidths.length).toBe(20);

      await update(page, 'pagination', () => page.getByRole('link', { name: 'Page suivante' }).first().click());
      await update(page, 'facet', () => withFilters(page, () => tickFacet(page, 'theme')));
      await update(page, 'keywords', async () => {
        await page.fill('#f-q', 'atelier');
        await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
      });
      await update(page, 'place', async () => {
        await page.fill('#f-lieu', 'Villeurbanne');
        await page.locator('#f-lieu').press('Tab');
      });
      expect(page.url()).toContain('lieu=Villeurbanne');
      await update(page, 'radius', () => page.selectOption('#f-radius', '50'));
      await update(page, 'search in this zone', () => searchHere(page));
      expect(page.url()).toContain('bbox=');
      await update(page, 'back button', () => page.goBack());
      expect(page.url()).not.toContain('bbox=');
      expect(page.url()).toContain('radius_km=50');
      // One unbroken word as long as the field takes: the count, its chip and the ways out wrap.
      await update(page, 'a very long word', async () => {
        await page.fill('#f-q', 'percussions'.repeat(18));
        await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
      });
      await page.screenshot({ path: `/tmp/ui/offres-after-updates-${width}.png`, fullPage: true });
      await context.close();
    }, 180_000);

    it('/besoins keeps its layout through a facet, a place, a radius, a search in the map area and the back button', async () => {
      const context = await site.newContext();
      await signInDemo(context, demoAccounts.partner);
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/besoins');
      await waitForMap(page);
      await expectSound(page, 'first load');

      await update(page, 'facet', () => withFilters(page, () => tickFacet(page, 'slot')));
      await update(page, 'place', async () => {
        await page.fill('#f-lieu', 'Lyon');
        await page.locator('#f-lieu').press('Tab');
      });
      await update(page, 'radius', () => page.selectOption('#f-radius', '100'));
      await update(page, 'search in this zone', () => searchHere(page));
      await update(page, 'back button', () => page.goBack());
      expect(page.url()).not.toContain('bbox=');
      await page.screenshot({ path: `/tmp/ui/besoins-after-updates-${width}.png`, fullPage: true });
      await context.close();
    }, 180_000);
  });
}

describe('on a phone (390 × 844)', () => {
  it('shows the results first, opens the filters in a panel that survives a facet tick, and shows the results with "Afficher les N résultats"', async () => {
    const context = await site.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/offres');
    const firstCard = await page.locator('.offer-card').first().boundingBox();
    expect(firstCard!.y, 'the first result starts in the first screen').toBeLessThan(844);
    expect(await page.locator('#search-filters').isVisible()).toBe(false);

    const toggle = page.getByRole('button', { name: 'Filtres' });
    const background = (name: string) => page.getByRole('button', { name, exact: true }).evaluate((button) => getComputedStyle(button).backgroundColor);
    expect(await background('Filtres'), 'the toggle is a secondary button (white), not a second primary one').toBe('rgb(255, 255, 255)');
    expect(await background('Rechercher')).not.toBe('rgb(255, 255, 255)');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const panel = page.locator('#search-filters');
    await expect.poll(() => panel.boundingBox()).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    await expectNoAxeViolations(page, 'filters panel');

    const facet = page.getByLabel(/^Sport\s\(/);
    await facet.focus();
    await page.keyboard.press('Space');
    await page.waitForURL(/theme=sport/);
    const total = Number(await page.locator('#search-count').getAttribute('data-total'));
    const show = page.locator('.filters-foot button');
    await expect.poll(() => show.textContent()).toBe(`Afficher les ${total} résultats`);
    expect(await panel.isVisible(), 'the panel stays open after the swap').toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('facet-theme-sport');

    await show.click();
    expect(await panel.isVisible()).toBe(false);
    expect(await background('Filtres'), 'still secondary after the swap').toBe('rgb(255, 255, 255)');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search-count');
    expect(await page.locator('#search-count').textContent()).toContain(`${total}\u00a0offres`);

    await toggle.click();
    await page.keyboard.press('Escape');
    expect(await panel.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filters-toggle');
    await context.close();
  }, 120_000);

  it('folds the navigation behind a menu button that works with the keyboard, and keeps it shown without scripts', async () => {
    const context = await site.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    const menu = page.getByRole('button', { name: 'Menu' });
    const offers = page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Offres' });
    expect(await offers.isVisible()).toBe(false);
    expect(await menu.getAttribute('aria-controls')).toBe('site-menu');
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await offers.isVisible()).toBe(true);
    await expectNoAxeViolations(page, 'open menu');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await offers.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Menu');
    const header = await page.locator('.site-header').boundingBox();
    expect(header!.height, 'the folded header is one row').toBeLessThan(80);
    await context.close();

    const plain = await site.browser.newContext({ baseURL: site.baseURL, javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const noScript = await plain.newPage();
    await noScript.goto('/offres');
    expect(await noScript.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    expect(await noScript.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Offres' }).isVisible()).toBe(true);
    expect(await noScript.getByLabel(/^Sport\s\(/).isVisible(), 'filters reachable after the results').toBe(true);
    await plain.close();
  }, 120_000);
});

it('applies no inline style the CSP refuses (style-src without unsafe-inline) on the search, the map, an offer and a territory', async () => {
  const context = await site.newContext();
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to apply/.test(message.text())) refused.push(`${page.url()}: ${message.text().slice(0, 160)}`);
  });
  const response = await page.goto('/offres');
  expect(response?.headers()['content-security-policy']).toMatch(/style-src 'self'(;|$)/);
  await waitForMap(page);
  await page.locator('.leaflet-marker-icon').first().click();
  await page.getByLabel(/^Sport\s\(/).check();
  await page.waitForURL(/theme=sport/);
  const offer = await page.locator('.offer-card-title a').first().getAttribute('href');
  await page.goto('/carte');
  await waitForMap(page);
  await page.locator('#map-travel').check();
  await page.goto(offer!);
  await page.goto('/territoires');
  await page.goto('/territoires/departements/69');
  await page.waitForTimeout(500);
  expect(refused).toEqual([]);
  await context.close();
}, 120_000);
