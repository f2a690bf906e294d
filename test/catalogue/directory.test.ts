import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation } from '../helpers/fixtures.js';
import { acmWithMember, partnerWithMember } from '../helpers/matching.js';
import { insertOffer } from '../helpers/search.js';

let app: App;
let judo: Awaited<ReturnType<typeof createOrganisation>>;
let library: Awaited<ReturnType<typeof createOrganisation>>;
beforeAll(async () => {
  app = await createTestApp();
  judo = await createOrganisation(app, {
    name: 'Judo Club de Villeurbanne',
    type: 'club-sportif',
    themes: ['sport'],
    codeInsee: '69266',
    lat: 45.7719,
    lng: 4.8902,
    status: 'verified',
  });
  library = await createOrganisation(app, {
    name: 'Bibliothèque de Grenoble',
    type: 'bibliotheque',
    themes: ['culture'],
    codeInsee: '38185',
    lat: 45.1885,
    lng: 5.7245,
  });
  await createOrganisation(app, { name: 'Structure suspendue', codeInsee: '69266', lat: 45.77, lng: 4.89, status: 'suspended' });
  await createOrganisation(app, { kind: 'acm', name: 'Un accueil, pas un partenaire', codeInsee: '69266', lat: 45.77, lng: 4.89 });
  await insertOffer(app, judo.id);
});
afterAll(async () => {
  await app.close();
});

describe('the directory of partners (/structures)', () => {
  it('lists partners only, filters by place and radius, theme and type, each linking to its page', async () => {
    const visitor = new Agent(app);
    const all = await visitor.get('/structures');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain(`href="/structures/${judo.id}-${judo.slug}"`);
    expect(all.body).toContain('Bibliothèque de Grenoble');
    expect(all.body).not.toContain('Structure suspendue');
    expect(all.body).not.toContain('Un accueil, pas un partenaire');
    expect(all.body).toContain('1\u00a0offre publiée');

    const nearLyon = await visitor.get('/structures?lieu=Lyon&radius_km=20');
    expect(nearLyon.body).toContain('1\u00a0structure à moins de 20&nbsp;km de Lyon');
    expect(nearLyon.body).toContain('Judo Club de Villeurbanne');
    expect(nearLyon.body).not.toContain('Bibliothèque de Grenoble');
    expect(nearLyon.body).toMatch(/à [\d,]+&nbsp;km<\/strong>/);

    expect((await visitor.get('/structures?theme=culture')).body).not.toContain('Judo Club de Villeurbanne');
    expect((await visitor.get('/structures?org_type=bibliotheque')).body).toContain('Bibliothèque de Grenoble');
    expect((await visitor.get('/structures?lieu=Zzzyx')).body).toContain('Lieu introuvable');
    expect((await visitor.get('/structures?theme=nimporte')).statusCode).toBe(200);
  });

  it('lists partners in French alphabetical order, accents and case aside', async () => {
    for (const name of ['Zèbre cirque', 'École de musique', 'académie de danse', 'Dojo des Pentes'])
      await createOrganisation(app, { name, themes: ['nature'], codeInsee: '13055', lat: 43.2965, lng: 5.3698 });
    const page = await new Agent(app).get('/structures?theme=nature');
    const names = [...page.body.matchAll(/>(Zèbre cirque|École de musique|académie de danse|Dojo des Pentes)</g)].map((m) => m[1]);
    expect(names).toEqual(['académie de danse', 'Dojo des Pentes', 'École de musique', 'Zèbre cirque']);
  });

  it('gives the map the same partners as GeoJSON', async () => {
    const map = await new Agent(app).get('/structures/carte.geojson?lieu=Lyon&radius_km=20&bbox=4,45,6,46');
    expect(map.statusCode).toBe(200);
    const features = map.json().features;
    expect(features.map((f: { properties: { title: string } }) => f.properties.title)).toEqual(['Judo Club de Villeurbanne']);
    expect(features[0].properties).toMatchObject({ kind: 'organisation', path: `/structures/${judo.id}-${judo.slug}` });
  });

  it('shows ACM members their stars and the partners they already contacted', async () => {
    const { acm, agent } = await acmWithMember(app);
    await app.deps.db.insert(requests).values({ acmId: acm.id, partnerId: library.id, direction: 'acm_to_partner', status: 'sent' });
    await agent.post(`/favoris/structures/${judo.id}`, { favori: '1' });
    const page = await agent.get('/structures');
    const item = (id: number) => new RegExp(`<li class="card directory-item" id="structure-${id}">[\\s\\S]*?</li>\\n`).exec(page.body)?.[0] ?? '';
    expect(item(judo.id)).toContain('aria-pressed="true"');
    expect(item(library.id)).toContain('aria-pressed="false"');
    expect(item(library.id)).toContain('Déjà contactée');
    expect(item(judo.id)).not.toContain('Déjà contactée');
    const { agent: partnerAgent } = await partnerWithMember(app);
    expect((await partnerAgent.get('/structures')).body).not.toContain('favourite-toggle');
  });
});
