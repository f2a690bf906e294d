import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { seedDemo } from '../../server/demo/index.js';
import { DEMO_PASSWORD } from '../../server/demo/organisations.js';
import type { App } from '../../server/types.js';
import { createTestApp } from './app.js';
import { PASSWORD } from './fixtures.js';
import { syncSearch } from './search.js';

const require = createRequire(import.meta.url);
const axeSource = require('node:fs').readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') as string;

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts the app on a free port for a real browser; returns its base URL. */
export async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A browser context that blocks every request leaving this machine (map tiles included). */
export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (route) => route.abort());
  return context;
}

/** Runs axe-core on the page and fails with the list of violations if there is any. */
export async function expectNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
    ).axe.run({
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  expect(violations, `axe-core violations on ${label}`).toEqual([]);
}

/** A fresh app holding the demo data (indexed), listening for a real browser. */
export async function demoSite(): Promise<{ app: App; baseURL: string; browser: Browser }> {
  const app = await createTestApp();
  await seedDemo(app.deps);
  await syncSearch(app);
  return { app, baseURL: await listen(app), browser: await launchBrowser() };
}

/** Signs a browser context in through the sign-in form; returns the page it lands on. */
export async function signIn(context: BrowserContext, email: string, password = PASSWORD): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/connexion')), page.getByRole('button', { name: /connecter/i }).click()]);
  return page;
}

/** Signs a browser context in with a demo account. */
export async function signInDemo(context: BrowserContext, email: string): Promise<void> {
  await (await signIn(context, email, DEMO_PASSWORD)).close();
}

/** The page is no wider than its viewport (a phone never scrolls sideways). */
export async function expectNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `horizontal scroll on ${label}: ${scrollWidth} px wide at ${innerWidth} px`).toBeLessThanOrEqual(innerWidth);
}

/** What every page a journey passes must hold: no sideways scroll, axe clean; screenshots when SCREENSHOTS_DIR is set. */
export async function checkPage(page: Page, label: string): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  await expectNoHorizontalScroll(page, `${label} at ${width} px`);
  await expectNoAxeViolations(page, `${label} at ${width} px`);
  const dir = process.env.SCREENSHOTS_DIR;
  if (dir) {
    await page.screenshot({ path: `${dir}/${label}-${width}.png`, fullPage: true });
    await page.screenshot({ path: `${dir}/${label}-${width}-top.png` });
  }
}

/** Brings the offers map on screen (Leaflet loads only then) and waits until it has drawn its offers. */
export async function waitForMap(page: Page): Promise<void> {
  const map = page.locator('#offers-map');
  await map.scrollIntoViewIfNeeded();
  await expect.poll(() => map.getAttribute('data-loaded'), { timeout: 20_000 }).toBeTruthy();
}
