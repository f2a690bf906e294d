import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communes, coordinatorScopes, epcis, organisations } from '../../db/schema/index.js';
import { describeQuery, normalizeQuery } from '../../server/matching/saved-searches.js';
import type { App } from '../../server/types.js';
import type { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

const LYON_METROPOLE = '200046977';
const GRAND_PARIS = '200054781';
const PLAINE_COMMUNE = '200057867';
const BORDEAUX_METROPOLE = '243300316';

let app: App;
let partner: { id: number };
let inScope: PartnershipFixture;
let outOfScope: PartnershipFixture;
let coordinator: Agent;
const offerIds: Record<string, number> = {};

beforeAll(async () => {
  app = await createTestApp();
  partner = await createOrganisation(app, { kind: 'partner', name: 'Ateliers du Rhône', status: 'verified' });
  // Villeurbanne (Métropole de Lyon), Lyon 2e (an arrondissement: its commune's EPCI), Givors (the
  // Métropole too), Villefranche-sur-Saône (Rhône, another EPCI), Saint-Denis (Plaine Commune, Grand Paris).
  const places = {
    villeurbanne: { codeInsee: '69266', lat: 45.7719, lng: 4.8902 },
    lyon2: { codeInsee: '69382', lat: 45.7485, lng: 4.8271 },
    villefranche: { codeInsee: '69264', lat: 45.9897, lng: 4.7186 },
    saintDenis: { codeInsee: '93066', lat: 48.9362, lng: 2.3574 },
  };
  for (const [key, place] of Object.entries(places)) offerIds[key] = (await insertOffer(app, partner.id, { title: `Atelier ${key}`, ...place })).id;
  // An offer based in the Ain whose partner comes to ACMs of the Rhône: it serves the Métropole like the département.
  offerIds.travelling = (
    await insertOffer(app, partner.id, {
      title: 'Atelier itinérant',
      codeInsee: '01053',
      lat: 46.2052,
      lng: 5.2255,
      venue: 'dans-l-accueil',
      departmentsServed: ['69'],
    })
  ).id;
  await syncSearch(app);

  inScope = await createPartnershipFixture(app, { acmName: 'Accueil de Villeurbanne', partnerName: 'Judo de Villeurbanne' });
  outOfScope = await createPartnershipFixture(app, { acmName: 'Accueil de Villefranche', partnerName: 'Club de Villefranche' });
  await app.deps.db.update(organisations).set({ codeInsee: '69266', postcode: '69100' }).where(eq(organisations.id, inScope.acm.id));
  await app.deps.db.update(organisations).set({ codeInsee: '69264', postcode: '69400' }).where(eq(organisations.id, outOfScope.acm.id));
  const user = await createUser(app, { name: 'Inès Intercommunale' });
  await addCoordinatorScope(app, user.id, 'epci', LYON_METROPOLE);
  coordinator = await signedInAgent(app, user);
});
afterAll(async () => {
  await app.close();
});

async function offersFound(query: string): Promise<string[]> {
  const response = await app.inject({ method: 'GET', url: `/api/v1/offers?${query}&per_page=100` });
  expect(response.statusCode, query).toBe(200);
  const ids = (response.json() as { items: { id: number }[] }).items.map((i) => i.id);
  return Object.entries(offerIds)
    .filter(([, id]) => ids.includes(id))
    .map(([key]) => key)
    .sort();
}

describe('reference data', () => {
  it('puts each commune in its EPCI, the arrondissements in their commune’s, and the Grand Paris communes in their EPT too', async () => {
    const rowOf = async (code: string) => (await app.deps.db.select().from(communes).where(eq(communes.codeInsee, code)))[0]!;
    expect(await rowOf('69266')).toMatchObject({ name: 'Villeurbanne', epciCode: LYON_METROPOLE, eptCode: null });
    expect(await rowOf('69381')).toMatchObject({ epciCode: LYON_METROPOLE });
    expect(await rowOf('93066')).toMatchObject({ name: 'Saint-Denis', epciCode: GRAND_PARIS, eptCode: PLAINE_COMMUNE });
    expect(await rowOf('33063')).toMatchObject({ name: 'Bordeaux', epciCode: BORDEAUX_METROPOLE });
    // Populations of the package (INSEE populations légales, newer than the project's 2024 copy).
    expect((await rowOf('69266')).population).toBe(163684);
    const [lyon] = await app.deps.db.select().from(epcis).where(eq(epcis.code, LYON_METROPOLE));
    expect(lyon).toMatchObject({ name: 'Métropole de Lyon', type: 'MET69' });
    expect(lyon!.population).toBeGreaterThan(1_400_000);
    const [plaine] = await app.deps.db.select().from(epcis).where(eq(epcis.code, PLAINE_COMMUNE));
    expect(plaine).toMatchObject({ name: 'Plaine Commune', type: 'EPT' });
    expect(await app.deps.db.$count(epcis)).toBe(1255 + 11);
  });

  it('shows the EPCI (and the EPT) in the commune autocomplete', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/communes?q=Villeurbanne' });
    expect(response.json().items[0]).toMatchObject({
      code_insee: '69266',
      epci: { code: LYON_METROPOLE, name: 'Métropole de Lyon' },
      ept: null,
    });
    const paris = await app.inject({ method: 'GET', url: '/api/v1/communes?q=93066' });
    expect(paris.json().items[0]).toMatchObject({
      epci: { code: GRAND_PARIS, name: 'Métropole du Grand Paris' },
      ept: { code: PLAINE_COMMUNE, name: 'Plaine Commune' },
    });
  });
});

