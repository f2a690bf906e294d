import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { checkPage, signIn, useSite, waitForMap, zoomToPins } from '../helpers/browser.js';
import { createOrganisation, createUser } from '../helpers/fixtures.js';
import { acmWithMember, needForm } from '../helpers/matching.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

const offers = new Map<string, string>();

const site = useSite(async (app) => {
  const club = await createOrganisation(app, { name: 'AS Vénissieux Judo', type: 'club-sportif', codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  // Offers a few hundred metres apart: at the first zoom they are one cluster.
  const places = [
    { title: 'Initiation au judo', themes: ['sport'], lat: 45.6974, lng: 4.8886 },
    { title: 'Lutte et jeux d’opposition', themes: ['sport'], lat: 45.6991, lng: 4.8861 },
    { title: 'Théâtre d’improvisation', themes: ['culture'], lat: 45.6952, lng: 4.8912 },
    { title: 'Jardin des petits', themes: ['environnement'], lat: 45.7012, lng: 4.8805 },
  ];
  for (const place of places) {
    const offer = await insertOffer(app, club.id, { ...place, codeInsee: '69259' });
    offers.set(place.title, `/offres/${offer.id}-${offer.slug}`);
  }
  await syncSearch(app);
});

/** Clicks clusters (each click zooms in) until a theme pin is on the map, then opens its popup. */
async function openAPopup(page: Page): Promise<number> {
  const pins = page.locator('#offers-map .theme-pin');
  const zooms = await zoomToPins(page, 12);
  await pins.first().click();
  await page.locator('.leaflet-popup-content a').waitFor();
  // Leaflet fades the popup in: axe would measure the contrast of half-transparent text.
  await expect.poll(() => page.locator('.leaflet-popup').evaluate((popup) => getComputedStyle(popup).opacity)).toBe('1');
  return zooms;
}

it('opens an offer’s popup on /carte after zooming into its cluster, and follows its link, at 1280 and 390 px', async () => {
  for (const width of [1280, 390]) {
    const context = await site.newContext();
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 844 });
    await page.goto('/carte');
    await waitForMap(page);
    // The four offers start as one cluster: it takes at least a click to reach a pin.
    expect(await openAPopup(page)).toBeGreaterThan(0);
    const link = page.locator('.leaflet-popup-content a');
    const title = (await link.textContent())!.trim();
    expect(offers.has(title), title).toBe(true);
    expect(await page.locator('.leaflet-popup-content').textContent()).toContain('AS Vénissieux Judo');
    // The popup fits the screen.
    const box = (await page.locator('.leaflet-popup').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(width);
    await checkPage(page, 'carte-popup');
    await Promise.all([page.waitForURL((url) => url.pathname === offers.get(title)), link.click()]);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await context.close();
  }
}, 120_000);

it('shows the needs of an intercommunalité with its chip, at 1280 and 390 px', async () => {
  const acm = await acmWithMember(site.app, { name: 'Accueil de Villeurbanne', codeInsee: '69266', lat: 45.7719, lng: 4.8902 });
  await acm.agent.post('/besoins', needForm({ title: 'Théâtre à Villeurbanne' }));
  await syncSearch(site.app);
  const user = await createUser(site.app, { name: 'Nora Partenaire' });
  await createOrganisation(site.app, { kind: 'partner', name: 'Compagnie du Rhône', status: 'verified', ownerId: user.id });
  const page = await signIn(await site.newContext(), user.email);
  await page.goto('/besoins?epci=200046977');
  await page.getByRole('link', { name: 'Théâtre à Villeurbanne' }).first().waitFor();
  await page
    .getByRole('link', { name: /Métropole de Lyon/ })
    .first()
    .waitFor();
  // A facet ticked keeps the intercommunalité (the form carries it).
  await page.getByRole('checkbox', { name: /Culture et arts/ }).check();
  await expect.poll(() => new URL(page.url()).searchParams.getAll('epci')).toEqual(['200046977']);
  await page.getByRole('link', { name: 'Théâtre à Villeurbanne' }).first().waitFor();
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    await checkPage(page, 'besoins-epci');
  }
}, 120_000);
