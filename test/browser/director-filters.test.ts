import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, signInDemo, useDemoSite, waitForMap, zoomToPins } from '../helpers/browser.js';

/**
 * The filters directors use on /offres and /carte, at a laptop and a phone width: after each
 * htmx update the result cards keep their width, nothing scrolls sideways and the map follows the
 * list; zero results offer ways out with counts; axe-core finds nothing. Screenshots are written
 * to /tmp/filters11 for a look.
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
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    };
  });
}

async function expectSound(page: Page, label: string) {
  const state = await layout(page);
  expect(state.duplicateIds, `${label}: duplicate ids`).toEqual([]);
  for (const width of state.cardWidths) expect(width, `${label}: card width`).toBeGreaterThanOrEqual(280);
  expect(state.overflow, `${label}: sideways scroll`).toBeLessThanOrEqual(0);
  expect(state.mapQuery, `${label}: map filters`).toBe(state.listQuery);
  return state;
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
  await expect.poll(settled, { message: `${label}: the map follows the list`, timeout: 15_000 }).toBe('ok');
  return expectSound(page, label);
}

/** On a phone the filters sit in a panel: open it before acting, close it to see the results. */
async function inFilters(page: Page, action: () => Promise<unknown>) {
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

async function tickFacet(page: Page, name: string) {
  const id = await page.evaluate((param) => {
    const boxes = [...document.querySelectorAll<HTMLInputElement>(`.facet-option input[name="${param}"]:not(:checked)`)];
    return boxes.find((box) => !/\(0/.test(box.labels?.[0]?.textContent ?? ''))?.id;
  }, name);
  expect(id, `a ${name} value with results`).toBeTruthy();
  await page.locator(`#${id}`).check();
}

async function fillAndLeave(page: Page, selector: string, value: string) {
  await page.fill(selector, value);
  await page.locator(selector).press('Tab');
}

/** What the search bar holds, and how wide it is: after a swap started by a link it must follow the URL. */
function bar(page: Page) {
  return page.evaluate(() => {
    const value = (id: string) => (document.getElementById(id) as HTMLInputElement | HTMLSelectElement | null)?.value ?? null;
    return {
      q: value('f-q'),
      lieu: value('f-lieu'),
      near: value('f-near'),
      radius: value('f-radius'),
      age: value('f-age'),
      width: Math.round(document.getElementById('search-bar')?.getBoundingClientRect().width ?? 0),
    };
  });
}

for (const [width, height] of [
  [1280, 800],
  [390, 844],
] as const) {
  describe(`at ${width} px wide`, () => {
    it('/offres applies each director filter by htmx, keeping the layout and the map in step', async () => {
      const context = await site.newContext();
      await signInDemo(context, 'accueil@demo.passerelle.fr');
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/offres');
      await waitForMap(page);
      await expectSound(page, 'first load');

      await update(page, 'theme', () => inFilters(page, () => tickFacet(page, 'theme')));
      await update(page, 'sub-theme', () => inFilters(page, () => tickFacet(page, 'subtheme')));
      const subtheme = await page.evaluate(() => new URLSearchParams(location.search).getAll('subtheme'));
      expect(subtheme).toHaveLength(1);
      await update(page, 'chip removes the theme', () => page.locator('.filter-chips a').first().click());
      await update(page, 'chip removes the sub-theme', () => page.locator('.filter-chips a').first().click());
      await update(page, 'slot', () => inFilters(page, () => tickFacet(page, 'slot')));
      await update(page, 'age from', () => inFilters(page, () => fillAndLeave(page, '#f-age-min', '8')));
      await update(page, 'age to', () => inFilters(page, () => fillAndLeave(page, '#f-age-max', '11')));
      expect(await page.locator('.filter-chips').textContent()).toContain('De 8 à 11 ans');
      await update(page, 'available from', () => inFilters(page, () => fillAndLeave(page, '#f-from', '2027-01-06')));
      await update(page, 'available to', () => inFilters(page, () => fillAndLeave(page, '#f-to', '2027-03-31')));
      expect(await page.locator('.filter-chips').textContent()).toContain('Du 06/01/2027 au 31/03/2027');
      const withDates = (await layout(page)).total;
      expect(withDates).toBeGreaterThan(0);
      await update(page, 'price', () => inFilters(page, () => tickFacet(page, 'price')));
      await page.goto('/offres');
      await waitForMap(page);
      await update(page, 'comes to my ACM', () => inFilters(page, () => page.locator('#f-vient').check()));
      expect(await page.locator('.filter-chips').textContent()).toContain('Vient dans mon accueil');
      await update(page, 'accessibility', () =>
        inFilters(page, async () => {
          await page.locator('summary', { hasText: 'Accessibilité' }).isVisible();
          await tickFacet(page, 'accessibility');
        }),
      );
      await expectNoAxeViolations(page, `/offres with filters at ${width}`);
      await page.goto('/offres?slot=mercredi-matin&age_min=6&age_max=11&price=gratuit');
      await waitForMap(page);
      await page.screenshot({ path: `/tmp/filters11/offres-${width}.png`, fullPage: width > 500 });
      await context.close();
    }, 240_000);

    it('/offres turns zero results into ways out, with counts, that lead to results', async () => {
      const context = await site.newContext();
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/offres?theme=sport&format=projection&slot=mercredi-matin&lieu=Villeurbanne&radius_km=5');
      await waitForMap(page);
      expect(await page.locator('#search-count').textContent()).toContain('Aucune offre');
      const ways = page.locator('.zero-ways a');
      expect(await ways.count()).toBeGreaterThan(0);
      for (const text of await ways.allTextContents()) expect(text).toMatch(/^(Élargir à \d+ km|Sans |Partout).* : \d+\u00a0offres?$/);
      await page.screenshot({ path: `/tmp/filters11/offres-zero-${width}.png`, fullPage: width > 500 });
      await expectNoAxeViolations(page, `zero results at ${width}`);
      const label = (await ways.first().textContent()) ?? '';
      const expected = Number(label.match(/: (\d+)\u00a0offres?$/)![1]);
      const state = await update(page, 'way out', () => ways.first().click());
      expect(state.total).toBe(expected);
      await context.close();
    }, 120_000);

    it('/carte has a place and radius box, the list’s filters and a theme legend', async () => {
      const context = await site.newContext();
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/carte');
      await waitForMap(page);
      expect(await page.locator('.map-legend li').allTextContents()).toEqual(expect.arrayContaining(['Culture et arts', 'Sport']));
      await expectSound(page, '/carte first load');
      await update(page, '/carte slot', () => inFilters(page, () => tickFacet(page, 'slot')));
      await update(page, '/carte place', async () => {
        await page.fill('#f-lieu', 'Villeurbanne');
        await page.getByRole('button', { name: 'Afficher', exact: true }).click();
      });
      expect(await page.locator('.filter-chips').textContent()).toContain('Autour de Villeurbanne (20 km)');
      await update(page, '/carte radius', () => page.selectOption('#f-radius', '10'));
      expect(await page.locator('.filter-chips').textContent()).toContain('(10 km)');
      await zoomToPins(page);
      expect(await page.locator('#offers-map .theme-pin').count()).toBeGreaterThan(0);
      await expectNoAxeViolations(page, `/carte at ${width}`);
      await page.screenshot({ path: `/tmp/filters11/carte-${width}.png`, fullPage: width > 500 });
      await context.close();
    }, 180_000);
    it('keeps what the person is doing across a swap: the field being typed in, the filter panel’s scroll, the heading after another page; reports an age out of range', async () => {
      const context = await site.newContext();
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/offres');
      await waitForMap(page);
      // The answer to « De » arrives while « à » is being typed: the typed digit stays.
      let slow = true;
      await page.route(/\/offres\?/, async (route) => {
        if (slow) await new Promise((resolve) => setTimeout(resolve, 600));
        await route.continue();
      });
      const toggle = page.locator('#filters-toggle');
      if (await toggle.isVisible()) await toggle.click();
      await page.fill('#f-age-min', '8');
      await page.locator('#f-age-min').press('Tab');
      await page.keyboard.type('1');
      await page.waitForURL(/age_min=8/);
      await expect.poll(() => page.evaluate(() => !document.querySelector('.htmx-request'))).toBe(true);
      slow = false;
      await page.keyboard.type('0');
      expect(await page.inputValue('#f-age-max')).toBe('10');
      await page.keyboard.press('Tab');
      await page.waitForURL(/age_max=10/);
      expect(await page.locator('.filter-chips').textContent()).toContain('De 8 à 10 ans');

      // A box ticked while the previous change is still on its way: both count.
      slow = true;
      await page.fill('#f-age-min', '6');
      await tickFacet(page, 'slot');
      await page.waitForURL((url) => url.searchParams.get('age_min') === '6' && url.searchParams.has('slot'));
      await expect.poll(() => page.evaluate(() => !document.querySelector('.htmx-request'))).toBe(true);
      expect(new URL(page.url()).searchParams.has('slot')).toBe(true);
      expect(await page.locator('.facet-option input[name="slot"]:checked').count()).toBe(1);
      slow = false;

      // Out of range: the browser says why, on the field, and nothing is sent.
      const before = page.url();
      await page.fill('#f-age-min', '2');
      await page.locator('#f-age-min').press('Tab');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('f-age-min');
      expect(page.url()).toBe(before);
      expect(await page.locator('#f-age-min').evaluate((field: HTMLInputElement) => field.validationMessage)).toBe('Saisissez une valeur entre 3 et 17.');
      // Left without Tab: ticking a box next sends this change and the tick one after the other.
      await page.fill('#f-age-min', '8');

      if (width < 500) {
        // On a phone the filters are a long panel: ticking a box near its end keeps it in view.
        const panel = page.locator('#search-filters');
        await panel.evaluate((element) => {
          element.scrollTop = element.scrollHeight;
        });
        const scrolled = await panel.evaluate((element) => element.scrollTop);
        expect(scrolled).toBeGreaterThan(300);
        const url = page.url();
        await tickFacet(page, 'price');
        await page.waitForURL((next) => next.toString() !== url);
        await expect.poll(() => page.evaluate(() => !document.querySelector('.htmx-request'))).toBe(true);
        expect(await panel.evaluate((element) => element.scrollTop)).toBeGreaterThan(scrolled - 100);
        await page.locator('.filters-foot button').click();
      }

      // Another page of results: the person lands on its heading, not at the footer.
      await page.goto('/offres');
      await waitForMap(page);
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      await update(page, 'next page', () => page.getByRole('link', { name: 'Page suivante' }).click());
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('search-count');
      const top = await page.locator('#search-count').evaluate((element) => element.getBoundingClientRect().top);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(top).toBeLessThan(height);
      await context.close();
    }, 180_000);

    it('keeps the search bar in step with a way out and a removed chip, so the next change does not bring a filter back', async () => {
      const context = await site.newContext();
      await signInDemo(context, 'partenaire@demo.passerelle.fr');
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      await page.goto('/offres?q=escrime&lieu=Villeurbanne&radius_km=5');
      await waitForMap(page);
      const first = await bar(page);
      expect(first).toMatchObject({ q: 'escrime', lieu: 'Villeurbanne', radius: '5' });
      await update(page, 'way out: a wider radius', () => page.getByRole('link', { name: /^Élargir à 10 km/ }).click());
      expect(await bar(page)).toMatchObject({ q: 'escrime', lieu: 'Villeurbanne', radius: '10', width: first.width });
      await update(page, 'chip removes the words', () => page.locator('.filter-chips a', { hasText: 'escrime' }).click());
      expect(await bar(page)).toMatchObject({ q: '', lieu: 'Villeurbanne', radius: '10', width: first.width });
      await update(page, 'then a theme', () => inFilters(page, () => tickFacet(page, 'theme')));
      const params = new URL(page.url()).searchParams;
      expect([params.get('q'), params.get('lieu'), params.get('radius_km'), params.getAll('theme').length]).toEqual([null, 'Villeurbanne', '10', 1]);
      // One step back at a time, each restored before the next (htmx restores from the server).
      await page.goBack();
      await page.waitForURL((url) => !url.searchParams.has('theme'));
      await expect.poll(() => page.locator('.facet-option input[name="theme"]:checked').count()).toBe(0);
      await page.goBack();
      await page.waitForURL(/q=escrime/);
      await expect.poll(() => bar(page)).toMatchObject({ q: 'escrime', radius: '10' });
      await page.screenshot({ path: `/tmp/filters11/bar-offres-${width}.png`, fullPage: width > 500 });

      await page.goto('/carte?q=escrime&lieu=Villeurbanne&radius_km=5');
      await waitForMap(page);
      await update(page, '/carte way out: anywhere', () => page.getByRole('link', { name: /^Partout, sans le lieu/ }).click());
      expect(await bar(page)).toMatchObject({ q: 'escrime', lieu: '', near: '' });
      await update(page, '/carte chip removes the words', () => page.locator('.filter-chips a', { hasText: 'escrime' }).click());
      expect(await bar(page)).toMatchObject({ q: '', lieu: '' });
      await update(page, '/carte then a theme', () => inFilters(page, () => tickFacet(page, 'theme')));
      expect(new URL(page.url()).searchParams.get('q')).toBeNull();
      await expectNoAxeViolations(page, `/carte after a way out and a chip at ${width}`);
      await page.screenshot({ path: `/tmp/filters11/bar-carte-${width}.png`, fullPage: width > 500 });

      await page.goto('/besoins?age=9');
      await waitForMap(page);
      expect(await bar(page)).toMatchObject({ age: '9' });
      await update(page, '/besoins chip removes the age', () => page.locator('.filter-chips a', { hasText: '9 ans' }).click());
      expect(await bar(page)).toMatchObject({ age: '' });
      await update(page, '/besoins then a sort', () => page.selectOption('#f-sort', 'recent'));
      expect(new URL(page.url()).searchParams.get('age')).toBeNull();
      await page.screenshot({ path: `/tmp/filters11/bar-besoins-${width}.png`, fullPage: width > 500 });
      await context.close();
    }, 180_000);
  });
}

describe('the browser history', () => {
  it('shows the search of the address it lands on after two quick presses of « Précédent », whichever restore answers last', async () => {
    const context = await site.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto('/offres?q=danse');
    await waitForMap(page);
    await update(page, 'chip removes the words', () => page.locator('.filter-chips a', { hasText: 'danse' }).click());
    await update(page, 'then a theme', () => tickFacet(page, 'theme'));

    // htmx restores each step from the server: make the first restore (no words, no theme) answer last.
    let delayed: Promise<void> | null = null;
    await page.route(
      (url) => url.pathname === '/offres' && !url.searchParams.has('q') && !url.searchParams.has('theme'),
      async (route) => {
        if (!route.request().headers()['hx-history-restore-request']) return route.continue();
        delayed = new Promise((resolve) => setTimeout(resolve, 3_000));
        await delayed;
        await route.continue().catch(() => {}); // aborted by the page meanwhile
      },
    );
    await page.goBack();
    // The second press once the first restore is on its way (on a slow machine, pressed any
    // sooner, the first restore may not have left the page yet, and there is no race to test).
    await expect.poll(() => delayed !== null).toBe(true);
    await page.goBack();
    await page.waitForURL(/q=danse/);
    await delayed;
    await page.waitForTimeout(500); // time for a late answer to be swapped in, if it were
    expect(await bar(page)).toMatchObject({ q: 'danse' });
    expect(await page.locator('.filter-chips').textContent()).toContain('danse');
    expect(await page.locator('.facet-option input[name="theme"]:checked').count()).toBe(0);
    await context.close();
  }, 120_000);
});
