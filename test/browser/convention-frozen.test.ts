import { expect, it } from 'vitest';
import { expectNoAxeViolations, signIn, useSite } from '../helpers/browser.js';
import { offerForm } from '../helpers/offers.js';
import { createPartnershipFixture, signShownText } from '../helpers/partnerships.js';

const site = useSite();

it('shows a quiet note when the offer changed after signature, and proposes an amendment only when asked', async () => {
  const f = await createPartnershipFixture(site.app);
  const id = f.partnership.id;
  await signShownText(f.acmAgent, id, 'acm', 'Claire Dubois');
  await signShownText(f.partnerAgent, id, 'partner', 'Karim Benali');
  await f.partnerAgent.post(
    `/offres/${f.partnership.offerId}/modifier`,
    offerForm({ title: 'Initiation au judo', priceEur: '60', priceDetails: 'par séance' }),
  );

  const page = await signIn(await site.newContext(), f.partnerUser.email);
  await page.goto(`/partenariats/${id}/formalisation`);
  const note = page.locator('#changements-depuis-signature');
  await note.getByText('Le tarif de l’offre a changé depuis la signature').waitFor();
  expect(await page.getByText('Avenant n° 1 proposé').count()).toBe(0);
  await expectNoAxeViolations(page, 'note after signature');
  if (process.env.SCREENSHOTS) await note.screenshot({ path: `${process.env.SCREENSHOTS}/note-1280.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  if (process.env.SCREENSHOTS) await note.screenshot({ path: `${process.env.SCREENSHOTS}/note-390.png` });
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole('button', { name: 'Proposer un avenant reprenant ces changements' }).click();
  await page.waitForURL(/formalisation/);
  await page.locator('#amendment-title').waitFor();
  if (process.env.SCREENSHOTS) await page.locator('#avenant').screenshot({ path: `${process.env.SCREENSHOTS}/avenant-1280.png` });
});
