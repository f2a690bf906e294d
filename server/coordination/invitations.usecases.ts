import { Readable } from 'node:stream';
import { enqueueSearchSync } from '../../search/outbox.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import { newToken } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { labelOf, orgTypes } from '../kernel/taxonomy.js';
import { normalize, slugify } from '../kernel/text.js';
import { ValidationError } from '../lib/errors.js';
import { formatters } from '../lib/format.js';
import { isValidSiret } from '../lib/validation.js';
import { type CsvSpec, ImportFileError, INVALID_ENCODING, readCsvRecords } from '../offers/import/reader.js';
import { insertInvitation, insertOrganisation, writeAudit } from '../organisations/organisations.repository.js';
import { Gazetteer, type GazetteerCommune } from '../territories/gazetteer.js';
import type { Territory } from './coordination.usecases.js';
import {
  insertImport,
  lockPendingClaim,
  type OrganisationImport,
  organisationsOfCommunes,
  organisationsWithIds,
  renewInvitation,
  updateImport,
} from './invitations.repository.js';

/** An invitation to claim a page lasts this long; a resend gives it as long again. */
export const CLAIM_DAYS = 30;
export const INVITATIONS_MAX_BYTES = 2 * 1024 * 1024;
export const INVITATIONS_MAX_ROWS = 2000;

/**
 * The bulk invitation contract: one row per organisation. Headers are read without case or
 * accents, in French or English: nom/name, type, commune, code_postal/postcode, email/courriel,
 * siret, rna (a RNA number in the siret column is read as a RNA).
 */
const COLUMNS = ['name', 'type', 'commune', 'postcode', 'email', 'siret', 'rna'] as const;
type Column = (typeof COLUMNS)[number];
const headerAliases: Record<string, Column> = {
  nom: 'name',
  name: 'name',
  'nom de la structure': 'name',
  structure: 'name',
  type: 'type',
  commune: 'commune',
  'code insee': 'commune',
  code_insee: 'commune',
  ville: 'commune',
  'code postal': 'postcode',
  code_postal: 'postcode',
  cp: 'postcode',
  postcode: 'postcode',
  email: 'email',
  'e-mail': 'email',
  mail: 'email',
  courriel: 'email',
  'adresse e-mail': 'email',
  siret: 'siret',
  'siret/rna': 'siret',
  siret_rna: 'siret',
  rna: 'rna',
};
const spec: CsvSpec = {
  columns: COLUMNS,
  required: ['name', 'type', 'commune', 'email'],
  multiline: [],
  mapHeader: (header) => headerAliases[normalize(header).replace(/\s+/g, ' ').trim()] ?? headerAliases[header] ?? header,
};

/** The columns as the upload page lists them. */
export const contractColumns = [
  { name: 'nom', required: true, hint: 'Nom de l’accueil ou de la structure.' },
  {
    name: 'type',
    required: true,
    hint: '« accueil » (ou ACM, ALSH) pour un accueil de loisirs ; pour un partenaire, son type : association, club sportif, MJC, bibliothèque…',
  },
  { name: 'commune', required: true, hint: 'Code INSEE (69123), ou nom de la commune avec son code postal (colonne code_postal, ou « 69003 Lyon »).' },
  { name: 'code_postal', required: false, hint: 'Utile quand la commune est donnée par son nom.' },
  { name: 'email', required: true, hint: 'Adresse de la personne invitée à revendiquer la page.' },
  { name: 'siret', required: false, hint: '14 chiffres ; un numéro RNA (W suivi de 9 chiffres) est aussi accepté ici.' },
  { name: 'rna', required: false, hint: 'W suivi de 9 chiffres.' },
];

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[a-z]{2,}$/i;
const acmWords = new Set(['acm', 'accueil', 'accueil de loisirs', 'accueil collectif de mineurs', 'alsh', 'centre de loisirs']);
const partnerTypes = new Map<string, string>();
for (const o of orgTypes) {
  partnerTypes.set(o.value, o.value);
  partnerTypes.set(normalize(o.label), o.value);
  partnerTypes.set(normalize(o.value.replace(/-/g, ' ')), o.value);
}

interface CreatedRow {
  line: number;
  organisationId: number;
  name: string;
  kind: 'partner' | 'acm';
  type: string | null;
  commune: string;
  email: string;
}
interface RejectedRow {
  line: number;
  name: string;
  reasons: string[];
}

interface ValidRow {
  line: number;
  name: string;
  kind: 'partner' | 'acm';
  type: string | null;
  commune: GazetteerCommune;
  postcode: string | null;
  email: string;
  siret: string | null;
  rna: string | null;
}

