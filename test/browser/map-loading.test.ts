import { expect, it } from 'vitest';
import { useSite } from '../helpers/browser.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let offerPath: string;

const site = useSite(async (app) => {
  const club = await createOrganisation(app, { name: 'AS Vénissieux Judo', type: 'club-sportif', codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  const description = 'Chutes, roulades et premières prises, en jouant, sous le regard d’un éducateur diplômé. '.repeat(12);
  const offer = await insertOffer(app, club.id, { title: 'Initiation au judo', description, themes: ['sport'], codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  offerPath = `/offres/${offer.id}-${offer.slug}`;
  await syncSearch(app);
});

const leafletRequests = (urls: string[]) => urls.filter((url) => url.includes('/static/vendor/leaflet/') || url.includes('/static/vendor/markercluster/'));

it('loads the map code on a phone only when the map comes near the screen, and never on pages without a map', async () => {
  const context = await site.browser.newContext({
    baseURL: site.baseURL,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'fr-FR',
  });
  await context.route(/tile\.openstreetmap\.org/, (route) => route.fulfill({ status: 204 }));
  const page = await context.newPage();
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));

  await page.goto('/', { waitUntil: 'load' });
  expect(leafletRequests(requested)).toEqual([]);

  // The offer page: its map is below the fold on a phone, so Leaflet waits for the scroll.
  await page.goto(offerPath, { waitUntil: 'load' });
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => typeof (window as { L?: unknown }).L)).toBe('undefined');
  expect(leafletRequests(requested)).toEqual([]);
  await page.locator('[data-offer-map]').scrollIntoViewIfNeeded();
  await page.locator('[data-offer-map].leaflet-container .leaflet-marker-icon').waitFor();
  expect(leafletRequests(requested).length).toBeGreaterThanOrEqual(2);

  // The map page: the map is on screen, Leaflet comes after the first paint and draws the offers.
  await page.goto('/carte', { waitUntil: 'load' });
  await expect.poll(() => page.locator('#offers-map').getAttribute('data-loaded'), { timeout: 20_000 }).toBeTruthy();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await context.close();
}, 120_000);
