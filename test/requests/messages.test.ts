import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, replyTemplates, requests } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { createOffer, createRequestParties, sendRequest, validRequestForm } from '../helpers/requests.js';

let app: App;
let parties: Awaited<ReturnType<typeof createRequestParties>>;
let id: number;

beforeAll(async () => {
  app = await createTestApp();
  parties = await createRequestParties(app);
  id = await sendRequest(parties.acmAgent, parties.offer.id);
});
afterAll(async () => {
  await app.close();
});

async function userMessages() {
  return (
    await app.deps.db
      .select()
      .from(messages)
      .where(and(eq(messages.requestId, id), eq(messages.kind, 'user')))
  ).map((m) => m.body);
}

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describe('message input', () => {
  it('refuses an empty message with a French message next to the field', async () => {
    const before = await userMessages();
    const response = await parties.partnerAgent.post(`/demandes/${id}/messages`, { body: '   ' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="f-body-error"><span class="visually-hidden">Erreur : <\/span>Écrivez votre message avant de l’envoyer\./);
    expect(response.body).toContain('Le formulaire contient une erreur');
    expect(response.body).not.toContain('undefined');
    expect(await userMessages()).toEqual(before);
  });

  it('refuses a 20,000-character message and keeps what was typed', async () => {
    const response = await parties.partnerAgent.post(`/demandes/${id}/messages`, { body: 'a'.repeat(20_000) });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('5000 caractères au maximum (vous en avez saisi 20000).');
    expect(response.body).toContain('a'.repeat(20_000));
    expect(await userMessages()).not.toContain('a'.repeat(20_000));
  });

  it('escapes markup and turns web addresses into safe links', async () => {
    const body = '<script>alert("x")</script> Notre programme : https://exemple.fr/programme?annee=2026&lieu=lyon. Et www.compagnie.fr !';
    expect((await parties.partnerAgent.post(`/demandes/${id}/messages`, { body })).statusCode).toBe(303);
    const page = await parties.acmAgent.get(`/demandes/${id}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page.body).toContain(
      '<a href="https://exemple.fr/programme?annee=2026&amp;lieu=lyon" rel="noopener nofollow ugc">https://exemple.fr/programme?annee=2026&amp;lieu=lyon</a>.',
    );
    expect(page.body).toContain('<a href="https://www.compagnie.fr" rel="noopener nofollow ugc">www.compagnie.fr</a> !');
  });

  it('posts with htmx and answers the thread fragment, or the fragment with the error', async () => {
    const htmx = { 'hx-request': 'true', 'hx-target': 'thread' };
    const ok = await parties.acmAgent.post(`/demandes/${id}/messages`, { body: 'Message envoyé sans recharger la page.' }, { headers: htmx });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).not.toContain('<html');
    expect(ok.body).toMatch(/^<div id="thread">/);
    expect(ok.body).toContain('Message envoyé sans recharger la page.');
    expect(ok.body).toContain('hx-swap-oob="true"');
    const bad = await parties.acmAgent.post(`/demandes/${id}/messages`, { body: '' }, { headers: htmx });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).not.toContain('<html');
    expect(bad.body).toContain('id="f-body-error"');
  });
});

describe('attachments', () => {
  async function upload(filename: string, type: string, data: Buffer, body = '') {
    const { payload, boundary } = multipart({ body }, [{ field: 'attachment', filename, type, data }]);
    return parties.acmAgent.postMultipart(`/demandes/${id}/messages`, payload, boundary);
  }

  it('accepts a PDF, stores it and serves it as a download to the thread members', async () => {
    const response = await upload('Projet pédagogique 2026.pdf', 'application/pdf', pdf);
    expect(response.statusCode).toBe(303);
    const [message] = await app.deps.db
      .select()
      .from(messages)
      .where(and(eq(messages.requestId, id), eq(messages.attachmentType, 'application/pdf')));
    expect(message).toMatchObject({ attachmentName: 'Projet pédagogique 2026.pdf', attachmentSize: pdf.length, body: '' });
    const page = await parties.partnerAgent.get(`/demandes/${id}`);
    expect(page.body).toContain(`href="/demandes/${id}/pieces-jointes/${message!.id}"`);
    const file = await parties.partnerAgent.get(`/demandes/${id}/pieces-jointes/${message!.id}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="Projet pedagogique 2026.pdf"; filename*=UTF-8''Projet%20p%C3%A9dagogique%202026.pdf`,
    );
    expect(file.rawPayload.equals(pdf)).toBe(true);
  });

  it('checks the content, not the name: a text file named .pdf is refused', async () => {
    const response = await upload('faux.pdf', 'application/pdf', Buffer.from('<html><script>alert(1)</script></html>'), 'Avec un faux PDF');
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('id="f-attachment-error"');
    expect(response.body).toContain('Format non accepté : joignez un PDF ou une image (JPEG, PNG ou WebP).');
    expect(await userMessages()).not.toContain('Avec un faux PDF');
  });

  it('refuses a file over 5 MB', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5 * 1024 * 1024 + 10, 0x20)]);
    const response = await upload('gros.pdf', 'application/pdf', big, 'Avec un gros fichier');
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Le fichier dépasse 5,0 Mo');
    expect(await userMessages()).not.toContain('Avec un gros fichier');
  });

  it('accepts JPEG, PNG and WebP images', async () => {
    const images: [string, string, Buffer][] = [
      ['photo.jpg', 'image/jpeg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32)])],
      ['plan.png', 'image/png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32)])],
      ['affiche.webp', 'image/webp', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(32)])],
    ];
    for (const [name, type, data] of images) expect((await upload(name, type, data)).statusCode, name).toBe(303);
  });
});

describe('request form input', () => {
  it('shows French messages next to the bad fields and creates nothing', async () => {
    const { offer, acmAgent } = await createRequestParties(app);
    const response = await acmAgent.post(`/demandes/nouvelle?offre=${offer.id}`, {
      ...validRequestForm,
      periodEnd: '2026-09-01',
      slots: [],
      childrenCount: 'douze',
      ageMin: '9',
      ageMax: '7',
      message: '',
    });
    expect(response.statusCode).toBe(422);
    for (const [field, text] of [
      ['periodEnd', 'La fin de la période doit être après son début.'],
      ['slots', 'Choisissez au moins un créneau du mercredi.'],
      ['childrenCount', 'Saisissez un nombre entier.'],
      ['ageMax', 'L’âge maximum doit être supérieur ou égal à l’âge minimum.'],
      ['message', 'Ce champ est obligatoire.'],
    ]) {
      expect(response.body, field).toContain(`id="f-${field}-error"`);
      expect(response.body, field).toContain(text);
    }
    expect(response.body).toContain('Préparer la fête de fin d’année avec les familles.');
    expect(await app.deps.db.select().from(requests).where(eq(requests.offerId, offer.id))).toHaveLength(0);
  });

  it('keeps markup in a request message as text', async () => {
    const { offer, acmAgent, partnerAgent } = await createRequestParties(app);
    const requestId = await sendRequest(acmAgent, offer.id, { message: 'Bonjour <b>partenaire</b>, <img src=x onerror=alert(1)> voici notre projet.' });
    const page = await partnerAgent.get(`/demandes/${requestId}`);
    expect(page.body).toContain('Bonjour &lt;b&gt;partenaire&lt;/b&gt;, &lt;img src=x onerror=alert(1)&gt;');
    expect(page.body).not.toContain('<img src=x');
  });

  it('answers 404 for an offer that does not exist or is not published', async () => {
    const { partner, acmAgent } = await createRequestParties(app);
    expect((await acmAgent.get('/demandes/nouvelle?offre=999999')).statusCode).toBe(404);
    const unpublished = await createOffer(app, partner.id, { status: 'draft', title: 'Brouillon' });
    expect((await acmAgent.get(`/demandes/nouvelle?offre=${unpublished.id}`)).statusCode).toBe(404);
    expect((await acmAgent.get('/demandes/nouvelle?offre=abc')).statusCode).toBe(400);
    expect((await acmAgent.get('/demandes/nouvelle')).statusCode).toBe(404);
  });

  it('lets an ACM member with several accueils pick which one, and a request to an organisation without an offer', async () => {
    const { partner, director } = await createRequestParties(app);
    const second = await createOrganisation(app, { kind: 'acm', name: 'Accueil périscolaire Jean Moulin', memberIds: [director.id] });
    const fresh = await signedInAgent(app, director);
    const form = await fresh.get(`/demandes/nouvelle?structure=${partner.id}`);
    expect(form.body).toContain('Pour quel accueil ?');
    expect(form.body).toContain('Accueil périscolaire Jean Moulin');
    const missing = await fresh.post(`/demandes/nouvelle?structure=${partner.id}`, { ...validRequestForm });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('id="f-acmId-error"');
    const created = await fresh.post(`/demandes/nouvelle?structure=${partner.id}`, { ...validRequestForm, acmId: String(second.id) });
    expect(created.statusCode).toBe(303);
    const [row] = await app.deps.db.select().from(requests).where(eq(requests.acmId, second.id));
    expect(row).toMatchObject({ partnerId: partner.id, offerId: null });
  });
});

describe('quick replies', () => {
  it('lets partner members save, edit and delete templates, offered in their reply box', async () => {
    const { partnerAgent, partner } = parties;
    const page = await partnerAgent.get(`/demandes/reponses-rapides?structure=${partner.id}`);
    expect(page.statusCode).toBe(200);
    const bad = await partnerAgent.post(`/demandes/reponses-rapides?structure=${partner.id}`, { title: '', body: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="f-title-error"');
    const created = await partnerAgent.post(`/demandes/reponses-rapides?structure=${partner.id}`, {
      title: 'Nos disponibilités',
      body: 'Nous intervenons le mercredi après-midi de septembre à juin.',
    });
    expect(created.statusCode).toBe(303);
    const [template] = await app.deps.db.select().from(replyTemplates).where(eq(replyTemplates.organisationId, partner.id));
    const thread = await partnerAgent.get(`/demandes/${id}`);
    expect(thread.body).toContain('data-insert-template="Nous intervenons le mercredi après-midi de septembre à juin."');
    expect((await parties.acmAgent.get(`/demandes/${id}`)).body).not.toContain('data-insert-template');

    expect((await partnerAgent.get(`/demandes/reponses-rapides/${template!.id}/modifier`)).statusCode).toBe(200);
    await partnerAgent.post(`/demandes/reponses-rapides/${template!.id}`, { title: 'Nos disponibilités 2026', body: 'Le mercredi après-midi.' });
    const [edited] = await app.deps.db.select().from(replyTemplates).where(eq(replyTemplates.id, template!.id));
    expect(edited).toMatchObject({ title: 'Nos disponibilités 2026', body: 'Le mercredi après-midi.' });

    const stranger = await signedInAgent(app, await createUser(app));
    expect((await stranger.get(`/demandes/reponses-rapides/${template!.id}/modifier`)).statusCode).toBe(404);
    expect((await stranger.post(`/demandes/reponses-rapides/${template!.id}/supprimer`)).statusCode).toBe(404);
    expect((await parties.acmAgent.get(`/demandes/reponses-rapides?structure=${parties.acm.id}`)).statusCode).toBe(404);

    expect((await partnerAgent.post(`/demandes/reponses-rapides/${template!.id}/supprimer`)).statusCode).toBe(303);
    expect(await app.deps.db.select().from(replyTemplates).where(eq(replyTemplates.organisationId, partner.id))).toHaveLength(0);
  });
});
