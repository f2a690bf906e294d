import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, needs, notifications, partnerships, requests, searchOutbox } from '../../db/schema/index.js';
import { de, toName } from '../../server/lib/format.js';
import type { App } from '../../server/types.js';
import { Agent } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { acmWithMember, needForm, partnerWithMember, theatreOffer } from '../helpers/matching.js';
import { insertOffer } from '../helpers/search.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

function needIdFrom(location: string | undefined): number {
  const match = /^\/besoins\/(\d+)$/.exec(location ?? '');
  if (!match) throw new Error(`not a need page: ${location}`);
  return Number(match[1]);
}

describe('posting a need', () => {
  it('lets an ACM member post a need: location copied from the ACM, search sync queued, suggestions with their reasons', async () => {
    const { agent, acm } = await acmWithMember(app);
    const { partner } = await partnerWithMember(app, { name: 'Compagnie du Rideau' });
    const good = await theatreOffer(app, partner.id, { title: 'Atelier théâtre Rideau' });
    await theatreOffer(app, partner.id, { title: 'Théâtre pour ados', ageMin: 13, ageMax: 17 });
    await theatreOffer(app, partner.id, { title: 'Théâtre à Grenoble', codeInsee: '38185', lat: 45.1885, lng: 5.7245 });

    const response = await agent.post('/besoins', needForm());
    expect(response.statusCode).toBe(303);
    const id = needIdFrom(response.headers.location);
    const [row] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(row).toMatchObject({
      acmId: acm.id,
      status: 'open',
      codeInsee: '69382',
      departmentCode: '69',
      lat: 45.7578,
      themes: ['culture'],
      ageMin: 8,
      ageMax: 11,
    });
    const outbox = await app.deps.db
      .select()
      .from(searchOutbox)
      .where(and(eq(searchOutbox.entity, 'need'), eq(searchOutbox.entityId, id)));
    expect(outbox).toHaveLength(1);

    const page = await agent.get(`/besoins/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Partenaires suggérés');
    expect(page.body).toContain(`href="/offres/${good.id}-`);
    expect(page.body).toContain('Pourquoi cette suggestion ?');
    expect(page.body).toContain('Correspond à votre demande : Théâtre, marionnettes.');
    expect(page.body).toContain('Critères remplis');
    expect(page.body).not.toContain('Théâtre pour ados');
    expect(page.body).not.toContain('Théâtre à Grenoble');
  });

  it('shows a French message next to each bad field, and keeps what was typed', async () => {
    const { agent } = await acmWithMember(app);
    const cases: [Record<string, string | string[]>, string, string][] = [
      [{ title: '' }, 'title', 'Ce champ est obligatoire.'],
      [{ title: 'x'.repeat(121) }, 'title', '120 caractères au maximum'],
      [{ title: '<b>Théâtre</b>' }, 'title', 'Les balises HTML ne sont pas autorisées ici.'],
      [{ themes: [], subthemes: [] }, 'themes', 'Choisissez au moins un thème ou un domaine d’activité.'],
      [{ themes: ['magie'] }, 'themes', 'Choisissez une valeur dans la liste.'],
      [{ ageMin: '12', ageMax: '8' }, 'ageMax', 'L’âge maximum doit être supérieur ou égal à l’âge minimum.'],
      [{ ageMin: '2' }, 'ageMin', 'La valeur doit être au moins 3.'],
      [{ ageMax: 'douze' }, 'ageMax', 'Saisissez un nombre entier.'],
      [{ groupSize: '0' }, 'groupSize', 'La valeur doit être au moins 1.'],
      [{ startDate: '2030-05-01', endDate: '2030-04-01' }, 'endDate', 'La date de fin doit être postérieure à la date de début.'],
      [{ endDate: '2001-01-01' }, 'endDate', 'La date de fin est déjà passée'],
      [{ startDate: '2030-02-31' }, 'startDate', 'Date invalide'],
      [{ budgetEur: 'beaucoup' }, 'budgetEur', 'Saisissez un montant en euros'],
      [{ maxTravelKm: '500' }, 'maxTravelKm', 'La valeur doit être au plus 200.'],
      [{ slots: ['jeudi'] }, 'slots', 'Choisissez une valeur dans la liste.'],
    ];
    for (const [override, field, message] of cases) {
      const response = await agent.post('/besoins', needForm({ ...override, description: 'Texte gardé' }));
      expect(response.statusCode, field).toBe(422);
      expect(response.body, field).toContain(`id="f-${field}-error"`);
      expect(response.body, field).toContain(message);
      expect(response.body).toContain('Texte gardé');
    }
    const [count] = await app.deps.db.select({ id: needs.id }).from(needs).where(eq(needs.title, '<b>Théâtre</b>'));
    expect(count).toBeUndefined();
  });

  it('answers a bad address with a 404 and bad parameters with a 400, never a 500', async () => {
    const { agent } = await acmWithMember(app);
    expect((await agent.get('/besoins/abc')).statusCode).toBe(404);
    expect((await agent.post('/besoins', { title: 'x'.repeat(600) })).statusCode).toBe(400);
    expect((await agent.post('/besoins/1/statut', { action: 'supprimer' })).statusCode).toBe(400);
  });

  it('refuses the need form to users who are not ACM members', async () => {
    const { agent } = await partnerWithMember(app);
    expect((await agent.get('/besoins/nouveau')).statusCode).toBe(404);
    expect((await agent.post('/besoins', needForm())).statusCode).toBe(403);
  });

  it('lets a member of several ACMs choose which one posts, and only among theirs', async () => {
    const { agent, user, acm } = await acmWithMember(app);
    const second = await createOrganisation(app, { kind: 'acm', name: 'Deuxième accueil', ownerId: user.id, codeInsee: '69266', lat: 45.7719, lng: 4.8902 });
    const stranger = await createOrganisation(app, { kind: 'acm', name: 'Accueil d’un autre' });
    const signedIn = await signedInAgent(app, user);
    const missing = await signedIn.post('/besoins', needForm());
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Choisissez l’accueil concerné.');
    expect((await signedIn.post('/besoins', needForm({ acmId: String(stranger.id) }))).statusCode).toBe(422);
    const ok = await signedIn.post('/besoins', needForm({ acmId: String(second.id) }));
    const [row] = await app.deps.db
      .select()
      .from(needs)
      .where(eq(needs.id, needIdFrom(ok.headers.location)));
    expect(row).toMatchObject({ acmId: second.id, codeInsee: '69266' });
    void agent;
    void acm;
  });
});

describe('who sees a need', () => {
  it('keeps needs from visitors (sign-in page) and from members of other ACMs or of no partner (404)', async () => {
    const { agent } = await acmWithMember(app);
    const id = needIdFrom((await agent.post('/besoins', needForm())).headers.location);

    const visitor = new Agent(app);
    for (const url of ['/besoins', `/besoins/${id}`, '/besoins/nouveau', `/besoins/${id}/modifier`]) {
      const response = await visitor.get(url);
      expect(response.statusCode, url).toBe(302);
      expect(response.headers.location).toContain('/connexion');
    }
    expect((await visitor.post(`/besoins/${id}/reponse`, { message: 'Bonjour' })).statusCode).toBe(403);

    const otherAcm = await acmWithMember(app);
    expect((await otherAcm.agent.get(`/besoins/${id}`)).statusCode).toBe(404);
    expect((await otherAcm.agent.get(`/besoins/${id}/modifier`)).statusCode).toBe(404);
    expect((await otherAcm.agent.post(`/besoins/${id}/statut`, { action: 'closed' })).statusCode).toBe(404);
    const plain = await signedInAgent(app, await createUser(app));
    expect((await plain.get(`/besoins/${id}`)).statusCode).toBe(404);
    const listing = await plain.get('/besoins');
    expect(listing.statusCode).toBe(200);
    expect(listing.body).toContain('visibles des structures partenaires inscrites');
  });

  it('shows a need to partners without the ACM’s contact details', async () => {
    const { agent, acm } = await acmWithMember(app);
    const id = needIdFrom((await agent.post('/besoins', needForm())).headers.location);
    const partner = await partnerWithMember(app);
    const page = await partner.agent.get(`/besoins/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(acm.name);
    expect(page.body).toContain('Répondre à ce besoin');
    expect(page.body).not.toContain(acm.email!);
    expect(page.body).not.toContain('04 78 00 00 99');
    expect(page.body).not.toContain('7 rue Secrète');
    expect(page.body).not.toContain('Partenaires suggérés');
  });
});

describe('a coordinator and the needs of their territory', () => {
  async function coordinatorOf(code: string, scope: 'department' | 'epci' = 'department') {
    const user = await createUser(app);
    await addCoordinatorScope(app, user.id, scope, code);
    return signedInAgent(app, user);
  }

  it('reads a need of the territory without acting for the ACM, follows its answers, and prescribes from it', async () => {
    const { agent: acmAgent, acm } = await acmWithMember(app, { name: 'Accueil de loisirs des Pentes' });
    const id = needIdFrom((await acmAgent.post('/besoins', needForm({ title: 'Des marionnettes pour les grands' }))).headers.location);
    const coordinator = await coordinatorOf('69');

    const list = await coordinator.get('/coordination/departement/69/besoins?q=marionnettes');
    expect(list.body).toContain(`<a href="/besoins/${id}">Des marionnettes pour les grands</a>`);
    expect(list.body).toContain(`<a href="/accueils/${acm.id}-`);
    expect(list.body).toContain('Ouvert depuis aujourd’hui');

    const page = await coordinator.get(`/besoins/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/coordination">Coordination du territoire</a>');
    expect(page.body).toContain('Nous voulons monter un petit spectacle');
    expect(page.body).toContain('Suivi du territoire');
    expect(page.body).toContain('Aucune structure partenaire n’a encore répondu.');
    expect(page.body).toContain('Vous pouvez proposer à l’Accueil de loisirs des Pentes un partenaire du territoire');
    const prescribe = `/partenariats/prescrire?accueil=${acm.id}&amp;theme=culture&amp;besoin=${id}`;
    expect(page.body).toContain(`href="${prescribe}"`);
    for (const absent of [acm.email!, '04 78 00 00 99', 'Partenaires suggérés', 'Répondre à ce besoin', `/besoins/${id}/modifier`, `/besoins/${id}/statut`])
      expect(page.body, absent).not.toContain(absent);
    expect((await coordinator.get(`/besoins/${id}/modifier`)).statusCode).toBe(404);
    expect((await coordinator.post(`/besoins/${id}/statut`, { action: 'closed' })).statusCode).toBe(404);
    expect((await coordinator.post(`/besoins/${id}/reponse`, { message: 'Bonjour' })).statusCode).toBe(404);
    const [unchanged] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(unchanged?.status).toBe('open');

    const { agent: partnerAgent, partner } = await partnerWithMember(app, { name: 'Compagnie des Fils' });
    await theatreOffer(app, partner.id, { title: 'Marionnettes à fils' });
    await theatreOffer(app, (await partnerWithMember(app, { name: 'Compagnie des Ombres' })).partner.id, { title: 'Ombres chinoises' });
    await partnerAgent.post(`/besoins/${id}/reponse`, { offerId: '', message: 'Nous avons des marionnettes.' });
    const followed = await coordinator.get(`/besoins/${id}`);
    expect(followed.body).toContain('1\u00a0réponse reçue :');
    expect(followed.body).toContain('Compagnie des Fils <span class="tag tag-status">Envoyée</span>');
    expect(followed.body).not.toContain('href="/demandes/');

    const form = await coordinator.get(prescribe.replaceAll('&amp;', '&'));
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Besoin de l’Accueil de loisirs des Pentes&nbsp;: «&nbsp;Des marionnettes pour les grands&nbsp;»');
    expect(form.body).toContain('value="Des marionnettes pour les grands — Accueil de loisirs des Pentes"');
    expect(form.body).toContain(
      'L’Accueil de loisirs des Pentes cherche un partenaire pour son besoin « Des marionnettes pour les grands », publié sur Passerelle.',
    );
    expect(form.body).not.toContain('Zone blanche');
    // Choosing another suggested partner keeps the need the form came from.
    expect(form.body).toContain(`&amp;besoin=${id}&amp;partenaire=`);
  });

  it('links a prescription to the need it came from: both sides and the coordinator see it, and the need is fulfilled once the partnership starts', async () => {
    const { agent: acmAgent, acm } = await acmWithMember(app, { name: 'Accueil de loisirs du Gourguillon' });
    const id = needIdFrom((await acmAgent.post('/besoins', needForm({ title: 'Du théâtre le mercredi' }))).headers.location);
    // Posted 30 days ago: the coordinator's « Sans réponse » filter lists it until something is proposed.
    await app.deps.db
      .update(needs)
      .set({ createdAt: new Date(Date.now() - 30 * 86_400_000) })
      .where(eq(needs.id, id));
    const { agent: partnerAgent, partner } = await partnerWithMember(app, { name: 'Théâtre du Gourguillon' });
    const offer = await theatreOffer(app, partner.id, { title: 'Tréteaux du mercredi' });
    const coordinator = await coordinatorOf('69');
    const unanswered = '/coordination/departement/69/besoins?q=Gourguillon&sansreponse=oui';
    expect((await coordinator.get(unanswered)).body).toContain('Du théâtre le mercredi');

    const form = await coordinator.get(`/partenariats/prescrire?accueil=${acm.id}&besoin=${id}&partenaire=${partner.id}`);
    expect(form.body).toContain(`<a href="/coordination">Coordination du territoire</a> › <a href="/besoins/${id}">Du théâtre le mercredi</a>`);
    expect(form.body).toContain(`<input type="hidden" name="needId" value="${id}">`);
    // The suggested offer is proposed with its partner; another partner's offer is refused beside the field, nothing created.
    expect(form.body).toMatch(new RegExp(`<label for="f-offerId">Offre proposée[\\s\\S]*?<option value="${offer.id}" selected>Tréteaux du mercredi</option>`));
    const foreign = await theatreOffer(app, (await partnerWithMember(app)).partner.id);
    const before = await app.deps.db.select().from(partnerships);
    const wrong = await coordinator.post('/partenariats/prescrire', {
      acmId: String(acm.id),
      partnerId: String(partner.id),
      offerId: String(foreign.id),
      needId: String(id),
      title: 'Du théâtre le mercredi — Gourguillon',
      message: 'Le théâtre du quartier peut répondre à ce besoin.',
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Cette offre n’est pas une offre publiée du partenaire choisi : choisissez-en une autre, ou aucune.');
    expect(wrong.body).toContain(`<option value="${offer.id}">Tréteaux du mercredi</option>`);
    expect(wrong.body).toContain(`<input type="hidden" name="needId" value="${id}">`);
    expect(await app.deps.db.select().from(partnerships)).toHaveLength(before.length);
    const sent = await coordinator.post('/partenariats/prescrire', {
      acmId: String(acm.id),
      partnerId: String(partner.id),
      offerId: String(offer.id),
      needId: String(id),
      title: 'Du théâtre le mercredi — Gourguillon',
      message: 'Le théâtre du quartier peut répondre à ce besoin.',
    });
    expect(sent.statusCode).toBe(303);
    const partnershipId = Number(/^\/partenariats\/(\d+)$/.exec(sent.headers.location as string)![1]);
    const [prescribed] = await app.deps.db.select().from(partnerships).where(eq(partnerships.id, partnershipId));
    expect(prescribed?.needId).toBe(id);
    expect(prescribed?.offerId).toBe(offer.id);

    const link = `<a href="/partenariats/${partnershipId}">Du théâtre le mercredi — Gourguillon</a>, avec Théâtre du Gourguillon <span class="tag tag-status">En attente de confirmation</span>`;
    const followed = await coordinator.get(`/besoins/${id}`);
    expect(followed.body).toContain('Partenariat prescrit :');
    expect(followed.body).toContain(link);
    expect((await acmAgent.get('/besoins')).body).toMatch(/Du théâtre le mercredi<\/a><\/th>[\s\S]*?<td>0 \+ 1\u00a0prescription<\/td>/);
    const owned = await acmAgent.get(`/besoins/${id}`);
    expect(owned.body).toContain('Prescrit par la coordination');
    expect(owned.body).toContain(link);
    // The partner reads the need without the coordination's block.
    expect((await partnerAgent.get(`/besoins/${id}`)).body).not.toContain('Prescrit par la coordination');
    // The partnership names its need: linked for the ACM and the coordinator; the partner, who may lose sight of the need once it is met, reads its title.
    const needLink = `, pour le besoin «&nbsp;<a href="/besoins/${id}">Du théâtre le mercredi</a>&nbsp;».`;
    expect((await acmAgent.get(`/partenariats/${partnershipId}`)).body).toMatch(
      new RegExp(`${needLink.slice(0, -1)}, autour de l’offre «&nbsp;<a href="/offres/${offer.id}-[^"]+">Tréteaux du mercredi</a>&nbsp;»\\.`),
    );
    const origin = await coordinator.get(`/partenariats/${partnershipId}/recherche`);
    expect(origin.body).toContain(needLink);
    expect(origin.body).toMatch(/L’offre choisie<\/h3>\s*<p><a href="\/offres\/\d+-[^"]+">Tréteaux du mercredi<\/a>/);
    expect((await partnerAgent.get(`/partenariats/${partnershipId}`)).body).toContain(
      ', pour le besoin «&nbsp;Du théâtre le mercredi&nbsp;», autour de l’offre',
    );
    const list = await coordinator.get('/coordination/departement/69/besoins?q=Gourguillon');
    expect(list.body).toMatch(/Du théâtre le mercredi[\s\S]*?<td[^>]*>0 \+ 1\u00a0prescription<\/td>/);
    expect((await coordinator.get(unanswered)).body).not.toContain('Du théâtre le mercredi');

    expect((await acmAgent.post(`/partenariats/${partnershipId}/confirmer`, { side: 'acm' })).statusCode).toBe(303);
    expect((await app.deps.db.select().from(needs).where(eq(needs.id, id)))[0]?.status).toBe('open');
    expect((await partnerAgent.post(`/partenariats/${partnershipId}/confirmer`, { side: 'partner' })).statusCode).toBe(303);
    const [met] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(met?.status).toBe('fulfilled');
    expect(met?.closedAt).not.toBeNull();
    const journal = await app.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, partnershipId)));
    expect(journal.map((e) => e.action)).toEqual(expect.arrayContaining(['partnership.prescribed', 'partnership.started', 'need.fulfilled']));
    expect(journal.find((e) => e.action === 'partnership.prescribed')?.data.summary).toContain('pour le besoin « Du théâtre le mercredi »');
    const afterwards = await acmAgent.get(`/besoins/${id}`);
    expect(afterwards.body).toContain('Pourvu');
    expect(afterwards.body).toContain('<span class="tag tag-status">En cours</span>');

    // The ACM reopens its need: the running partnership is left as it is.
    expect((await acmAgent.post(`/besoins/${id}/statut`, { action: 'reopen' })).statusCode).toBe(303);
    const [reopened] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(reopened?.status).toBe('open');
    expect((await app.deps.db.select().from(partnerships).where(eq(partnerships.id, partnershipId)))[0]?.status).toBe('active');
  });

  it('links no need to a prescription made for another ACM, or from a tampered field', async () => {
    const { agent: acmAgent } = await acmWithMember(app);
    const id = needIdFrom((await acmAgent.post('/besoins', needForm())).headers.location);
    const { acm: other } = await acmWithMember(app);
    const { partner } = await partnerWithMember(app);
    const coordinator = await coordinatorOf('69');
    for (const needId of [String(id), 'abc', '-1', '99999999999']) {
      const sent = await coordinator.post('/partenariats/prescrire', {
        acmId: String(other.id),
        partnerId: String(partner.id),
        needId,
        title: 'Un partenariat',
        message: 'Bonjour',
      });
      expect(sent.statusCode, needId).toBe(303);
      const partnershipId = Number(/(\d+)$/.exec(sent.headers.location as string)![1]);
      expect((await app.deps.db.select().from(partnerships).where(eq(partnerships.id, partnershipId)))[0]?.needId, needId).toBeNull();
    }
    expect((await acmAgent.get(`/besoins/${id}`)).body).not.toContain('Prescrit par la coordination');
  });

  it('swaps the « Offre proposée » field for the partner chosen, only among the territory’s partners', async () => {
    const coordinator = await coordinatorOf('69');
    const { partner } = await partnerWithMember(app, { name: 'Compagnie du Change' });
    const offer = await theatreOffer(app, partner.id, { title: 'Scènes du mercredi' });
    await theatreOffer(app, partner.id, { title: 'Atelier retiré', status: 'draft' });
    const swap = await coordinator.get(`/partenariats/prescrire/offres?partnerId=${partner.id}`, { 'hx-request': 'true', 'hx-target': 'offer-field' });
    expect(swap.statusCode).toBe(200);
    expect(swap.headers.vary).toContain('HX-Target');
    expect(swap.body).toMatch(/^<div id="offer-field">/);
    expect(swap.body).toContain(`<option value="${offer.id}">Scènes du mercredi</option>`);
    expect(swap.body).not.toContain('Atelier retiré');
    expect(swap.body).not.toContain('<html');
    const { partner: far } = await partnerWithMember(app, { codeInsee: '33063' });
    await theatreOffer(app, far.id, { title: 'Loin d’ici' });
    const outside = await coordinator.get(`/partenariats/prescrire/offres?partnerId=${far.id}`);
    expect(outside.body).not.toContain('Loin d’ici');
    expect(outside.body).not.toContain('<select');
    expect((await coordinator.get('/partenariats/prescrire/offres?partnerId=abc')).statusCode).toBe(400);
    const { agent: director } = await acmWithMember(app);
    expect((await director.get(`/partenariats/prescrire/offres?partnerId=${partner.id}`)).statusCode).toBeGreaterThanOrEqual(403);
  });

  it('moves « choisi » to the partner chosen in the select and proposes its best-suited offer, keeping the need the form came from', async () => {
    const { agent: acmAgent, acm } = await acmWithMember(app, { name: 'Accueil de loisirs de Vaise' });
    const id = needIdFrom((await acmAgent.post('/besoins', needForm({ title: 'Des langues à Vaise', themes: ['langues'], subthemes: [] }))).headers.location);
    const { partner: first } = await partnerWithMember(app, { name: 'Compagnie des Quais' });
    // Languages: no other test's partner offers them, so these two are the suggestions.
    await theatreOffer(app, first.id, { title: 'Anglais des quais', themes: ['langues'], subthemes: [] });
    const { partner: second } = await partnerWithMember(app, { name: 'Compagnie des Berges' });
    const best = await theatreOffer(app, second.id, { title: 'Anglais des berges', themes: ['langues'], subthemes: [] });
    await theatreOffer(app, second.id, { title: 'Cuisine des berges', themes: ['sante'], subthemes: [] });
    const coordinator = await coordinatorOf('69');
    const form = await coordinator.get(`/partenariats/prescrire?accueil=${acm.id}&besoin=${id}`);
    const swapUrl = `/partenariats/prescrire/offres?accueil=${acm.id}&besoin=${id}`;
    expect(form.body).toContain(`data-hx-get="${swapUrl.replaceAll('&', '&amp;')}"`);
    const suggested = [...form.body.matchAll(/<li><strong>(Compagnie des (?:Quais|Berges))<\/strong>/g)].map((m) => m[1]);
    expect(suggested).toHaveLength(2);

    // The one not chosen at first is chosen in the select: htmx sends its id with the form's context.
    const other = suggested[0] === 'Compagnie des Berges' ? first : second;
    const swap = await coordinator.get(`${swapUrl}&partnerId=${other.id}`, { 'hx-request': 'true', 'hx-target': 'offer-field' });
    expect(swap.statusCode).toBe(200);
    expect(swap.body).toMatch(/^<div id="offer-field">/);
    expect(swap.body).toMatch(/<section class="notice prescription-suggestions" id="prescription-suggestions" [^>]*data-hx-swap-oob="true">/);
    expect(swap.body).toContain('Besoin de l’Accueil de loisirs de Vaise&nbsp;: «&nbsp;Des langues à Vaise&nbsp;»');
    expect(swap.body).toContain(`<strong>${other.name}</strong>`);
    expect(swap.body).toMatch(new RegExp(`<strong>${other.name}</strong>[^\n]*— <em>choisi</em></li>`));
    expect(swap.body).toMatch(new RegExp(`<strong>${suggested[0]}</strong>[^\n]*— <a href="[^"]*besoin=${id}&amp;partenaire=\\d+">choisir ce partenaire`));
    expect(swap.body).not.toContain('le premier est déjà choisi');
    if (other.id === second.id) expect(swap.body).toContain(`<option value="${best.id}" selected>Anglais des berges</option>`);
    else expect(swap.body).toMatch(/<option value="\d+" selected>Anglais des quais<\/option>/);

    // Without the form's context (a POST's error page) or with a partner outside the territory: the field alone.
    expect((await coordinator.get(`/partenariats/prescrire/offres?partnerId=${other.id}`)).body).not.toContain('prescription-suggestions');
    const { partner: far } = await partnerWithMember(app, { codeInsee: '33063' });
    const outside = await coordinator.get(`${swapUrl}&partnerId=${far.id}`);
    expect(outside.body).not.toContain('prescription-suggestions');
    expect(outside.body).not.toContain('<select');
    expect((await coordinator.get(`${swapUrl}&besoin=abc&partnerId=${other.id}`)).statusCode).toBe(400);
  });

  it('shows the need and its suggestions again, its partner still chosen, when the prescription comes back with errors', async () => {
    const { agent: acmAgent, acm } = await acmWithMember(app, { name: 'Accueil de loisirs de la Duchère' });
    const id = needIdFrom((await acmAgent.post('/besoins', needForm({ title: 'Des jeux à la Duchère', themes: ['jeux'], subthemes: [] }))).headers.location);
    // Games: no other test's partner offers them, so these two are the suggestions.
    const { partner: first } = await partnerWithMember(app, { name: 'Cercle des Jeux' });
    await theatreOffer(app, first.id, { title: 'Échecs du mercredi', themes: ['jeux'], subthemes: [] });
    const { partner: second } = await partnerWithMember(app, { name: 'Maison des Jeux' });
    await theatreOffer(app, second.id, { title: 'Dames du mercredi', themes: ['jeux'], subthemes: [] });
    const coordinator = await coordinatorOf('69');
    const form = await coordinator.get(`/partenariats/prescrire?accueil=${acm.id}&besoin=${id}`);
    const action = /<form method="post" action="(\/partenariats\/prescrire[^"]*)"/.exec(form.body)![1]!.replaceAll('&amp;', '&');
    expect(action).toBe(`/partenariats/prescrire?accueil=${acm.id}&besoin=${id}`);
    const suggested = [...form.body.matchAll(/<li><strong>((?:Cercle|Maison) des Jeux)<\/strong>/g)].map((m) => m[1]);
    const other = suggested[0] === 'Cercle des Jeux' ? second : first;

    const before = (await app.deps.db.select().from(partnerships)).length;
    const back = await coordinator.post(action, { acmId: String(acm.id), partnerId: String(other.id), needId: String(id), title: '', message: 'Bonjour' });
    expect(back.statusCode).toBe(422);
    expect(back.body).toContain('Ce champ est obligatoire.');
    expect(back.body).toContain(`<a href="/coordination">Coordination du territoire</a> › <a href="/besoins/${id}">Des jeux à la Duchère</a>`);
    expect(back.body).toContain('Besoin de l’Accueil de loisirs de la Duchère&nbsp;: «&nbsp;Des jeux à la Duchère&nbsp;»');
    expect(back.body).toMatch(new RegExp(`<strong>${other.name}</strong>[^\n]*— <em>choisi</em></li>`));
    expect(back.body).toContain(`action="${action.replaceAll('&', '&amp;')}"`);
    expect(back.body).toContain(`data-hx-get="/partenariats/prescrire/offres?accueil=${acm.id}&amp;besoin=${id}"`);
    expect((await app.deps.db.select().from(partnerships)).length).toBe(before);
    // Without what it was opened for (an older page), the form comes back as it is, without the need's box.
    const bare = await coordinator.post('/partenariats/prescrire', {
      acmId: String(acm.id),
      partnerId: String(other.id),
      needId: String(id),
      title: '',
      message: 'Bonjour',
    });
    expect(bare.statusCode).toBe(422);
    expect(bare.body).not.toContain('prescription-suggestions');
    expect(bare.body).toContain(`<input type="hidden" name="needId" value="${id}">`);
  });

  it('leaves the need open, and its prescription shown as declined, when a structure declines the prescription', async () => {
    const { agent: acmAgent, acm } = await acmWithMember(app, { name: 'Accueil de loisirs de Saint-Rambert' });
    const id = needIdFrom((await acmAgent.post('/besoins', needForm({ title: 'Du théâtre à Saint-Rambert' }))).headers.location);
    const { agent: partnerAgent, partner } = await partnerWithMember(app, { name: 'Théâtre de Saint-Rambert' });
    await theatreOffer(app, partner.id, { title: 'Scène de Saint-Rambert' });
    const coordinator = await coordinatorOf('69');
    const sent = await coordinator.post('/partenariats/prescrire', {
      acmId: String(acm.id),
      partnerId: String(partner.id),
      needId: String(id),
      title: 'Du théâtre à Saint-Rambert',
      message: 'Bonjour',
    });
    const partnershipId = Number(/(\d+)$/.exec(sent.headers.location as string)![1]);
    expect((await acmAgent.post(`/partenariats/${partnershipId}/confirmer`, { side: 'acm' })).statusCode).toBe(303);
    expect((await partnerAgent.post(`/partenariats/${partnershipId}/refuser`, { side: 'partner', reason: 'Pas de créneau le mercredi.' })).statusCode).toBe(
      303,
    );

    const [need] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(need?.status).toBe('open');
    expect(need?.closedAt).toBeNull();
    const page = await acmAgent.get(`/besoins/${id}`);
    expect(page.body).toContain('Prescrit par la coordination');
    expect(page.body).toMatch(
      new RegExp(`<a href="/partenariats/${partnershipId}">Du théâtre à Saint-Rambert</a>[\\s\\S]*?<span class="tag tag-status">Décliné</span>`),
    );
  });

  it('suggests partners for any of the need’s themes, not only its first', async () => {
    const { agent: acmAgent, acm } = await acmWithMember(app, { name: 'Accueil de loisirs de la Croix-Rousse' });
    const id = needIdFrom(
      (await acmAgent.post('/besoins', needForm({ title: 'Des langues et des sciences', themes: ['langues', 'sciences'], subthemes: [] }))).headers.location,
    );
    const { partner } = await partnerWithMember(app, { name: 'Club des Pentes' });
    await theatreOffer(app, partner.id, { title: 'Petits chimistes', themes: ['sciences'], subthemes: [] });
    const coordinator = await coordinatorOf('69');
    const form = await coordinator.get(`/partenariats/prescrire?accueil=${acm.id}&theme=langues&besoin=${id}`);
    expect(form.body).toMatch(/<strong>Club des Pentes<\/strong> : <a href="[^"]+">Petits chimistes<\/a>/);
  });

  it('shows a need to the coordinators of its métropole, and keeps it from those of other territories (404)', async () => {
    const { agent } = await acmWithMember(app);
    const id = needIdFrom((await agent.post('/besoins', needForm())).headers.location);
    expect((await (await coordinatorOf('200046977', 'epci')).get(`/besoins/${id}`)).statusCode).toBe(200);
    expect((await (await coordinatorOf('33')).get(`/besoins/${id}`)).statusCode).toBe(404);
    expect((await (await coordinatorOf('200040715', 'epci')).get(`/besoins/${id}`)).statusCode).toBe(404);
    // A need named beside another ACM of the territory is not that ACM's: the form says nothing of it.
    const { acm: other } = await acmWithMember(app);
    const form = await (await coordinatorOf('69')).get(`/partenariats/prescrire?accueil=${other.id}&besoin=${id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`Zone blanche : ${other.name}`);
    expect(form.body).not.toContain('Un atelier théâtre pour les 8-11 ans');
    expect((await (await coordinatorOf('69')).get(`/partenariats/prescrire?besoin=abc`)).statusCode).toBe(400);
  });
});

describe('answering a need', () => {
  it('opens a request thread (partner to ACM, need recorded) that both sides see, and tells the ACM', async () => {
    const { agent: acmAgent, acm, user: director } = await acmWithMember(app);
    const id = needIdFrom((await acmAgent.post('/besoins', needForm())).headers.location);
    const { agent, partner } = await partnerWithMember(app);
    const offer = await theatreOffer(app, partner.id);
    const otherPartner = await partnerWithMember(app);
    const foreignOffer = await theatreOffer(app, otherPartner.partner.id);

    const page = await agent.get(`/besoins/${id}`);
    expect(page.body).toContain(`<option value="${offer.id}"`);

    const noContent = await agent.post(`/besoins/${id}/reponse`, { offerId: '', message: '' });
    expect(noContent.statusCode).toBe(422);
    expect(noContent.body).toContain('Choisissez une de vos offres ou écrivez un message.');
    const notTheirs = await agent.post(`/besoins/${id}/reponse`, { offerId: String(foreignOffer.id), message: '' });
    expect(notTheirs.statusCode).toBe(422);
    expect(notTheirs.body).toContain('Choisissez une offre publiée de votre structure.');

    const answer = await agent.post(`/besoins/${id}/reponse`, { offerId: String(offer.id), message: 'Nous serions ravis de venir jouer avec vos enfants.' });
    expect(answer.statusCode).toBe(303);
    const requestId = Number(/^\/demandes\/(\d+)$/.exec(answer.headers.location ?? '')?.[1]);
    const [request] = await app.deps.db.select().from(requests).where(eq(requests.id, requestId));
    expect(request).toMatchObject({
      acmId: acm.id,
      partnerId: partner.id,
      offerId: offer.id,
      needId: id,
      direction: 'partner_to_acm',
      status: 'sent',
      ageMin: 8,
      ageMax: 11,
    });

    const again = await agent.post(`/besoins/${id}/reponse`, { message: 'Encore nous' });
    expect(again.headers.location).toBe(`/demandes/${requestId}`);

    const told = await app.deps.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, director.id), eq(notifications.type, 'request_received')));
    expect(told.map((n) => n.url)).toContain(`/demandes/${requestId}`);

    const needPage = await acmAgent.get(`/besoins/${id}`);
    expect(needPage.body).toContain('Réponses reçues');
    expect(needPage.body).toContain(`href="/demandes/${requestId}"`);

    const partnerThread = await agent.get(`/demandes/${requestId}`);
    const acmThread = await acmAgent.get(`/demandes/${requestId}`);
    expect(partnerThread.statusCode).toBe(200);
    expect(acmThread.statusCode).toBe(200);
    expect(acmThread.body).toContain('Nous serions ravis de venir jouer avec vos enfants.');
    // The partner wrote first: the thread names it as the sender and waits for the ACM, not for itself.
    expect(partnerThread.body).toContain(`Proposition <strong>${de(partner.name)}</strong> <strong>${toName(acm.name)}</strong>`);
    expect(partnerThread.body).toContain(`En attente de la réponse ${de(acm.name)}`);
    expect(acmThread.body).toContain('Cette proposition attend votre réponse');
    // The opening line is read by both sides: it names the need's ACM rather than saying « votre ».
    expect(partnerThread.body).toContain(`en réponse au besoin « Un atelier théâtre pour les 8-11 ans » ${de(acm.name)}`);
    expect((await otherPartner.agent.get(`/demandes/${requestId}`)).statusCode).toBe(404);
  });

  it('closes a need to new answers and to other partners once fulfilled or closed; the ACM can reopen it', async () => {
    const { agent: acmAgent } = await acmWithMember(app);
    const id = needIdFrom((await acmAgent.post('/besoins', needForm())).headers.location);
    const answering = await partnerWithMember(app);
    await answering.agent.post(`/besoins/${id}/reponse`, { message: 'Bonjour !' });
    const other = await partnerWithMember(app);

    const closed = await acmAgent.post(`/besoins/${id}/statut`, { action: 'fulfilled' });
    expect(closed.statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(row?.status).toBe('fulfilled');
    expect(row?.closedAt).not.toBeNull();

    expect((await other.agent.get(`/besoins/${id}`)).statusCode).toBe(404);
    const stillVisible = await answering.agent.get(`/besoins/${id}`);
    expect(stillVisible.statusCode).toBe(200);
    expect(stillVisible.body).toContain('Ce besoin n’est plus ouvert.');
    expect((await answering.agent.post(`/besoins/${id}/reponse`, { message: 'Encore ?' })).statusCode).toBe(403);

    await acmAgent.post(`/besoins/${id}/statut`, { action: 'reopen' });
    expect((await other.agent.get(`/besoins/${id}`)).statusCode).toBe(200);
  });
});

describe('editing a need', () => {
  it('lets the ACM edit its need, with errors next to the fields', async () => {
    const { agent } = await acmWithMember(app);
    const id = needIdFrom((await agent.post('/besoins', needForm())).headers.location);
    const form = await agent.get(`/besoins/${id}/modifier`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="Un atelier théâtre pour les 8-11 ans"');
    const bad = await agent.post(`/besoins/${id}/modifier`, needForm({ title: '' }));
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="f-title-error"');
    const ok = await agent.post(`/besoins/${id}/modifier`, needForm({ title: 'Théâtre et marionnettes', ageMin: '6' }));
    expect(ok.statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(needs).where(eq(needs.id, id));
    expect(row).toMatchObject({ title: 'Théâtre et marionnettes', ageMin: 6 });
  });
});

describe('new needs notify nearby partners whose offers match', () => {
  it('sends need_match to partners with a matching offer nearby, once, and not to others', async () => {
    const near = await partnerWithMember(app);
    await theatreOffer(app, near.partner.id);
    const far = await partnerWithMember(app, { codeInsee: '13201', lat: 43.3, lng: 5.38 });
    await theatreOffer(app, far.partner.id, { codeInsee: '13201', lat: 43.3, lng: 5.38 });
    const offTopic = await partnerWithMember(app);
    await insertOffer(app, offTopic.partner.id, { title: 'Football', themes: ['sport'], subthemes: ['sports-collectifs'], ageMin: 6, ageMax: 12 });

    const { agent } = await acmWithMember(app);
    const id = needIdFrom((await agent.post('/besoins', needForm({ title: 'Théâtre pour la fête de juin' }))).headers.location);
    const notified = async (userId: number) =>
      app.deps.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.type, 'need_match')));
    const nearNotes = await notified(near.user.id);
    expect(nearNotes.filter((n) => n.url === `/besoins/${id}`)).toHaveLength(1);
    expect(nearNotes[0]?.title).toContain('Théâtre pour la fête de juin');
    expect(await notified(far.user.id)).toHaveLength(0);
    expect(await notified(offTopic.user.id)).toHaveLength(0);
  });
});
