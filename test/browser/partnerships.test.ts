import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { partnershipConventions } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { expectNoAxeViolations, launchBrowser, listen, newContext } from '../helpers/browser.js';
import { PASSWORD } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let browser: Browser;
let baseURL: string;
let f: PartnershipFixture;
beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app);
  // A calendar, so that the animation and review pages show their tables.
  await f.acmAgent.post(`/partenariats/${f.partnership.id}/calendrier`, {
    periodicity: 'cycle',
    cycleCount: '6',
    periodStart: '2027-01-06',
    slot: 'mercredi-matin',
  });
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

async function signConvention(page: Page, name: string, role: string) {
  await page.goto(`/partenariats/${f.partnership.id}/formalisation`);
  await page.fill('#f-signerName', name);
  await page.fill('#f-signerRole', role);
  await page.check('#f-consent');
  await page.getByRole('button', { name: 'Signer la convention' }).click();
  await page.waitForURL(/formalisation/);
}

it('signs the convention as each party in two browser contexts, with no axe violation on any section', async () => {
  const acm = await signIn(await newContext(browser, baseURL), f.acmUser.email);
  const partner = await signIn(await newContext(browser, baseURL), f.partnerUser.email);
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
  const [convention] = await app.deps.db.select().from(partnershipConventions).where(eq(partnershipConventions.partnershipId, f.partnership.id));
  expect(convention?.status).toBe('signed');

  await acm.goto(`${base}/convention/imprimer?version=1`);
  await expectNoAxeViolations(acm, 'print view');
  await partner.goto(`${base}/bilan`);
  await expectNoAxeViolations(partner, 'bilan (partner form)');
}, 240_000);