function inTerritory(commune: GazetteerCommune, territory: Territory): boolean {
  if (territory.kind === 'commune') return commune.codeInsee === territory.code;
  if (territory.kind === 'department') return commune.departmentCode === territory.code;
  if (territory.kind === 'epci') return commune.epciCode === territory.code || commune.eptCode === territory.code;
  return commune.regionCode === territory.code;
}

/** The commune of a row: an INSEE code, or a name with its postcode (in its own column or in the cell). */
function readCommune(raw: string, postcodeCell: string, gazetteer: Gazetteer, territory: Territory, fail: (r: string) => void) {
  const value = raw.replace(/\s+/g, ' ').trim();
  if (!value) {
    fail('commune manquante');
    return null;
  }
  if (/^(\d{5}|2[AB]\d{3})$/i.test(value)) {
    const found = gazetteer.byInsee(value);
    if (found) return found;
    fail(`commune inconnue : code INSEE « ${value.toUpperCase()} »`);
    return null;
  }
  let name = value;
  let postcode = postcodeCell.replace(/\s/g, '');
  const inCell = /^(\d{5})\s+(.+)$/.exec(value) ?? /^(.+?)\s*\(?(\d{5})\)?$/.exec(value);
  if (inCell) {
    const [a, b] = [inCell[1]!, inCell[2]!];
    name = /^\d{5}$/.test(a) ? b : a;
    postcode = postcode || (/^\d{5}$/.test(a) ? a : b);
  }
  if (postcode && !/^\d{5}$/.test(postcode)) {
    fail(`code postal invalide : « ${postcode} » (5 chiffres)`);
    return null;
  }
  const candidates = gazetteer.named(name, postcode || null);
  if (candidates.length === 0) {
    fail(postcode ? `commune inconnue : « ${name} » avec le code postal ${postcode}` : `commune inconnue : « ${name} »`);
    return null;
  }
  if (candidates.length === 1) return candidates[0]!;
  const local = candidates.filter((c) => inTerritory(c, territory));
  if (local.length === 1) return local[0]!;
  fail(`commune ambiguë : plusieurs communes s’appellent « ${name} », indiquez le code postal ou le code INSEE`);
  return null;
}

/** Checks one record: its French reasons, or the organisation to create. */
function readRow(record: Record<string, string | undefined>, line: number, gazetteer: Gazetteer, territory: Territory) {
  const reasons: string[] = [];
  const fail = (reason: string) => reasons.push(reason);
  const cell = (c: Column) => (record[c] ?? '').replace(/\s+/g, ' ').trim();

  const name = cell('name');
  if (!name) fail('nom manquant');
  else if (name.length < 2) fail('nom trop court (2 caractères au moins)');
  else if (name.length > 150) fail(`nom trop long (${name.length} caractères, 150 au maximum)`);

  const rawType = cell('type');
  let kind: 'partner' | 'acm' | null = null;
  let type: string | null = null;
  if (!rawType) fail('type manquant (« accueil » ou un type de partenaire)');
  else {
    const key = normalize(rawType).replace(/-/g, ' ').replace(/\s+/g, ' ');
    if (acmWords.has(key)) kind = 'acm';
    else {
      type = partnerTypes.get(key) ?? partnerTypes.get(rawType.toLowerCase()) ?? null;
      if (type) kind = 'partner';
      else fail(`type inconnu : « ${rawType} » (« accueil » pour un ACM, ou un type de partenaire : association, club sportif, MJC…)`);
    }
  }

  const commune = readCommune(cell('commune'), cell('postcode'), gazetteer, territory, fail);
  if (commune && !inTerritory(commune, territory))
    fail(`commune hors de votre territoire : ${commune.name} (${commune.codeInsee}) n’est pas dans ${territory.label}`);

  const email = cell('email').toLowerCase();
  if (!email) fail('adresse e-mail manquante');
  else if (email.length > 254 || !emailPattern.test(email)) fail(`adresse e-mail invalide : « ${cell('email')} »`);

  let siret: string | null = cell('siret').replace(/\s/g, '').toUpperCase() || null;
  let rna: string | null = cell('rna').replace(/\s/g, '').toUpperCase() || null;
  if (siret && /^W/.test(siret) && !rna) {
    rna = siret;
    siret = null;
  }
  if (siret && !isValidSiret(siret)) fail(`SIRET invalide : « ${siret} » (14 chiffres avec une clé de contrôle correcte)`);
  if (rna && !/^W\d{9}$/.test(rna)) fail(`numéro RNA invalide : « ${rna} » (W suivi de 9 chiffres)`);

  if (reasons.length) return { reject: { line, name, reasons } satisfies RejectedRow };
  const postcode = cell('postcode').replace(/\s/g, '');
  return {
    row: {
      line,
      name,
      kind: kind!,
      type,
      commune: commune!,
      postcode: postcode && commune!.postcodes.includes(postcode) ? postcode : (commune!.postcodes[0] ?? null),
      email,
      siret,
      rna,
    } satisfies ValidRow,
  };
}

