import { mkdirSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { offers } from '../../db/schema/index.js';
import { thumbnailKey } from '../../server/offers/offers.view.js';
import { processPhoto } from '../../server/offers/photos.js';
import { expectNoAxeViolations, useSite } from '../helpers/browser.js';
import { createOrganisation, createUser, PASSWORD } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let offerPath: string;
let partnerPath: string;
let offerId: number;
const SHOTS = '/tmp/fav11';

const site = useSite(async (app) => {
  mkdirSync(SHOTS, { recursive: true });
  const director = await createUser(app, { name: 'Camille Roux', email: 'camille@les-pitchouns.fr' });
  await createOrganisation(app, { kind: 'acm', name: 'Les Pitchouns', status: 'verified', ownerId: director.id, ageMin: 6, ageMax: 11 });
  const owner = await createUser(app, { name: 'Léa Martin', email: 'lea@cirque-des-pentes.fr' });
  const partner = await createOrganisation(app, {
    ownerId: owner.id,
    name: 'Cirque des Pentes',
    type: 'association',
    themes: ['culture'],
    address: '12 rue Francis de Pressensé',
    postcode: '69100',
    codeInsee: '69266',
    lat: 45.7719,
    lng: 4.8902,
    email: 'bonjour@cirque-des-pentes.fr',
    phone: '04 72 00 11 22',
    status: 'verified',
  });
  const source = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 90, b: 40 } } })
    .jpeg()
    .toBuffer();
  const { main, thumbnail } = await processPhoto(source);
  await app.deps.storage.put('offres/0123456789abcdef01234567.webp', main);
  await app.deps.storage.put(thumbnailKey('offres/0123456789abcdef01234567.webp'), thumbnail);
  const offer = await insertOffer(app, partner.id, {
    title: 'Initiation aux arts du cirque',
    summary: 'Jonglage, équilibre et acrobaties : un cycle pour découvrir le cirque en s’amusant.',
    themes: ['culture'],
    venue: 'dans-l-accueil',
    travelKm: 15,
    lat: 45.7719,
    lng: 4.8902,
    codeInsee: '69266',
    photoPath: 'offres/0123456789abcdef01234567.webp',
    photoAlt: 'Un enfant jongle avec trois balles',
  });
  await insertOffer(app, partner.id, { title: 'Atelier de clown', themes: ['culture'], lat: 45.7719, lng: 4.8902, codeInsee: '69266' });
  await syncSearch(app);
  offerId = offer.id;
  offerPath = `/offres/${offer.id}-${offer.slug}`;
  partnerPath = `/structures/${partner.id}-${partner.slug}`;
});

async function signIn(options: { javaScriptEnabled?: boolean; width?: number; email?: string } = {}): Promise<Page> {
  const context = await site.browser.newContext({
    baseURL: site.baseURL,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    viewport: { width: options.width ?? 1280, height: 800 },
  });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.fill('#f-email', options.email ?? 'camille@les-pitchouns.fr');
  await page.fill('#f-password', PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/connexion'));
  return page;
}

async function noSidewaysScroll(page: Page) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(inner);
}

it('stars an offer from the results with htmx, finds it at /favoris, proposes a partnership from there and unstars it — axe clean', async () => {
  const page = await signIn();
  await page.goto('/offres?q=cirque');
  const card = page.locator(`#offre-${offerId}`);
  const thumb = card.locator('img.offer-card-thumb');
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(480);
  expect(await thumb.getAttribute('alt')).toBe('Un enfant jongle avec trois balles');
  expect(await thumb.boundingBox()).toMatchObject({ width: 96, height: 64 });
  const star = page.getByRole('button', { name: 'Favori : Initiation aux arts du cirque' });
  expect(await star.getAttribute('aria-pressed')).toBe('false');
  await expectNoAxeViolations(page, 'results with stars');
  await page.screenshot({ path: `${SHOTS}/results-1280.png`, fullPage: false });

  const url = page.url();
  await star.click();
  await expect.poll(() => page.getByRole('button', { name: 'Favori : Initiation aux arts du cirque' }).getAttribute('aria-pressed')).toBe('true');
  expect(page.url()).toBe(url);
  expect((await card.boundingBox())!.width).toBeGreaterThanOrEqual(280);

  await page.goto('/favoris');
  await expect(page.getByRole('heading', { name: '1 offre' }).isVisible()).resolves.toBe(true);
  await expectNoAxeViolations(page, '/favoris');
  // The card's photo spans it, border to border, and its text is padded once (the search results' card padding does not apply).
  const gridCard = page.locator('.offer-grid .offer-card').first();
  const cardBox = (await gridCard.boundingBox())!;
  expect((await gridCard.locator('.offer-card-photo').boundingBox())!.width).toBeCloseTo(cardBox.width - 2, 0);
  expect((await gridCard.locator('.offer-card-title').boundingBox())!.x - cardBox.x).toBeLessThanOrEqual(18);
  await page.screenshot({ path: `${SHOTS}/favoris-1280.png`, fullPage: true });
  await page.getByRole('link', { name: 'Proposer un partenariat : Initiation aux arts du cirque' }).click();
  await page.waitForURL(new RegExp(`/demandes/nouvelle\\?offre=${offerId}$`));

  await page.goto('/favoris');
  await page.getByRole('button', { name: 'Favori : Initiation aux arts du cirque' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Favori : Initiation aux arts du cirque' }).getAttribute('aria-pressed')).toBe('false');
  await page.context().close();
});

it('stars a partner without JavaScript, through the form, and shows the contact, the distance and the star on a phone', async () => {
  const page = await signIn({ javaScriptEnabled: false, width: 390 });
  await page.goto(partnerPath);
  await page.getByRole('button', { name: 'Favori : Cirque des Pentes' }).click();
  await page.waitForURL(new RegExp(`${partnerPath}$`));
  expect(await page.getByRole('button', { name: 'Favori : Cirque des Pentes' }).getAttribute('aria-pressed')).toBe('true');
  expect(await page.textContent('body')).toContain('« Cirque des Pentes » est dans vos favoris.');
  expect(await page.textContent('body')).toContain('bonjour@cirque-des-pentes.fr');
  await noSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/partner-390.png`, fullPage: true });

  await page.goto(offerPath);
  expect(await page.textContent('body')).toMatch(/Votre accueil Les Pitchouns est à [\d,]+ km — dans la zone de déplacement\./);
  await noSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/offer-390.png`, fullPage: true });
  await page.goto('/favoris');
  await noSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/favoris-390.png`, fullPage: true });
  await page.goto('/offres?q=cirque');
  await noSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/results-390.png`, fullPage: false });
  await page.context().close();
});

