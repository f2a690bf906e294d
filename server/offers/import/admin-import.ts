import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { offerImports, users } from '../../../db/schema/index.js';
import type { CurrentUser } from '../../accounts/sessions.repository.js';
import type { Deps } from '../../deps.js';
import { csvLines } from '../../lib/csv.js';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { ImportFileError, importOffers, type Reject } from './import.js';
import { CSV_COLUMNS } from './rows.js';

export const ADMIN_IMPORT_MAX_BYTES = 50 * 1024 * 1024;
const SHOWN_ERRORS = 200;

/**
 * Rejected rows as CSV, written line by line as they come (never held in memory by the
 * importer): line, reason, then the row's own columns (empty when it could not be read). The
 * importer ignores the first two columns, so a corrected rejects file can be imported as it is.
 */
export function rejectsCsv() {
  const lines = csvLines(['line', 'reason', ...CSV_COLUMNS]);
  return { header: lines.header, line: (reject: Reject) => lines.line({ line: reject.line, reason: reject.reason, ...(reject.record ?? {}) }) };
}

/** Stores the uploaded file and dry-runs it: the admin sees the counts and the first errors before running it. */
export async function previewImport(deps: Deps, admin: CurrentUser, upload: { filename: string; data: Buffer | null; tooLarge: boolean }) {
  if (upload.tooLarge) throw new ValidationError({ file: 'Le fichier dépasse 50 Mo : découpez-le ou utilisez la commande « npm run import ».' });
  if (!upload.data || upload.data.length === 0) throw new ValidationError({ file: 'Choisissez un fichier CSV à importer.' });
  if (upload.data.subarray(0, 4096).includes(0))
    throw new ValidationError({ file: 'Ce fichier n’est pas un CSV (texte UTF-8, séparé par des points-virgules ou des virgules).' });
  let result: Awaited<ReturnType<typeof importOffers>>;
  try {
    result = await importOffers(deps, Readable.from([upload.data]), { publish: true, dryRun: true, keepErrors: SHOWN_ERRORS });
  } catch (error) {
    if (error instanceof ImportFileError) throw new ValidationError({ file: error.message });
    if ((error as { code?: string }).code?.startsWith('CSV_'))
      throw new ValidationError({ file: 'Ce fichier ne peut pas être lu comme un CSV (en-tête illisible).' });
    throw error;
  }
  const storageKey = `imports/${randomBytes(12).toString('hex')}.csv`;
  await deps.storage.put(storageKey, upload.data);
  const [created] = await deps.db
    .insert(offerImports)
    .values({
      filename: upload.filename.slice(0, 200) || 'import.csv',
      storageKey,
      status: 'previewed',
      imported: result.imported,
      updated: result.updated,
      rejected: result.rejected,
      errors: result.errors,
      createdBy: admin.id,
      createdAt: deps.clock.now(),
    })
    .returning();
  return created!;
}

/** Runs a previewed import for real (its offers are published) and stores the rejected rows. */
export async function runStoredImport(deps: Deps, id: number): Promise<void> {
  const [item] = await deps.db.select().from(offerImports).where(eq(offerImports.id, id)).limit(1);
  if (!item) throw new NotFoundError();
  if (item.status !== 'previewed') throw new ConflictError('Cet import a déjà été lancé.');
  const data = await deps.storage.get(item.storageKey);
  if (!data) throw new ConflictError('Le fichier de cet import n’est plus disponible : envoyez-le à nouveau.');
  const rejects = rejectsCsv();
  const rejectLines = [rejects.header];
  const result = await importOffers(deps, Readable.from([data]), {
    publish: true,
    keepErrors: SHOWN_ERRORS,
    onReject: (r) => rejectLines.push(rejects.line(r)),
  });
  let rejectsKey: string | null = null;
  if (result.rejected > 0) {
    rejectsKey = item.storageKey.replace(/\.csv$/, '.rejects.csv');
    await deps.storage.put(rejectsKey, Buffer.from(rejectLines.join('')));
  }
  await deps.db
    .update(offerImports)
    .set({
      status: 'done',
      imported: result.imported,
      updated: result.updated,
      rejected: result.rejected,
      errors: result.errors,
      rejectsKey,
      finishedAt: deps.clock.now(),
    })
    .where(eq(offerImports.id, id));
}

export async function rejectsOf(deps: Deps, id: number): Promise<Buffer | null> {
  const [item] = await deps.db.select().from(offerImports).where(eq(offerImports.id, id)).limit(1);
  if (!item?.rejectsKey) return null;
  return deps.storage.get(item.rejectsKey);
}

/** Recent imports (or one, by id) with who ran them. */
export async function offerImportsList(db: Db, id?: number) {
  const query = db
    .select({
      id: offerImports.id,
      filename: offerImports.filename,
      status: offerImports.status,
      imported: offerImports.imported,
      updated: offerImports.updated,
      rejected: offerImports.rejected,
      errors: offerImports.errors,
      rejectsKey: offerImports.rejectsKey,
      createdAt: offerImports.createdAt,
      finishedAt: offerImports.finishedAt,
      by: users.name,
    })
    .from(offerImports)
    .leftJoin(users, eq(users.id, offerImports.createdBy));
  return id ? query.where(eq(offerImports.id, id)).limit(1) : query.orderBy(desc(offerImports.id)).limit(20);
}
