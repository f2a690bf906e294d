import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { savedSearches } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createUser, linkIn, readMails, signedInAgent } from '../helpers/fixtures.js';
import { acmWithMember, needForm, partnerWithMember } from '../helpers/matching.js';
import { insertOffer, syncSearch } from '../helpers/search.js';

let app: App;
const DAY = 86_400_000;
let now = new Date(Math.floor(Date.now() / 1000) * 1000);

beforeAll(async () => {
  app = await createTestApp();
  app.deps.clock.setNow(now);
});
afterAll(async () => {
  await app.close();
});
beforeEach(async () => {
  await readMails(app);
});

function advance(ms: number) {
  now = new Date(now.getTime() + ms);
  app.deps.clock.setNow(now);
}

/** Mails sent by the alerts job since the last call. */
async function alertMails(to: string) {
  const before = new Set((await readMails(app)).map((m) => m.file));
  await app.deps.scheduler.runNow('saved-search-alerts');
  return (await readMails(app)).filter((m) => !before.has(m.file) && m.to.includes(to));
}

async function publish(organisationId: number, title: string, values: Parameters<typeof insertOffer>[2] = {}) {
  const offer = await insertOffer(app, organisationId, { title, publishedAt: now, ...values });
  await syncSearch(app);
  return offer;
}