it('says on /favoris that a starred offer is paused — axe clean at 1280 and 390', async () => {
  const page = await signIn();
  await page.goto(offerPath);
  await page.getByRole('button', { name: 'Favori : Initiation aux arts du cirque' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Favori : Initiation aux arts du cirque' }).getAttribute('aria-pressed')).toBe('true');
  await expectNoAxeViolations(page, 'offer page');
  await page.screenshot({ path: `${SHOTS}/offer-1280.png`, fullPage: true });
  await site.app.deps.db.update(offers).set({ status: 'paused' }).where(eq(offers.id, offerId));
  await page.goto('/favoris');
  expect(await page.textContent('main')).toContain('En pause : le partenaire ne la propose plus pour le moment.');
  await expectNoAxeViolations(page, '/favoris with a paused offer');
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await expectNoAxeViolations(page, '/favoris at 390');
  await page.screenshot({ path: `${SHOTS}/favoris-paused-390.png`, fullPage: true });
  await page.goto(partnerPath);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${SHOTS}/partner-1280.png`, fullPage: true });
  await site.app.deps.db.update(offers).set({ status: 'published' }).where(eq(offers.id, offerId));
  await page.context().close();
});

it('lists partners at /structures with a map, stars them, at 1280 and 390 — axe clean', async () => {
  const page = await signIn();
  await page.goto('/structures?lieu=Lyon&radius_km=20');
  expect(await page.textContent('#directory-count')).toBe('1\u00a0structure à moins de 20\u00a0km de Lyon');
  const map = page.locator('#offers-map');
  await map.scrollIntoViewIfNeeded();
  await expect.poll(() => map.getAttribute('data-shown'), { timeout: 20_000 }).toBe('1');
  const before = await page.getByRole('button', { name: 'Favori : Cirque des Pentes' }).getAttribute('aria-pressed');
  await page.getByRole('button', { name: 'Favori : Cirque des Pentes' }).click();
  await expect
    .poll(() => page.getByRole('button', { name: 'Favori : Cirque des Pentes' }).getAttribute('aria-pressed'))
    .toBe(before === 'true' ? 'false' : 'true');
  await expectNoAxeViolations(page, '/structures');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/structures-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await noSidewaysScroll(page);
  await expectNoAxeViolations(page, '/structures at 390');
  await page.screenshot({ path: `${SHOTS}/structures-390.png`, fullPage: true });
  await page.context().close();
});

it('lets the partner make its contact details public from its settings', async () => {
  const page = await signIn({ email: 'lea@cirque-des-pentes.fr' });
  await page.goto(`${partnerPath.replace(/-.*$/, '')}/modifier`);
  const box = page.getByLabel('Afficher l’e-mail et le téléphone à tous les visiteurs (pages et API publiques)');
  await box.check();
  await box.screenshot({ path: `${SHOTS}/settings-contact-1280.png` });
  await page.getByRole('button', { name: /Enregistrer/ }).click();
  await page.waitForURL(new RegExp(`${partnerPath}$`));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${partnerPath.replace(/-.*$/, '')}/modifier`);
  await noSidewaysScroll(page);
  await page.screenshot({ path: `${SHOTS}/settings-390.png`, fullPage: true });
  const visitor = await site.browser.newPage({ baseURL: site.baseURL });
  await visitor.goto(partnerPath);
  expect(await visitor.textContent('main')).toContain('bonjour@cirque-des-pentes.fr');
  await visitor.close();
  await page.context().close();
});
