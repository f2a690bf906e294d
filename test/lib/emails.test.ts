import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/types.js';
import { createTestApp } from '../helpers/app.js';
import { readMails } from '../helpers/fixtures.js';
import { createRequestParties, sendRequest } from '../helpers/requests.js';

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

/** "de" written before a word starting with a vowel: French elides it ("d’Accueil"). */
const unelided = /\bde (?=[AEIOUYÀÂÉÈÊÎÔÛŒaeiouyàâéèêîôûœ])/;

describe('the e-mails as a mail client reads them', () => {
  it('are written with CRLF line ends throughout and subjects and sentences elided as French requires', async () => {
    const { offer, acm, partner, coordinator, acmAgent, partnerAgent } = await createRequestParties(app, {
      acm: 'Accueil de loisirs Les Pinsons',
      partner: 'Atelier du Castelet',
    });
    const id = await sendRequest(acmAgent, offer.id);
    expect((await partnerAgent.post(`/demandes/${id}/messages`, { body: 'Bonjour, avec plaisir : parlons-en mercredi.' })).statusCode).toBe(303);
    await readMails(app);

    const files = readdirSync(app.deps.mailer.outboxDir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const subjects: string[] = [];
    for (const file of files) {
      const raw = readFileSync(join(app.deps.mailer.outboxDir, file));
      const bareLf = raw
        .toString('latin1')
        .split('\n')
        .slice(0, -1)
        .filter((line) => !line.endsWith('\r'));
      expect(bareLf, `${file}: lines ending in a bare LF`).toEqual([]);
      const mail = await simpleParser(raw);
      subjects.push(mail.subject ?? '');
      expect(mail.subject, file).not.toMatch(unelided);
      expect(mail.text, file).not.toMatch(unelided);
    }
    expect(subjects).toContain(`Nouvelle demande de partenariat de l’${acm.name}`);
    expect(subjects).toContain(`Nouveau message de l’${partner.name} : ${offer.title}`);
    expect(coordinator.email).toBeTruthy();
  });
});
