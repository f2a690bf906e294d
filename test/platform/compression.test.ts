import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function fetchEncoded(url: string, encoding: 'br' | 'gzip') {
  const response = await app.inject({ url, headers: { 'accept-encoding': encoding } });
  expect(response.statusCode, url).toBe(200);
  const raw = response.rawPayload;
  const body =
    response.headers['content-encoding'] === 'br' ? brotliDecompressSync(raw) : response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
  return { response, body: body.toString('utf8') };
}

describe('compression', () => {
  it('sends pages, stylesheets, scripts and JSON compressed with brotli or gzip, as the browser accepts', async () => {
    const page = await fetchEncoded('/', 'br');
    expect(page.response.headers['content-encoding']).toBe('br');
    expect(page.response.headers.vary).toMatch(/accept-encoding/i);
    expect(page.body).toContain('<html lang="fr">');
    expect(page.response.rawPayload.length).toBeLessThan(page.body.length / 2);

    const css = await fetchEncoded('/static/css/app.css', 'gzip');
    expect(css.response.headers['content-encoding']).toBe('gzip');
    expect(css.body).toContain('{');

    const js = await fetchEncoded('/static/vendor/htmx/htmx.min.js', 'br');
    expect(js.response.headers['content-encoding']).toBe('br');
    expect(js.body).toContain('htmx');

    const json = await fetchEncoded('/api/v1/communes?q=saint&limit=20', 'gzip');
    expect(json.response.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(json.body).items).toHaveLength(20);
  });

  it('leaves the answer plain for a client that accepts no compression', async () => {
    const response = await app.inject({ url: '/static/css/app.css', headers: { 'accept-encoding': 'identity' } });
    expect(response.headers['content-encoding']).toBeUndefined();
  });
});

describe('cache of static files', () => {
  it('links assets by content hash and caches those URLs for a year, the others briefly', async () => {
    const page = (await app.inject({ url: '/' })).body;
    const stylesheet = /href="(\/static\/css\/app\.css\?v=[\w-]+)"/.exec(page)?.[1];
    const script = /src="(\/static\/vendor\/htmx\/htmx\.min\.js\?v=[\w-]+)"/.exec(page)?.[1];
    expect(stylesheet).toBeDefined();
    expect(script).toBeDefined();
    for (const url of [stylesheet!, script!]) {
      const response = await app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
    const bare = await app.inject({ url: '/static/css/app.css' });
    expect(bare.headers['cache-control']).not.toContain('immutable');
    const stale = await app.inject({ url: '/static/css/app.css?v=not-the-hash' });
    expect(stale.headers['cache-control']).not.toContain('immutable');
  });
});
