import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, memberships, notifications, partnershipDocuments, partnerships } from '../../db/schema/index.js';
import { parisToday } from '../../server/kernel/paris-time.js';
import { addDays } from '../../server/partnerships/calendar.js';
import { sendDocumentReminders } from '../../server/partnerships/documents.usecases.js';
import { removeOrphanFiles } from '../../server/storage/orphans.js';
import type { App } from '../../server/types.js';
import { type Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { addCoordinatorScope, createOrganisation, createUser, readMails, signedInAgent } from '../helpers/fixtures.js';
import { createPartnershipFixture, type PartnershipFixture } from '../helpers/partnerships.js';

let app: App;
let f: PartnershipFixture;
beforeAll(async () => {
  app = await createTestApp();
  f = await createPartnershipFixture(app);
});
afterAll(async () => {
  await app.close();
});

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const today = () => parisToday(app.deps.clock.now());
const base = () => `/partenariats/${f.partnership.id}/documents`;

async function upload(
  agent: Agent,
  fields: Record<string, string>,
  file: { filename: string; type: string; data: Buffer } | null = { filename: 'Attestation MAIF 2026.pdf', type: 'application/pdf', data: pdf },
  url = base(),
) {
  const { payload, boundary } = multipart(fields, file ? [{ field: 'file', ...file }] : []);
  return agent.postMultipart(url, payload, boundary);
}

async function documentRows() {
  return app.deps.db.select().from(partnershipDocuments).where(eq(partnershipDocuments.partnershipId, f.partnership.id));
}

async function storedFiles(): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of app.deps.storage.list('partenariats/')) keys.push(entry.key);
  return keys;
}

