import { count, eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships, organisations } from '../../db/schema/index.js';
import { dashboardSections } from '../../server/organisations/dashboard.js';
import { organisationPageSections } from '../../server/organisations/organisation-page-sections.js';
import type { App } from '../../server/types.js';
import { Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, linkIn, readMails, signedInAgent } from '../helpers/fixtures.js';
import { acmForm, auditActions, organisationByName, outboxFor, partnerForm, siretFrom } from '../helpers/organisations.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** The same SIRET with its last digit changed: the Luhn key no longer matches. */
function badKey(siret: string): string {
  return `${siret.slice(0, 13)}${(Number(siret[13]) + 1) % 10}`;
}

async function organisationCount() {
  const [row] = await app.deps.db.select({ value: count() }).from(organisations);
  return row!.value;
}

describe('from sign-up to a public page', () => {
  it('signs up, confirms by email, signs in, creates a partner organisation and shows its public page', async () => {
    const agent = new Agent(app);
    await agent.post('/inscription', {
      name: 'Karim Benali',
      email: 'karim@judo-venissieux.fr',
      password: 'tatami et kimono',
      passwordConfirm: 'tatami et kimono',
      terms: 'on',
    });
    const mail = (await readMails(app)).find((m) => m.to.includes('karim@judo-venissieux.fr'));
    const confirm = await agent.get(linkIn(mail!.text));
    expect(confirm.headers.location).toBe('/connexion?suivant=%2Fbienvenue');
    expect(agent.hasSession()).toBe(false);
    const signIn = await agent.post('/connexion', { email: 'karim@judo-venissieux.fr', password: 'tatami et kimono', suivant: '/bienvenue' });
    expect(signIn.headers.location).toBe('/bienvenue');

    const welcome = await agent.get('/bienvenue');
    expect(welcome.statusCode).toBe(200);
    expect(welcome.body).toContain('Je représente un partenaire');
    expect(welcome.body).toContain('Je dirige un accueil (ACM)');
    expect(welcome.body).toContain('désignés par l’équipe Passerelle');

    const form = await agent.get('/structures/nouvelle?type=partenaire');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('id="f-commune"');
    expect(form.body).toContain('/static/js/commune-autocomplete.js');
    expect(form.body).toContain('/static/vendor/leaflet/leaflet.js');

    const created = await agent.post(
      '/structures/nouvelle?type=partenaire',
      partnerForm({ name: 'Judo Club de Vénissieux', commune: 'Vénissieux', siret: siretFrom('4429876540001'), themes: ['sport', 'sante'] }),
    );
    expect(created.statusCode).toBe(303);
    const organisation = await organisationByName(app, 'Judo Club de Vénissieux');
    expect(organisation).toMatchObject({ kind: 'partner', slug: 'judo-club-de-venissieux', status: 'unverified', codeInsee: '69259', type: 'club-sportif' });
    expect(created.headers.location).toBe(`/structures/${organisation!.id}-judo-club-de-venissieux`);

    const page = await agent.get(created.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Judo Club de Vénissieux</h1>');
    expect(page.body).toContain('Sport</li>');
    expect(page.body).toContain('Santé et bien-être</li>');
    expect(page.body).toContain('Non vérifiée');
    expect(page.body).toContain('contact@judo-lyon8.fr');
    expect(page.body).toContain('data-place-map');
    expect(page.body).toContain('est créée');

    const publicView = await new Agent(app).get(created.headers.location as string);
    expect(publicView.statusCode).toBe(200);
    expect(publicView.body).not.toContain('Modifier la structure');

    const [membership] = await app.deps.db.select().from(memberships).where(eq(memberships.organisationId, organisation!.id));
    expect(membership?.role).toBe('owner');
    expect(await auditActions(app, organisation!.id)).toEqual(['organisation.create']);
    expect(await outboxFor(app, 'organisation', organisation!.id)).toHaveLength(1);
  });

  it('creates an ACM whose page is for signed-in users, with contacts for partners only and the school zone', async () => {
    const owner = await createUser(app);
    const agent = await signedInAgent(app, owner);
    const created = await agent.post('/structures/nouvelle?type=accueil', acmForm({ name: 'Accueil de loisirs Les Buers' }));
    expect(created.statusCode).toBe(303);
    const acm = await organisationByName(app, 'Accueil de loisirs Les Buers');
    expect(acm).toMatchObject({ kind: 'acm', codeInsee: '69266', ageMin: 3, ageMax: 11, pedt: true, planMercrediLabel: true, inclusion: false, capacity: 80 });
    expect(created.headers.location).toBe(`/accueils/${acm!.id}-accueil-de-loisirs-les-buers`);
    expect(await outboxFor(app, 'organisation', acm!.id)).toHaveLength(0);

    const own = await agent.get(created.headers.location as string);
    expect(own.body).toContain('Zone A');
    expect(own.body).toContain('alsh.jeanmace@villeurbanne.fr');

    const visitor = await new Agent(app).get(created.headers.location as string);
    expect(visitor.statusCode).toBe(302);
    expect(visitor.headers.location).toContain('/connexion?suivant=');

    const partnerUser = await createUser(app);
    await createOrganisation(app, { name: 'Médiathèque test', ownerId: partnerUser.id });
    const partnerView = await (await signedInAgent(app, partnerUser)).get(created.headers.location as string);
    expect(partnerView.statusCode).toBe(200);
    expect(partnerView.body).toContain('alsh.jeanmace@villeurbanne.fr');

    const otherAcmUser = await createUser(app);
    await createOrganisation(app, { kind: 'acm', name: 'Autre accueil', ownerId: otherAcmUser.id });
    const acmView = await (await signedInAgent(app, otherAcmUser)).get(created.headers.location as string);
    expect(acmView.statusCode).toBe(200);
    expect(acmView.body).not.toContain('alsh.jeanmace@villeurbanne.fr');
    expect(acmView.body).toContain('réservées aux partenaires');
  });

  it('sends a visitor without a type back to the onboarding choice, and an unknown type gets a 400', async () => {
    const agent = await signedInAgent(app);
    expect((await agent.get('/structures/nouvelle')).headers.location).toBe('/bienvenue');
    expect((await agent.get('/structures/nouvelle?type=club')).statusCode).toBe(400);
    expect((await new Agent(app).get('/bienvenue')).statusCode).toBe(302);
  });
});

describe('the address partial on the server', () => {
  it('keeps a posted point close to the commune and falls back to the centroid otherwise', async () => {
    const agent = await signedInAgent(app);
    await agent.post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Point exact', siret: '', lat: '45.7352', lng: '4.8710' }));
    expect(await organisationByName(app, 'Point exact')).toMatchObject({ codeInsee: '69388', lat: 45.7352, lng: 4.871, postcode: '69008' });

    await agent.post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Point lointain', siret: '', lat: '48.8566', lng: '2.3522' }));
    const far = await organisationByName(app, 'Point lointain');
    expect(far!.lat).not.toBe(48.8566);
    expect(Math.abs(far!.lat! - 45.73)).toBeLessThan(0.05);

    await agent.post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Point invalide', siret: '', lat: 'abc', lng: '1e9' }));
    expect((await organisationByName(app, 'Point invalide'))!.codeInsee).toBe('69388');
  });

  it('uses the posted INSEE code when it matches the text, and resolves the text when the code is stale', async () => {
    const agent = await signedInAgent(app);
    await agent.post(
      '/structures/nouvelle?type=partenaire',
      partnerForm({ name: 'Code choisi', siret: '', commune: 'Villeurbanne (69100)', codeInsee: '69266' }),
    );
    expect((await organisationByName(app, 'Code choisi'))!.codeInsee).toBe('69266');
    await agent.post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Code périmé', siret: '', commune: 'Bron', codeInsee: '69266' }));
    expect((await organisationByName(app, 'Code périmé'))!.codeInsee).toBe('69029');
  });

  it('says when a commune is unknown or ambiguous', async () => {
    const agent = await signedInAgent(app);
    const unknown = await agent.post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Nulle part', commune: 'Zzyzx-sur-Mer' }));
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('id="f-commune-error"');
    expect(unknown.body).toContain('Commune introuvable');
    const ambiguous = await agent.post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Quelque part', commune: 'Saint-Denis' }));
    expect(ambiguous.statusCode).toBe(422);
    expect(ambiguous.body).toContain('Plusieurs communes correspondent : précisez le code postal');
    const resolved = await agent.post(
      '/structures/nouvelle?type=partenaire',
      partnerForm({ name: 'Saint-Denis précis', siret: '', commune: 'Saint-Denis (93200)' }),
    );
    expect(resolved.statusCode).toBe(303);
    expect((await organisationByName(app, 'Saint-Denis précis'))!.codeInsee).toBe('93066');
  });
});

describe('form validation', () => {
  const partnerCases: [Record<string, string | string[]>, string, string][] = [
    [{ name: '' }, 'name', 'Ce champ est obligatoire.'],
    [{ name: 'x'.repeat(151) }, 'name', '150 caractères au maximum'],
    [{ name: '<script>alert(1)</script>' }, 'name', 'balises HTML'],
    [{ type: '' }, 'type', 'Ce champ est obligatoire.'],
    [{ type: 'secte' }, 'type', 'Choisissez une valeur dans la liste.'],
    [{ description: 'x'.repeat(3001) }, 'description', '3000 caractères au maximum'],
    [{ description: 'Bonjour <img src=x onerror=alert(1)>' }, 'description', 'balises HTML'],
    [{ siret: '1234' }, 'siret', 'Le SIRET comporte 14 chiffres.'],
    [{ siret: badKey(siretFrom('4421234560001')) }, 'siret', 'clé de contrôle incorrecte'],
    [{ rna: 'X123' }, 'rna', 'Le numéro RNA commence par W'],
    [{ email: '' }, 'email', 'Ce champ est obligatoire.'],
    [{ email: 'pas-un-email' }, 'email', 'Adresse e-mail invalide'],
    [{ phone: 'abc' }, 'phone', 'Numéro de téléphone invalide'],
    [{ website: 'http://' }, 'website', 'Adresse web invalide'],
    [{ themes: [] }, 'themes', 'Choisissez au moins un thème.'],
    [{ themes: ['cuisine'] }, 'themes', 'Choisissez une valeur dans la liste.'],
    [{ federation: 'f'.repeat(151) }, 'federation', '150 caractères au maximum'],
    [{ agrementNumber: '<b>1</b>' }, 'agrementNumber', 'balises HTML'],
    [{ address: 'a'.repeat(201) }, 'address', '200 caractères au maximum'],
    [{ commune: '' }, 'commune', 'Indiquez la commune.'],
    [{ commune: '<script>x</script>' }, 'commune', 'balises HTML'],
  ];

  it('shows a French message next to each bad partner field, never a 500, and writes nothing', async () => {
    const agent = await signedInAgent(app);
    const before = await organisationCount();
    for (const [override, field, message] of partnerCases) {
      const response = await agent.post('/structures/nouvelle?type=partenaire', partnerForm(override));
      expect(response.statusCode, `${field}: ${message}`).toBe(422);
      expect(response.body, field).toContain(`id="f-${field}-error"`);
      expect(response.body, field).toContain(message);
      expect(response.body).not.toContain('<script>alert(1)</script>');
      expect(response.body).not.toContain('<img src=x');
    }
    expect(await organisationCount()).toBe(before);
  }, 120_000);

  const acmCases: [Record<string, string>, string, string][] = [
    [{ name: '' }, 'name', 'Ce champ est obligatoire.'],
    [{ organiser: '' }, 'organiser', 'Ce champ est obligatoire.'],
    [{ organiser: 'o'.repeat(151) }, 'organiser', '150 caractères au maximum'],
    [{ tamNumber: 't'.repeat(61) }, 'tamNumber', '60 caractères au maximum'],
    [{ capacity: 'beaucoup' }, 'capacity', 'Saisissez un nombre entier.'],
    [{ capacity: '0' }, 'capacity', 'La valeur doit être au moins 1.'],
    [{ ageMin: '2' }, 'ageMin', 'La valeur doit être au moins 3.'],
    [{ ageMax: '18' }, 'ageMax', 'La valeur doit être au plus 17.'],
    [{ ageMin: '12', ageMax: '6' }, 'ageMax', 'supérieur ou égal à l’âge minimum'],
    [{ ageMin: '' }, 'ageMin', 'Ce champ est obligatoire.'],
    [{ pedt: 'peut-être' }, 'pedt', 'Choisissez une valeur dans la liste.'],
    [{ inclusion: '1' }, 'inclusion', 'Choisissez une valeur dans la liste.'],
    [{ email: 'a@b' }, 'email', 'Adresse e-mail invalide'],
    [{ phone: '12' }, 'phone', 'Numéro de téléphone invalide'],
    [{ commune: 'Zzyzx' }, 'commune', 'Commune introuvable'],
  ];

  it('shows a French message next to each bad ACM field, never a 500, and writes nothing', async () => {
    const agent = await signedInAgent(app);
    const before = await organisationCount();
    for (const [override, field, message] of acmCases) {
      const response = await agent.post('/structures/nouvelle?type=accueil', acmForm(override));
      expect(response.statusCode, `${field}: ${message}`).toBe(422);
      expect(response.body, field).toContain(`id="f-${field}-error"`);
      expect(response.body, field).toContain(message);
    }
    expect(await organisationCount()).toBe(before);
  }, 120_000);

  it('answers an oversized or malformed body with a 400 page, not a 500', async () => {
    const agent = await signedInAgent(app);
    const unknownField = await agent.post('/structures/nouvelle?type=partenaire', { ...partnerForm(), admin: 'true' });
    expect(unknownField.statusCode).toBe(400);
    const repeated = await agent.post('/structures/nouvelle?type=partenaire', { ...partnerForm(), name: ['a', 'b'] });
    expect(repeated.statusCode).toBeLessThan(500);
  });

  it('refuses a SIRET already registered by another organisation', async () => {
    const siret = siretFrom('5551112220001');
    await createOrganisation(app, { name: 'Déjà là', siret });
    const response = await (await signedInAgent(app)).post('/structures/nouvelle?type=partenaire', partnerForm({ name: 'Doublon', siret }));
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Ce SIRET est déjà enregistré pour « Déjà là »');
  });
});

describe('editing', () => {
  it('lets a member edit, keeps the record of another organisation unchanged (404), and lets an admin edit', async () => {
    const ownerA = await createUser(app);
    const ownerB = await createUser(app);
    const a = await createOrganisation(app, { name: 'Structure A', ownerId: ownerA.id });
    const b = await createOrganisation(app, { name: 'Structure B', ownerId: ownerB.id, themes: ['culture'] });
    const agentA = await signedInAgent(app, ownerA);

    const form = await agentA.get(`/structures/${a.id}/modifier`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Structure A"');
    expect(form.body).toContain('value="Lyon 2e Arrondissement (69002)"');

    const edited = await agentA.post(`/structures/${a.id}/modifier`, partnerForm({ name: 'Structure A renommée', siret: '' }));
    expect(edited.statusCode).toBe(303);
    expect(edited.headers.location).toBe(`/structures/${a.id}-structure-a-renommee`);
    expect(await auditActions(app, a.id)).toContain('organisation.update');
    expect(await outboxFor(app, 'organisation', a.id)).toHaveLength(1);

    expect((await agentA.get(`/structures/${b.id}/modifier`)).statusCode).toBe(404);
    const forbidden = await agentA.post(`/structures/${b.id}/modifier`, partnerForm({ name: 'Piratée', siret: '' }));
    expect(forbidden.statusCode).toBe(404);
    const [unchanged] = await app.deps.db.select().from(organisations).where(eq(organisations.id, b.id));
    expect(unchanged).toEqual(b);

    const admin = await createUser(app, { isAdmin: true });
    const adminEdit = await (await signedInAgent(app, admin)).post(`/structures/${b.id}/modifier`, partnerForm({ name: 'Structure B corrigée', siret: '' }));
    expect(adminEdit.statusCode).toBe(303);
  });

  it('shows the school zone on the ACM edit form', async () => {
    const owner = await createUser(app);
    const acm = await createOrganisation(app, {
      kind: 'acm',
      name: 'Accueil Bordeaux',
      codeInsee: '33063',
      postcode: '33000',
      ownerId: owner.id,
      ageMin: 6,
      ageMax: 11,
    });
    const form = await (await signedInAgent(app, owner)).get(`/structures/${acm.id}/modifier`);
    expect(form.body).toContain('zone A');
    expect(form.body).toContain('value="Bordeaux (33000)"');
  });
});

describe('logo', () => {
  it('stores an uploaded image as a square WebP, shows it, refuses a non-image or an outsider, and removes it', async () => {
    const owner = await createUser(app);
    const organisation = await createOrganisation(app, { name: 'Club au logo', slug: 'club-au-logo', ownerId: owner.id });
    const agent = await signedInAgent(app, owner);
    const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#3a2d8f' } })
      .png()
      .toBuffer();

    const upload = multipart({}, [{ field: 'logo', filename: 'logo.png', type: 'image/png', data: png }]);
    const saved = await agent.postMultipart(`/structures/${organisation.id}/logo`, upload.payload, upload.boundary);
    expect(saved.statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(organisations).where(eq(organisations.id, organisation.id));
    expect(row!.logoPath).toMatch(/^logos\/\d+-[a-f0-9]{12}\.webp$/);
    const image = await new Agent(app).get(`/medias/${row!.logoPath}`);
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(await sharp(image.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 256, height: 256 });
    expect((await new Agent(app).get(`/structures/${organisation.id}-club-au-logo`)).body).toContain(`src="/medias/${row!.logoPath}"`);

    const text = multipart({}, [{ field: 'logo', filename: 'logo.png', type: 'image/png', data: Buffer.from('<svg onload=alert(1)>') }]);
    const refused = await agent.postMultipart(`/structures/${organisation.id}/logo`, text.payload, text.boundary);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('id="f-logo-error"');
    expect(refused.body).toContain('n’est pas une image');
    const empty = multipart({}, [{ field: 'logo', filename: '', type: 'application/octet-stream', data: Buffer.alloc(0) }]);
    expect((await agent.postMultipart(`/structures/${organisation.id}/logo`, empty.payload, empty.boundary)).body).toContain('Choisissez une image.');

    const outsider = await signedInAgent(app);
    expect((await outsider.postMultipart(`/structures/${organisation.id}/logo`, upload.payload, upload.boundary)).statusCode).toBe(404);
    expect((await agent.postMultipart(`/structures/${organisation.id}/logo`, upload.payload, upload.boundary, { csrf: false })).statusCode).toBe(403);

    await agent.post(`/structures/${organisation.id}/logo/supprimer`);
    const [after] = await app.deps.db.select().from(organisations).where(eq(organisations.id, organisation.id));
    expect(after!.logoPath).toBeNull();
    expect((await new Agent(app).get(`/medias/${row!.logoPath}`)).statusCode).toBe(404);
  });
});

describe('public pages', () => {
  it('redirects to the canonical slug and answers 404 for unknown ids or the wrong kind', async () => {
    const partner = await createOrganisation(app, { name: 'Compagnie du Petit Théâtre', slug: 'compagnie-du-petit-theatre' });
    const acm = await createOrganisation(app, { kind: 'acm', name: 'ALSH Canal', slug: 'alsh-canal' });
    const bare = await new Agent(app).get(`/structures/${partner.id}`);
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe(`/structures/${partner.id}-compagnie-du-petit-theatre`);
    expect((await new Agent(app).get(`/structures/${partner.id}-ancien-nom`)).headers.location).toBe(`/structures/${partner.id}-compagnie-du-petit-theatre`);
    expect((await new Agent(app).get('/structures/999999-rien')).statusCode).toBe(404);
    expect((await new Agent(app).get(`/structures/${acm.id}-alsh-canal`)).statusCode).toBe(404);
    expect((await new Agent(app).get('/structures/abc')).statusCode).toBe(404);
  });

  it('hides a suspended organisation from everyone but its members and the admins', async () => {
    const owner = await createUser(app);
    const suspended = await createOrganisation(app, {
      name: 'Club suspendu',
      slug: 'club-suspendu',
      status: 'suspended',
      statusReason: 'Doublon',
      ownerId: owner.id,
    });
    const path = `/structures/${suspended.id}-club-suspendu`;
    expect((await new Agent(app).get(path)).statusCode).toBe(404);
    expect((await (await signedInAgent(app)).get(path)).statusCode).toBe(404);
    const member = await (await signedInAgent(app, owner)).get(path);
    expect(member.statusCode).toBe(200);
    expect(member.body).toContain('Cette structure est suspendue');
    expect((await (await signedInAgent(app, await createUser(app, { isAdmin: true }))).get(path)).statusCode).toBe(200);
  });

  it('shows the request button to ACM members, not to partners, and the blocks other domains register', async () => {
    const partner = await createOrganisation(app, { name: 'Cinéma Le Zola', slug: 'cinema-le-zola', status: 'verified', themes: ['culture'] });
    const path = `/structures/${partner.id}-cinema-le-zola`;
    const acmUser = await createUser(app);
    await createOrganisation(app, { kind: 'acm', name: 'ALSH des Gratte-Ciel', ownerId: acmUser.id });
    const button = `/demandes/nouvelle?structure=${partner.id}`;
    expect((await (await signedInAgent(app, acmUser)).get(path)).body).toContain(button);
    expect((await new Agent(app).get(path)).body).not.toContain(button);
    expect((await (await signedInAgent(app)).get(path)).body).not.toContain(button);
    expect((await new Agent(app).get(path)).body).toContain('Structure vérifiée');

    organisationPageSections.register({
      id: 'test-block',
      order: 1,
      load: async (_deps, organisation) => (organisation.id === partner.id ? { template: 'organisations/status-badge', data: { status: 'suspended' } } : null),
    });
    const withSection = await new Agent(app).get(path);
    expect(withSection.body).toContain('<span class="tag tag-danger">Suspendue</span>');
    organisationPageSections.register({ id: 'test-block', order: 1, load: async () => null });
  });
});

describe('dashboard', () => {
  it('invites a user without organisation to onboard, and lists each membership with its links', async () => {
    const lonely = await signedInAgent(app);
    const empty = await lonely.get('/tableau-de-bord');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('href="/bienvenue"');

    const owner = await createUser(app);
    const org = await createOrganisation(app, { name: 'MJC Laënnec', slug: 'mjc-laennec', type: 'mjc', ownerId: owner.id });
    const acm = await createOrganisation(app, {
      kind: 'acm',
      name: 'Centre de loisirs Mermoz',
      slug: 'centre-de-loisirs-mermoz',
      status: 'suspended',
      statusReason: 'Adresse à vérifier',
      memberIds: [owner.id],
    });
    const page = await (await signedInAgent(app, owner)).get('/tableau-de-bord');
    expect(page.body).toContain('MJC Laënnec');
    expect(page.body).toContain(`/structures/${org.id}/modifier`);
    expect(page.body).toContain(`/structures/${org.id}/membres`);
    expect(page.body).toContain(`/structures/${org.id}-mjc-laennec`);
    expect(page.body).toContain(`/accueils/${acm.id}-centre-de-loisirs-mermoz`);
    expect(page.body).toContain('Adresse à vérifier');
    expect((await new Agent(app).get('/tableau-de-bord')).statusCode).toBe(302);
  });

  it('renders the blocks other domains register, in order', async () => {
    dashboardSections.register({ id: 'test-second', order: 20, load: async () => ({ template: 'organisations/status-badge', data: { status: 'suspended' } }) });
    dashboardSections.register({ id: 'test-first', order: 10, load: async () => ({ template: 'organisations/status-badge', data: { status: 'verified' } }) });
    const body = (await (await signedInAgent(app)).get('/tableau-de-bord')).body;
    expect(body.indexOf('Structure vérifiée')).toBeGreaterThan(0);
    expect(body.indexOf('Structure vérifiée')).toBeLessThan(body.indexOf('>Suspendue<'));
    dashboardSections.register({ id: 'test-second', order: 20, load: async () => null });
    dashboardSections.register({ id: 'test-first', order: 10, load: async () => null });
  });
});

describe('an accueil’s contact', () => {
  it('shows to a coordinator of its territory and not to a coordinator of another one', async () => {
    const acm = await createOrganisation(app, { kind: 'acm', type: null, name: 'Accueil des Pentes', email: 'pentes@exemple.fr' });
    const inScope = await createUser(app);
    await addCoordinatorScope(app, inScope.id, 'department', '69');
    const elsewhere = await createUser(app);
    await addCoordinatorScope(app, elsewhere.id, 'department', '13');
    const page = `/accueils/${acm.id}-${acm.slug}`;
    expect((await (await signedInAgent(app, inScope)).get(page)).body).toContain('mailto:pentes@exemple.fr');
    const outside = await (await signedInAgent(app, elsewhere)).get(page);
    expect(outside.statusCode).toBe(200);
    expect(outside.body).not.toContain('pentes@exemple.fr');
  });
});