describe('saving a search', () => {
  it('saves the search shown with a name and a frequency, lists it, renames it and deletes it', async () => {
    const user = await createUser(app);
    const agent = await signedInAgent(app, user);
    const page = await agent.get('/offres?theme=sport&age=8');
    expect(page.body).toContain('Enregistrer cette recherche');

    const saved = await agent.post('/recherches', { kind: 'offer', query: 'theme=sport&age=8&page=3&q=', name: 'Sport pour les 8 ans', frequency: 'daily' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/offres?age=8&theme=sport');
    const [row] = await app.deps.db.select().from(savedSearches).where(eq(savedSearches.userId, user.id));
    expect(row).toMatchObject({ kind: 'offer', name: 'Sport pour les 8 ans', query: 'age=8&theme=sport', frequency: 'daily' });

    const list = await agent.get('/recherches');
    expect(list.body).toContain('Sport pour les 8 ans');
    expect(list.body).toContain('Sport\u00a0· 8 ans');
    expect(list.body).toContain('Chaque jour');

    const renamed = await agent.post(`/recherches/${row!.id}/modifier`, { name: 'Sport du mercredi', frequency: 'weekly' });
    expect(renamed.statusCode).toBe(303);
    const [after] = await app.deps.db.select().from(savedSearches).where(eq(savedSearches.id, row!.id));
    expect(after).toMatchObject({ name: 'Sport du mercredi', frequency: 'weekly' });

    const other = await signedInAgent(app, await createUser(app));
    expect((await other.get(`/recherches/${row!.id}/modifier`)).statusCode).toBe(404);
    expect((await other.post(`/recherches/${row!.id}/supprimer`)).statusCode).toBe(404);
    expect((await other.get('/recherches')).body).not.toContain('Sport du mercredi');

    expect((await agent.post(`/recherches/${row!.id}/supprimer`)).statusCode).toBe(303);
    expect(await app.deps.db.select().from(savedSearches).where(eq(savedSearches.id, row!.id))).toHaveLength(0);
  });

  it('shows a French message next to a bad name, on saving and on renaming', async () => {
    const agent = await signedInAgent(app, await createUser(app));
    const cases: [string, string][] = [
      ['', 'Ce champ est obligatoire.'],
      ['x'.repeat(81), '80 caractères au maximum'],
      ['<script>', 'Les balises HTML ne sont pas autorisées ici.'],
    ];
    for (const [name, message] of cases) {
      const response = await agent.post('/recherches', { kind: 'offer', query: 'theme=culture', name, frequency: 'weekly' });
      expect(response.statusCode, name).toBe(422);
      expect(response.body).toContain('id="f-name-error"');
      expect(response.body).toContain(message);
      expect(response.body).toContain('value="theme=culture"');
    }
    await agent.post('/recherches', { kind: 'offer', query: 'theme=culture', name: 'Culture', frequency: 'weekly' });
    const duplicate = await agent.post('/recherches', { kind: 'offer', query: 'theme=sport', name: 'culture', frequency: 'weekly' });
    expect(duplicate.statusCode).toBe(422);
    expect(duplicate.body).toContain('Vous avez déjà une recherche enregistrée sous ce nom.');
    const badFrequency = await agent.post('/recherches', { kind: 'offer', query: '', name: 'Tout', frequency: 'hourly' });
    expect(badFrequency.statusCode).toBe(422);
    expect(badFrequency.body).toContain('id="f-frequency-error"');

    await agent.post('/recherches', { kind: 'offer', query: 'theme=sport', name: 'Sport', frequency: 'weekly' });
    const [sport] = await app.deps.db.select().from(savedSearches).where(eq(savedSearches.name, 'Sport'));
    const rename = await agent.post(`/recherches/${sport!.id}/modifier`, { name: 'CULTURE', frequency: 'weekly' });
    expect(rename.statusCode).toBe(422);
    expect(rename.body).toContain('Vous avez déjà une recherche enregistrée sous ce nom.');
  });

  it('keeps needs searches for partners: others cannot save them', async () => {
    const { agent } = await acmWithMember(app);
    expect((await agent.post('/recherches', { kind: 'need', query: 'theme=culture', name: 'Besoins', frequency: 'weekly' })).statusCode).toBe(404);
    const visitor = new Agent(app);
    expect((await visitor.post('/recherches', { kind: 'offer', query: '', name: 'x', frequency: 'weekly' })).statusCode).toBe(403);
    expect((await visitor.get('/recherches')).statusCode).toBe(302);
  });
});

describe('alerts', () => {
  it('emails only what is new since the last alert, nothing when nothing is new, with links and a one-click unsubscribe', async () => {
    const { partner } = await partnerWithMember(app);
    await publish(partner.id, 'Judo avant la sauvegarde', { themes: ['sport'], subthemes: ['sports-de-combat'] });
    const user = await createUser(app, { email: 'alerte@exemple.fr' });
    const agent = await signedInAgent(app, user);
    await agent.post('/recherches', { kind: 'offer', query: 'theme=sport', name: 'Sport', frequency: 'daily' });

    advance(2 * 3_600_000);
    const first = await publish(partner.id, 'Basket du mercredi', { themes: ['sport'], subthemes: ['sports-collectifs'] });
    await publish(partner.id, 'Atelier peinture', { themes: ['culture'] });

    advance(3 * 3_600_000);
    expect(await alertMails('alerte@exemple.fr')).toHaveLength(0);

    advance(DAY);
    const mails = await alertMails('alerte@exemple.fr');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('1 nouvelle offre : Sport');
    expect(mails[0]!.text).toContain('Basket du mercredi');
    expect(mails[0]!.text).toContain(`http://localhost:3000/offres/${first.id}-`);
    expect(mails[0]!.text).not.toContain('Judo avant la sauvegarde');
    expect(mails[0]!.text).not.toContain('Atelier peinture');
    expect(mails[0]!.raw).toContain('List-Unsubscribe');

    advance(DAY);
    expect(await alertMails('alerte@exemple.fr')).toHaveLength(0);

    advance(60_000);
    await publish(partner.id, 'Tennis de table', { themes: ['sport'], subthemes: ['sports-de-raquette'] });
    advance(DAY);
    const second = await alertMails('alerte@exemple.fr');
    expect(second).toHaveLength(1);
    expect(second[0]!.text).toContain('Tennis de table');
    expect(second[0]!.text).not.toContain('Basket du mercredi');

    const unsubscribe = linkIn(second[0]!.text.slice(second[0]!.text.indexOf('Ne plus recevoir')));
    expect(unsubscribe).toMatch(/^\/recherches\/desabonnement\//);
    const confirm = await new Agent(app).get(unsubscribe);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Arrêter cette alerte');
    const oneClick = await app.inject({
      method: 'POST',
      url: unsubscribe,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.statusCode).toBe(200);
    const [row] = await app.deps.db.select().from(savedSearches).where(eq(savedSearches.userId, user.id));
    expect(row?.frequency).toBe('none');
    await publish(partner.id, 'Badminton', { themes: ['sport'], subthemes: ['sports-de-raquette'] });
    advance(DAY);
    expect(await alertMails('alerte@exemple.fr')).toHaveLength(0);
    expect((await new Agent(app).get('/recherches/desabonnement/inconnu-inconnu-inconnu-inconnu')).statusCode).toBe(404);
  });

  it('sends weekly alerts once a week, and alerts on new needs to partners who saved a needs search', async () => {
    const partner = await partnerWithMember(app, { codeInsee: '69266', lat: 45.7719, lng: 4.8902 });
    const email = partner.user.email;
    const saved = await partner.agent.post('/recherches', {
      kind: 'need',
      query: 'theme=culture&lieu=Villeurbanne&radius_km=20',
      name: 'Culture autour de nous',
      frequency: 'weekly',
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/besoins?lieu=Villeurbanne&radius_km=20&theme=culture');

    const { agent } = await acmWithMember(app);
    advance(60_000);
    await agent.post('/besoins', needForm({ title: 'Théâtre pour le printemps' }));
    await agent.post('/besoins', needForm({ title: 'Football le mercredi', themes: ['sport'], subthemes: ['sports-collectifs'] }));
    const far = await acmWithMember(app, { codeInsee: '13201', lat: 43.3, lng: 5.38 });
    await far.agent.post('/besoins', needForm({ title: 'Théâtre à Marseille' }));
    await syncSearch(app);

    advance(2 * DAY);
    expect(await alertMails(email)).toHaveLength(0);
    advance(6 * DAY);
    const mails = await alertMails(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('1 nouveau besoin : Culture autour de nous');
    expect(mails[0]!.text).toContain('Théâtre pour le printemps');
    expect(mails[0]!.text).not.toContain('Football');
    expect(mails[0]!.text).not.toContain('Marseille');
  });
});
