import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';

const TOKEN = 'jeton-de-metriques-de-test-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('/metrics', () => {
  let app: App;
  beforeAll(async () => {
    app = await createTestApp({ METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('does not exist without METRICS_TOKEN', async () => {
    const plain = await createTestApp();
    try {
      expect((await plain.inject({ url: '/metrics' })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('refuses a request without the token or with another one', async () => {
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const wrong = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN.replace('0', '1')}` } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('passerelle_');
  });

  it('reports request durations by route, search latency, outbox lag, and job runs and failures', async () => {
    expect((await app.inject({ url: '/api/v1/offers?q=judo' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/offers/12345' })).statusCode).toBe(404);
    await app.deps.scheduler.runNow('storage-orphans');
    app.deps.scheduler.register({
      name: 'always-fails',
      everyMs: 60_000,
      run: async () => {
        throw new Error('broken on purpose');
      },
    });
    await app.deps.scheduler.runNow('always-fails');

    const response = await app.inject({ url: '/metrics', headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/offers"[^}]*\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/offers\/:id"[^}]*status_code="404"[^}]*\} 1/);
    expect(text).not.toMatch(/route="\/metrics"/);
    expect(text).toMatch(/passerelle_search_duration_seconds_count\{operation="searchOffers"\} 1/);
    expect(text).toMatch(/passerelle_search_outbox_pending \d+/);
    expect(text).toMatch(/passerelle_search_outbox_lag_seconds [\d.]+/);
    expect(text).toMatch(/passerelle_job_runs_total\{job="storage-orphans",trigger="demand"\} 1/);
    expect(text).toMatch(/passerelle_job_failures_total\{job="always-fails",trigger="demand"\} 1/);
    expect(text).not.toMatch(/passerelle_job_failures_total\{job="storage-orphans"\}/);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });
});
