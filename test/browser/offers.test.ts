import { expect, it } from 'vitest';
import { expectNoAxeViolations, useSite } from '../helpers/browser.js';
import { createOrganisation, createUser, PASSWORD } from '../helpers/fixtures.js';
import { offersOf } from '../helpers/offers.js';

const site = useSite();

it('a verified partner publishes an offer through the editor and sees its public page — with no axe violation', async () => {
  const user = await createUser(site.app, { name: 'Lucie Garnier', email: 'lucie@petit-theatre.fr' });
  const organisation = await createOrganisation(site.app, {
    name: 'Compagnie du Petit Théâtre',
    type: 'theatre-spectacle',
    status: 'verified',
    ownerId: user.id,
  });
  const context = await site.newContext();
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.fill('#f-email', user.email);
  await page.fill('#f-password', PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/tableau-de-bord');

  await page.goto(`/structures/${organisation.id}/offres/nouvelle`);
  await page.getByRole('heading', { name: 'Nouvelle offre', level: 1 }).waitFor();
  // With JavaScript, only the fields of the chosen venue type are shown.
  expect(await page.locator('#f-commune').isVisible()).toBe(false);
  expect(await page.locator('#f-travelKm').isVisible()).toBe(true);
  await expectNoAxeViolations(page, 'offer editor');

  await page.getByRole('button', { name: 'Publier l’offre' }).click();
  await page.locator('#error-summary').waitFor();
  expect(await page.locator('#f-title-error').textContent()).toContain('Ce champ est obligatoire.');
  await expectNoAxeViolations(page, 'offer editor with errors');

  await page.fill('#f-title', 'Théâtre d’objets <en> six séances');
  await page.fill('#f-summary', 'Six mercredis pour inventer une histoire avec des objets du quotidien, jusqu’à une petite représentation.');
  await page.fill('#f-description', 'Chaque séance part d’un objet apporté par les enfants.\nLa dernière est jouée devant les familles.');
  await page.getByLabel('Théâtre, marionnettes').check();
  expect(await page.getByLabel('Culture et arts', { exact: true }).isChecked()).toBe(true);
  await page.getByLabel('Cycle de séances').check();
  await page.fill('#f-ageMin', '6');
  await page.fill('#f-ageMax', '10');
  await expect.poll(() => page.locator('#age-bands').textContent()).toBe('6-8 ans, 9-11 ans');
  await page.getByLabel('Mercredi après-midi').check();
  await page.getByLabel('Cycle de N séances').check();
  await page.fill('#f-sessionsCount', '6');
  await page.fill('#f-travelKm', '15');
  await page.getByLabel('Payant').check();
  expect(await page.locator('#f-priceEur').isVisible()).toBe(true);
  await page.fill('#f-priceEur', '80');
  await page.getByLabel('Intervention dans l’accueil').check();
  // The card next to the form follows what is typed (htmx).
  await expect.poll(() => page.locator('#offer-preview').textContent(), { timeout: 10_000 }).toContain('Théâtre d’objets <en> six séances');
  await expect.poll(() => page.locator('#offer-preview').textContent(), { timeout: 10_000 }).toContain('80,00');

  await page.getByRole('button', { name: 'Publier l’offre' }).click();
  await page.waitForURL(`**/structures/${organisation.id}/offres`);
  await page.getByText('Votre offre est publiée').waitFor();
  const [offer] = await offersOf(site.app, organisation.id);
  expect(offer).toMatchObject({ status: 'published', ageMin: 6, ageMax: 10, travelKm: 15, sessionsCount: 6, priceEur: '80.00' });

  await page.getByRole('link', { name: /^Voir/ }).first().click();
  await page.waitForURL(`**/offres/${offer!.id}-${offer!.slug}`);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Théâtre d’objets <en> six séances');
  await page.getByText('6–10 ans (tranches 6-8, 9-11)').waitFor();
  await expectNoAxeViolations(page, 'offer page');
  await context.close();
}, 120_000);