describe('uploading and reading documents', () => {
  it('stores a party’s document, records it in the history, tells the other party, and shows it to both', async () => {
    const expiry = addDays(today(), 200);
    const response = await upload(f.partnerAgent, { type: 'assurance', expiresOn: expiry });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(base());
    const [row] = await documentRows();
    expect(row).toMatchObject({
      side: 'partner',
      organisationId: f.partner.id,
      uploadedBy: f.partnerUser.id,
      type: 'assurance',
      fileName: 'Attestation MAIF 2026.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
      expiresOn: expiry,
    });
    expect(await app.deps.storage.get(row!.storageKey)).toEqual(pdf);

    const [history] = await app.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entity, 'partnership'), eq(auditLog.entityId, f.partnership.id), eq(auditLog.action, 'document.uploaded')));
    expect(history?.data.summary).toContain('a déposé un document : attestation d’assurance (« Attestation MAIF 2026.pdf »)');
    const acmNotes = await app.deps.db.select().from(notifications).where(eq(notifications.userId, f.acmUser.id));
    expect(acmNotes.map((n) => n.title)).toContain('Nouveau document (attestation d’assurance) · Judo du mercredi');
    const partnerNotes = await app.deps.db.select().from(notifications).where(eq(notifications.userId, f.partnerUser.id));
    expect(partnerNotes.filter((n) => n.url.endsWith('/documents'))).toHaveLength(0);

    const page = await f.acmAgent.get(base());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Attestation MAIF 2026.pdf');
    expect(page.body).toContain('Attestation d’assurance');
    expect(page.body).toContain('Expire dans 200\u00a0jours');
    expect(page.body).toContain('Karim Benali');
    // The ACM may not delete the partner's document; the partner may.
    expect(page.body).not.toContain(`${base()}/${row!.id}/supprimer`);
    expect((await f.partnerAgent.get(base())).body).toContain(`${base()}/${row!.id}/supprimer`);
    expect((await f.acmAgent.get(`/partenariats/${f.partnership.id}/historique`)).body).toContain('a déposé un document');

    const download = await f.acmAgent.get(`${base()}/${row!.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toContain('filename="Attestation MAIF 2026.pdf"');
    expect(download.headers['cache-control']).toBe('private, no-store');
    expect(download.rawPayload).toEqual(pdf);
  });

  it('lists the expiry state of each document: expired, expiring soon, without date', async () => {
    await upload(f.acmAgent, { type: 'droit-image', expiresOn: addDays(today(), 1) }, { filename: 'droit image.png', type: 'image/png', data: png });
    await upload(f.acmAgent, { type: 'devis', expiresOn: '' }, { filename: 'devis.pdf', type: 'application/pdf', data: pdf });
    const rows = await documentRows();
    const image = rows.find((r) => r.type === 'droit-image')!;
    expect(image.contentType).toBe('image/png');
    await app.deps.db
      .update(partnershipDocuments)
      .set({ expiresOn: addDays(today(), -3) })
      .where(eq(partnershipDocuments.id, image.id));
    const page = (await f.partnerAgent.get(base())).body;
    expect(page).toMatch(/tag-danger">Expiré<\/span><br><span class="muted">depuis le/);
    expect(page).toContain('Sans date d’expiration');
    expect(page).toContain('3\u00a0documents');
    const overview = (await f.partnerAgent.get(`/partenariats/${f.partnership.id}`)).body;
    expect(overview).toMatch(/3\u00a0documents partagés<\/a>&nbsp;· <span class="tag tag-danger">1\u00a0expiré<\/span><\/dd>/);
  });

  it('keeps a document’s file from the orphan cleanup', async () => {
    const keys = await storedFiles();
    expect(keys.length).toBeGreaterThanOrEqual(3);
    app.deps.clock.setNow(new Date(Date.now() + 2 * 3600_000));
    try {
      await removeOrphanFiles(app.deps);
    } finally {
      app.deps.clock.setNow(null);
    }
    expect(await storedFiles()).toEqual(keys);
  });
});

describe('checks of the upload form', () => {
  it('refuses a file whose content is not a PDF or an image, whatever its name and declared type', async () => {
    const before = (await documentRows()).length;
    const files = await storedFiles();
    const disguised = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(200, 1)]);
    const response = await upload(f.partnerAgent, { type: 'facture', expiresOn: '' }, { filename: 'facture.pdf', type: 'application/pdf', data: disguised });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('id="f-file-error"');
    expect(response.body).toContain('Format non accepté : déposez un PDF ou une image (JPEG, PNG ou WebP).');
    expect(response.body).toMatch(/<option value="facture" selected>/);
    // The page is answered at the upload's address, which carries the CSRF token: the browser is told to show the page's own.
    expect(response.body).toContain(` data-page-url="/partenariats/${f.partnership.id}/documents"`);
    expect((await documentRows()).length).toBe(before);
    expect(await storedFiles()).toEqual(files);
  });

  it('says beside each field what is wrong: no type, a past or malformed date, no file, a file too big', async () => {
    const past = await upload(f.partnerAgent, { type: '', expiresOn: addDays(today(), -1) });
    expect(past.statusCode).toBe(422);
    expect(past.body).toContain('id="f-type-error"');
    expect(past.body).toContain('Choisissez le type de document.');
    expect(past.body).toContain('id="f-expiresOn-error"');
    expect(past.body).toContain('Cette date est déjà passée');
    expect(past.body).toContain('Le formulaire contient 2 erreurs');

    const malformed = await upload(f.partnerAgent, { type: 'assurance', expiresOn: '2027-02-30' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toContain('Date invalide (format attendu : AAAA-MM-JJ).');

    const missing = await upload(f.partnerAgent, { type: 'assurance', expiresOn: '' }, null);
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('Choisissez le fichier à déposer.');

    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5 * 1024 * 1024 + 10, 0x20)]);
    const tooBig = await upload(f.partnerAgent, { type: 'assurance', expiresOn: '' }, { filename: 'scan.pdf', type: 'application/pdf', data: big });
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.body).toContain('Le fichier dépasse 5,0 Mo');
  });

  it('refuses an upload without the CSRF token', async () => {
    const { payload, boundary } = multipart({ type: 'assurance' }, [{ field: 'file', filename: 'a.pdf', type: 'application/pdf', data: pdf }]);
    const response = await f.partnerAgent.postMultipart(base(), payload, boundary, { csrf: false });
    expect(response.statusCode).toBe(403);
  });
});

describe('who sees and changes the documents', () => {
  let documentId: number;
  beforeAll(async () => {
    const [row] = (await documentRows()).filter((r) => r.side === 'partner');
    documentId = row!.id;
  });

  it('answers 404 to a member of another organisation, for the page, the file, the upload and the deletion', async () => {
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'partner', ownerId: outsider.id });
    const agent = await signedInAgent(app, outsider);
    expect((await agent.get(base())).statusCode).toBe(404);
    expect((await agent.get(`${base()}/${documentId}`)).statusCode).toBe(404);
    expect((await upload(agent, { type: 'autre' })).statusCode).toBe(404);
    expect((await agent.post(`${base()}/${documentId}/supprimer`)).statusCode).toBe(404);
    expect((await documentRows()).some((r) => r.id === documentId)).toBe(true);
  });

  it('lets a coordinator of the ACM’s territory read and download, but not upload or delete; another territory’s gets 404', async () => {
    const coordinator = await createUser(app);
    await addCoordinatorScope(app, coordinator.id, 'department', '69');
    const agent = await signedInAgent(app, coordinator);
    const page = await agent.get(base());
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Attestation MAIF 2026.pdf');
    expect(page.body).not.toContain('Déposer un document');
    expect(page.body).not.toContain('/supprimer');
    expect((await agent.get(`${base()}/${documentId}`)).statusCode).toBe(200);
    expect((await upload(agent, { type: 'autre' })).statusCode).toBe(403);
    expect((await agent.post(`${base()}/${documentId}/supprimer`)).statusCode).toBe(403);

    const elsewhere = await createUser(app);
    await addCoordinatorScope(app, elsewhere.id, 'department', '33');
    const other = await signedInAgent(app, elsewhere);
    expect((await other.get(base())).statusCode).toBe(404);
    expect((await other.get(`${base()}/${documentId}`)).statusCode).toBe(404);
  });

  it('keeps the documents from an administrator (403) and hides the link', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    expect((await admin.get(base())).statusCode).toBe(403);
    expect((await admin.get(`${base()}/${documentId}`)).statusCode).toBe(403);
    expect((await admin.get(`/partenariats/${f.partnership.id}`)).body).not.toContain(`href="${base()}"`);
  });

  it('answers 404 for a malformed or unknown document id', async () => {
    for (const id of ['abc', '1e3', '0', '99999999999', '2147483647']) expect((await f.partnerAgent.get(`${base()}/${id}`)).statusCode, id).toBe(404);
    expect((await f.partnerAgent.post(`${base()}/2147483647/supprimer`)).statusCode).toBe(404);
  });

  it('answers 404 for a document of another partnership', async () => {
    const other = await createPartnershipFixture(app);
    expect((await f.partnerAgent.get(`/partenariats/${other.partnership.id}/documents/${documentId}`)).statusCode).toBe(404);
    expect((await other.partnerAgent.get(`/partenariats/${other.partnership.id}/documents/${documentId}`)).statusCode).toBe(404);
    expect((await other.partnerAgent.post(`/partenariats/${other.partnership.id}/documents/${documentId}/supprimer`)).statusCode).toBe(404);
  });

  it('asks before deleting, without JavaScript: the link opens a confirmation page, a post without the confirmation deletes nothing', async () => {
    const list = await f.partnerAgent.get(base());
    expect(list.body).toContain(
      `<a href="${base()}/${documentId}/supprimer">Supprimer<span class="visually-hidden"> le document « Attestation MAIF 2026.pdf »</span></a>`,
    );
    const page = await f.partnerAgent.get(`${base()}/${documentId}/supprimer`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Supprimer le document « Attestation MAIF 2026.pdf » ?');
    expect(page.body).toContain('La suppression est définitive');
    expect(page.body).toMatch(
      new RegExp(`<form method="post" action="${base()}/${documentId}/supprimer"[^>]*>[\\s\\S]*name="confirm" value="oui"[\\s\\S]*Supprimer définitivement`),
    );
    expect(page.body).toContain(`href="${base()}#document-${documentId}">Annuler et garder le document</a>`);
    const unconfirmed = await f.partnerAgent.post(`${base()}/${documentId}/supprimer`);
    expect(unconfirmed.statusCode).toBe(303);
    expect(unconfirmed.headers.location).toBe(`${base()}/${documentId}/supprimer`);
    expect((await f.partnerAgent.post(`${base()}/${documentId}/supprimer`, { confirm: 'non' })).headers.location).toBe(`${base()}/${documentId}/supprimer`);
    expect((await documentRows()).some((r) => r.id === documentId)).toBe(true);
  });

  it('shows the confirmation page only to who may delete: the other party 403, an outsider 404', async () => {
    expect((await f.acmAgent.get(`${base()}/${documentId}/supprimer`)).statusCode).toBe(403);
    const outsider = await createUser(app);
    await createOrganisation(app, { kind: 'partner', ownerId: outsider.id });
    expect((await (await signedInAgent(app, outsider)).get(`${base()}/${documentId}/supprimer`)).statusCode).toBe(404);
    expect((await f.partnerAgent.get(`${base()}/2147483647/supprimer`)).statusCode).toBe(404);
  });

  it('lets only the uploading organisation delete a document: the other party gets 403, a colleague of the uploader may', async () => {
    expect((await f.acmAgent.post(`${base()}/${documentId}/supprimer`)).statusCode).toBe(403);
    const [row] = (await documentRows()).filter((r) => r.id === documentId);
    const colleague = await createUser(app, { name: 'Inès Moreau' });
    await app.deps.db.insert(memberships).values({ organisationId: f.partner.id, userId: colleague.id, role: 'member' });
    const agent = await signedInAgent(app, colleague);
    const response = await agent.post(`${base()}/${documentId}/supprimer`, { confirm: 'oui' });
    expect(response.statusCode).toBe(303);
    expect((await documentRows()).some((r) => r.id === documentId)).toBe(false);
    expect(await app.deps.storage.get(row!.storageKey)).toBeNull();
    expect((await agent.get(base())).body).toContain('est retiré');
    const history = await f.acmAgent.get(`/partenariats/${f.partnership.id}/historique`);
    expect(history.body).toContain('a retiré un document : attestation d’assurance');
  });

  it('keeps the documents of a closed partnership readable by the parties, without upload or deletion', async () => {
    const closed = await createPartnershipFixture(app, { partnership: { status: 'closed' } });
    const page = await closed.acmAgent.get(`/partenariats/${closed.partnership.id}/documents`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Déposer un document');
    expect(page.body).toContain('Ce partenariat est terminé');
    expect((await upload(closed.acmAgent, { type: 'autre' }, undefined, `/partenariats/${closed.partnership.id}/documents`)).statusCode).toBe(403);
  });
});

describe('expiry reminders', () => {
  async function reminderTitles(userId: number): Promise<string[]> {
    const rows = await app.deps.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), eq(notifications.type, 'partnership_document_expiry')));
    return rows.map((r) => r.title);
  }

  async function runAt(day: string): Promise<number> {
    app.deps.clock.setNow(new Date(`${day}T08:00:00Z`));
    try {
      return await sendDocumentReminders(app.deps);
    } finally {
      app.deps.clock.setNow(null);
    }
  }

  it('reminds the uploading organisation 30 days then 7 days before the expiry, each reminder once', async () => {
    const g = await createPartnershipFixture(app);
    const expiry = addDays(today(), 90);
    expect(
      (await upload(g.partnerAgent, { type: 'carte-professionnelle', expiresOn: expiry }, undefined, `/partenariats/${g.partnership.id}/documents`)).statusCode,
    ).toBe(303);
    await readMails(app);

    expect(await runAt(addDays(expiry, -31))).toBe(0);
    expect(await runAt(addDays(expiry, -30))).toBe(1);
    expect(await runAt(addDays(expiry, -30))).toBe(0);
    expect(await runAt(addDays(expiry, -20))).toBe(0);
    expect(await reminderTitles(g.partnerUser.id)).toEqual(['Carte professionnelle ou diplôme d’intervenant : expire dans 30\u00a0jours (Judo du mercredi)']);
    // The email was queued at the moved clock's time: it goes out once that time has come.
    app.deps.clock.setNow(new Date(`${addDays(expiry, -30)}T09:00:00Z`));
    const mails = (await readMails(app).finally(() => app.deps.clock.setNow(null))).filter((m) => m.to.includes(g.partnerUser.email));
    expect(mails.map((m) => m.subject)).toContain('Carte professionnelle ou diplôme d’intervenant : expire dans 30\u00a0jours (Judo du mercredi)');

    expect(await runAt(addDays(expiry, -7))).toBe(1);
    expect(await runAt(addDays(expiry, -6))).toBe(0);
    expect(await runAt(addDays(expiry, -1))).toBe(0);
    expect(await reminderTitles(g.partnerUser.id)).toHaveLength(2);
    expect((await reminderTitles(g.partnerUser.id))[1]).toContain('expire dans 7\u00a0jours');
    // The other party is not reminded of a document that is not theirs.
    expect(await reminderTitles(g.acmUser.id)).toEqual([]);
  });

  it('skips a reminder whose day came before the upload, and the documents of closed partnerships', async () => {
    const g = await createPartnershipFixture(app);
    const url = `/partenariats/${g.partnership.id}/documents`;
    const soon = addDays(today(), 20);
    await upload(g.acmAgent, { type: 'assurance', expiresOn: soon }, undefined, url);
    expect(await runAt(today())).toBe(0);
    expect(await runAt(addDays(soon, -7))).toBe(1);
    expect(await reminderTitles(g.acmUser.id)).toEqual(['Attestation d’assurance : expire dans 7\u00a0jours (Judo du mercredi)']);

    const later = addDays(today(), 60);
    await upload(g.acmAgent, { type: 'facture', expiresOn: later }, undefined, url);
    await app.deps.db.update(partnerships).set({ status: 'closed' }).where(eq(partnerships.id, g.partnership.id));
    expect(await runAt(addDays(later, -30))).toBe(0);
  });
});
