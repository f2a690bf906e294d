import { expect, it } from 'vitest';
import { parisToday } from '../../server/kernel/paris-time.js';
import { addDays } from '../../server/partnerships/calendar.js';
import { checkPage, expectNoAxeViolations, expectNoHorizontalScroll, signIn, useSite } from '../helpers/browser.js';
import { createPartnershipFixture } from '../helpers/partnerships.js';

const site = useSite();

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

it('lets the partner upload a document without JavaScript, with French messages beside the fields, and the ACM see and download it', async () => {
  const f = await createPartnershipFixture(site.app);
  const path = `/partenariats/${f.partnership.id}/documents`;
  // The partner works without JavaScript: the form is a plain multipart POST.
  const noScript = await site.browser.newContext({ baseURL: site.baseURL, locale: 'fr-FR', timezoneId: 'Europe/Paris', javaScriptEnabled: false });
  const partner = await signIn(noScript, f.partnerUser.email);
  await partner.goto(`/partenariats/${f.partnership.id}`);
  await partner.getByRole('link', { name: 'Documents' }).click();
  await partner.getByRole('heading', { name: 'Déposer un document' }).waitFor();

  // A disguised file and a past date: the form comes back with a message beside each field.
  await partner.getByLabel('Type de document').selectOption({ label: 'Attestation d’assurance' });
  await partner.getByLabel('Date d’expiration').fill(addDays(parisToday(new Date()), -2));
  await partner.getByLabel('Fichier').setInputFiles({ name: 'attestation.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ not a pdf at all') });
  await partner.getByRole('button', { name: 'Déposer le document' }).click();
  await partner.getByText('Le formulaire contient 2 erreurs').waitFor();
  expect(await partner.locator('#f-file-error').textContent()).toContain('Format non accepté');
  expect(await partner.locator('#f-expiresOn-error').textContent()).toContain('Cette date est déjà passée');

  const expiry = addDays(parisToday(new Date()), 20);
  await partner.getByLabel('Date d’expiration').fill(expiry);
  await partner.getByLabel('Fichier').setInputFiles({ name: 'Attestation MAIF 2026-2027.pdf', mimeType: 'application/pdf', buffer: pdf });
  await partner.getByRole('button', { name: 'Déposer le document' }).click();
  await partner.getByText('Le document est déposé').waitFor();
  await partner.getByRole('link', { name: 'Attestation MAIF 2026-2027.pdf', exact: true }).waitFor();

  // The ACM, in its own browser, sees it with its expiry state and downloads it.
  const acm = await signIn(await site.newContext(), f.acmUser.email);
  await acm.goto(path);
  const row = acm.locator('.documents-table tbody tr').first();
  expect(await row.textContent()).toContain('Attestation d’assurance');
  expect(await row.textContent()).toContain('Expire dans 20\u00a0jours');
  expect(await row.getByRole('link', { name: /Supprimer/ }).count()).toBe(0);
  const [download] = await Promise.all([acm.waitForEvent('download'), acm.getByRole('link', { name: 'Attestation MAIF 2026-2027.pdf' }).click()]);
  expect(download.suggestedFilename()).toBe('Attestation MAIF 2026-2027.pdf');
  await expectNoAxeViolations(acm, 'documents page with a document');

  // axe-core needs scripts: the form with its errors is checked in the ACM's browser.
  await acm.getByLabel('Fichier').setInputFiles({ name: 'devis.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(10, 0x41) });
  await acm.getByLabel('Date d’expiration').fill('2020-01-01');
  await acm.getByRole('button', { name: 'Déposer le document' }).click();
  await acm.getByText('Le formulaire contient 3 erreurs').waitFor();
  expect(await acm.locator('#f-type-error').textContent()).toContain('Choisissez le type de document.');
  await expectNoAxeViolations(acm, 'documents page with errors');
  for (const width of [1280, 390]) {
    await acm.setViewportSize({ width, height: 900 });
    await expectNoHorizontalScroll(acm, `form with errors at ${width}px`);
    await acm.screenshot({ path: `/tmp/documents-errors-${width}.png`, fullPage: true });
  }

  for (const width of [1280, 390]) {
    for (const [who, page] of [
      ['acm', acm],
      ['partner', partner],
    ] as const) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      await expectNoHorizontalScroll(page, `${who} documents at ${width}px`);
      await page.screenshot({ path: `/tmp/documents-${who}-${width}.png`, fullPage: true });
    }
  }
  await expectNoAxeViolations(acm, 'documents page at 390 px');

  // The overview says how many documents are shared, and that one expires soon.
  for (const width of [1280, 390]) {
    await acm.setViewportSize({ width, height: 900 });
    await acm.goto(`/partenariats/${f.partnership.id}`);
    await acm.getByRole('link', { name: '1 document partagé' }).waitFor();
    await acm.getByText('1 expire bientôt').waitFor();
    await expectNoHorizontalScroll(acm, `overview at ${width}px`);
    await acm.screenshot({ path: `/tmp/overview-${width}.png`, fullPage: true });
  }
  await expectNoAxeViolations(acm, 'overview with documents');

  // The partner removes its own document after confirming; the ACM no longer sees it.
  await partner.getByRole('link', { name: 'Supprimer le document « Attestation MAIF 2026-2027.pdf »' }).click();
  await partner.getByRole('heading', { name: 'Supprimer le document « Attestation MAIF 2026-2027.pdf » ?' }).waitFor();
  // axe-core needs scripts: the confirmation page is checked in another browser of the partner's.
  const partnerWithScripts = await signIn(await site.newContext(), f.partnerUser.email);
  await partnerWithScripts.goto(partner.url());
  for (const width of [1280, 390]) {
    await partnerWithScripts.setViewportSize({ width, height: 900 });
    await checkPage(partnerWithScripts, 'document-delete-confirmation');
  }
  await partner.getByRole('button', { name: 'Supprimer définitivement' }).click();
  await partner.getByText('est retiré').first().waitFor();
  await acm.goto(path);
  await acm.getByText('Aucun document pour l’instant.').waitFor();
  await noScript.close();
}, 90_000);
