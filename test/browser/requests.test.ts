import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { partnerships, requests } from '../../db/schema/index.js';
import { expectNoAxeViolations, useSite } from '../helpers/browser.js';
import { createOrganisation, createUser, PASSWORD } from '../helpers/fixtures.js';
import { createOffer } from '../helpers/requests.js';

const site = useSite();

async function signIn(email: string): Promise<Page> {
  const context = await site.newContext();
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.fill('#f-email', email);
  await page.fill('#f-password', PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/connexion'));
  return page;
}

async function bellCount(page: Page) {
  const badge = page.locator('#notification-bell .badge');
  return (await badge.count()) > 0 ? badge.first().textContent() : null;
}

/** What the 45-second poll does, without waiting: the bell refreshes when the tab becomes visible. */
async function refreshBell(page: Page) {
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
}

it('runs a request from the offer page to an accepted partnership, with two users in two browsers — with no axe violation', async () => {
  const director = await createUser(site.app, { name: 'Camille Roux', email: 'camille@accueil-pinsons.fr' });
  await createOrganisation(site.app, { kind: 'acm', name: 'Accueil de loisirs Les Pinsons', ownerId: director.id, ageMin: 6, ageMax: 11, capacity: 40 });
  const coordinator = await createUser(site.app, { name: 'Karim Benali', email: 'karim@castelet.fr' });
  const partner = await createOrganisation(site.app, { kind: 'partner', name: 'Compagnie du Castelet', ownerId: coordinator.id, status: 'verified' });
  const offer = await createOffer(site.app, partner.id, { title: 'Marionnettes du mercredi' });

  // The ACM director proposes a partnership from the offer page.
  const acm = await signIn(director.email);
  await acm.goto(`/offres/${offer.id}-${offer.slug}`);
  await acm.getByRole('link', { name: 'Proposer un partenariat' }).click();
  await acm.getByRole('heading', { level: 1, name: 'Proposer un partenariat' }).waitFor();
  expect(await acm.inputValue('#f-ageMin')).toBe('6');
  await acm.fill('#f-childrenCount', '12');
  await acm.getByLabel('Mieux vivre ensemble, favoriser la diversité').check();
  await acm.fill('#f-message', 'Bonjour, nous aimerions monter un petit spectacle de marionnettes avec nos CE1 le mercredi après-midi.');
  await expectNoAxeViolations(acm, 'request form');
  await acm.getByRole('button', { name: 'Envoyer la demande' }).click();
  await acm.getByRole('heading', { level: 1, name: 'Marionnettes du mercredi' }).waitFor();
  await expectNoAxeViolations(acm, 'thread (ACM, sent)');
  const [row] = await site.app.deps.db.select().from(requests).where(eq(requests.offerId, offer.id));
  expect(row?.status).toBe('sent');

  // The partner sees the bell, the inbox and the thread, and replies without reloading the page.
  const partnerPage = await signIn(coordinator.email);
  expect(await bellCount(partnerPage)).toMatch(/^1/);
  await partnerPage.goto('/demandes');
  await expectNoAxeViolations(partnerPage, 'inbox (partner)');
  await partnerPage.getByRole('link', { name: 'Marionnettes du mercredi' }).click();
  await partnerPage.getByText('nous aimerions monter un petit spectacle').waitFor();
  expect(await bellCount(partnerPage)).toBeNull();
  await expectNoAxeViolations(partnerPage, 'thread (partner)');
  const threadUrl = partnerPage.url();
  await partnerPage.fill('#f-body', 'Avec plaisir ! Notre programme : https://castelet.example.fr/mercredi');
  await partnerPage.getByRole('button', { name: 'Envoyer le message' }).click();
  await partnerPage.locator('.message-mine', { hasText: 'Avec plaisir !' }).waitFor();
  expect(partnerPage.url()).toBe(threadUrl);
  await expect.poll(() => partnerPage.locator('#request-status').textContent()).toContain('En discussion');
  expect(await partnerPage.locator('.message-mine a[rel="noopener nofollow ugc"]').getAttribute('href')).toBe('https://castelet.example.fr/mercredi');
  await expect.poll(() => partnerPage.evaluate(() => document.activeElement?.id)).toBe('f-body');
  await partnerPage.getByRole('button', { name: 'Envoyer le message' }).click();
  await partnerPage.locator('#f-body-error').waitFor();
  await expectNoAxeViolations(partnerPage, 'thread with an error');

  // The ACM's bell updates, the ACM reads the reply.
  expect(await bellCount(acm)).toBeNull();
  await refreshBell(acm);
  await expect.poll(() => bellCount(acm)).toMatch(/^1/);
  await acm.goto('/demandes');
  await expectNoAxeViolations(acm, 'inbox (ACM)');
  await acm.getByRole('link', { name: 'Marionnettes du mercredi' }).click();
  await acm.getByText('Avec plaisir !').waitFor();

  // The partner accepts: the partnership is created and linked from the thread.
  await partnerPage.reload();
  await partnerPage.getByRole('button', { name: 'Accepter la demande' }).click();
  await partnerPage.getByText('Demande acceptée : le partenariat est créé.').waitFor();
  const [partnership] = await site.app.deps.db.select().from(partnerships).where(eq(partnerships.requestId, row!.id));
  expect(partnership).toBeDefined();
  expect(await partnerPage.locator(`a[href="/partenariats/${partnership!.id}"]`).count()).toBe(1);
  await expectNoAxeViolations(partnerPage, 'thread (accepted)');
  await refreshBell(acm);
  await expect.poll(() => bellCount(acm)).toMatch(/^1/);
}, 180_000);
