import { writeFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { communes, organisations, partnerships, users } from '../../db/schema/index.js';
import { describeTerritory, type Territory } from '../../server/coordination/coordination.usecases.js';
import { digestSections, digestToken } from '../../server/coordination/digest.js';
import { expectNoAxeViolations, signInDemo, useDemoSite } from '../helpers/browser.js';

const site = useDemoSite();

const SHOTS = process.env.SCREENSHOTS_DIR;

async function check(page: Page, label: string, width: number) {
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(widths.scroll, `horizontal scroll on ${label} at ${width} px`).toBeLessThanOrEqual(widths.inner);
  await expectNoAxeViolations(page, `${label} at ${width} px`);
  if (SHOTS) {
    await page.screenshot({ path: `${SHOTS}/${label}-${width}.png`, fullPage: true });
    await page.screenshot({ path: `${SHOTS}/${label}-${width}-top.png` });
    const funnel = page.locator('.funnel-figure');
    if (await funnel.count()) await funnel.screenshot({ path: `${SHOTS}/${label}-${width}-funnel.png` });
  }
}

for (const width of [1280, 390]) {
  it(`walks a coordinator from the dashboard to a list, a partnership read-only and an export at ${width} px`, async () => {
    const context = await site.newContext();
    await signInDemo(context, 'coordination@demo.passerelle.fr');
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });

    await page.goto('/tableau-de-bord');
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Coordination' }).click();
    await page.waitForURL(/\/coordination\/departement\/69$/);
    expect(await page.locator('h1').textContent()).toContain('Rhône\u00a0(69)');
    expect(await page.locator('.funnel-chart').count()).toBe(1);
    expect(await page.locator('table.funnel-table tbody tr').count()).toBe(6);
    await check(page, 'coordination-dashboard', width);

    await page.getByRole('navigation', { name: 'Coordination du territoire' }).getByRole('link', { name: 'Partenariats' }).click();
    await page.waitForURL(/\/partenariats$/);
    const rows = page.locator('table.coordination-table tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    await check(page, 'coordination-partenariats', width);

    await page.selectOption('#f-tri', 'title');
    await page.selectOption('#f-ordre', 'asc');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/tri=title/);
    const titles = await page.locator('table.coordination-table tbody th').allInnerTexts();
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, 'fr')));

    const exportLink = page.getByRole('link', { name: /Télécharger cette liste/ });
    const href = await exportLink.getAttribute('href');
    expect(href).toMatch(/\/export\/partenariats\.csv\?tri=title&ordre=asc$/);
    const download = await page.request.get(href!);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toMatch(/coordination-partenariats-rhone-69-\d{4}-\d{2}-\d{2}\.csv/);

    await rows.first().locator('th a').click();
    await page.waitForURL(/\/partenariats\/\d+$/);
    expect(await page.locator('.notice').first().textContent()).toContain('lecture seule');
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    await check(page, 'coordination-partnership', width);

    await page.goto('/coordination/departement/69/partenaires');
    await check(page, 'coordination-partenaires', width);
    await context.close();
  }, 180_000);
}

for (const width of [1280, 390]) {
  it(`walks a coordinator from the needs of the territory to one need, then to a prescription prefilled from it, sent and shown on the need, at ${width} px`, async () => {
    const context = await site.newContext();
    await signInDemo(context, 'coordination@demo.passerelle.fr');
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });

    await page.goto('/coordination/departement/69/besoins');
    await page.selectOption('#f-statut', 'open');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/statut=open/);
    const link = page.locator('table.coordination-table tbody th a').first();
    const title = (await link.textContent())!.trim();
    await link.click();
    await page.waitForURL(/\/besoins\/\d+$/);
    expect(await page.locator('h1').textContent()).toBe(title);
    const follow = page.getByRole('region', { name: 'Suivi du territoire' });
    expect(await follow.isVisible()).toBe(true);
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    // Side by side at 1280, the need keeps most of the width; at 390 both stack, full width.
    const details = (await page.locator('section[aria-labelledby="need-details"]').boundingBox())!;
    const followBox = (await follow.boundingBox())!;
    if (width === 1280) {
      expect(details.width).toBeGreaterThan(600);
      expect(followBox.width).toBeGreaterThanOrEqual(260);
    } else {
      expect(details.width).toBeGreaterThan(340);
      expect(followBox.width).toBeCloseTo(details.width, 0);
    }
    await check(page, 'coordination-need', width);

    await follow.getByRole('link', { name: 'Prescrire un partenariat' }).click();
    await page.waitForURL(/\/partenariats\/prescrire\?accueil=\d+.*besoin=\d+/);
    expect(await page.locator('#suggestions-title').textContent()).toContain(`«\u00a0${title}\u00a0»`);
    expect(await page.inputValue('#f-title')).toContain(title);
    expect((await page.locator('#f-message').boundingBox())!.width).toBeGreaterThan(width === 1280 ? 400 : 340);
    await check(page, 'coordination-prescription-from-need', width);

    // Another suggested partner chosen in the select: its offers replace the first one's, at the form's width.
    const second = page.locator('.prescription-suggestions li').nth(1);
    const [otherPartner, otherOffer] = [(await second.locator('strong').textContent())!, (await second.locator('a').first().textContent())!];
    const otherValue = (await page.locator('#f-partnerId option', { hasText: otherPartner }).getAttribute('value'))!;
    await page.selectOption('#f-partnerId', otherValue);
    await page.locator('#f-offerId option', { hasText: otherOffer }).waitFor({ state: 'attached' });
    // The offer it was suggested for is proposed, and « choisi » moves to it in the suggestions, swapped out of band at the same width.
    expect(await page.locator('#f-offerId option:checked').textContent()).toBe(otherOffer);
    expect((await page.locator('#f-offerId').boundingBox())!.width).toBeCloseTo((await page.locator('#f-title').boundingBox())!.width, 0);
    const suggestions = page.locator('.prescription-suggestions');
    await suggestions.locator('li').nth(1).locator('em', { hasText: 'choisi' }).waitFor();
    expect(
      await suggestions
        .locator('li')
        .first()
        .getByRole('link', { name: /choisir ce partenaire/ })
        .count(),
    ).toBe(1);
    expect(await suggestions.locator('em', { hasText: 'choisi' }).count()).toBe(1);
    expect((await suggestions.boundingBox())!.width).toBeGreaterThan(width === 1280 ? 600 : 340);
    await check(page, 'coordination-prescription-other-partner', width);

    // Sent, the prescription shows on the need's page, linked to its partnership.
    const needPath = new URL((await page.locator('.breadcrumb a').last().getAttribute('href'))!, page.url()).pathname;
    await page.getByRole('button', { name: 'Proposer le partenariat' }).click();
    await page.waitForURL(/\/partenariats\/\d+$/);
    const partnershipPath = new URL(page.url()).pathname;
    await page.goto(needPath);
    const followed = page.getByRole('region', { name: 'Suivi du territoire' });
    expect(await followed.textContent()).toMatch(/Partenariats? prescrits? :/);
    const prescribed = followed.locator(`a[href="${partnershipPath}"]`);
    expect(await prescribed.textContent()).toContain(title);
    expect(await followed.textContent()).toContain(`avec ${otherPartner}`);
    const [linkBox, cardBox] = [(await prescribed.boundingBox())!, (await followed.boundingBox())!];
    expect(linkBox.x + linkBox.width).toBeLessThanOrEqual(cardBox.x + cardBox.width);
    await check(page, 'coordination-need-prescribed', width);
    await context.close();
  }, 180_000);
}

