import { expect, it } from 'vitest';
import { expectNoAxeViolations, useSite, waitForMap } from '../helpers/browser.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

const site = useSite(async (app) => {
  const club = await createOrganisation(app, { name: 'AS Vénissieux Judo', type: 'club-sportif', codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  const library = await createOrganisation(app, { name: 'Bibliothèque de Grenoble', type: 'bibliotheque', codeInsee: '38185', lat: 45.1885, lng: 5.7245 });
  await insertOffer(app, club.id, {
    title: 'Initiation au judo',
    themes: ['sport'],
    subthemes: ['sports-de-combat'],
    codeInsee: '69259',
    lat: 45.6974,
    lng: 4.8886,
  });
  await insertOffer(app, club.id, { title: 'Baby gym', themes: ['sport'], ageMin: 3, ageMax: 5, codeInsee: '69259', lat: 45.699, lng: 4.89 });
  await insertOffer(app, library.id, { title: 'Heure du conte', themes: ['culture'], codeInsee: '38185', lat: 45.1885, lng: 5.7245 });
  await insertOffer(app, library.id, { title: 'Club lecture', themes: ['culture'], codeInsee: '38185', lat: 45.19, lng: 5.73 });
  await syncSearch(app);
});

it('filters by a facet, moves the map, searches in that area and restores the state with the back button — with no axe violation', async () => {
  const context = await site.newContext();
  const page = await context.newPage();
  await page.goto('/offres');
  await waitForMap(page);
  await expect(page.locator('#search-count').textContent()).resolves.toContain('4\u00a0offres');
  await expectNoAxeViolations(page, 'search page');

  // A facet: the list, the counts and the URL follow without a reload.
  await page.getByLabel(/^Sport\s\(2/).check();
  await page.waitForURL(/theme=sport/);
  await expect.poll(() => page.locator('#search-count').textContent()).toContain('2\u00a0offres');
  await expect(page.locator('.offer-card-title').allTextContents()).resolves.toEqual(expect.arrayContaining(['Initiation au judo', 'Baby gym']));
  expect(await page.getByLabel(/^Culture et arts\s\(2/).isVisible()).toBe(true);

  // Move the map away from Lyon, then "Rechercher dans cette zone".
  const loaded = await page.locator('#offers-map').getAttribute('data-loaded');
  const map = page.locator('#offers-map');
  const box = (await map.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 - 30, { steps: 5 });
  await page.mouse.up();
  for (let i = 0; i < 4; i++) await page.locator('.leaflet-control-zoom-in').click();
  await expect.poll(() => page.locator('#offers-map').getAttribute('data-loaded')).not.toBe(loaded);
  const searchHere = page.getByRole('button', { name: 'Rechercher dans cette zone' });
  await searchHere.click();
  await page.waitForURL(/bbox=/);
  await expect.poll(() => page.locator('#search-count').textContent()).toContain('Aucune offre');
  expect(await page.getByRole('link', { name: /Zone de la carte/ }).isVisible()).toBe(true);
  await expectNoAxeViolations(page, 'search in area');

  // Back: the previous state (sport, no area) comes back.
  await page.goBack();
  await page.waitForURL((url) => !url.search.includes('bbox') && url.search.includes('theme=sport'));
  await expect.poll(() => page.locator('#search-count').textContent()).toContain('2\u00a0offres');
  expect(await page.getByLabel(/^Sport\s\(2/).isChecked()).toBe(true);
  await expectNoAxeViolations(page, 'after back');
  await context.close();
});

it('works without JavaScript as a plain GET form', async () => {
  const context = await site.browser.newContext({ baseURL: site.baseURL, javaScriptEnabled: false });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto('/offres');
  await page.fill('#f-q', 'conte');
  await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
  await page.waitForURL(/q=conte/);
  await expect(page.locator('.offer-card-title').allTextContents()).resolves.toEqual(['Heure du conte']);
  await context.close();
});

it('lets a keyboard user tick a facet with the space bar and skip the filters to the results', async () => {
  const context = await site.newContext();
  const page = await context.newPage();
  await page.goto('/offres');
  const focused = () =>
    page.evaluate(() => `${document.activeElement?.tagName} ${document.activeElement?.id ?? ''} ${document.activeElement?.textContent?.trim() ?? ''}`);

  await page.getByLabel(/^Culture et arts\s\(2/).focus();
  await page.keyboard.press('Space');
  await page.waitForURL(/theme=culture/);
  await expect.poll(() => page.locator('#search-count').textContent()).toContain('2\u00a0offres');

  await page.getByRole('link', { name: 'Aller aux résultats' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(focused).toContain('H2 search-count');
  await page.keyboard.press('Tab');
  expect(await focused()).toContain('Culture et arts ✕ (retirer ce filtre)');
  await page.keyboard.press('Tab');
  expect(await focused()).toMatch(/^A .*(Heure du conte|Club lecture)/);
  await context.close();
});
