import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { partnershipReviews } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { expectNoAxeViolations, launchBrowser, listen, newContext } from '../helpers/browser.js';
import { PASSWORD } from '../helpers/fixtures.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let browser: Browser;
let baseURL: string;
beforeAll(async () => {
  app = await createTestApp();
  baseURL = await listen(app);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function signIn(context: BrowserContext, email: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/connexion'));
  return page;
}

async function checkPage(page: Page, label: string) {
  await expectNoAxeViolations(page, label);
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${label}.png`, fullPage: true });
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${label}: ${scrollWidth}px wide at ${innerWidth}px`).toBeLessThanOrEqual(innerWidth);
}

it('takes the decision after the bilan in two steps: the ACM proposes to renew, the partner sees it and confirms', async () => {
  const f = await createPartnershipFixture(app);
  const bilan = `/partenariats/${f.partnership.id}/bilan`;
  await app.deps.db.insert(partnershipReviews).values(
    (['acm', 'partner'] as const).map((side) => ({
      partnershipId: f.partnership.id,
      side,
      organisationId: side === 'acm' ? f.acm.id : f.partner.id,
      answers: {} as never,
      recommendation: 'renew' as const,
      submittedAt: new Date(),
    })),
  );
  const acm = await signIn(await newContext(browser, baseURL), f.acmUser.email);
  const partner = await signIn(await newContext(browser, baseURL), f.partnerUser.email);
  await partner.setViewportSize({ width: 390, height: 844 });

  await acm.goto(`${bilan}#decision`);
  const decision = acm.locator('#decision');
  await decision.getByLabel('Reconduire l’année scolaire prochaine').check();
  await decision.getByLabel('Motif').fill('Les enfants en redemandent.');
  await decision.getByRole('button', { name: 'Proposer cette décision' }).click();
  await acm.getByText('Votre proposition est envoyée').waitFor();
  await decision.getByText('Votre proposition : reconduire').waitFor();
  await decision.getByText(/En attente de la confirmation/).waitFor();
  await checkPage(acm, 'decision-proposed-1280');

  await partner.goto(`${bilan}#decision`);
  await partner.getByText(`${f.acm.name} propose : reconduire`).waitFor();
  await checkPage(partner, 'decision-to-confirm-390');
  await partner.getByRole('button', { name: 'Confirmer : reconduire' }).click();
  await partner.waitForURL((url) => url.pathname !== bilan && /^\/partenariats\/\d+$/.test(url.pathname));
  await partner.getByText('Le partenariat est reconduit').waitFor();

  await acm.goto(bilan);
  const decided = ((await acm.locator('#decision').textContent()) ?? '').replace(/\s+/g, ' ');
  expect(decided).toContain('Reconduire, le');
  expect(decided).toContain('Voir le partenariat reconduit');
  await checkPage(acm, 'decision-taken-1280');
});
