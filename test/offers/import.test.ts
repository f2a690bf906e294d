import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { offerImports, offers, organisations, searchOutbox } from '../../db/schema/index.js';
import { importCommand } from '../../scripts/import.js';
import { pendingSearchSync } from '../../search/worker.js';
import { exportOffersCsv } from '../../server/offers/import/export.js';
import { importOffers, type Reject } from '../../server/offers/import/import.js';
import { CSV_COLUMNS } from '../../server/offers/import/rows.js';
import type { App } from '../../server/types.js';
import { multipart } from '../helpers/agent.js';
import { createTestApp, openCommandDatabase } from '../helpers/app.js';
import { readAsExcel } from '../helpers/csv.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer } from '../helpers/offers.js';

const run = promisify(execFile);

let app: App;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app.close();
});

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

function good(overrides: Row = {}): Row {
  return {
    external_id: 'EXT-1',
    org_external_id: 'ORG-A',
    org_name: 'Compagnie du Rebond',
    org_type: 'theatre-spectacle',
    org_email: 'contact@rebond.fr',
    title: 'Atelier clown',
    summary: 'Découvrir le clown et le jeu masqué.',
    description: 'Trois séances d’improvisation.',
    themes: 'culture',
    subthemes: 'theatre-marionnettes|cirque-arts-de-la-rue',
    formats: 'atelier',
    venue: 'dans-l-accueil',
    travel_km: '25',
    age_min: '6',
    age_max: '11',
    group_min: '8',
    group_max: '16',
    price: 'payant',
    price_eur: '80',
    accessibility: 'moteur',
    natures: 'intervention',
    slots: 'mercredi-apres-midi',
    periodicity: 'cycle',
    code_insee: '69388',
    start_date: '2026-09-02',
    end_date: '2027-07-03',
    contact_email: 'ateliers@rebond.fr',
    ...overrides,
  };
}

const quote = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
const line = (row: Row) => CSV_COLUMNS.map((c) => quote(row[c] ?? '')).join(',');
const header = CSV_COLUMNS.join(',');

function csv(lines: string[]): string {
  return `${[header, ...lines].join('\n')}\n`;
}

async function importText(text: string | Buffer | Buffer[], options: { publish?: boolean; dryRun?: boolean } = {}) {
  const rejects: Reject[] = [];
  const chunks = Array.isArray(text) ? text : [typeof text === 'string' ? Buffer.from(text) : text];
  const result = await importOffers(app.deps, Readable.from(chunks), {
    publish: options.publish ?? true,
    dryRun: options.dryRun,
    onReject: (r) => rejects.push(r),
  });
  return { ...result, rejects };
}

async function offersByExternalId(ids: string[]) {
  return app.deps.db.select().from(offers).where(inArray(offers.externalId, ids));
}

/** Lines 2 to 15 of the mixed file: good rows and every kind of bad row. */
function mixedFile(): string {
  return csv([
    line(good()), // 2
    line(good({ external_id: 'EXT-2', themes: 'culture|musique' })), // 3: unknown theme
    line(good({ external_id: 'EXT-3', age_min: '12', age_max: '8' })), // 4
    line(good({ external_id: 'EXT-4', code_insee: '99999' })), // 5: unknown commune
    line(good({ external_id: 'EXT-5', title: '' })), // 6
    `EXT-6,ORG-A,,,,,,"Titre "cassé" ici",r,d,culture,,atelier,dans-l-accueil,10,6,11,,,gratuit,,,,,,,,69388,,,,,`, // 7: broken quoting
    line(good({ external_id: 'EXT-1', title: 'Doublon' })), // 8: duplicate external_id
    line(
      good({
        external_id: 'EXT-7',
        org_name: '',
        code_insee: '',
        postcode: '69100',
        venue: 'chez-le-partenaire',
        address: '10 place Lazare-Goujon',
        travel_km: '',
      }),
    ), // 9
    line(good({ external_id: 'EXT-8', price: 'payant', price_eur: 'douze' })), // 10: bad price
    line(good({ external_id: 'EXT-9', description: 'Première ligne\nDeuxième ligne', code_insee: '', lat: '45.7640', lng: '4.8357' })), // 11-12
    line(good({ external_id: 'EXT-10', code_insee: '', postcode: '00000' })), // 13: unknown postcode
    line(good({ external_id: 'EXT-11', org_external_id: 'ORG-B', org_name: '' })), // 14: unknown organisation without name
    line(
      good({
        external_id: 'EXT-12',
        org_external_id: 'ORG-C',
        org_name: 'Ludothèque des Pentes',
        org_type: 'association',
        themes: 'jeux',
        subthemes: 'jeux-societe',
        price: 'gratuit',
        price_eur: '',
      }),
    ), // 15
  ]);
}

