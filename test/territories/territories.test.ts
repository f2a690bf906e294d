import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceKm } from '../../server/kernel/distance.js';
import { FormReader } from '../../server/lib/validation.js';
import { locationFields, readLocation } from '../../server/territories/location.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function communes(q: string) {
  const response = await app.inject({ method: 'GET', url: `/api/v1/communes?q=${encodeURIComponent(q)}` });
  expect(response.statusCode).toBe(200);
  return (response.json() as { items: { code_insee: string; name: string; label: string; lat: number; lng: number }[] }).items;
}

describe('commune autocomplete', () => {
  it('finds Saint-Étienne first for "st etienne", whatever the accents and case', async () => {
    for (const q of ['st etienne', 'Saint-Etienne', 'SAINT ÉTIENNE', 'st-étienne']) {
      const [first] = await communes(q);
      expect(first, q).toMatchObject({ code_insee: '42218', name: 'Saint-Étienne' });
    }
  });

  it('finds Lyon 8e Arrondissement for the postal code 69008, and communes by INSEE code', async () => {
    const [first] = await communes('69008');
    expect(first).toMatchObject({ code_insee: '69388', name: 'Lyon 8e Arrondissement', label: 'Lyon 8e Arrondissement (69008)' });
    expect((await communes('69266'))[0]?.name).toBe('Villeurbanne');
    expect((await communes('Vénissieux'))[0]?.code_insee).toBe('69259');
  });

  it('answers a bad parameter with a 400 naming it', async () => {
    const empty = await app.inject({ method: 'GET', url: '/api/v1/communes?q=' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: 'invalid_parameter', parameter: 'q' });
    const tooMany = await app.inject({ method: 'GET', url: '/api/v1/communes?q=lyon&limit=500' });
    expect(tooMany.json()).toMatchObject({ parameter: 'limit' });
  });
});

describe('readLocation', () => {
  async function read(body: Record<string, string>, prefix = '', options = {}) {
    const form = new FormReader(body);
    const location = await readLocation(app.deps, form, prefix, options);
    return { location, errors: form.errors };
  }

  it('reads the prefixed fields of a second address on the same form', async () => {
    expect(locationFields('venue')).toEqual({
      address: 'venueAddress',
      commune: 'venueCommune',
      codeInsee: 'venueCodeInsee',
      lat: 'venueLat',
      lng: 'venueLng',
    });
    const { location, errors } = await read({ venueAddress: '3 place Guichard', venueCommune: 'Lyon 3e Arrondissement (69003)' }, 'venue');
    expect(errors).toEqual({});
    expect(location).toMatchObject({ codeInsee: '69383', postcode: '69003', departmentCode: '69', regionCode: '84', address: '3 place Guichard' });
  });

  it('returns nothing for an empty optional location, and asks for the commune when only an address is given', async () => {
    expect(await read({}, '', { required: false })).toEqual({ location: null, errors: {} });
    const { errors } = await read({ address: '1 rue de la Paix' }, '', { required: false });
    expect(errors.commune).toBe('Indiquez la commune.');
  });

  it('accepts a point within 30 km of the commune and replaces a farther one by the centroid', async () => {
    const near = await read({ commune: 'Bordeaux', lat: '44.8600', lng: '-0.5600' });
    expect(near.location).toMatchObject({ codeInsee: '33063', lat: 44.86, lng: -0.56 });
    const far = await read({ commune: 'Bordeaux', lat: '45.7600', lng: '4.8400' });
    expect(distanceKm(far.location!.lat, far.location!.lng, 44.8378, -0.5792)).toBeLessThan(10);
    const comma = await read({ commune: 'Bordeaux', lat: '44,8600', lng: '-0,5600' });
    expect(comma.location?.lat).toBe(44.86);
  });

  it('takes a postal code alone, and offers suggestions for a misspelt commune', async () => {
    expect((await read({ commune: '93200' })).location?.codeInsee).toBe('93066');
    const typo = await read({ commune: 'Villeurbane' });
    expect(typo.location).toBeNull();
    expect(typo.errors.commune).toMatch(
      /^Commune introuvable : vérifiez l’orthographe ou saisissez le code postal\. Vouliez-vous dire : Villeurbanne \(69100\), /,
    );
  });
});
