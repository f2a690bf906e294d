import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
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

/**
 * Runs axe-core on the page and fails with the list of violations if there is any. Fades still
 * running are let finish first: text caught halfway through its fade (the list's « Mise à jour… »
 * after a request) has a contrast it never keeps.
 */
export async function expectNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  await page.evaluate(() =>
    Promise.allSettled(
      document
        .getAnimations()
        .filter((animation) => Number.isFinite(animation.effect?.getComputedTiming().endTime))
        .map((animation) => animation.finished),
    ),
  );
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

/** What a browser test file works with once its `beforeAll` has run (see useSite). */
export interface Site {
  readonly app: App;
  readonly browser: Browser;
  readonly baseURL: string;
  /** A new browser context on the site that reaches nothing else (see newContext). */
  newContext(): Promise<BrowserContext>;
}

/**
 * Registers the hooks of a browser test file: before its tests, a fresh app filled by `prepare`,
 * listening for Chromium, and Chromium; after them, both closed. Call it at the top of the file.
 */
export function useSite(prepare: (app: App) => Promise<void> = async () => {}, timeout?: number): Site {
  let app: App | undefined;
  let browser: Browser | undefined;
  let started: { app: App; browser: Browser; baseURL: string } | undefined;
  beforeAll(async () => {
    app = await createTestApp();
    await prepare(app);
    const baseURL = await listen(app);
    browser = await launchBrowser();
    started = { app, browser, baseURL };
  }, timeout);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  const site = () => {
    if (!started) throw new Error('The site starts in beforeAll: use it in a test or a later hook.');
    return started;
  };
  return {
    get app() {
      return site().app;
    },
    get browser() {
      return site().browser;
    },
    get baseURL() {
      return site().baseURL;
    },
    newContext: () => newContext(site().browser, site().baseURL),
  };
}

/** useSite holding the demo data, indexed (the seed takes minutes on a busy machine). */
export function useDemoSite(): Site {
  return useSite(async (app) => {
    await seedDemo(app.deps);
    await syncSearch(app);
  }, 600_000);
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
  // A request just answered leaves its « Mise à jour… » indicator fading out for 0.2 s: axe would
  // measure the contrast of that half-transparent text.
  await page.waitForFunction(() => [...document.querySelectorAll('.htmx-indicator')].every((indicator) => getComputedStyle(indicator).opacity === '0'));
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

/**
 * Zooms in until single offers show as theme pins, and returns the number of cluster clicks it
 * took. A cluster click zooms onto its own offers; the zoom button (used only when no cluster is
 * shown) keeps the centre, which on a narrow map may hold none.
 */
export async function zoomToPins(page: Page, maxSteps = 8): Promise<number> {
  const map = page.locator('#offers-map');
  let clusterClicks = 0;
  for (let step = 0; step < maxSteps && (await map.locator('.theme-pin').count()) === 0; step++) {
    const loaded = await map.getAttribute('data-loaded');
    const cluster = map.locator('.marker-cluster');
    if ((await cluster.count()) > 0) {
      await cluster.first().dispatchEvent('click');
      clusterClicks++;
    } else await page.locator('.leaflet-control-zoom-in').click();
    await page
      .waitForFunction((previous) => document.getElementById('offers-map')?.dataset.loaded !== previous, loaded, { timeout: 10_000 })
      .catch(() => undefined);
  }
  return clusterClicks;
}