describe('epci= on the API', () => {
  it('finds the offers based in the EPCI and those coming to ACMs of its département, like department=', async () => {
    expect(await offersFound(`epci=${LYON_METROPOLE}`)).toEqual(['lyon2', 'travelling', 'villeurbanne']);
    expect(await offersFound(`epci=${PLAINE_COMMUNE}`)).toEqual(['saintDenis']);
    expect(await offersFound(`epci=${GRAND_PARIS}`)).toEqual(['saintDenis']);
    expect(await offersFound(`epci=${LYON_METROPOLE}&epci=${PLAINE_COMMUNE}`)).toEqual(['lyon2', 'saintDenis', 'travelling', 'villeurbanne']);
    expect(await offersFound('department=69')).toEqual(['lyon2', 'travelling', 'villefranche', 'villeurbanne']);
    const map = await app.inject({ method: 'GET', url: `/api/v1/map?epci=${LYON_METROPOLE}&bbox=4,45,6,47&zoom=14` });
    expect(map.statusCode).toBe(200);
  });

  it('answers an unknown or malformed epci with a 400 naming the parameter', async () => {
    for (const value of ['123456789', 'lyon', '2000469770']) {
      const response = await app.inject({ method: 'GET', url: `/api/v1/offers?epci=${value}` });
      expect(response.statusCode, value).toBe(400);
      expect(response.json(), value).toMatchObject({ error: 'invalid_parameter', parameter: 'epci' });
    }
  });

  it('filters the partners directory too', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/v1/organisations?epci=${GRAND_PARIS}` });
    expect(response.statusCode).toBe(200);
  });

  it('keeps epci in a saved search', () => {
    expect(normalizeQuery('offer', `/offres?page=2&epci=${LYON_METROPOLE}&theme=sport`)).toBe(`epci=${LYON_METROPOLE}&theme=sport`);
    expect(describeQuery(`epci=${LYON_METROPOLE}`)).toBe(`intercommunalité ${LYON_METROPOLE}`);
  });

  it('keeps epci on the search page, with a chip that removes it', async () => {
    const page = await app.inject({ method: 'GET', url: `/offres?epci=${LYON_METROPOLE}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<input type="hidden" name="epci" value="${LYON_METROPOLE}">`);
    expect(page.body).toContain('Métropole de Lyon');
    expect(page.body).toContain('Atelier villeurbanne');
    expect(page.body).not.toContain('Atelier villefranche');
  });
});

describe('territory page of an EPCI', () => {
  it('lists its offers, its communes and its place, and is linked from its département and communes', async () => {
    const page = await app.inject({ method: 'GET', url: `/territoires/intercommunalites/${LYON_METROPOLE}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Métropole de Lyon</h1>');
    expect(page.body).toContain('Métropole de Lyon (collectivité à statut particulier)');
    expect(page.body).toContain('3\u00a0offres accessibles');
    expect(page.body).toContain('href="/territoires/communes/69266"');
    expect(page.body).not.toContain('href="/territoires/communes/69264"');
    expect(page.body).toContain(`data-api-query="epci=${LYON_METROPOLE}"`);
    expect(page.body).toContain('href="/territoires/departements/69"');
    const department = await app.inject({ method: 'GET', url: '/territoires/departements/69' });
    expect(department.body).toContain(`href="/territoires/intercommunalites/${LYON_METROPOLE}"`);
    const commune = await app.inject({ method: 'GET', url: '/territoires/communes/93066' });
    expect(commune.body).toContain(`href="/territoires/intercommunalites/${PLAINE_COMMUNE}"`);
    expect(commune.body).toContain(`href="/territoires/intercommunalites/${GRAND_PARIS}"`);
  });

  it('can be embedded: the territory page links the builder, which makes the snippet of an EPCI map showing its offers only', async () => {
    const page = await app.inject({ method: 'GET', url: `/territoires/intercommunalites/${LYON_METROPOLE}` });
    expect(page.body).toContain(`href="/integrer?epci=${LYON_METROPOLE}"`);
    const builder = await app.inject({ method: 'GET', url: `/integrer?epci=${LYON_METROPOLE}` });
    expect(builder.statusCode).toBe(200);
    expect(builder.body).toContain(`/integrer/carte?epci=${LYON_METROPOLE}`);
    expect(builder.body).toContain('Offres du Plan mercredi : Métropole de Lyon');
    const byName = await app.inject({ method: 'GET', url: '/integrer?epci=M%C3%A9tropole%20de%20Lyon' });
    expect(byName.body).toContain(`/integrer/carte?epci=${LYON_METROPOLE}`);
    const unknown = await app.inject({ method: 'GET', url: '/integrer?epci=Nulle%20part' });
    expect(unknown.body).toContain('Intercommunalité introuvable');
    expect(unknown.body).not.toContain('/integrer/carte?');
    const embed = await app.inject({ method: 'GET', url: `/integrer/carte?epci=${LYON_METROPOLE}` });
    expect(embed.statusCode).toBe(200);
    expect(embed.body).toContain('Atelier villeurbanne');
    expect(embed.body).not.toContain('Atelier villefranche');
    const bad = await app.inject({ method: 'GET', url: '/integrer/carte?epci=123456789' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('epci');
  });

  it('has a public statistics page and its CSV, limited to the EPCI', async () => {
    const page = await app.inject({ method: 'GET', url: `/territoires/intercommunalites/${LYON_METROPOLE}/statistiques` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Métropole de Lyon');
    const csv = await app.inject({ method: 'GET', url: `/territoires/intercommunalites/${LYON_METROPOLE}/statistiques.csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toContain('metropole-de-lyon');
    // Coverage rows: the communes of the EPCI with an ACM (Villeurbanne), not Villefranche (Rhône, another EPCI).
    expect(csv.body).toContain('Villeurbanne');
    expect(csv.body).not.toContain('Villefranche');
    expect((await app.inject({ method: 'GET', url: '/territoires/intercommunalites/123456789/statistiques' })).statusCode).toBe(404);
  });

  it('answers 404 to an unknown or malformed code', async () => {
    expect((await app.inject({ method: 'GET', url: '/territoires/intercommunalites/123456789' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/territoires/intercommunalites/lyon' })).statusCode).toBe(404);
  });
});

describe('a coordinator of an EPCI', () => {
  const base = `/coordination/intercommunalite/${LYON_METROPOLE}`;
  const pages = [
    '',
    '/accueils',
    '/partenaires',
    '/partenariats',
    '/demandes',
    '/besoins',
    '/couverture',
    '/invitations',
    '/export/accueils.csv',
    '/export/entonnoir.csv',
    '/export/couverture.csv',
  ];

  it('opens the workspace of the EPCI, which lists its ACMs only', async () => {
    const start = await coordinator.get('/coordination');
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe(base);
    for (const path of pages) expect((await coordinator.get(`${base}${path}`)).statusCode, path).toBe(200);
    const acms = await coordinator.get(`${base}/accueils`);
    expect(acms.body).toContain('Accueil de Villeurbanne');
    expect(acms.body).not.toContain('Accueil de Villefranche');
    const coverage = await coordinator.get(`${base}/couverture`);
    expect(coverage.body).toContain('Villeurbanne');
    expect(coverage.body).not.toContain('Villefranche');
  });

  it('reads the partnerships of the ACMs in the EPCI, not the others (404)', async () => {
    expect((await coordinator.get(`/partenariats/${inScope.partnership.id}`)).statusCode).toBe(200);
    expect((await coordinator.get(`/partenariats/${outOfScope.partnership.id}`)).statusCode).toBe(404);
  });

  it('is refused the workspaces of other territories, and others are refused theirs', async () => {
    expect((await coordinator.get('/coordination/departement/69')).statusCode).toBe(404);
    expect((await coordinator.get(`/coordination/intercommunalite/${BORDEAUX_METROPOLE}`)).statusCode).toBe(404);
    const departmentCoordinator = await createUser(app);
    await addCoordinatorScope(app, departmentCoordinator.id, 'department', '33');
    const other = await signedInAgent(app, departmentCoordinator);
    for (const path of pages) expect((await other.get(`${base}${path}`)).statusCode, path).toBe(404);
    const plain = await signedInAgent(app, await createUser(app));
    for (const path of pages) expect((await plain.get(`${base}${path}`)).statusCode, path).toBe(404);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const path of pages) expect((await admin.get(`${base}${path}`)).statusCode, path).toBe(200);
    expect((await admin.get('/coordination/intercommunalite/123456789')).statusCode).toBe(404);
  });

  it('can be opened by an admin from /coordination by name or SIREN, not by a coordinator', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const byName = await admin.get('/coordination?epci=Plaine%20Commune');
    expect(byName.statusCode).toBe(303);
    expect(byName.headers.location).toBe(`/coordination/intercommunalite/${PLAINE_COMMUNE}`);
    expect((await admin.get(`/coordination?epci=${LYON_METROPOLE}`)).headers.location).toBe(base);
    const unknown = await admin.get('/coordination?epci=Atlantide');
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('Intercommunalité introuvable');
    expect(unknown.body).toContain('aria-invalid="true"');
    expect((await coordinator.get(`/coordination?epci=${PLAINE_COMMUNE}`)).statusCode).toBe(404);
  });

  it('is appointed by an admin by SIREN or by name, and removed', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const target = await createUser(app);
    const path = `/admin/utilisateurs/${target.id}`;
    expect((await admin.post(`${path}/territoires`, { scope: 'epci', code: 'Plaine Commune' })).statusCode).toBe(303);
    expect((await admin.post(`${path}/territoires`, { scope: 'epci', code: BORDEAUX_METROPOLE })).statusCode).toBe(303);
    const unknown = await admin.post(`${path}/territoires`, { scope: 'epci', code: '999999999' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('Intercommunalité introuvable');
    const scopes = await app.deps.db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, target.id));
    expect(scopes.map((s) => [s.scope, s.code, s.label]).sort()).toEqual(
      [
        ['epci', PLAINE_COMMUNE, 'Plaine Commune'],
        ['epci', BORDEAUX_METROPOLE, 'Bordeaux Métropole'],
      ].sort(),
    );
    const dashboard = await signedInAgent(app, target).then((agent) => agent.get('/tableau-de-bord'));
    expect(dashboard.body).toContain(`/territoires/intercommunalites/${PLAINE_COMMUNE}`);
    expect((await admin.post(`${path}/territoires/epci/${PLAINE_COMMUNE}/retirer`)).statusCode).toBe(303);
    expect(await app.deps.db.select().from(coordinatorScopes).where(eq(coordinatorScopes.userId, target.id))).toHaveLength(1);
  });
});

describe('a database loaded before the EPCI', () => {
  it('gets the EPCI, the communes’ links and their populations at the next start', async () => {
    const { ensureReferenceData } = await import('../../db/reference.js');
    await app.deps.db.update(communes).set({ epciCode: null, eptCode: null, population: 0 });
    await app.deps.db.delete(epcis);
    await ensureReferenceData(app.deps.db);
    const [villeurbanne] = await app.deps.db.select().from(communes).where(eq(communes.codeInsee, '69266'));
    expect(villeurbanne).toMatchObject({ epciCode: LYON_METROPOLE, population: 163684 });
    const [saintDenis] = await app.deps.db.select().from(communes).where(eq(communes.codeInsee, '93066'));
    expect(saintDenis).toMatchObject({ epciCode: GRAND_PARIS, eptCode: PLAINE_COMMUNE });
    expect(await app.deps.db.$count(epcis)).toBe(1266);
  });
});