describe('bulk import of offers', () => {
  it('imports the good rows and reports each bad one with its line and reason', async () => {
    const result = await importText(mixedFile());
    expect(result.imported).toBe(4);
    expect(result.updated).toBe(0);
    expect(result.rejected).toBe(9);
    const byLine = Object.fromEntries(result.errors.map((e) => [e.line, e.reason]));
    expect(byLine[3]).toContain('thème inconnu : « musique »');
    expect(byLine[4]).toContain('age_min supérieur à age_max (12 > 8)');
    expect(byLine[5]).toContain('commune inconnue : code INSEE « 99999 »');
    expect(byLine[6]).toContain('titre manquant');
    expect(byLine[7]).toContain('guillemets mal fermés');
    expect(byLine[8]).toContain('en double dans le fichier (déjà ligne 2)');
    expect(byLine[10]).toContain('price_eur invalide');
    expect(byLine[13]).toContain('commune inconnue : code postal « 00000 »');
    expect(byLine[14]).toContain('org_name est nécessaire');
    expect(result.rejects.find((r) => r.line === 4)?.record?.external_id).toBe('EXT-3');

    const rows = await offersByExternalId(['EXT-1', 'EXT-7', 'EXT-9', 'EXT-12']);
    expect(rows).toHaveLength(4);
    const first = rows.find((r) => r.externalId === 'EXT-1')!;
    expect(first).toMatchObject({
      status: 'published',
      title: 'Atelier clown',
      themes: ['culture'],
      subthemes: ['theatre-marionnettes', 'cirque-arts-de-la-rue'],
      codeInsee: '69388',
    });
    const byPostcode = rows.find((r) => r.externalId === 'EXT-7')!;
    expect(byPostcode.codeInsee).toBe('69266');
    expect(byPostcode.organisationId).toBe(first.organisationId);
    const byPoint = rows.find((r) => r.externalId === 'EXT-9')!;
    expect(byPoint).toMatchObject({ lat: 45.764, lng: 4.8357, description: 'Première ligne\nDeuxième ligne' });
    expect(byPoint.codeInsee).toMatch(/^6938/);

    const [orgA] = await app.deps.db.select().from(organisations).where(eq(organisations.externalId, 'ORG-A'));
    expect(orgA).toMatchObject({ name: 'Compagnie du Rebond', type: 'theatre-spectacle', status: 'unverified', kind: 'partner' });
    const outbox = await app.deps.db
      .select()
      .from(searchOutbox)
      .where(
        inArray(
          searchOutbox.entityId,
          rows.map((r) => r.id),
        ),
      );
    expect(outbox.filter((o) => o.entity === 'offer').length).toBeGreaterThanOrEqual(4);
  });

  it('updates on re-import and never duplicates; unchanged rows are not rewritten', async () => {
    const file = csv([
      line(good({ external_id: 'RE-1', org_external_id: 'ORG-RE' })),
      line(good({ external_id: 'RE-2', org_external_id: 'ORG-RE', title: 'Deuxième' })),
    ]);
    expect(await importText(file)).toMatchObject({ imported: 2, updated: 0, rejected: 0 });
    const before = await offersByExternalId(['RE-1', 'RE-2']);

    expect(await importText(file)).toMatchObject({ imported: 0, updated: 0, unchanged: 2, rejected: 0 });
    const same = await offersByExternalId(['RE-1', 'RE-2']);
    expect(same.map((r) => r.updatedAt.getTime()).sort()).toEqual(before.map((r) => r.updatedAt.getTime()).sort());

    const changed = csv([
      line(good({ external_id: 'RE-1', org_external_id: 'ORG-RE', title: 'Titre modifié' })),
      line(good({ external_id: 'RE-2', org_external_id: 'ORG-RE', title: 'Deuxième' })),
    ]);
    expect(await importText(changed)).toMatchObject({ imported: 0, updated: 1, rejected: 0 });
    const after = await offersByExternalId(['RE-1', 'RE-2']);
    expect(after).toHaveLength(2);
    expect(after.find((r) => r.externalId === 'RE-1')).toMatchObject({ title: 'Titre modifié', slug: 'titre-modifie' });
    const [{ value }] = (await app.deps.db.select({ value: count() }).from(organisations).where(eq(organisations.externalId, 'ORG-RE'))) as [{ value: number }];
    expect(value).toBe(1);
  });

  it('round-trips: exporting then importing changes nothing', async () => {
    const owner = await createUser(app);
    const organisation = await createOrganisation(app, { ownerId: owner.id, status: 'verified', type: 'club-sportif' });
    await insertOffer(app, organisation.id, {
      title: 'Judo <b>pour</b> tous, "débutants"; ceinture',
      description: 'Ligne 1\nLigne 2, avec virgule',
      priceEur: '12.50',
      price: 'payant',
    });
    const formulas = await insertOffer(app, organisation.id, {
      title: '=HYPERLINK("http://evil.example","Cliquez")',
      summary: "+cmd|' /C calc'!A0",
      description: '-2+3',
      address: '@SUM(A1)',
      lat: 47.218,
      lng: -1.553,
      codeInsee: '44109',
      postcode: '44000',
      venue: 'chez-le-partenaire',
    });
    await insertOffer(app, organisation.id, { title: "'=déjà protégé" });
    await insertOffer(app, organisation.id, {
      title: 'Brouillon',
      status: 'draft',
      startDate: null,
      endDate: null,
      codeInsee: null,
      lat: null,
      lng: null,
      postcode: null,
    });
    await importText(csv([line(good({ external_id: 'RT-1', org_external_id: 'ORG-RT' }))]));

    const chunks: Buffer[] = [];
    for await (const chunk of exportOffersCsv(app.deps.db)) chunks.push(Buffer.from(chunk));
    const exported = Buffer.concat(chunks);
    const records = readAsExcel(exported);
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS, 'status']);
    expect(records.some((r) => r.external_id?.startsWith('passerelle-offre-'))).toBe(true);
    expect(records.filter((r) => r.title === 'Brouillon').map((r) => r.status)).toEqual(['Brouillon']);
    const hostile = records.find((r) => r.external_id === `passerelle-offre-${formulas.id}`)!;
    expect(hostile).toMatchObject({
      title: '\'=HYPERLINK("http://evil.example","Cliquez")',
      summary: "'+cmd|' /C calc'!A0",
      description: "'-2+3",
      address: "'@SUM(A1)",
      lng: '-1.553',
      status: 'Publiée',
    });
    expect(records.find((r) => r.title?.includes('déjà protégé'))?.title).toBe("''=déjà protégé");

    const countBefore = (await app.deps.db.select({ value: count() }).from(offers))[0]!.value;
    const stamps = new Map((await app.deps.db.select({ id: offers.id, updatedAt: offers.updatedAt }).from(offers)).map((r) => [r.id, r.updatedAt.getTime()]));
    const result = await importText(exported);
    const changed = (await app.deps.db.select().from(offers)).filter((r) => r.updatedAt.getTime() !== stamps.get(r.id));
    expect(changed).toEqual([]);
    expect(result.errors).toEqual([{ line: expect.any(Number), reason: 'localisation manquante : lat/lng, code_insee ou postcode' }]);
    expect(result).toMatchObject({ imported: 0, updated: 0 });
    expect((await app.deps.db.select({ value: count() }).from(offers))[0]!.value).toBe(countBefore);
    for (const row of await app.deps.db.select({ id: offers.id, updatedAt: offers.updatedAt }).from(offers))
      expect(row.updatedAt.getTime()).toBe(stamps.get(row.id));
  });

  it('drops control characters such as NUL from every cell instead of failing the batch', async () => {
    const result = await importText(
      csv([
        line(good({ external_id: 'NUL-1', title: 'Atelier\u0000 jonglage', description: 'Trois\u0001 séances\nde jonglage' })),
        line(good({ external_id: 'NUL-2', org_external_id: 'ORG-\u0000NUL', org_name: 'Cirque\u0000 du Vent', title: 'Atelier trapèze' })),
      ]),
    );
    expect(result.rejects).toEqual([]);
    const rows = await offersByExternalId(['NUL-1', 'NUL-2']);
    expect(rows.map((r) => r.title).sort()).toEqual(['Atelier jonglage', 'Atelier trapèze']);
    expect(rows.find((r) => r.externalId === 'NUL-1')?.description).toBe('Trois séances\nde jonglage');
  });

  it('rejects a line that is not UTF-8 as such instead of storing replacement characters', async () => {
    const file = Buffer.concat([
      Buffer.from(csv([line(good({ external_id: 'ENC-1', org_external_id: 'ORG-ENC' }))])),
      // Saved by Excel as Windows-1252: « é » is the single byte E9.
      Buffer.from(`${line(good({ external_id: 'ENC-2', org_external_id: 'ORG-ENC', title: 'Activit\xe9 poterie' }))}\n`, 'latin1'),
      Buffer.from(`${line(good({ external_id: 'ENC-3', org_external_id: 'ORG-ENC', title: 'Éveil musical' }))}\n`),
    ]);
    // Cut in the middle of « É »: a character split between two chunks is still valid UTF-8.
    const cut = file.lastIndexOf(Buffer.from('Éveil')) + 1;
    const result = await importText([file.subarray(0, cut), file.subarray(cut)]);
    expect(result.errors).toEqual([{ line: 3, reason: 'encodage invalide (UTF-8 attendu)' }]);
    expect(result.rejects[0]?.record?.title).toBe('Activité poterie');
    const stored = await offersByExternalId(['ENC-1', 'ENC-2', 'ENC-3']);
    expect(stored.map((o) => o.title).sort()).toEqual(['Atelier clown', 'Éveil musical']);
    expect(stored.some((o) => o.title.includes('\uFFFD'))).toBe(false);
  });

  it('refuses an empty file: no bytes, or only a byte order mark and blank lines', async () => {
    await expect(importText('')).rejects.toThrow('Le fichier est vide');
    await expect(importText('\uFEFF\r\n\r\n')).rejects.toThrow('Le fichier est vide');
  });

  it('reports every line a quote left open swallowed, up to the end of the file', async () => {
    const result = await importText(
      csv([
        line(good({ external_id: 'QT-1', org_external_id: 'ORG-QT' })), // 2
        line(good({ external_id: 'QT-2', org_external_id: 'ORG-QT' })).replace('Atelier clown', '"Atelier clown'), // 3: never closed
        line(good({ external_id: 'QT-3', org_external_id: 'ORG-QT' })), // 4
        line(good({ external_id: 'QT-4', org_external_id: 'ORG-QT' })), // 5
      ]),
    );
    expect(result.errors).toEqual([{ line: 3, reason: 'guillemet ouvert ligne 3 jamais refermé : les lignes 3 à 5 (fin du fichier) n’ont pas pu être lues' }]);
    expect((await offersByExternalId(['QT-1', 'QT-2', 'QT-3', 'QT-4'])).map((o) => o.externalId)).toEqual(['QT-1']);
  });

  it('reports rows read as one cell when a quote closes lines later', async () => {
    const [before, after] = line(good({ external_id: 'SW-1', org_external_id: 'ORG-SW' })).split('Trois séances d’improvisation.');
    const result = await importText(
      csv([
        `${before}"Trois séances`, // 2: the description opens a quote…
        line(good({ external_id: 'SW-2', org_external_id: 'ORG-SW' })), // 3: …that takes this row…
        `d’improvisation."${after}`, // 4: …and closes here, with the right number of columns.
        line(good({ external_id: 'SW-3', org_external_id: 'ORG-SW' })), // 5
      ]),
    );
    expect(result.errors).toEqual([{ line: 2, reason: 'guillemet mal fermé : les lignes 2 à 4 ont été lues comme une seule (colonne description)' }]);
    expect((await offersByExternalId(['SW-1', 'SW-2', 'SW-3'])).map((o) => o.externalId)).toEqual(['SW-3']);
  });

  it('reports the lines a badly closed quote joined', async () => {
    const result = await importText(
      csv([
        line(good({ external_id: 'BQ-1', org_external_id: 'ORG-BQ' })).replace('Atelier clown', '"Atelier "clown"'), // 2
        line(good({ external_id: 'BQ-2', org_external_id: 'ORG-BQ' })), // 3
      ]),
    );
    expect(result.errors).toEqual([{ line: 2, reason: 'guillemets mal fermés : la ligne ne peut pas être lue' }]);
    expect(result.imported).toBe(1);
  });

  it('refuses a file whose header lacks required columns', async () => {
    await expect(importText('title,summary\nA,B\n')).rejects.toThrow(/Colonnes manquantes.*external_id/);
  });

  it('exports as many offers as the admin pages count, each with its status', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const owner = await createUser(app);
    const partner = await createOrganisation(app, { ownerId: owner.id, status: 'verified' });
    for (const status of ['published', 'published', 'draft', 'pending', 'paused', 'archived', 'rejected'] as const) {
      await insertOffer(app, partner.id, { title: `Offre ${status}`, status });
    }
    const page = await admin.get('/admin/import');
    expect(page.statusCode).toBe(200);
    const links = [...page.body.matchAll(/<a[^>]* href="(\/admin\/offres\/export\.csv[^"]*)">([^<(]+) \(([\d\s\u202f]+)\)<\/a>/g)].map(
      ([, url, label, shown]) => ({ url: url!.replace(/&amp;/g, '&'), label: label!.trim(), shown: Number(shown!.replace(/\D/g, '')) }),
    );
    expect(links.map((l) => l.label)).toEqual([
      'Toutes les offres',
      'Offres publiées',
      'Offres en attente de validation',
      'Offres en pause',
      'Offres refusées',
      'Brouillons',
      'Offres archivées',
    ]);
    const statusOf: Record<string, string> = {
      'Offres publiées': 'Publiée',
      'Offres en attente de validation': 'En attente de validation',
      'Offres en pause': 'En pause',
      'Offres refusées': 'Refusée',
      Brouillons: 'Brouillon',
      'Offres archivées': 'Archivée',
    };
    for (const link of links) {
      const rows = readAsExcel((await admin.get(link.url)).rawPayload);
      expect(rows.length, link.label).toBe(link.shown);
      if (statusOf[link.label]) expect(new Set(rows.map((r) => r.status)), link.label).toEqual(new Set([statusOf[link.label]]));
    }
    const overview = await admin.get('/admin');
    const published = Number(/([\d\u202f]+)\u00a0publiées?</.exec(overview.body)![1]!.replace(/\D/g, ''));
    expect(published).toBe(links.find((l) => l.label === 'Offres publiées')!.shown);
    const total = Number(/id="offers-title">Offres<\/h2>\s*<p class="big-number">([^<]+)</.exec(overview.body)![1]!.replace(/\D/g, ''));
    expect(total).toBe(links[0]!.shown);
    expect((await admin.get('/admin/offres/export.csv?status=supprimee')).statusCode).toBe(400);

    // A partner's export holds the offers its list shows.
    const mine = await (await signedInAgent(app, owner)).get(`/structures/${partner.id}/offres`);
    const listed = Number(/<caption>(\d+)\u00a0offres de la structure<\/caption>/.exec(mine.body)![1]);
    const own = readAsExcel((await (await signedInAgent(app, owner)).get(`/structures/${partner.id}/offres/export.csv`)).rawPayload);
    expect(own).toHaveLength(listed);
    expect(own.map((r) => r.status).sort()).toEqual(['Archivée', 'Brouillon', 'En attente de validation', 'En pause', 'Publiée', 'Publiée', 'Refusée']);
  });

  it('lets an admin upload a file, preview it without writing, then run it and download the rejects', async () => {
    const admin = await signedInAgent(app, await createUser(app, { isAdmin: true }));
    const file = csv([
      line(good({ external_id: 'ADM-1', org_external_id: 'ORG-ADM' })),
      line(good({ external_id: 'ADM-2', org_external_id: 'ORG-ADM', age_min: '2' })),
    ]);
    const { payload, boundary } = multipart({}, [{ field: 'file', filename: 'offres.csv', type: 'text/csv', data: Buffer.from(file) }]);
    const upload = await admin.postMultipart('/admin/import', payload, boundary);
    expect(upload.statusCode).toBe(303);
    const report = await admin.get(upload.headers.location as string);
    expect(report.body).toContain('Simulation : imported 1, updated 0, rejected 1');
    expect(report.body).toContain('age_min invalide');
    expect(await offersByExternalId(['ADM-1'])).toHaveLength(0);

    const id = Number((upload.headers.location as string).split('/').pop());
    expect((await admin.post(`/admin/import/${id}/lancer`)).statusCode).toBe(303);
    expect(await offersByExternalId(['ADM-1'])).toHaveLength(1);
    const [item] = await app.deps.db.select().from(offerImports).where(eq(offerImports.id, id));
    expect(item).toMatchObject({ status: 'done', imported: 1, rejected: 1 });
    const rejects = await admin.get(`/admin/import/${id}/rejets.csv`);
    expect(rejects.statusCode).toBe(200);
    const rejected = readAsExcel(rejects.rawPayload);
    expect(Object.keys(rejected[0]!).slice(0, 3)).toEqual(['line', 'reason', 'external_id']);
    expect(rejected[0]).toMatchObject({ line: '3', external_id: 'ADM-2' });
    expect((await admin.post(`/admin/import/${id}/lancer`)).statusCode).toBe(303);
    expect((await app.deps.db.select().from(offerImports).where(eq(offerImports.id, id)))[0]!.imported).toBe(1);

    const empty = multipart({}, []);
    const noFile = await admin.postMultipart('/admin/import', empty.payload, empty.boundary);
    expect(noFile.statusCode).toBe(422);
    expect(noFile.body).toContain('Choisissez un fichier CSV à importer.');
    const bad = multipart({}, [{ field: 'file', filename: 'offres.csv', type: 'text/csv', data: Buffer.from('nom;prenom\nA;B\n') }]);
    const badHeader = await admin.postMultipart('/admin/import', bad.payload, bad.boundary);
    expect(badHeader.statusCode).toBe(422);
    expect(badHeader.body).toContain('Colonnes manquantes dans l’en-tête : external_id');

    const exported = await admin.get('/admin/offres/export.csv');
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="offres-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(readAsExcel(exported.rawPayload).find((r) => r.external_id === 'ADM-1')).toMatchObject({ org_external_id: 'ORG-ADM', status: 'Publiée' });

    const partner = await signedInAgent(app);
    expect((await partner.get('/admin/import')).statusCode).toBe(404);
    expect((await partner.get('/admin/offres/export.csv')).statusCode).toBe(404);
  });
});