/** Reads the whole file: the valid rows and the line-numbered rejects (a file refused as a whole throws a ValidationError). */
async function readFile(deps: Deps, territory: Territory, data: Buffer) {
  const gazetteer = await Gazetteer.load(deps.db);
  const rows: ValidRow[] = [];
  const rejects: RejectedRow[] = [];
  try {
    for await (const { line, record } of readCsvRecords(Readable.from([data]), spec, (line, reason, record) =>
      rejects.push({
        line,
        name: (record?.name ?? '').trim(),
        reasons: [reason === INVALID_ENCODING ? 'encodage invalide : enregistrez le fichier en UTF-8' : reason],
      }),
    )) {
      if (rows.length + rejects.length >= INVITATIONS_MAX_ROWS) {
        throw new ValidationError({ file: `Le fichier dépasse ${formatters.number(INVITATIONS_MAX_ROWS)} lignes : découpez-le en plusieurs fichiers.` });
      }
      const result = readRow(record, line, gazetteer, territory);
      if (result.row) rows.push(result.row);
      else if (result.reject) rejects.push(result.reject);
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw new ValidationError({ file: error.message });
    if ((error as { code?: string }).code?.startsWith('CSV_'))
      throw new ValidationError({ file: 'Ce fichier ne peut pas être lu comme un CSV (en-tête illisible).' });
    throw error;
  }
  return { rows, rejects };
}

/** Refuses the rows whose SIRET, RNA or name and commune are already on Passerelle or earlier in the file. */
async function refuseDuplicates(deps: Deps, rows: ValidRow[], rejects: RejectedRow[]): Promise<ValidRow[]> {
  const existingIds = await organisationsWithIds(
    deps.db,
    rows.flatMap((r) => (r.siret ? [r.siret] : [])),
    rows.flatMap((r) => (r.rna ? [r.rna] : [])),
  );
  const existingNames = await organisationsOfCommunes(deps.db, [...new Set(rows.map((r) => r.commune.codeInsee))]);
  const nameKey = (kind: string, name: string, code: string | null) =>
    `${kind}|${code}|${normalize(name)
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()}`;
  const names = new Map(existingNames.map((o) => [nameKey(o.kind, o.name, o.codeInsee), o.name]));
  const seenSiret = new Map<string, number>();
  const seenRna = new Map<string, number>();
  const seenName = new Map<string, number>();
  const kept: ValidRow[] = [];
  for (const row of rows) {
    const reasons: string[] = [];
    if (row.siret) {
      const other = existingIds.find((o) => o.siret === row.siret);
      if (other) reasons.push(`SIRET déjà enregistré sur Passerelle pour « ${other.name} »`);
      else if (seenSiret.has(row.siret)) reasons.push(`SIRET en double dans le fichier (déjà ligne ${seenSiret.get(row.siret)})`);
      else seenSiret.set(row.siret, row.line);
    }
    if (row.rna) {
      const other = existingIds.find((o) => o.rna === row.rna);
      if (other) reasons.push(`numéro RNA déjà enregistré sur Passerelle pour « ${other.name} »`);
      else if (seenRna.has(row.rna)) reasons.push(`numéro RNA en double dans le fichier (déjà ligne ${seenRna.get(row.rna)})`);
      else seenRna.set(row.rna, row.line);
    }
    const key = nameKey(row.kind, row.name, row.commune.codeInsee);
    const existing = names.get(key);
    if (existing) reasons.push(`${row.kind === 'acm' ? 'un accueil' : 'une structure'} du même nom existe déjà à ${row.commune.name} : « ${existing} »`);
    else if (seenName.has(key)) reasons.push(`en double dans le fichier : même nom et même commune que la ligne ${seenName.get(key)}`);
    else seenName.set(key, row.line);
    if (reasons.length) rejects.push({ line: row.line, name: row.name, reasons });
    else kept.push(row);
  }
  return kept;
}

function claimMail(
  deps: Deps,
  inviter: CurrentUser,
  territory: Territory,
  organisation: { name: string; kind: 'partner' | 'acm' },
  token: string,
  expiresAt: Date,
) {
  return {
    subject: `${inviter.name} vous invite à compléter la page de « ${organisation.name} » sur Passerelle`,
    template: 'claim-invitation',
    data: {
      inviterName: inviter.name,
      territory: territory.label,
      organisationName: organisation.name,
      kind: organisation.kind,
      days: CLAIM_DAYS,
      until: formatters.date(expiresAt),
      url: `${deps.config.BASE_URL}/invitations/${token}`,
    },
  };
}

/**
 * Reads a coordinator's CSV: each valid row of the territory becomes an unclaimed page (no
 * member) and an emailed, 30-day invitation to claim it; the rest is refused line by line. The
 * import with its report is stored, whatever the outcome, in one transaction with the pages and emails.
 */
export async function importInvitations(
  deps: Deps,
  user: CurrentUser,
  territory: Territory,
  upload: { filename: string; data: Buffer | null; tooLarge: boolean },
): Promise<OrganisationImport> {
  if (upload.tooLarge) throw new ValidationError({ file: `Le fichier dépasse ${INVITATIONS_MAX_BYTES / 1024 / 1024} Mo : découpez-le en plusieurs fichiers.` });
  if (!upload.data || upload.data.length === 0) throw new ValidationError({ file: 'Choisissez un fichier CSV à envoyer.' });
  if (upload.data.subarray(0, 4096).includes(0)) {
    throw new ValidationError({ file: 'Ce fichier n’est pas un CSV : enregistrez-le depuis votre tableur au format « CSV UTF-8 ».' });
  }
  const { rows, rejects } = await readFile(deps, territory, upload.data);
  const kept = await refuseDuplicates(deps, rows, rejects);
  rejects.sort((a, b) => a.line - b.line);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + CLAIM_DAYS * 86_400_000);
  return deps.db.transaction(async (tx) => {
    const item = await insertImport(tx, {
      scope: territory.kind,
      code: territory.code,
      filename: upload.filename.slice(0, 200) || 'invitations.csv',
      createdBy: user.id,
      createdAt: now,
    });
    const created: CreatedRow[] = [];
    for (const row of kept) {
      const organisation = await insertOrganisation(tx, {
        kind: row.kind,
        name: row.name,
        slug: slugify(row.name),
        type: row.type,
        siret: row.siret,
        rna: row.rna,
        codeInsee: row.commune.codeInsee,
        postcode: row.postcode,
        lat: row.commune.lat,
        lng: row.commune.lng,
        status: 'unverified',
        unclaimed: true,
        createdAt: now,
        updatedAt: now,
      });
      const { token, hash } = newToken();
      await insertInvitation(tx, {
        organisationId: organisation.id,
        email: row.email,
        role: 'owner',
        tokenHash: hash,
        invitedBy: user.id,
        expiresAt,
        importId: item.id,
        sentAt: now,
        createdAt: now,
      });
      await writeAudit(tx, {
        actorId: user.id,
        action: 'organisation.create_unclaimed',
        entity: 'organisation',
        entityId: organisation.id,
        data: { kind: row.kind, name: row.name, importId: item.id, email: row.email },
        at: now,
      });
      if (row.kind === 'partner') await enqueueSearchSync(tx, 'organisation', organisation.id);
      await deps.mailer.queue({ to: row.email, ...claimMail(deps, user, territory, organisation, token, expiresAt) }, tx);
      created.push({
        line: row.line,
        organisationId: organisation.id,
        name: row.name,
        kind: row.kind,
        type: row.type,
        commune: row.commune.name,
        email: row.email,
      });
    }
    await updateImport(tx, item.id, { created: created.length, rejected: rejects.length, createdRows: created, rejects });
    return { ...item, created: created.length, rejected: rejects.length, createdRows: created, rejects };
  });
}

