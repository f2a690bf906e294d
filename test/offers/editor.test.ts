import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, offerForm, offerRow, offersOf } from '../helpers/offers.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

async function member(status: 'unverified' | 'verified' = 'verified', kind: 'partner' | 'acm' = 'partner') {
  const user = await createUser(app);
  const organisation = await createOrganisation(app, { ownerId: user.id, status, kind });
  return { user, organisation, agent: await signedInAgent(app, user) };
}

/** The text of the error message shown next to a field (the partials give it the id f-<name>-error). */
function fieldError(body: string, name: string): string | null {
  const match = new RegExp(`id="f-${name}-error"><span class="visually-hidden">Erreur : </span>([^<]*)<`).exec(body);
  return match ? match[1]!.replace(/&#39;/g, '’') : null;
}

describe('who may see and change an offer', () => {
  it('heads the list of a company’s offers « Offres de la Compagnie … », with the article French puts before its name', async () => {
    const user = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: user.id, status: 'verified', name: 'Compagnie des Trois Chardons' });
    const page = await (await signedInAgent(app, user)).get(`/structures/${organisation.id}/offres`);
    expect(page.body).toContain('<h1>Offres de la Compagnie des Trois Chardons</h1>');
  });

  it('answers 404 to a member of another organisation and leaves the offer unchanged', async () => {
    const a = await member();
    const b = await member();
    const draft = await insertOffer(app, a.organisation.id, { status: 'draft', title: 'Brouillon de A' });
    const published = await insertOffer(app, a.organisation.id, { title: 'Offre publiée de A' });

    expect((await b.agent.get(`/offres/${draft.id}-${draft.slug}`)).statusCode).toBe(404);
    expect((await b.agent.get(`/offres/${draft.id}/modifier`)).statusCode).toBe(404);
    expect((await b.agent.get(`/structures/${a.organisation.id}/offres`)).statusCode).toBe(404);
    expect((await b.agent.get(`/structures/${a.organisation.id}/offres/nouvelle`)).statusCode).toBe(404);
    expect((await b.agent.get(`/structures/${a.organisation.id}/offres/export.csv`)).statusCode).toBe(404);
    expect((await b.agent.post(`/structures/${a.organisation.id}/offres`, { ...offerForm(), action: 'draft' })).statusCode).toBe(404);
    expect((await b.agent.post(`/offres/${published.id}/modifier`, { ...offerForm({ title: 'Piraté' }), action: 'draft' })).statusCode).toBe(404);
    for (const action of ['suspendre', 'archiver', 'dupliquer', 'soumettre']) {
      expect((await b.agent.post(`/offres/${published.id}/${action}`)).statusCode).toBe(404);
    }
    expect((await b.agent.post(`/offres/${draft.id}/soumettre`)).statusCode).toBe(404);
    expect(await offerRow(app, published.id)).toMatchObject({ title: 'Offre publiée de A', status: 'published', updatedAt: published.updatedAt });
    expect(await offerRow(app, draft.id)).toMatchObject({ title: 'Brouillon de A', status: 'draft' });
    expect(await offersOf(app, a.organisation.id)).toHaveLength(2);
    expect(await offersOf(app, b.organisation.id)).toHaveLength(0);
  });

  it('hides unpublished offers from visitors and shows them to members and admins', async () => {
    const a = await member();
    const visitor = new Agent(app);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const status of ['draft', 'pending', 'paused', 'archived', 'rejected'] as const) {
      const offer = await insertOffer(app, a.organisation.id, { status, title: `Offre ${status}` });
      expect((await visitor.get(`/offres/${offer.id}-${offer.slug}`)).statusCode).toBe(404);
      expect((await (await signedInAgent(app)).get(`/offres/${offer.id}-${offer.slug}`)).statusCode).toBe(404);
      expect((await a.agent.get(`/offres/${offer.id}-${offer.slug}`)).statusCode).toBe(200);
      expect((await admin.get(`/offres/${offer.id}-${offer.slug}`)).statusCode).toBe(200);
    }
    expect((await visitor.get('/offres/999999-inconnue')).statusCode).toBe(404);
  });

  it('hides the offers of a suspended organisation', async () => {
    const a = await member('verified');
    const offer = await insertOffer(app, a.organisation.id);
    expect((await new Agent(app).get(`/offres/${offer.id}-${offer.slug}`)).statusCode).toBe(200);
    const suspended = await member('verified');
    const hidden = await insertOffer(app, suspended.organisation.id);
    const { organisations } = await import('../../db/schema/index.js');
    const { eq } = await import('drizzle-orm');
    await app.deps.db.update(organisations).set({ status: 'suspended' }).where(eq(organisations.id, suspended.organisation.id));
    expect((await new Agent(app).get(`/offres/${hidden.id}-${hidden.slug}`)).statusCode).toBe(404);
  });

  it('sends visitors to the sign-in page and refuses ACM members the editor', async () => {
    const a = await member();
    const visitor = await new Agent(app).get(`/structures/${a.organisation.id}/offres/nouvelle`);
    expect(visitor.statusCode).toBe(302);
    expect(visitor.headers.location).toContain('/connexion?suivant=');
    const acm = await member('verified', 'acm');
    expect((await acm.agent.get(`/structures/${acm.organisation.id}/offres/nouvelle`)).statusCode).toBe(404);
  });

  it('lists the organisation’s offers with their status for its members', async () => {
    const a = await member();
    await insertOffer(app, a.organisation.id, { status: 'draft', title: 'Mon brouillon' });
    await insertOffer(app, a.organisation.id, { status: 'rejected', title: 'Offre refusée', rejectionReason: 'Ajoutez le déroulé.' });
    const page = await a.agent.get(`/structures/${a.organisation.id}/offres`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mon brouillon');
    expect(page.body).toContain('Brouillon');
    expect(page.body).toContain('Motif : Ajoutez le déroulé.');
    const other = await member();
    await insertOffer(app, other.organisation.id, { title: 'Offre d’une autre structure' });
    const exported = await a.agent.get(`/structures/${a.organisation.id}/offres/export.csv`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(page.body).toContain('<h1>Offres de la Structure');
    expect(exported.body.split('\r\n')[0]).toBe(
      '\uFEFFexternal_id;org_external_id;org_name;org_type;org_email;org_siret;org_rna;title;summary;description;themes;subthemes;formats;venue;travel_km;age_min;age_max;group_min;group_max;price;price_eur;accessibility;natures;slots;periodicity;address;postcode;code_insee;lat;lng;start_date;end_date;contact_email;status',
    );
    expect(exported.body).toContain('Mon brouillon');
    expect(exported.body).not.toContain('Offre d’une autre structure');
  });
});

