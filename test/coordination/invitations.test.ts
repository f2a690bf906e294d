import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invitations, memberships, organisations } from '../../db/schema/index.js';
import type { App } from '../../server/types.js';
import { Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { addCoordinatorScope, createOrganisation, createUser, linkIn, PASSWORD, readMails, signedInAgent } from '../helpers/fixtures.js';

let app: App;
let coordinator: Agent;
let coordinatorUser: Awaited<ReturnType<typeof createUser>>;
const base = '/coordination/departement/69';

beforeAll(async () => {
  app = await createTestApp();
  coordinatorUser = await createUser(app, { name: 'Claire Coordinatrice' });
  await addCoordinatorScope(app, coordinatorUser.id, 'department', '69');
  coordinator = await signedInAgent(app, coordinatorUser);
  await createOrganisation(app, { kind: 'partner', name: 'Judo Club Existant', siret: '73282932000074', codeInsee: '69266' });
});
afterAll(async () => {
  await app.close();
});

function upload(agent: Agent, csv: string | Buffer, filename = 'invitations.csv', url = `${base}/invitations`) {
  const data = typeof csv === 'string' ? Buffer.from(csv) : csv;
  const { payload: body, boundary } = multipart({}, [{ field: 'file', filename, type: 'text/csv', data }]);
  return agent.postMultipart(url, body, boundary);
}

async function mailsTo(email: string) {
  return (await readMails(app)).filter((m) => m.to.includes(email));
}

// Excel (French settings): BOM, semicolons, CRLF, French headers.
const goodAndBad = [
  'Nom;Type;Commune;Code postal;E-mail;SIRET',
  'Accueil de loisirs Les Lucioles;accueil;69266;;lucioles@exemple.fr;',
  'Bibliothèque du Tonkin;Bibliothèque, médiathèque;Villeurbanne;;tonkin@exemple.fr;',
  'Club de basket Saint-Priest;club-sportif;Saint-Priest;69800;basket@exemple.fr;',
  'ALSH Croix-Rousse;ALSH;Lyon 69004;;croix@exemple.fr;',
  'Sans adresse;accueil;69266;;pas-une-adresse;',
  'Commune inconnue;accueil;Trifouillis;;a@exemple.fr;',
  'Bordeaux;association;33063;;b@exemple.fr;',
  'Judo Club Bis;club-sportif;69123;;judo@exemple.fr;73282932000074',
  ';accueil;69266;;c@exemple.fr;',
  'Type bizarre;fusée;69266;;d@exemple.fr;',
  'Accueil de loisirs Les Lucioles;accueil;69266;;autre@exemple.fr;',
  'Judo Club Existant;club-sportif;69266;;e@exemple.fr;',
].join('\r\n');

describe('bulk invitations', () => {
  it('creates unclaimed pages for the good lines, emails each contact and reports the rejects by line in French', async () => {
    const page = await coordinator.get(`${base}/invitations`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toMatch(/action="\/coordination\/departement\/69\/invitations\?_csrf=[^"]+"/);

    const sent = await upload(coordinator, `\uFEFF${goodAndBad}\r\n`, 'accueils-rhone.csv');
    expect(sent.statusCode).toBe(303);
    const reportUrl = sent.headers.location as string;
    expect(reportUrl).toMatch(/^\/coordination\/departement\/69\/invitations\/import\/\d+$/);
    const report = await coordinator.get(reportUrl);
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Fichier traité : 4\u00a0invitations envoyées, 8\u00a0lignes refusées.');
    const reasons: [number, string][] = [
      [6, 'adresse e-mail invalide : « pas-une-adresse »'],
      [7, 'commune inconnue : « Trifouillis »'],
      [8, 'commune hors de votre territoire : Bordeaux (33063) n’est pas dans Rhône (69)'],
      [9, 'SIRET déjà enregistré sur Passerelle pour « Judo Club Existant »'],
      [10, 'nom manquant'],
      [11, 'type inconnu : « fusée »'],
      [12, 'en double dans le fichier : même nom et même commune que la ligne 2'],
      [13, 'une structure du même nom existe déjà à Villeurbanne : « Judo Club Existant »'],
    ];
    for (const [line, reason] of reasons) expect(report.body).toMatch(new RegExp(`Ligne ${line}</th>[\\s\\S]*?${reason.replace(/[()]/g, '\\$&')}`));
    for (const name of ['Accueil de loisirs Les Lucioles', 'Bibliothèque du Tonkin', 'Club de basket Saint-Priest', 'ALSH Croix-Rousse']) {
      expect(report.body).toContain(name);
    }

    const created = await app.deps.db.select().from(organisations).where(eq(organisations.unclaimed, true));
    expect(created.map((o) => [o.name, o.kind, o.type, o.codeInsee]).sort()).toEqual(
      [
        ['ALSH Croix-Rousse', 'acm', null, '69123'],
        ['Accueil de loisirs Les Lucioles', 'acm', null, '69266'],
        ['Bibliothèque du Tonkin', 'partner', 'bibliotheque', '69266'],
        ['Club de basket Saint-Priest', 'partner', 'club-sportif', '69290'],
      ].sort(),
    );
    const members = await app.deps.db.select().from(memberships);
    expect(members.filter((m) => created.some((o) => o.id === m.organisationId))).toEqual([]);

    const mail = (await mailsTo('lucioles@exemple.fr'))[0]!;
    expect(mail.subject).toBe('Claire Coordinatrice vous invite à compléter la page de « Accueil de loisirs Les Lucioles » sur Passerelle');
    expect(mail.text).toContain('valable 30 jours');
    expect(linkIn(mail.text)).toMatch(/^\/invitations\/[A-Za-z0-9_-]{40,}$/);
    for (const email of ['tonkin@exemple.fr', 'basket@exemple.fr', 'croix@exemple.fr']) expect(await mailsTo(email)).toHaveLength(1);
    for (const email of ['b@exemple.fr', 'judo@exemple.fr', 'autre@exemple.fr']) expect(await mailsTo(email)).toHaveLength(0);

    // The rejects download: the same lines, in the app's CSV dialect.
    const rejects = await coordinator.get(`${reportUrl}/refus.csv`);
    expect(rejects.statusCode).toBe(200);
    const cells = readAsExcel(rejects.rawPayload);
    expect(cells.map((r) => r.ligne)).toEqual(reasons.map(([line]) => String(line)));
    expect(cells[0]).toEqual({ ligne: '6', nom: 'Sans adresse', motifs: 'adresse e-mail invalide : « pas-une-adresse »' });

    // The pending list shows them, with a resend button each.
    const pending = await coordinator.get(`${base}/invitations`);
    expect(pending.body).toContain('4\u00a0invitations en attente');
    expect(pending.body).toContain('accueils-rhone.csv');
  }, 120_000);

  it('lets the contact claim the page once: sign up, accept, become owner, then the link is spent', async () => {
    const link = linkIn((await mailsTo('tonkin@exemple.fr'))[0]!.text);
    const visitor = new Agent(app);
    const landing = await visitor.get(link);
    expect(landing.statusCode).toBe(200);
    expect(landing.body).toContain('Revendiquer « Bibliothèque du Tonkin »');
    expect(landing.body).toContain(`/connexion?suivant=${encodeURIComponent(link)}`);

    const [unclaimed] = await app.deps.db.select().from(organisations).where(eq(organisations.name, 'Bibliothèque du Tonkin'));
    const publicPage = await new Agent(app).get(`/structures/${unclaimed!.id}`);
    expect(publicPage.statusCode).toBe(301);
    expect((await new Agent(app).get(publicPage.headers.location as string)).body).toContain('Page créée par la coordination du territoire');

    const claimer = await createUser(app, { email: 'tonkin@exemple.fr', name: 'Théo Tonkin' });
    const welcome = await (await signedInAgent(app, claimer)).get('/bienvenue');
    expect(welcome.body).toContain('page créée par la coordination de votre territoire, à revendiquer');
    await visitor.post('/connexion', { email: claimer.email, password: PASSWORD, suivant: link });
    const accept = await visitor.post(link);
    expect(accept.statusCode).toBe(303);
    const [organisation] = await app.deps.db.select().from(organisations).where(eq(organisations.name, 'Bibliothèque du Tonkin'));
    expect(accept.headers.location).toBe(`/structures/${organisation!.id}/modifier`);
    expect(organisation!.unclaimed).toBe(false);
    const [membership] = await app.deps.db.select().from(memberships).where(eq(memberships.organisationId, organisation!.id));
    expect(membership).toMatchObject({ userId: claimer.id, role: 'owner' });
    expect((await visitor.get(`/structures/${organisation!.id}/modifier`)).statusCode).toBe(200);
    expect((await new Agent(app).get(publicPage.headers.location as string)).body).not.toContain('Page créée par la coordination du territoire');

    const again = await new Agent(app).get(link);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('Ce lien d’invitation a déjà servi');
    expect((await (await signedInAgent(app)).post(link)).statusCode).toBe(400);
    // Claimed: it leaves the pending list.
    expect((await coordinator.get(`${base}/invitations`)).body).toContain('3\u00a0invitations en attente');
  }, 60_000);

  it('refuses an expired link with a clear page, and a resend renews it with a new link', async () => {
    const oldLink = linkIn((await mailsTo('basket@exemple.fr'))[0]!.text);
    app.deps.clock.advance(31 * 86_400_000);
    // A month later the coordinator's session has ended: they sign in again.
    coordinator = await signedInAgent(app, coordinatorUser);
    try {
      const expired = await new Agent(app).get(oldLink);
      expect(expired.statusCode).toBe(400);
      expect(expired.body).toContain('Invitation expirée');
      expect(expired.body).toMatch(/Ce lien d’invitation a expiré le \d{1,2}(er)? \S+ \d{4}/);
      expect(expired.body).toContain('Demandez à la coordination de votre territoire');

      const page = await coordinator.get(`${base}/invitations`);
      expect(page.body).toContain('Expirée le');
      const [row] = await app.deps.db.select().from(invitations).where(eq(invitations.email, 'basket@exemple.fr'));
      const resent = await coordinator.post(`${base}/invitations/${row!.id}/renvoyer`);
      expect(resent.statusCode).toBe(303);
      const [renewed] = await app.deps.db.select().from(invitations).where(eq(invitations.id, row!.id));
      expect(renewed!.sendCount).toBe(2);
      expect(renewed!.expiresAt.getTime() - app.deps.clock.now().getTime()).toBeGreaterThan(30 * 86_400_000 - 60_000);
      const mails = await mailsTo('basket@exemple.fr');
      expect(mails).toHaveLength(2);
      const newLink = linkIn(mails[1]!.text);
      expect(newLink).not.toBe(oldLink);
      expect((await new Agent(app).get(oldLink)).statusCode).toBe(400);
      const fresh = await new Agent(app).get(newLink);
      expect(fresh.statusCode).toBe(200);
      expect(fresh.body).toContain('Revendiquer « Club de basket Saint-Priest »');
    } finally {
      app.deps.clock.advance(-31 * 86_400_000);
      coordinator = await signedInAgent(app, coordinatorUser);
    }
  }, 60_000);

  it('refuses files it cannot read, next to the field', async () => {
    const empty = await upload(coordinator, '');
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('Choisissez un fichier CSV à envoyer.');
    const noColumns = await upload(coordinator, 'nom;commune\r\nA;69123\r\n');
    expect(noColumns.statusCode).toBe(422);
    expect(noColumns.body).toContain('Colonnes manquantes dans l’en-tête : type, email.');
    const binary = await upload(coordinator, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0]), 'classeur.xlsx');
    expect(binary.statusCode).toBe(422);
    expect(binary.body).toContain('Ce fichier n’est pas un CSV');
    // Windows-1252 and a formula cell: the line is refused for its encoding, the formula kept as text.
    const latin = Buffer.concat([
      Buffer.from('name,type,commune,email\n'),
      Buffer.from('Accueil Ren\xe9-Char,accueil,69123,rene@exemple.fr\n', 'latin1'),
      Buffer.from('"\'=HYPERLINK(""http://x"")",association,69123,formule@exemple.fr\n'),
    ]);
    const sent = await upload(coordinator, latin);
    expect(sent.statusCode).toBe(303);
    const report = await coordinator.get(sent.headers.location as string);
    expect(report.body).toContain('encodage invalide : enregistrez le fichier en UTF-8');
    expect(report.body).toContain('=HYPERLINK(&quot;http://x&quot;)');
    // Without the CSRF token the upload is refused.
    const { payload: body, boundary } = multipart({}, [{ field: 'file', filename: 'a.csv', type: 'text/csv', data: Buffer.from(goodAndBad) }]);
    expect((await coordinator.postMultipart(`${base}/invitations`, body, boundary, { csrf: false })).statusCode).toBe(403);
  }, 60_000);

  it('offers a template file that reads back as it is', async () => {
    const template = await coordinator.get(`${base}/invitations/modele.csv`);
    expect(template.statusCode).toBe(200);
    expect(readAsExcel(template.rawPayload).map((r) => r.nom)).toEqual(['Accueil de loisirs Les Lucioles', 'Bibliothèque du quartier']);
    const sent = await upload(coordinator, template.rawPayload, 'modele-invitations.csv');
    const report = await coordinator.get(sent.headers.location as string);
    // The first example was created by the first file; the second is new (Lyon from its name and postcode).
    expect(report.body).toContain('Fichier traité : 1\u00a0invitation envoyée, 1\u00a0ligne refusée.');
    expect(report.body).toContain('un accueil du même nom existe déjà à Villeurbanne : « Accueil de loisirs Les Lucioles »');
    const [created] = await app.deps.db.select().from(organisations).where(eq(organisations.name, 'Bibliothèque du quartier'));
    expect(created).toMatchObject({ codeInsee: '69123', postcode: '69003', type: 'bibliotheque', unclaimed: true });
  }, 60_000);

  it('serves the invitations pages to the coordinators of the territory and to admins only', async () => {
    const [item] = await app.deps.db.select({ id: invitations.importId }).from(invitations).limit(1);
    const [pending] = await app.deps.db.select().from(invitations).where(eq(invitations.email, 'croix@exemple.fr'));
    const routes = [
      `${base}/invitations`,
      `${base}/invitations/modele.csv`,
      `${base}/invitations/import/${item!.id}`,
      `${base}/invitations/import/${item!.id}/refus.csv`,
    ];
    const gironde = await createUser(app);
    await addCoordinatorScope(app, gironde.id, 'department', '33');
    const outsider = await signedInAgent(app, gironde);
    const plain = await signedInAgent(app);
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    for (const url of routes) {
      expect((await coordinator.get(url)).statusCode, url).toBe(200);
      expect((await admin.get(url)).statusCode, url).toBe(200);
      expect((await outsider.get(url)).statusCode, url).toBe(404);
      expect((await plain.get(url)).statusCode, url).toBe(404);
      expect((await new Agent(app).get(url)).statusCode, url).toBe(302);
    }
    // The Gironde coordinator cannot see the Rhône import through their own territory either.
    expect((await outsider.get(`/coordination/departement/33/invitations/import/${item!.id}`)).statusCode).toBe(404);
    // Nor upload into the Rhône, nor resend its invitations.
    expect((await upload(outsider, goodAndBad)).statusCode).toBe(404);
    expect((await upload(plain, goodAndBad)).statusCode).toBe(404);
    expect((await outsider.post(`${base}/invitations/${pending!.id}/renvoyer`)).statusCode).toBe(404);
    expect((await outsider.post(`/coordination/departement/33/invitations/${pending!.id}/renvoyer`)).statusCode).toBe(404);
    expect((await plain.post(`${base}/invitations/${pending!.id}/renvoyer`)).statusCode).toBe(404);
    expect(await mailsTo('croix@exemple.fr')).toHaveLength(1);
    // An admin may resend.
    expect((await admin.post(`${base}/invitations/${pending!.id}/renvoyer`)).statusCode).toBe(303);
    expect(await mailsTo('croix@exemple.fr')).toHaveLength(2);
    // An admin uploading in a territory is bound by it too.
    const adminUpload = await upload(admin, 'nom;type;commune;email\r\nClub Girondin;association;33063;g@exemple.fr\r\n');
    const adminReport = await admin.get(adminUpload.headers.location as string);
    expect(adminReport.body).toContain('commune hors de votre territoire');
  }, 90_000);
});
