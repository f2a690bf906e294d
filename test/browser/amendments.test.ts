import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { conventionVersions } from '../../db/schema/index.js';
import { expectNoAxeViolations, signIn, useSite } from '../helpers/browser.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

const site = useSite();

async function sign(page: Page, path: string, name: string, button: string) {
  await page.goto(path);
  await page.getByLabel('Votre nom').fill(name);
  await page.getByLabel('Votre qualité').fill('Représentant·e légal·e');
  await page.getByLabel(/J’ai lu/).check();
  await page.getByRole('button', { name: button }).click();
  await page.waitForURL(/formalisation/);
}

async function noHorizontalScroll(page: Page, label: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${label}: ${scrollWidth}px wide at ${innerWidth}px`).toBeLessThanOrEqual(innerWidth);
}

it('turns an edit after signature into an amendment: warning, confirmation, diff seen and signed by the other party, both in the PDF', async () => {
  const f = await createPartnershipFixture(site.app);
  const id = f.partnership.id;
  const base = `/partenariats/${id}`;
  await f.acmAgent.post(`${base}/calendrier`, { periodicity: 'cycle', cycleCount: '4', periodStart: '2027-03-03', slot: 'mercredi-matin' });
  const acm = await signIn(await site.newContext(), f.acmUser.email);
  const partner = await signIn(await site.newContext(), f.partnerUser.email);
  await sign(acm, `${base}/formalisation`, 'Claire Dubois', 'Signer la convention');
  await sign(partner, `${base}/formalisation`, 'Karim Benali', 'Signer la convention');
  await partner.getByText('La convention est signée par les deux parties.').first().waitFor();

  // The ACM edits an article: the page says what will happen and asks to confirm.
  await acm.goto(`${base}/formalisation#section-finances`);
  await acm.getByText('Modifier « Conditions financières »').click();
  await acm.getByLabel('Frais (déplacement, matériel)').fill('Transport du matériel : 20 € par séance');
  await acm.getByRole('button', { name: 'Enregistrer « Conditions financières »' }).click();
  await acm.getByText('Cette modification devient l’avenant n° 1').first().waitFor();
  await expectNoAxeViolations(acm, 'amendment confirmation');
  await acm.getByLabel('Je propose cette modification comme avenant').check();
  await acm.getByRole('button', { name: 'Enregistrer « Conditions financières »' }).click();
  await acm.waitForURL(/#avenant/);
  await acm.getByText('la modification est proposée comme avenant').first().waitFor();

  // The partner sees the signed and the proposed text side by side, then signs the amendment.
  await partner.goto(`${base}/formalisation`);
  const amendment = partner.locator('#avenant');
  await amendment.getByRole('heading', { name: 'Avenant n° 1 proposé' }).waitFor();
  // The lines read whole; only the value is marked, not the label both keep.
  expect(await amendment.locator('.diff-line:has(del)').allTextContents()).toContain('Frais : non renseigné');
  expect(await amendment.locator('.diff-line:has(ins)').allTextContents()).toContain('Frais : Transport du matériel : 20\u00a0€ par séance');
  expect(await amendment.locator('del').allTextContents()).toContain('non renseigné');
  await expectNoAxeViolations(partner, 'amendment to sign');
  for (const width of [1280, 390]) {
    await partner.setViewportSize({ width, height: 900 });
    await partner.goto(`${base}/formalisation#avenant`);
    await partner.screenshot({ path: `/tmp/amend12/amendment-${width}.png`, fullPage: true });
    await noHorizontalScroll(partner, `formalisation with an amendment at ${width}`);
  }
  await partner.setViewportSize({ width: 1280, height: 900 });
  await sign(partner, `${base}/formalisation`, 'Karim Benali', 'Signer l’avenant n° 1');
  await sign(acm, `${base}/formalisation`, 'Claire Dubois', 'Signer l’avenant n° 1');
  await acm.getByText('L’avenant n° 1 est signé par les deux parties.').first().waitFor();
  const versions = await site.app.deps.db.select().from(conventionVersions).where(eq(conventionVersions.partnershipId, id));
  expect(versions.map((v) => v.kind).sort()).toEqual(['amendment', 'convention']);

  // The PDF link gives the convention with its amendment; the print view shows both.
  const download = await acm.request.get(`${base}/convention.pdf`);
  expect(download.headers()['content-disposition']).toContain('-v2.pdf');
  await acm.goto(`${base}/convention/imprimer`);
  await acm.getByRole('heading', { name: /AVENANT N° 1 À LA CONVENTION/ }).waitFor();
  await expectNoAxeViolations(acm, 'print view with an amendment');

  for (const width of [1280, 390]) {
    for (const [page, path, label] of [
      [acm, `${base}/formalisation`, 'formalisation-signed'],
      [acm, `${base}/convention/imprimer`, 'print'],
      [partner, '/partenariats', 'list'],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      await page.screenshot({ path: `/tmp/amend12/${label}-${width}.png`, fullPage: true });
      await noHorizontalScroll(page, `${label} at ${width}`);
    }
  }
}, 300_000);
