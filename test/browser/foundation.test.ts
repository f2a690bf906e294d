import { expect, it } from 'vitest';
import { expectNoAxeViolations, useSite } from '../helpers/browser.js';
import { createOrganisation, createUser, linkIn, PASSWORD, readMails } from '../helpers/fixtures.js';
import { organisationByName } from '../helpers/organisations.js';

const site = useSite();

it('signs up, confirms, onboards, creates a partner organisation with the address partial and shows its page — with no axe violation', async () => {
  const context = await site.newContext();
  const page = await context.newPage();

  await page.goto('/inscription');
  await expectNoAxeViolations(page, 'sign-up');
  // Sent incomplete: the page comes back starting at the list of what to fix.
  await page.fill('#f-name', 'Lucie Garnier');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
  expect(await page.locator('#error-summary').textContent()).not.toContain('undefined');
  expect(await page.inputValue('#f-name')).toBe('Lucie Garnier');
  await page.fill('#f-name', 'Lucie Garnier');
  await page.fill('#f-email', 'lucie@compagnie-petit-theatre.fr');
  await page.fill('#f-password', 'un rideau rouge et des tréteaux');
  await page.fill('#f-passwordConfirm', 'un rideau rouge et des tréteaux');
  await page.check('#f-terms');
  await page.getByRole('button', { name: 'Créer mon compte' }).click();
  await page.getByRole('heading', { name: 'Vérifiez votre messagerie' }).waitFor();
  await expectNoAxeViolations(page, 'check email');

  const mail = (await readMails(site.app)).find((m) => m.to.includes('lucie@compagnie-petit-theatre.fr'));
  // The link confirms the address, then asks for a sign-in (a link never opens a session by itself).
  await page.goto(linkIn(mail!.text));
  await page.waitForURL('**/connexion?suivant=%2Fbienvenue');
  await page.getByText('Votre adresse e-mail est confirmée. Connectez-vous pour commencer.').waitFor();
  await page.fill('#f-email', 'lucie@compagnie-petit-theatre.fr');
  await page.fill('#f-password', 'un rideau rouge et des tréteaux');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/bienvenue');
  await expectNoAxeViolations(page, 'onboarding');

  await page.getByRole('link', { name: 'Je représente un partenaire' }).click();
  await page.waitForURL('**/structures/nouvelle?type=partenaire');
  await page.fill('#f-name', 'Compagnie du Petit Théâtre');
  await page.selectOption('#f-type', 'theatre-spectacle');
  await page.fill('#f-description', 'Théâtre d’objets et marionnettes pour les 5-11 ans.');
  await page.getByLabel('Culture et arts').check();
  await page.fill('#f-address', '8 rue Francis-de-Pressensé');

  // The commune autocomplete: suggestions arrive in the datalist, choosing one fills the hidden fields.
  const commune = page.locator('#f-commune');
  await commune.pressSequentially('Villeurb', { delay: 30 });
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#f-commune-list option')].some((o) => (o as HTMLOptionElement).value === 'Villeurbanne (69100)'),
  );
  await commune.fill('Villeurbanne (69100)');
  await expect.poll(() => page.inputValue('#f-codeInsee')).toBe('69266');
  const centroidLat = Number(await page.inputValue('#f-lat'));

  // The map appears with JavaScript; the pin moves with the keyboard.
  const marker = page.locator('#map-address .leaflet-marker-icon');
  await marker.waitFor();
  await marker.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  const movedLat = Number(await page.inputValue('#f-lat'));
  expect(movedLat).toBeGreaterThan(centroidLat);
  await page.fill('#f-email', 'contact@petit-theatre.fr');
  await expectNoAxeViolations(page, 'organisation form');

  await page.getByRole('button', { name: 'Créer la structure' }).click();
  await page.getByRole('heading', { level: 1, name: 'Compagnie du Petit Théâtre' }).waitFor();
  await expectNoAxeViolations(page, 'public page');
  expect(page.url()).toMatch(/\/structures\/\d+-compagnie-du-petit-theatre$/);
  await expect.poll(() => page.locator('[data-place-map]').isVisible()).toBe(true);

  const stored = await organisationByName(site.app, 'Compagnie du Petit Théâtre');
  expect(stored).toMatchObject({ codeInsee: '69266', type: 'theatre-spectacle', themes: ['culture'] });
  expect(stored!.lat).toBeCloseTo(movedLat, 5);

  await page.goto('/tableau-de-bord');
  await expectNoAxeViolations(page, 'dashboard');
  await page.goto(`/structures/${stored!.id}/membres`);
  await expectNoAxeViolations(page, 'members');
  await context.close();
}, 120_000);

it('keeps the ACM page and the admin area free of axe violations', async () => {
  const admin = await createUser(site.app, { isAdmin: true, email: 'admin-browser@exemple.fr' });
  const acm = await createOrganisation(site.app, {
    kind: 'acm',
    name: 'Accueil de loisirs Jean-Macé',
    slug: 'accueil-de-loisirs-jean-mace',
    ageMin: 3,
    ageMax: 11,
    pedt: true,
    ownerId: admin.id,
  });
  const context = await site.newContext();
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.fill('#f-email', admin.email);
  await page.fill('#f-password', PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL('**/tableau-de-bord');
  for (const path of [
    `/accueils/${acm.id}-accueil-de-loisirs-jean-mace`,
    `/structures/${acm.id}/modifier`,
    '/admin',
    '/admin/structures',
    `/admin/structures/${acm.id}`,
    '/admin/utilisateurs',
    `/admin/utilisateurs/${admin.id}`,
  ]) {
    await page.goto(path);
    await expectNoAxeViolations(page, path);
  }
  await context.close();
}, 120_000);