it('opens to the demo coordinator every partnership of an ACM of the Rhône, and no other', async () => {
  const context = await site.newContext();
  await signInDemo(context, 'coordination@demo.passerelle.fr');
  const all = await site.app.deps.db
    .select({ id: partnerships.id, department: communes.departmentCode })
    .from(partnerships)
    .innerJoin(organisations, eq(organisations.id, partnerships.acmId))
    .innerJoin(communes, eq(communes.codeInsee, organisations.codeInsee));
  expect(all.some((p) => p.department === '69')).toBe(true);
  for (const p of all) {
    const response = await context.request.get(`/partenariats/${p.id}`, { maxRedirects: 0 });
    expect(response.status(), `partnership ${p.id} (${p.department})`).toBe(p.department === '69' ? 200 : 404);
  }
  await context.close();
}, 180_000);

it('renders the weekly digest email and its unsubscribe page, readable at 1280 and 390 px', async () => {
  const [coordinator] = await site.app.deps.db.select().from(users).where(eq(users.email, 'coordination@demo.passerelle.fr'));
  const scope = { kind: 'department' as const, code: '69' };
  const territory = (await describeTerritory(site.app.deps, scope)) as Territory;
  // A month on, the demo's partnerships and needs have waited long enough to show in the digest.
  site.app.deps.clock.setNow(new Date(Date.now() + 35 * 86_400_000));
  const sections = await digestSections(site.app.deps, territory);
  site.app.deps.clock.setNow(null);
  expect(sections.length).toBeGreaterThan(0);
  const token = digestToken(site.app.deps.config.SESSION_SECRET, coordinator!.id, scope);
  const { html } = site.app.deps.mailer.render('coordination-digest', {
    subject: 'Rhône (69) : points à suivre cette semaine',
    name: coordinator!.name,
    territory: territory.label,
    count: sections.reduce((sum, s) => sum + s.total, 0),
    sections,
    workspaceUrl: `${site.baseURL}${territory.path}`,
    settingsUrl: `${site.baseURL}${territory.path}#resume-hebdomadaire`,
    unsubscribeUrl: `${site.baseURL}/coordination/resume/desabonnement/${token}`,
  });
  const context = await site.newContext();
  if (SHOTS) writeFileSync(`${SHOTS}/coordination-digest-email.html`, html!);
  // The email in a blank page of its own: the site's CSP must not apply to it (a mail client has its own rules).
  const email = await context.newPage();
  const page = await context.newPage();
  for (const width of [1280, 390]) {
    await email.setViewportSize({ width, height: 900 });
    await email.setContent(html!);
    const widths = await email.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    if (SHOTS) await email.screenshot({ path: `${SHOTS}/coordination-digest-email-${width}.png`, fullPage: true });
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`/coordination/resume/desabonnement/${token}`);
    expect(await page.locator('main').textContent()).toContain('Rhône (69)');
    await check(page, 'coordination-digest-unsubscribe', width);
  }
  await page.getByRole('button', { name: 'Arrêter le résumé hebdomadaire' }).click();
  expect(await page.locator('h1').textContent()).toContain('Résumé hebdomadaire arrêté');
  await check(page, 'coordination-digest-unsubscribed', 390);
  await context.close();
}, 180_000);
