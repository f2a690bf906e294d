import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { expectNoAxeViolations, expectNoHorizontalScroll, launchBrowser, listen, newContext, signIn } from '../helpers/browser.js';
import { createOrganisation, createUser } from '../helpers/fixtures.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

// One read at a time, and a short wait: a read held by the test makes the next one answer 503,
// as a busy instance does (server/plugins/admission.ts).
let app: App;
let browser: Browser;
let baseURL: string;
let release: () => void = () => {};
beforeAll(async () => {
  app = await createTestApp(
    { MAX_ACTIVE_REQUESTS: 1, ADMISSION_WAIT_MS: 200 },
    {
      beforeReady: (instance) => {
        instance.get('/essai/occupe', async () => {
          await new Promise<void>((resolve) => (release = resolve));
          return 'libre';
        });
      },
    },
  );
  const club = await createOrganisation(app, { name: 'AS Vénissieux Judo', codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  await insertOffer(app, club.id, { title: 'Initiation au judo', themes: ['sport'], codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  await insertOffer(app, club.id, { title: 'Éveil musical', themes: ['culture'], codeInsee: '69259', lat: 45.699, lng: 4.89 });
  await syncSearch(app);
  baseURL = await listen(app);
  browser = await launchBrowser();
});
// A test that fails while it holds the turn must not leave the next ones without any.
afterEach(() => release());
afterAll(async () => {
  release();
  await browser?.close();
  await app?.close();
});

for (const width of [1280, 390]) {
  it(`says so when a filter click meets a busy server (${width} px), then clears the message once the next click is answered`, async () => {
    const context = await newContext(browser, baseURL);
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 800 });
    await page.goto('/offres');
    await expect(page.locator('#search-count').textContent()).resolves.toContain('2\u00a0offres');
    const alert = page.locator('[data-request-error]');
    await expect(alert.textContent()).resolves.toBe('');
    // On a phone the filters are a panel of their own, over the list.
    if (width < 700) await page.getByRole('button', { name: 'Filtres' }).click();

    // The only turn is taken: the list's request waits 200 ms, then gets a 503.
    const busy = fetch(`${baseURL}/essai/occupe`);
    await expect.poll(() => app.admission?.busy).toBe(1);
    await page.getByLabel(/^Sport\s\(1/).check();
    await expect.poll(() => alert.textContent()).toContain('Passerelle reçoit beaucoup de demandes en ce moment');
    expect(await page.locator('#search-count').textContent()).toContain('2\u00a0offres');
    expect((await alert.boundingBox())!.width).toBeGreaterThan(300);
    await expectNoHorizontalScroll(page, `busy message at ${width} px`);
    await expectNoAxeViolations(page, 'busy message');

    release();
    expect((await busy).status).toBe(200);
    // Sport stayed ticked: with culture too, both offers again, and the message goes.
    await page.getByLabel(/^Culture et arts\s\(1/).check();
    await page.waitForURL(/theme=sport&theme=culture|theme=culture&theme=sport/);
    await expect.poll(() => page.locator('.offer-card-title').count()).toBe(2);
    await expect.poll(() => alert.textContent()).toBe('');
    await context.close();
  });
}

it('keeps the message of a failed click while the bell polls in the background, failing or answered, and clears it on the next click', async () => {
  const user = await createUser(app);
  const context = await newContext(browser, baseURL);
  const page = await signIn(context, user.email);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/offres');
  const alert = page.locator('[data-request-error]');
  const bellPolls = () => page.evaluate(() => (window as unknown as { bellPolls?: number }).bellPolls ?? 0);
  await page.evaluate(() => {
    const w = window as unknown as { bellPolls: number };
    w.bellPolls = 0;
    document.addEventListener('htmx:afterRequest', (event) => {
      // The bell swaps itself out: htmx then tells its parent, and names the bell in requestConfig.
      if ((event as CustomEvent).detail.requestConfig?.elt?.id === 'notification-bell') w.bellPolls++;
    });
  });
  const pollBell = async () => {
    const before = await bellPolls();
    await page.evaluate(() =>
      (window as unknown as { htmx: { trigger: (elt: Element, name: string) => void } }).htmx.trigger(
        document.getElementById('notification-bell')!,
        'bellrefresh',
      ),
    );
    await expect.poll(bellPolls).toBe(before + 1);
  };

  const busy = fetch(`${baseURL}/essai/occupe`);
  await expect.poll(() => app.admission?.busy).toBe(1);
  await page.getByLabel(/^Sport\s\(1/).check();
  await expect.poll(() => alert.textContent()).toContain('Passerelle reçoit beaucoup de demandes en ce moment');
  const shown = await alert.textContent();
  await pollBell(); // answered 503 too, in the background: the message stays as it was
  expect(await alert.textContent()).toBe(shown);

  release();
  expect((await busy).status).toBe(200);
  await pollBell(); // answered: still the user's message
  expect(await alert.textContent()).toBe(shown);

  await page.getByLabel(/^Culture et arts\s\(1/).check();
  await page.waitForURL(/theme=culture/);
  await expect.poll(() => alert.textContent()).toBe('');
  await context.close();
});

it('says that Passerelle does not answer when the network is gone, and the message can be closed from the keyboard', async () => {
  const context = await newContext(browser, baseURL);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/offres');
  await context.setOffline(true);
  await page.getByLabel(/^Sport\s\(1/).check();
  const alert = page.locator('[data-request-error]');
  await expect.poll(() => alert.textContent()).toContain('Passerelle ne répond pas');
  await page.getByRole('button', { name: 'Masquer le message' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => alert.textContent()).toBe('');
  await context.setOffline(false);
  await context.close();
});