/** Sends a pending claim invitation of the territory again, with a new link valid 30 more days (the old link stops working). */
export async function resendInvitation(deps: Deps, user: CurrentUser, territory: Territory, invitationId: number) {
  return deps.db.transaction(async (tx) => {
    const pending = await lockPendingClaim(tx, territory, invitationId);
    if (!pending) return null;
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + CLAIM_DAYS * 86_400_000);
    const { token, hash } = newToken();
    await renewInvitation(tx, pending.id, { tokenHash: hash, expiresAt, sentAt: now });
    await writeAudit(tx, {
      actorId: user.id,
      action: 'organisation.invite_resend',
      entity: 'organisation',
      entityId: pending.organisation_id,
      data: { invitationId: pending.id, email: pending.email },
      at: now,
    });
    await deps.mailer.queue(
      { to: pending.email, ...claimMail(deps, user, territory, { name: pending.organisation_name, kind: pending.kind }, token, expiresAt) },
      tx,
    );
    return { email: pending.email, organisationName: pending.organisation_name, expiresAt };
  });
}

/** The kind and type of a created or pending row, in words. */
export function kindText(kind: 'partner' | 'acm', type?: string | null): string {
  return kind === 'acm' ? 'Accueil (ACM)' : type ? labelOf(orgTypes, type) : 'Partenaire';
}
