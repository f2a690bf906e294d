import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { checkPage, signInDemo, useDemoSite } from '../helpers/browser.js';

const site = useDemoSite();

for (const width of [1280, 390]) {
  it(`walks a coordinator from the dashboard to an invitations file, its report and a resend at ${width} px`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'invitations-'));
    const file = join(dir, `accueils-${width}.csv`);
    writeFileSync(
      file,
      `\uFEFF${[
        'Nom;Type;Commune;Code postal;E-mail;SIRET',
        `Accueil de loisirs Les Lucioles ${width};accueil;69266;;lucioles${width}@exemple.fr;`,
        `Bibliothèque du Tonkin ${width};Bibliothèque, médiathèque;Villeurbanne;;tonkin${width}@exemple.fr;`,
        `Club de basket ${width};club-sportif;Saint-Priest;69800;basket${width}@exemple.fr;`,
        'Sans adresse;accueil;69266;;pas-une-adresse;',
        'Club bordelais;association;33063;;b@exemple.fr;',
        `Type bizarre;fusée;69266;;d${width}@exemple.fr;12345678901234`,
      ].join('\r\n')}\r\n`,
    );
    const context = await site.newContext();
    await signInDemo(context, 'coordination@demo.passerelle.fr');
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });

    await page.goto('/coordination/departement/69');
    await page.getByRole('navigation', { name: 'Coordination du territoire' }).getByRole('link', { name: 'Invitations' }).click();
    await page.waitForURL(/\/invitations$/);
    await checkPage(page, 'coordination-invitations');

    await page.locator('#f-file').setInputFiles(file);
    await Promise.all([
      page.waitForURL(/\/invitations\/import\/\d+$/),
      page.getByRole('button', { name: 'Créer les pages et envoyer les invitations' }).click(),
    ]);
    const summary = await page.locator('.coordination-summary').textContent();
    expect(summary).toContain('3');
    const rejects = page.locator('table.invitations-rejects tbody tr');
    expect(await rejects.count()).toBe(3);
    expect(await rejects.nth(0).textContent()).toContain('adresse e-mail invalide');
    expect(await rejects.nth(1).textContent()).toContain('commune hors de votre territoire');
    expect(await rejects.nth(2).textContent()).toContain('type inconnu');
    expect(await rejects.nth(2).textContent()).toContain('SIRET invalide');
    await checkPage(page, 'coordination-invitations-rapport');

    await page.getByRole('link', { name: 'liste des invitations en attente' }).click();
    await page.waitForURL(/\/invitations#en-attente$/);
    await page.getByRole('button', { name: `Renvoyer l’invitation du Club de basket ${width}` }).click();
    await page.waitForURL(/\/invitations#en-attente$/);
    expect(await page.getByRole('status').or(page.locator('.flash')).first().textContent()).toContain(`Invitation renvoyée à basket${width}@exemple.fr`);
    await checkPage(page, 'coordination-invitations-renvoi');
    await context.close();
  }, 120_000);
}
