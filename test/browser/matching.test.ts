import { expect, it } from 'vitest';
import { expectNoAxeViolations, signIn, useSite } from '../helpers/browser.js';
import { createOrganisation, createUser } from '../helpers/fixtures.js';
import { theatreOffer } from '../helpers/matching.js';
import { syncSearch } from '../helpers/search.js';

const site = useSite();

it('an ACM posts a need and sees suggestions with their reasons; a partner finds it and answers it — with no axe violation', async () => {
  const director = await createUser(site.app, { name: 'Inès Roche', email: 'ines@accueil-canuts.fr' });
  await createOrganisation(site.app, { kind: 'acm', name: 'Accueil des Canuts', ageMin: 6, ageMax: 11, status: 'verified', ownerId: director.id });
  const actor = await createUser(site.app, { name: 'Paul Rideau', email: 'paul@compagnie-rideau.fr' });
  const partner = await createOrganisation(site.app, { kind: 'partner', name: 'Compagnie du Rideau', status: 'verified', ownerId: actor.id });
  await theatreOffer(site.app, partner.id, { title: 'Atelier théâtre Rideau' });
  await syncSearch(site.app);

  // The ACM posts its need.
  const acmContext = await site.newContext();
  const acmPage = await signIn(acmContext, director.email);
  await acmPage.goto('/besoins/nouveau');
  await expectNoAxeViolations(acmPage, 'need form');
  await acmPage.getByRole('button', { name: 'Publier le besoin' }).click();
  await acmPage.locator('#error-summary').waitFor();
  expect(await acmPage.locator('#f-title-error').textContent()).toContain('Ce champ est obligatoire.');
  await expectNoAxeViolations(acmPage, 'need form with errors');

  await acmPage.fill('#f-title', 'Un atelier théâtre pour la fête de juin');
  await acmPage.fill('#f-description', 'Un petit spectacle joué devant les familles.');
  await acmPage.getByLabel('Théâtre, marionnettes').check();
  await acmPage.fill('#f-ageMin', '8');
  await acmPage.fill('#f-ageMax', '11');
  await acmPage.fill('#f-groupSize', '12');
  await acmPage.getByLabel('Mercredi après-midi').check();
  await acmPage.fill('#f-budgetEur', '80');
  await acmPage.getByRole('button', { name: 'Publier le besoin' }).click();
  await acmPage.getByRole('heading', { level: 1, name: 'Un atelier théâtre pour la fête de juin' }).waitFor();
  const needUrl = acmPage.url();
  expect(needUrl).toMatch(/\/besoins\/\d+$/);

  // Suggestions, each with "Pourquoi cette suggestion ?" (a <details>: works without JavaScript).
  await acmPage.getByRole('heading', { name: 'Partenaires suggérés' }).waitFor();
  const suggestion = acmPage.locator('.suggestion', { hasText: 'Atelier théâtre Rideau' });
  await suggestion.locator('summary').click();
  await expect.poll(() => suggestion.locator('.match-criteria').first().isVisible()).toBe(true);
  expect(await suggestion.textContent()).toContain('Correspond à votre demande : Théâtre, marionnettes.');
  await expectNoAxeViolations(acmPage, 'need page with suggestions');

  // The partner finds the need in the needs search (list and map) and answers with its offer.
  await syncSearch(site.app);
  const partnerContext = await site.newContext();
  const partnerPage = await signIn(partnerContext, actor.email);
  await partnerPage.getByRole('heading', { name: 'Besoins près de chez vous' }).waitFor();
  await expectNoAxeViolations(partnerPage, 'partner dashboard');
  await partnerPage.goto('/besoins');
  await partnerPage.getByRole('heading', { name: '1 besoin ouvert' }).waitFor();
  await expectNoAxeViolations(partnerPage, 'needs search');
  await partnerPage.getByRole('link', { name: 'Un atelier théâtre pour la fête de juin' }).click();
  await partnerPage.getByRole('heading', { name: 'Répondre à ce besoin' }).waitFor();
  await expectNoAxeViolations(partnerPage, 'need page for a partner');
  await partnerPage.selectOption('#f-offerId', {
    label: (await partnerPage.locator('#f-offerId option', { hasText: 'Atelier théâtre Rideau' }).textContent())!,
  });
  await partnerPage.fill('#f-message', 'Nous pouvons commencer en mars, le mercredi après-midi.');
  await partnerPage.getByRole('button', { name: 'Envoyer ma réponse' }).click();
  await partnerPage.waitForURL(/\/demandes\/\d+$/);
  expect(await partnerPage.content()).toContain('Nous pouvons commencer en mars, le mercredi après-midi.');

  // The ACM sees the answer on its need and opens the thread.
  await acmPage.goto(needUrl);
  await acmPage.getByRole('link', { name: /Compagnie du Rideau/ }).click();
  await acmPage.waitForURL(/\/demandes\/\d+$/);
  expect(await acmPage.content()).toContain('Nous pouvons commencer en mars, le mercredi après-midi.');

  await acmPage.goto('/tableau-de-bord');
  await acmPage.getByRole('heading', { name: 'Partenaires suggérés' }).waitFor();
  await expectNoAxeViolations(acmPage, 'ACM dashboard');

  // The partner saves its needs search with a weekly alert.
  await partnerPage.goto('/besoins?theme=culture');
  await partnerPage.locator('.save-search summary').click();
  await partnerPage.fill('#save-search-need-name', 'Culture près de chez nous');
  await partnerPage.locator('.save-search-form').getByRole('button', { name: 'Enregistrer' }).click();
  await partnerPage.getByText('Recherche « Culture près de chez nous » enregistrée.').waitFor();
  await partnerPage.goto('/recherches');
  await partnerPage.getByRole('link', { name: 'Culture près de chez nous', exact: true }).waitFor();
  expect(await partnerPage.content()).toContain('Culture et arts');
  await expectNoAxeViolations(partnerPage, 'saved searches');

  await acmContext.close();
  await partnerContext.close();
}, 150_000);
