import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION_TTL_MS } from '../../search/postgres/index-version.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { databaseOutage } from '../helpers/outage.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

type Operation = { operationId: string; responses: Record<string, { content?: { 'application/json'?: { schema?: object } } }> };
type Document = { openapi: string; paths: Record<string, { get: Operation }> };

const RATE_LIMIT = 3;
let app: App;
let source: string;
let document: Document;
let offerId: number;
let organisationId: number;

beforeAll(async () => {
  app = await createTestApp({ API_RATE_LIMIT: RATE_LIMIT });
  const club = await createOrganisation(app, { name: 'Judo Club Vénissieux', type: 'club-sportif', codeInsee: '69259', lat: 45.6974, lng: 4.8886 });
  organisationId = club.id;
  offerId = (await insertOffer(app, club.id, { title: 'Initiation au judo', themes: ['sport'], codeInsee: '69259', lat: 45.6974, lng: 4.8886 })).id;
  await insertOffer(app, club.id, { title: 'Judo dans votre accueil', themes: ['sport'], venue: 'dans-l-accueil', travelKm: 20, departmentsServed: ['69'] });
  await syncSearch(app);
  source = (await app.inject({ url: '/api/docs/json' })).body;
  document = (await SwaggerParser.dereference(JSON.parse(source))) as unknown as Document;
});
afterAll(async () => {
  await app.close();
});

describe('the OpenAPI document at /api/docs/json', () => {
  it('is a valid OpenAPI document', async () => {
    await expect(SwaggerParser.validate(JSON.parse(source))).resolves.toBeTruthy();
  });

  it('has no error under the recommended Redocly rules', async () => {
    const problems = await lintFromString({ source, absoluteRef: 'openapi.json', config: await createConfig({ extends: ['recommended'] }) });
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  });

  it('declares a JSON schema for every response of every operation: 200, 400, 429, 503, and 404 for one object', () => {
    for (const [path, { get }] of Object.entries(document.paths)) {
      const expected = path.includes('{id}') ? ['200', '400', '404', '429', '503'] : ['200', '400', '429', '503'];
      expect(Object.keys(get.responses).sort(), path).toEqual(expected);
      for (const status of expected) expect(get.responses[status]?.content?.['application/json']?.schema, `${path} ${status}`).toBeTruthy();
    }
  });
});

describe('real responses of every API operation', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  let client = 0;
  const checked = new Set<string>();

  /** Calls the API from a new client address (the rate limit is per address) and checks the body against the document. */
  async function expectDocumented(url: string, status: number, remoteAddress = `10.0.0.${++client}`) {
    const response = await app.inject({ url, remoteAddress });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
    const path = Object.keys(document.paths).find((p) => new RegExp(`^${p.replace(/\{id\}/, '[^/]+')}$`).test(url.split('?')[0]!));
    expect(path, url).toBeDefined();
    const schema = document.paths[path!]!.get.responses[String(status)]?.content?.['application/json']?.schema;
    expect(schema, `${path} declares ${status}`).toBeDefined();
    const validate = ajv.compile(schema!);
    expect(validate(response.json()), `${url} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    checked.add(`${path} ${status}`);
    return response.json();
  }

  it('answers 200 with documented bodies', async () => {
    const offers = await expectDocumented('/api/v1/offers?near=45.70,4.89&radius_km=5&sort=distance', 200);
    expect(offers.items.length).toBe(2);
    await expectDocumented(`/api/v1/offers/${offerId}`, 200);
    const map = await expectDocumented('/api/v1/map?bbox=4.5,45.5,5.2,46&zoom=14', 200);
    expect(map.features.length).toBeGreaterThan(0);
    const clustered = await expectDocumented('/api/v1/map?bbox=-5,41,10,51&zoom=5', 200);
    expect(clustered.clustered).toBe(true);
    await expectDocumented('/api/v1/organisations?near=45.6974,4.8886&radius_km=2', 200);
    await expectDocumented(`/api/v1/organisations/${organisationId}`, 200);
    const communes = await expectDocumented('/api/v1/communes?q=venissieux', 200);
    expect(communes.items[0].code_insee).toBe('69259');
  });

  it('answers 400 naming the parameter, from the schema or from the rules a schema cannot state', async () => {
    expect(await expectDocumented('/api/v1/offers?radius_km=0&near=45,4', 400)).toMatchObject({ error: 'invalid_parameter', parameter: 'radius_km' });
    expect(await expectDocumented('/api/v1/offers?department=00', 400)).toMatchObject({ error: 'invalid_parameter', parameter: 'department' });
    expect(await expectDocumented('/api/v1/offers/abc', 400)).toMatchObject({ parameter: 'id' });
    expect(await expectDocumented('/api/v1/map?bbox=1,2,0,3', 400)).toMatchObject({ parameter: 'bbox' });
    expect(await expectDocumented('/api/v1/organisations?near=45,4', 400)).toMatchObject({ parameter: 'radius_km' });
    expect(await expectDocumented('/api/v1/organisations/0', 400)).toMatchObject({ parameter: 'id' });
    expect(await expectDocumented('/api/v1/communes?limit=50&q=a', 400)).toMatchObject({ parameter: 'limit' });
  });

  it('answers 404 for an object that does not exist', async () => {
    expect(await expectDocumented('/api/v1/offers/999999', 404)).toMatchObject({ error: 'not_found', message: 'Offre introuvable.' });
    expect(await expectDocumented('/api/v1/organisations/999999', 404)).toMatchObject({ error: 'not_found' });
  });

  const everyOperation = () => [
    '/api/v1/offers?theme=sport',
    `/api/v1/offers/${offerId}`,
    '/api/v1/map?bbox=4.5,45.5,5.2,46',
    '/api/v1/organisations',
    `/api/v1/organisations/${organisationId}`,
    '/api/v1/communes?q=lyon',
  ];

  it('answers 429 to a client past the limit, on every operation', async () => {
    for (const url of everyOperation()) {
      const address = `10.1.0.${++client}`;
      for (let i = 0; i < RATE_LIMIT; i++) expect((await app.inject({ url, remoteAddress: address })).statusCode).toBe(200);
      expect(await expectDocumented(url, 429, address)).toMatchObject({ error: 'rate_limited' });
    }
  });

  // Last: the database stays unreachable until the end of this test.
  it.runIf(process.env.DATABASE_URL)('answers 503 with a Retry-After on every operation while the database is unreachable', async () => {
    const outage = await databaseOutage(app);
    await outage.cut();
    // Answers cached for the index version read less than VERSION_TTL_MS ago are served as they are
    // (by design): past that, a search has to ask the database.
    await new Promise((resolve) => setTimeout(resolve, VERSION_TTL_MS + 100));
    try {
      for (const url of everyOperation()) {
        expect(await expectDocumented(url, 503)).toMatchObject({ error: 'unavailable' });
        expect((await app.inject({ url, remoteAddress: `10.2.0.${++client}` })).headers['retry-after'], url).toBe('5');
      }
    } finally {
      await outage.end();
    }
  });

  it('has checked every response the document declares (503 needs PostgreSQL to play an outage)', () => {
    const declared = Object.entries(document.paths).flatMap(([path, { get }]) => Object.keys(get.responses).map((status) => `${path} ${status}`));
    const expected = process.env.DATABASE_URL ? declared : declared.filter((response) => !response.endsWith(' 503'));
    expect([...checked].sort()).toEqual(expected.sort());
  });
});