describe('import command', () => {
  it('leaves the search index current when it exits: every imported offer is found, no change waits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passerelle-import-'));
    try {
      const file = join(dir, 'offres.csv');
      const rows = Array.from({ length: 30 }, (_, i) => line(good({ external_id: `IDX-${i}`, org_external_id: 'ORG-IDX', title: `Atelier zygomatique ${i}` })));
      writeFileSync(file, csv(rows));
      expect(await importCommand(app.deps, ['offers', file])).toBe(0);
      expect(await pendingSearchSync(app.deps.db)).toBe(0);
      const found = await app.deps.search.searchOffers({ q: 'zygomatique', sort: 'relevance', page: 1, perPage: 50 });
      expect(found.total).toBe(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with exit code 1 and a clear message on an empty file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passerelle-import-'));
    const messages: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((message: string) => void messages.push(message));
    try {
      const file = join(dir, 'vide.csv');
      writeFileSync(file, '');
      expect(await importCommand(app.deps, ['offers', file])).toBe(1);
      expect(messages.join('\n')).toContain('Le fichier est vide');
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints the summary line and writes the rejects next to the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passerelle-import-'));
    let drop = async () => {};
    try {
      const file = join(dir, 'offres.csv');
      writeFileSync(file, csv([line(good({ external_id: 'CLI-1', org_external_id: 'ORG-CLI' })), line(good({ external_id: 'CLI-2', themes: 'inconnu' }))]));
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'silent', NODE_ENV: 'test', BASE_URL: 'http://localhost:3000' };
      delete env.DATABASE_URL;
      const database = await openCommandDatabase(join(dir, 'data'));
      drop = database.drop;
      if (database.url) env.DATABASE_URL = database.url;
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/import.ts', 'offers', file], { env, timeout: 120_000 });
      expect(stdout.trim().split('\n').pop()).toBe('imported 1, updated 0, rejected 1');
      expect(stderr).toContain('ligne 3 : thème inconnu : « inconnu »');
      const rejects = readFileSync(join(dir, 'offres.rejects.csv'), 'utf8');
      expect(rejects).toContain('CLI-2');
    } finally {
      await drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
