import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { partnershipConventions } from '../../db/schema/index.js';
import { expectNoAxeViolations, signIn, useSite } from '../helpers/browser.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let f: PartnershipFixture;
const site = useSite(async (app) => {
  f = await createPartnershipFixture(app);
  // A calendar, so that the animation and review pages show their tables.
  await f.acmAgent.post(`/partenariats/${f.partnership.id}/calendrier`, {
    periodicity: 'cycle',
    cycleCount: '6',
    periodStart: '2027-01-06',
    slot: 'mercredi-matin',
  });
});

async function signConvention(page: Page, name: string, role: string) {
  await page.goto(`/partenariats/${f.partnership.id}/formalisation`);
  await page.fill('#f-signerName', name);
  await page.fill('#f-signerRole', role);
  await page.check('#f-consent');
  await page.getByRole('button', { name: 'Signer la convention' }).click();
  await page.waitForURL(/formalisation/);
}

it('signs the convention as each party in two browser contexts, with no axe violation on any section', async () => {
  const acm = await signIn(await site.newContext(), f.acmUser.email);
  const partner = await signIn(await site.newContext(), f.partnerUser.email);
  const base = `/partenariats/${f.partnership.id}`;

  for (const [path, label] of [
    ['', 'overview'],
    ['/definition', 'définition'],
    ['/recherche', 'recherche'],
    ['/formalisation', 'formalisation'],
    ['/animation', 'animation'],
    ['/bilan', 'bilan'],
    ['/historique', 'history'],
  ] as const) {
    await acm.goto(`${base}${path}`);
    await expectNoAxeViolations(acm, `${label} (ACM)`);
  }
  await partner.goto('/partenariats');
  await expectNoAxeViolations(partner, 'partnerships list');

  // The progress indicator is an ordered list with the current step marked.
  await acm.goto(base);
  await expect.poll(() => acm.locator('ol.progress-steps > li[aria-current="step"]').count()).toBe(1);

  await signConvention(acm, 'Claire Dubois', 'Directrice de l’accueil');
  await acm.getByText(`${f.acm.name} a signé le`).first().waitFor();
  await expectNoAxeViolations(acm, 'formalisation after the first signature');

  await signConvention(partner, 'Karim Benali', 'Président du club');
  await partner.getByText('La convention est signée par les deux parties.').first().waitFor();
  await expectNoAxeViolations(partner, 'formalisation signed (partner)');
  const [convention] = await site.app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, f.partnership.id));
  expect(convention?.status).toBe('signed');

  await acm.goto(`${base}/convention/imprimer?version=1`);
  await expectNoAxeViolations(acm, 'print view');
  await partner.goto(`${base}/bilan`);
  await expectNoAxeViolations(partner, 'bilan (partner form)');
}, 240_000);

async function expectNoHorizontalScroll(page: Page, label: string) {
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // The deepest elements that stick out, to name the culprit in the failure.
    wide: [...document.querySelectorAll('body *')]
      .filter(
        (e) => e.getBoundingClientRect().right > window.innerWidth + 1 && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1),
      )
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent?.trim().slice(0, 40)}`),
  }));
  expect(scrollWidth, `${label}: ${scrollWidth}px wide at ${innerWidth}px (${wide.join(' | ')})`).toBeLessThanOrEqual(innerWidth);
}

it('counts two signatures made at the same instant in two browsers, then refuses to record a future session as held', async () => {
  const g = await createPartnershipFixture(site.app);
  const base = `/partenariats/${g.partnership.id}`;
  await g.acmAgent.post(`${base}/calendrier`, { periodicity: 'cycle', cycleCount: '4', periodStart: '2027-03-03', slot: 'mercredi-matin' });
  const acm = await signIn(await site.newContext(), g.acmUser.email);
  const partner = await signIn(await site.newContext(), g.partnerUser.email);
  for (const [page, name] of [
    [acm, 'Claire Dubois'],
    [partner, 'Karim Benali'],
  ] as const) {
    await page.goto(`${base}/formalisation`);
    await page.fill('#f-signerName', name);
    await page.fill('#f-signerRole', 'Représentant·e légal·e');
    await page.check('#f-consent');
  }
  await Promise.all([acm, partner].map((page) => page.getByRole('button', { name: 'Signer la convention' }).click()));
  await Promise.all([acm, partner].map((page) => page.waitForURL(/formalisation/)));
  const [convention] = await site.app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, g.partnership.id));
  expect(convention?.status).toBe('signed');
  await acm.goto(`${base}/formalisation`);
  await acm.getByText('La convention est signée par les deux structures.').waitFor();

  // The tracker and the list tell the same step.
  await acm.goto(base);
  await expect.poll(() => acm.locator('li[aria-current="step"] .step-title').textContent()).toContain('Animation');
  await acm.goto('/partenariats');
  await acm.getByRole('cell', { name: '4 · Animation' }).first().waitFor();

  // A future session cannot be recorded as held: the message stands beside the field.
  await acm.goto(`${base}/animation`);
  await acm
    .getByRole('link', { name: /Modifier la séance du/ })
    .first()
    .click();
  await acm.getByLabel('Réalisée').check();
  await acm.fill('#f-childrenPresent', '14');
  await acm.getByRole('button', { name: 'Enregistrer la séance' }).click();
  await acm.locator('#f-childrenPresent-error').waitFor();
  expect(await acm.locator('.field-error').count()).toBeGreaterThanOrEqual(2);
  await expectNoAxeViolations(acm, 'session refused');

  for (const width of [1280, 390]) {
    for (const [page, path, label] of [
      [acm, `${base}/seances`, 'session'],
      [partner, `${base}/formalisation`, 'formalisation'],
      [partner, `${base}/convention/imprimer?version=1`, 'print'],
      [partner, '/partenariats', 'list'],
      [partner, base, 'overview'],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      if (label !== 'session') await page.goto(path);
      if (process.env.SCREENSHOTS_DIR) await page.screenshot({ path: `${process.env.SCREENSHOTS_DIR}/${label}-${width}.png`, fullPage: true });
      await expectNoHorizontalScroll(page, `${label} at ${width}`);
    }
  }
}, 240_000);

it('sends a comment form back with its summary in view, under the address of its page, which reloads as that page', async () => {
  const page = await signIn(await site.newContext(), f.partnerUser.email);
  const base = `/partenariats/${f.partnership.id}`;
  await page.goto(`${base}/formalisation`);
  await page.getByRole('button', { name: 'Publier le commentaire' }).click();
  await page.waitForURL(`**${base}/formalisation#commentaires`);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
  const summaryTop = await page.locator('#error-summary').evaluate((element) => element.getBoundingClientRect().top);
  expect(summaryTop).toBeGreaterThanOrEqual(0);
  expect(summaryTop).toBeLessThan(page.viewportSize()!.height);
  expect(await page.locator('#error-summary').textContent()).toContain('Votre commentaire : Ce champ est obligatoire.');
  // At the top of the window; its link brings the field with its label into view.
  expect(summaryTop).toBeLessThanOrEqual(40);
  const target = (await page.locator('#error-summary a').first().getAttribute('href'))!.slice(1);
  await page.locator('#error-summary a').first().click();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe(target);
  expect(await page.locator(`label[for="${target}"]`).evaluate((label) => label.getBoundingClientRect().top)).toBeGreaterThanOrEqual(0);
  const reloaded = await page.reload();
  expect(reloaded?.status()).toBe(200);
  expect(await page.locator('h3#comments-title').count()).toBe(1);
  await page.context().close();
});
