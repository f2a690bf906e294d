import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { messages, notifications, partnerships, requestEvents, requests } from '../../db/schema/index.js';
import { de } from '../../server/lib/format.js';
import { insertEvent, insertRequest } from '../../server/requests/requests.repository.js';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { linkIn, signedInAgent } from '../helpers/fixtures.js';
import { createRequestParties, newMailsTo, sendRequest } from '../helpers/requests.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});
afterEach(() => {
  app.deps.clock.setNow(null);
});

const DAY = 86_400_000;

async function requestRow(id: number) {
  const [row] = await app.deps.db.select().from(requests).where(eq(requests.id, id));
  return row!;
}

async function eventsOf(id: number) {
  const rows = await app.deps.db.select().from(requestEvents).where(eq(requestEvents.requestId, id)).orderBy(asc(requestEvents.id));
  return rows.map((e) => e.toStatus);
}

async function systemMessagesOf(id: number) {
  const rows = await app.deps.db.select().from(messages).where(eq(messages.requestId, id)).orderBy(asc(messages.id));
  return rows.filter((m) => m.kind === 'system').map((m) => m.body);
}

describe('from an offer to a partnership', () => {
  it('lets an ACM director send a request prefilled from the offer and the ACM profile', async () => {
    const { offer, acmAgent, acm } = await createRequestParties(app);
    const form = await acmAgent.get(`/demandes/nouvelle?offre=${offer.id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Proposer un partenariat');
    expect(form.body).toContain(offer.title);
    expect(form.body).toContain(acm.name);
    expect(form.body).toMatch(/id="f-ageMin" name="ageMin" value="6"/);
    expect(form.body).toMatch(/id="f-ageMax" name="ageMax" value="10"/);
    expect(form.body).toMatch(/name="slots" value="mercredi-apres-midi" checked/);
    expect(form.body).toMatch(/id="f-adultsCount" name="adultsCount" value="1"/);
    expect(form.body).toContain('Développer de nouveaux projets, expérimenter, innover');
  });

  it('runs the whole flow: request, reply, messages, acceptance, with an email and a notification at each step', async () => {
    const { offer, acm, partner, director, coordinator, acmAgent, partnerAgent } = await createRequestParties(app);

    let id = 0;
    const [received] = await newMailsTo(app, coordinator.email, async () => {
      id = await sendRequest(acmAgent, offer.id);
    });
    const created = await requestRow(id);
    expect(created).toMatchObject({ status: 'sent', acmId: acm.id, partnerId: partner.id, offerId: offer.id, childrenCount: 12, ageMin: 6, ageMax: 8 });
    expect(created.objectives).toEqual(['nouveaux-projets', 'vivre-ensemble']);
    expect(created.expiresAt!.getTime() - created.createdAt.getTime()).toBe(21 * DAY);
    expect(await eventsOf(id)).toEqual(['sent']);
    expect((await systemMessagesOf(id))[0]).toContain(`Demande envoyée à ${partner.name}`);

    expect(received?.subject).toBe(`Nouvelle demande de partenariat ${de(acm.name)}`);
    expect(linkIn(received!.text)).toBe(`/demandes/${id}`);
    expect((await partnerAgent.get('/compte')).body).toContain('data-count="1"');
    const opened = await partnerAgent.get(linkIn(received!.text));
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('notre accueil aimerait monter un spectacle de marionnettes');
    expect(opened.body).toContain('Accepter la demande');
    expect(opened.body).not.toContain('data-count="1"');

    const [toAcm] = await newMailsTo(app, director.email, async () => {
      const reply = await partnerAgent.post(`/demandes/${id}/messages`, {
        body: 'Avec plaisir ! Nous pouvons venir le mercredi 16 septembre pour une première séance.',
      });
      expect(reply.statusCode).toBe(303);
    });
    const replied = await requestRow(id);
    expect(replied.status).toBe('in_discussion');
    expect(replied.firstReplyAt).not.toBeNull();
    expect(await eventsOf(id)).toEqual(['sent', 'in_discussion']);
    expect(toAcm?.subject).toBe(`Nouveau message ${de(partner.name)} : ${offer.title}`);
    expect(toAcm?.text).toContain('Nous pouvons venir le mercredi 16 septembre');
    const acmView = await acmAgent.get(linkIn(toAcm!.text));
    expect(acmView.statusCode).toBe(200);
    expect(acmView.body).toContain('Statut : En discussion');
    expect(acmView.body).not.toContain('Accepter la demande');

    const [toPartner] = await newMailsTo(app, coordinator.email, () => acmAgent.post(`/demandes/${id}/messages`, { body: 'Parfait, à mercredi !' }));
    expect(toPartner?.subject).toContain(`Nouveau message ${de(acm.name)}`);
    await partnerAgent.get(`/demandes/${id}`);
    expect((await acmAgent.get(`/demandes/${id}`)).body).toContain(`Lu par ${partner.name}`);

    const [accepted] = await newMailsTo(app, director.email, async () => {
      const accept = await partnerAgent.post(`/demandes/${id}/accepter`);
      expect(accept.statusCode).toBe(303);
    });
    const done = await requestRow(id);
    expect(done.status).toBe('accepted');
    expect(done.closedAt).not.toBeNull();
    expect(await eventsOf(id)).toEqual(['sent', 'in_discussion', 'accepted']);
    const [partnership] = await app.deps.db.select().from(partnerships).where(eq(partnerships.requestId, id));
    expect(partnership).toMatchObject({ acmId: acm.id, partnerId: partner.id, offerId: offer.id, title: offer.title, schoolYear: '2026-2027' });
    expect(accepted?.subject).toBe(`${partner.name} a accepté votre demande : ${offer.title}`);
    const acmFinal = await acmAgent.get(linkIn(accepted!.text));
    expect(acmFinal.body).toContain(`href="/partenariats/${partnership!.id}"`);
    expect(acmFinal.body).toContain('Statut : Acceptée');
    expect((await systemMessagesOf(id)).at(-1)).toContain(`${partner.name} a accepté la demande`);

    const acmNotifications = await app.deps.db.select().from(notifications).where(eq(notifications.userId, director.id));
    expect(acmNotifications.map((n) => n.type).sort()).toEqual(['message_received', 'request_status']);
  });

  it('writes a group of one child in the singular, its number kept beside it, on the request and in the partner’s email', async () => {
    const { offer, acmAgent, partnerAgent, coordinator } = await createRequestParties(app);
    let id = 0;
    const [received] = await newMailsTo(app, coordinator.email, async () => {
      id = await sendRequest(acmAgent, offer.id, { childrenCount: '1' });
    });
    expect(received!.text).toContain('1\u00a0enfant de 6');
    const page = await partnerAgent.get(`/demandes/${id}`);
    expect(page.body).toContain('<dd>1\u00a0enfant, 6');
    expect(page.body).not.toContain('1 enfants');
  });

  it('names the structures with their article on the request page: « à la Compagnie… », « Contacter l’Accueil… », « retirée par l’Accueil… »', async () => {
    const { offer, acm, partner, acmAgent, partnerAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    const received = (await partnerAgent.get(`/demandes/${id}`)).body;
    expect(received).toContain(`<strong>à la ${partner.name}</strong>`);
    expect(received).toContain(`<h3>Contacter l’${acm.name}</h3>`);
    expect((await acmAgent.post(`/demandes/${id}/retirer`, {})).statusCode).toBe(303);
    expect((await partnerAgent.get(`/demandes/${id}`)).body).toContain(`par l’${acm.name} le`);
  });

  it('lets the partner decline with a coded reason and a message, after which the request cannot be accepted', async () => {
    const { offer, director, acmAgent, partnerAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);

    const missing = await partnerAgent.post(`/demandes/${id}/decliner`, { declineMessage: 'Désolé' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('id="f-declineCode-error"');
    const other = await partnerAgent.post(`/demandes/${id}/decliner`, { declineCode: 'autre' });
    expect(other.statusCode).toBe(422);
    expect(other.body).toContain('Précisez la raison en quelques mots.');
    expect((await requestRow(id)).status).toBe('sent');

    const [mail] = await newMailsTo(app, director.email, async () => {
      const decline = await partnerAgent.post(`/demandes/${id}/decliner`, {
        declineCode: 'complet',
        declineMessage: 'Notre programme du mercredi est complet jusqu’en janvier, recontactez-nous au printemps.',
      });
      expect(decline.statusCode).toBe(303);
    });
    const row = await requestRow(id);
    expect(row).toMatchObject({ status: 'declined', declineCode: 'complet' });
    expect(row.declineReason).toContain('recontactez-nous au printemps');
    expect(row.firstReplyAt).not.toBeNull();
    expect(await eventsOf(id)).toEqual(['sent', 'declined']);
    expect(mail?.text).toContain('Notre programme est complet pour cette période');
    const page = await acmAgent.get(linkIn(mail!.text));
    expect(page.body).toContain('Motif : Notre programme est complet pour cette période');
    expect(page.body).toContain('recontactez-nous au printemps');

    const accept = await partnerAgent.post(`/demandes/${id}/accepter`);
    expect(accept.statusCode).toBe(409);
    expect(accept.body).toContain('elle a été déclinée');
    expect(await app.deps.db.select().from(partnerships).where(eq(partnerships.requestId, id))).toHaveLength(0);
    expect((await partnerAgent.post(`/demandes/${id}/messages`, { body: 'Encore un mot' })).statusCode).toBe(409);
  });

  it('lets the ACM withdraw its request; a withdrawn request can no longer be accepted', async () => {
    const { offer, coordinator, acmAgent, partnerAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);

    expect((await partnerAgent.post(`/demandes/${id}/retirer`)).statusCode).toBe(403);
    const [mail] = await newMailsTo(app, coordinator.email, async () => {
      const withdraw = await acmAgent.post(`/demandes/${id}/retirer`, { withdrawMessage: 'Nous avons trouvé une autre solution, merci.' });
      expect(withdraw.statusCode).toBe(303);
    });
    expect((await requestRow(id)).status).toBe('withdrawn');
    expect(await eventsOf(id)).toEqual(['sent', 'withdrawn']);
    expect(mail?.subject).toContain('a retiré sa demande');
    expect((await partnerAgent.get(linkIn(mail!.text))).body).toContain('Nous avons trouvé une autre solution');

    const accept = await partnerAgent.post(`/demandes/${id}/accepter`);
    expect(accept.statusCode).toBe(409);
    expect(accept.body).toContain('elle a été retirée');
    expect(await app.deps.db.select().from(partnerships).where(eq(partnerships.requestId, id))).toHaveLength(0);
    expect((await acmAgent.post(`/demandes/${id}/retirer`)).statusCode).toBe(409);
  });

  it('refuses a second open request for the same offer and ACM, with a link to the existing thread', async () => {
    const { offer, acmAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    const again = await acmAgent.post(`/demandes/nouvelle?offre=${offer.id}`, {
      periodStart: '2026-09-09',
      periodEnd: '2026-12-16',
      slots: 'mercredi-apres-midi',
      childrenCount: '10',
      ageMin: '6',
      ageMax: '8',
      message: 'Je renvoie ma demande au cas où elle ne serait pas arrivée.',
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Demande déjà en cours');
    expect(again.body).toContain(`href="/demandes/${id}"`);
    const form = await acmAgent.get(`/demandes/nouvelle?offre=${offer.id}`);
    expect(form.body).toContain(`href="/demandes/${id}"`);
    expect(form.body).toMatch(/Vous avez déjà une demande en cours pour cette offre \(accueil : <strong>[^<]+<\/strong>, envoyée le/);
    const offerPage = await acmAgent.get(`/offres/${offer.id}-${offer.slug}`);
    expect(offerPage.body).toMatch(
      /Une demande est déjà en cours pour cette offre \(accueil : <strong>[^<]+<\/strong>\) : <a href="\/demandes\/\d+">voir la conversation/,
    );
    expect(await app.deps.db.select().from(requests).where(eq(requests.offerId, offer.id))).toHaveLength(1);

    await acmAgent.post(`/demandes/${id}/retirer`);
    await sendRequest(acmAgent, offer.id);
  });
});

describe('reminders and expiry', () => {
  it('reminds the partner at half-time once, then expires the unanswered request and tells both sides', async () => {
    const { offer, director, coordinator, acmAgent, partnerAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    const createdAt = (await requestRow(id)).createdAt.getTime();

    app.deps.clock.setNow(new Date(createdAt + 9 * DAY));
    expect(await newMailsTo(app, coordinator.email, () => app.deps.scheduler.runNow('requests-expiry'))).toHaveLength(0);

    app.deps.clock.setNow(new Date(createdAt + 11 * DAY));
    const reminders = await newMailsTo(app, coordinator.email, async () => {
      await app.deps.scheduler.runNow('requests-expiry');
      await app.deps.scheduler.runNow('requests-expiry');
    });
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.subject).toContain('attend votre réponse');
    expect(reminders[0]!.text).toContain('la demande expirera');
    expect(linkIn(reminders[0]!.text)).toBe(`/demandes/${id}`);
    expect((await requestRow(id)).reminderSentAt).not.toBeNull();
    expect((await requestRow(id)).status).toBe('sent');

    app.deps.clock.setNow(new Date(createdAt + 21 * DAY + 60_000));
    let toPartner: Awaited<ReturnType<typeof newMailsTo>> = [];
    const toAcm = await newMailsTo(app, director.email, async () => {
      toPartner = await newMailsTo(app, coordinator.email, () => app.deps.scheduler.runNow('requests-expiry'));
    });
    const row = await requestRow(id);
    expect(row.status).toBe('expired');
    expect(await eventsOf(id)).toEqual(['sent', 'expired']);
    expect((await systemMessagesOf(id)).at(-1)).toContain('la demande a expiré');
    expect(toAcm.map((m) => m.subject)).toEqual([`Votre demande a expiré sans réponse : ${offer.title}`]);
    expect(toPartner.map((m) => m.subject)).toHaveLength(1);

    app.deps.clock.setNow(null);
    expect((await acmAgent.get(linkIn(toAcm[0]!.text))).body).toContain('Statut : Expirée');
    const accept = await partnerAgent.post(`/demandes/${id}/accepter`);
    expect(accept.statusCode).toBe(409);
    expect(accept.body).toContain('elle a expiré');
  });

  it('does not expire a request the partner has answered', async () => {
    const { offer, acmAgent, partnerAgent } = await createRequestParties(app);
    const id = await sendRequest(acmAgent, offer.id);
    await partnerAgent.post(`/demandes/${id}/messages`, { body: 'Bonjour, parlons-en : quel est votre projet pédagogique ?' });
    app.deps.clock.setNow(new Date((await requestRow(id)).createdAt.getTime() + 30 * DAY));
    await app.deps.scheduler.runNow('requests-expiry');
    expect((await requestRow(id)).status).toBe('in_discussion');
  });

  it('uses the configured delay (REQUEST_EXPIRY_DAYS)', async () => {
    const short = await createTestApp({ REQUEST_EXPIRY_DAYS: 4 });
    try {
      const { offer, acmAgent } = await createRequestParties(short);
      const id = await sendRequest(acmAgent, offer.id);
      const [row] = await short.deps.db.select().from(requests).where(eq(requests.id, id));
      expect(row!.expiresAt!.getTime() - row!.createdAt.getTime()).toBe(4 * DAY);
      short.deps.clock.setNow(new Date(row!.createdAt.getTime() + 4 * DAY + 1000));
      await short.deps.scheduler.runNow('requests-expiry');
      const [after] = await short.deps.db.select().from(requests).where(eq(requests.id, id));
      expect(after!.status).toBe('expired');
    } finally {
      await short.close();
    }
  });
});

describe('requests started by a partner (answers to an ACM need)', () => {
  it('puts them in the ACM’s received box, lets the ACM accept and only the partner withdraw', async () => {
    const { offer, acm, partner, coordinator, acmAgent, partnerAgent } = await createRequestParties(app);
    const now = app.deps.clock.now();
    const id = await app.deps.db.transaction(async (tx) => {
      const row = await insertRequest(tx, {
        acmId: acm.id,
        partnerId: partner.id,
        offerId: offer.id,
        direction: 'partner_to_acm',
        status: 'sent',
        message: 'Nous pouvons répondre à votre besoin.',
        createdAt: now,
        lastActivityAt: now,
        expiresAt: new Date(now.getTime() + 21 * DAY),
      });
      await insertEvent(tx, { requestId: row.id, actorId: null, fromStatus: null, toStatus: 'sent', createdAt: now });
      return row.id;
    });
    expect((await acmAgent.get('/demandes?boite=recues')).body).toContain(`href="/demandes/${id}"`);
    expect((await partnerAgent.get('/demandes?boite=envoyees')).body).toContain(`href="/demandes/${id}"`);
    expect((await partnerAgent.post(`/demandes/${id}/accepter`)).statusCode).toBe(403);
    expect((await acmAgent.post(`/demandes/${id}/retirer`)).statusCode).toBe(403);
    const [mail] = await newMailsTo(app, coordinator.email, async () => {
      expect((await acmAgent.post(`/demandes/${id}/accepter`)).statusCode).toBe(303);
    });
    expect(mail?.subject).toContain(`${acm.name} a accepté votre demande`);
    expect((await requestRow(id)).status).toBe('accepted');
    expect(await app.deps.db.select().from(partnerships).where(eq(partnerships.requestId, id))).toHaveLength(1);
  });
});

describe('signed-in users who are not ACM members', () => {
  it('shows partners an explanation instead of the form, and sends visitors to sign in', async () => {
    const { offer, partnerAgent } = await createRequestParties(app);
    const partnerForm = await partnerAgent.get(`/demandes/nouvelle?offre=${offer.id}`);
    expect(partnerForm.statusCode).toBe(403);
    expect(partnerForm.body).toContain('Seuls les membres d’un accueil de loisirs');
    const someone = await signedInAgent(app);
    expect((await someone.post(`/demandes/nouvelle?offre=${offer.id}`, { message: 'x'.repeat(30) })).statusCode).toBe(403);
    expect(await app.deps.db.select().from(requests).where(eq(requests.offerId, offer.id))).toHaveLength(0);
  });
});
