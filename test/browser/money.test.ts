import { expect, it } from 'vitest';
import { checkPage, signIn, useSite } from '../helpers/browser.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

const site = useSite();

it('takes a budget typed the French way, shows it back as 1 234,50, and says beside the field when it is not an amount', async () => {
  const f = await createPartnershipFixture(site.app, { partnership: { budgetEur: '450.00' } });
  const page = await signIn(await site.newContext(), f.acmUser.email);
  await page.goto(`/partenariats/${f.partnership.id}/definition`);
  const budget = page.getByLabel('Budget prévisionnel (€)');
  expect(await budget.inputValue()).toBe('450,00');
  await budget.fill('mille euros');
  await page.getByRole('button', { name: 'Enregistrer la définition' }).click();
  await page.locator('#f-budgetEur-error').waitFor();
  expect(await page.locator('#f-budgetEur-error').textContent()).toContain('Saisissez un montant en euros');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await checkPage(page, 'definition-budget-error');
  }
  await page.getByLabel('Budget prévisionnel (€)').fill('1 234,50 €');
  await page.getByRole('button', { name: 'Enregistrer la définition' }).click();
  await page.getByText('enregistr').first().waitFor();
  await page.goto(`/partenariats/${f.partnership.id}/definition`);
  expect(await page.getByLabel('Budget prévisionnel (€)').inputValue()).toBe('1 234,50');
  await page.goto(`/partenariats/${f.partnership.id}/bilan`);
  expect(await page.getByLabel('Coût prévu (€)').first().inputValue()).toBe('1 234,50');
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await checkPage(page, 'bilan-amounts');
  }
}, 90_000);
