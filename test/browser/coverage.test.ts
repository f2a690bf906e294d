import { expect, it } from 'vitest';
import { checkPage, signInDemo, useDemoSite } from '../helpers/browser.js';

const site = useDemoSite();

for (const width of [1280, 390]) {
  it(`walks the demo coordinator from the dashboard to a coverage gap, a prefilled prescription and the export at ${width} px`, async () => {
    const context = await site.newContext();
    await signInDemo(context, 'coordination@demo.passerelle.fr');
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });

    await page.goto('/tableau-de-bord');
    const menu = page.getByRole('button', { name: 'Menu' });
    if (await menu.isVisible()) await menu.click();
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Coordination' }).click();
    await page.waitForURL(/\/coordination\/departement\/69$/);
    await page.getByRole('navigation', { name: 'Coordination du territoire' }).getByRole('link', { name: 'Couverture' }).click();
    await page.waitForURL(/\/coordination\/departement\/69\/couverture$/);
    expect(await page.locator('h1').textContent()).toContain('Rhône\u00a0(69)');
    expect(await page.locator('svg.coverage-map').count()).toBe(1);
    // The demo's Rhône has communes with an ACM and some gaps to show.
    const communes = await page.locator('table.coverage-table tbody').count();
    expect(communes).toBeGreaterThan(3);
    expect(await page.locator('td.coverage-zero').count()).toBeGreaterThan(0);
    await checkPage(page, 'coordination-couverture');

    // A theme and an age band: the map colours the communes for them (no script needed: a GET form).
    await page.locator('#f-theme').selectOption('sciences');
    await page.locator('#f-age').selectOption('9-11');
    await page.getByRole('button', { name: 'Afficher' }).click();
    await page.waitForURL(/theme=sciences/);
    expect(await page.locator('h2#map-title').textContent()).toContain('Sciences et numérique, 9-11 ans');
    await checkPage(page, 'coordination-couverture-sciences');

    // A radius out of bounds is refused beside the field.
    await page.locator('#f-rayon').fill('80');
    await page.getByRole('button', { name: 'Afficher' }).click();
    await page.waitForURL(/rayon=80/);
    expect(await page.locator('.error-message').first().textContent()).toContain('nombre entier de 1 à 50');

    await page.goto('/coordination/departement/69/couverture');
    const gap = page.locator('td.coverage-zero a').first();
    const href = await gap.getAttribute('href');
    expect(href).toMatch(/^\/partenariats\/prescrire\?accueil=\d+/);
    await gap.click();
    await page.waitForURL(/\/partenariats\/prescrire\?/);
    const acmId = new URL(page.url()).searchParams.get('accueil');
    expect(await page.locator('#f-acmId').inputValue()).toBe(acmId);
    expect(await page.locator('#f-title').inputValue()).not.toBe('');
    expect(await page.locator('#f-message').inputValue()).not.toBe('');
    expect(await page.locator('h2#suggestions-title').textContent()).toContain('Zone blanche');
    await checkPage(page, 'prescription-prefilled');

    await page.goBack();
    await page.waitForURL(/\/couverture$/);
    const exportHref = await page.getByRole('link', { name: /Télécharger ce tableau/ }).getAttribute('href');
    expect(exportHref).toMatch(/\/export\/couverture\.csv/);
    const download = await page.request.get(exportHref!);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toMatch(/coordination-couverture-rhone-69-\d{4}-\d{2}-\d{2}\.csv/);
    await context.close();
  }, 180_000);
}