describe('editor messages', () => {
  it('puts a French message next to each field with a bad value and keeps what was typed', async () => {
    const { organisation, agent } = await member();
    const cases: [Record<string, string | string[] | undefined>, string, string][] = [
      [{ title: '' }, 'title', 'Ce champ est obligatoire.'],
      [{ title: 'x'.repeat(121) }, 'title', '120 caractères au maximum (vous en avez saisi 121).'],
      [{ summary: 'y'.repeat(281) }, 'summary', '280 caractères au maximum (vous en avez saisi 281).'],
      [{ description: 'z'.repeat(5001) }, 'description', '5000 caractères au maximum (vous en avez saisi 5001).'],
      [{ themes: [], subthemes: [] }, 'themes', 'Choisissez au moins un thème.'],
      [{ themes: ['cuisine'] }, 'themes', 'Choisissez une valeur dans la liste.'],
      [{ formats: [] }, 'formats', 'Choisissez au moins un format.'],
      [{ ageMin: '2' }, 'ageMin', 'La valeur doit être au moins 3.'],
      [{ ageMax: '18' }, 'ageMax', 'La valeur doit être au plus 17.'],
      [{ ageMin: 'six' }, 'ageMin', 'Saisissez un nombre entier.'],
      [{ ageMin: '12', ageMax: '8' }, 'ageMax', 'L’âge maximum doit être supérieur ou égal à l’âge minimum.'],
      [{ groupMin: '20', groupMax: '10' }, 'groupMax', 'L’effectif maximum doit être supérieur ou égal à l’effectif minimum.'],
      [{ slots: [] }, 'slots', 'Choisissez au moins un créneau du mercredi.'],
      [{ periodicity: 'cycle', sessionsCount: '' }, 'sessionsCount', 'Indiquez le nombre de séances du cycle.'],
      [{ startDate: '2027-02-30' }, 'startDate', 'Date invalide (format attendu : AAAA-MM-JJ).'],
      [{ startDate: '2027-05-01', endDate: '2027-01-01' }, 'endDate', 'La date de fin doit être postérieure à la date de début.'],
      [
        { venue: 'dans-l-accueil', travelKm: '', departmentsServed: '' },
        'travelKm',
        'Indiquez un rayon de déplacement ou les départements où vous intervenez.',
      ],
      [{ venue: 'dans-l-accueil', travelKm: '0' }, 'travelKm', 'La valeur doit être au moins 1.'],
      [{ venue: 'dans-l-accueil', departmentsServed: '69, 999' }, 'departmentsServed', 'Départements inconnus'],
      [{ venue: 'chez-le-partenaire', commune: '' }, 'commune', 'Indiquez la commune.'],
      [{ venue: 'autre-lieu', commune: 'Zzzyxville' }, 'commune', 'Commune introuvable'],
      [{ venue: 'ailleurs' }, 'venue', 'Choisissez une valeur dans la liste.'],
      [{ price: 'payant', priceEur: '' }, 'priceEur', 'Indiquez le montant en euros d’une offre payante.'],
      [{ price: 'payant', priceEur: 'douze' }, 'priceEur', 'Saisissez un montant en euros, avec au plus deux décimales (exemple : 1 234,50).'],
      [{ price: '' }, 'price', 'Ce champ est obligatoire.'],
      [{ natures: [] }, 'natures', 'Choisissez au moins une nature de partenariat.'],
      [{ contactEmail: 'pas-un-email' }, 'contactEmail', 'Adresse e-mail invalide'],
      [{ priceDetails: 'p'.repeat(301) }, 'priceDetails', '300 caractères au maximum'],
    ];
    for (const [overrides, field, message] of cases) {
      const response = await agent.post(`/structures/${organisation.id}/offres`, { ...offerForm(overrides), action: 'submit' });
      expect(response.statusCode, `${field} ${JSON.stringify(overrides).slice(0, 80)}`).toBe(422);
      expect(fieldError(response.body, field), field).toContain(message);
      expect(response.body).toContain('Le formulaire contient');
    }
    expect(await offersOf(app, organisation.id)).toHaveLength(0);

    const kept = await agent.post(`/structures/${organisation.id}/offres`, { ...offerForm({ title: 'Mon titre à garder', ageMin: '99' }), action: 'submit' });
    expect(kept.body).toContain('value="Mon titre à garder"');
  });

  it('saves a draft with only a title and refuses to submit it until it is complete', async () => {
    const { organisation, agent } = await member();
    const draft = await agent.post(`/structures/${organisation.id}/offres`, {
      title: 'Idée à compléter',
      ageMin: '6',
      ageMax: '11',
      venue: 'dans-l-accueil',
      price: 'gratuit',
      action: 'draft',
    });
    expect(draft.statusCode).toBe(303);
    const [offer] = await offersOf(app, organisation.id);
    expect(offer!.status).toBe('draft');
    const submit = await agent.post(`/offres/${offer!.id}/soumettre`);
    expect(submit.statusCode).toBe(422);
    expect(fieldError(submit.body, 'summary')).toBe('Ce champ est obligatoire.');
    expect((await offerRow(app, offer!.id)).status).toBe('draft');
  });

  it('accepts HTML in the title and description and shows it escaped', async () => {
    const { organisation, agent } = await member('verified');
    const title = 'Atelier <script>alert("x")</script> & <b>gras</b>';
    const description = 'Texte <img src=x onerror=alert(1)>\nSeconde ligne <a href="javascript:alert(1)">lien</a>';
    const response = await agent.post(`/structures/${organisation.id}/offres`, {
      ...offerForm({ title, description, summary: 'Résumé <i>italique</i>' }),
      action: 'submit',
    });
    expect(response.statusCode).toBe(303);
    const [offer] = await offersOf(app, organisation.id);
    expect(offer).toMatchObject({ title, description, status: 'published' });
    const page = await new Agent(app).get(`/offres/${offer!.id}-${offer!.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<b>gras</b>');
    expect(page.body).toContain('Atelier &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;');
    expect(page.body).toContain('Texte &lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).toContain('"name":"Atelier \\u003cscript>alert(\\"x\\")\\u003c/script> & \\u003cb>gras\\u003c/b>"');
    const editor = await agent.get(`/offres/${offer!.id}/modifier`);
    expect(editor.body).not.toContain('<script>alert');
    const list = await agent.get(`/structures/${organisation.id}/offres`);
    expect(list.body).not.toContain('<script>alert');
  });

  it('renders the live preview card from the form without saving', async () => {
    const { organisation, agent } = await member();
    const response = await agent.post(
      '/offres/apercu',
      { ...offerForm({ title: 'Aperçu <em>live</em>' }), organisationId: String(organisation.id) },
      { headers: { 'hx-request': 'true' } },
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('class="offer-card"');
    expect(response.body).toContain('Aperçu &lt;em&gt;live&lt;/em&gt;');
    expect(response.body).toContain('6–10 ans');
    expect(response.body).not.toContain('<html');
    expect(await offersOf(app, organisation.id)).toHaveLength(0);
    const other = await member();
    expect((await other.agent.post('/offres/apercu', { ...offerForm(), organisationId: String(organisation.id) })).statusCode).toBe(404);
  });

  it('sends a changed published offer of an unverified organisation back to moderation', async () => {
    const { organisation, agent } = await member('unverified');
    const offer = await insertOffer(app, organisation.id);
    const response = await agent.post(`/offres/${offer.id}/modifier`, { ...offerForm({ title: 'Titre revu' }), action: 'draft' });
    expect(response.statusCode).toBe(303);
    expect(await offerRow(app, offer.id)).toMatchObject({ status: 'pending', title: 'Titre revu' });
  });
});
