import { randomBytes } from 'node:crypto';
import type { MultipartFile } from '@fastify/multipart';
import sharp from 'sharp';
import { enqueueSearchSync } from '../../search/outbox.js';
import type { CurrentUser } from '../accounts/sessions.repository.js';
import type { Deps } from '../deps.js';
import { ValidationError } from '../lib/errors.js';
import { discard } from '../lib/storage.js';
import { lockLogo, updateOrganisation, writeAudit } from './organisations.repository.js';
import { editableOrganisation } from './organisations.usecases.js';

const LOGO_SIZE = 256;
const formats = new Set(['png', 'jpeg', 'webp', 'gif']);

const logoMessages = {
  missing: 'Choisissez une image.',
  tooLarge: 'L’image dépasse 5 Mo : réduisez-la avant de l’envoyer.',
  notImage: 'Ce fichier n’est pas une image PNG, JPEG, WebP ou GIF.',
};

/** The uploaded file of a multipart request (field "logo"), read into memory within the upload limit. */
export async function readLogoUpload(file: MultipartFile | undefined): Promise<{ data: Buffer | null; tooLarge: boolean }> {
  if (file?.fieldname !== 'logo' || !file.filename) {
    file?.file.resume();
    return { data: null, tooLarge: false };
  }
  try {
    const data = await file.toBuffer();
    return { data: data.length ? data : null, tooLarge: false };
  } catch (error) {
    if ((error as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw error;
    return { data: null, tooLarge: true };
  }
}

/**
 * Re-encodes the image as a square WebP (nothing of the original file is kept: no metadata,
 * no trailing data) and stores it; the previous logo is deleted.
 */
export async function setLogo(deps: Deps, user: CurrentUser, organisationId: number, upload: { data: Buffer | null; tooLarge: boolean }) {
  const organisation = await editableOrganisation(deps, user, organisationId);
  if (upload.tooLarge) throw new ValidationError({ logo: logoMessages.tooLarge });
  if (!upload.data) throw new ValidationError({ logo: logoMessages.missing });
  let webp: Buffer;
  try {
    const image = sharp(upload.data, { failOn: 'error', limitInputPixels: 40_000_000, animated: false });
    const { format } = await image.metadata();
    if (!format || !formats.has(format)) throw new Error('format');
    webp = await image
      .rotate()
      .resize(LOGO_SIZE, LOGO_SIZE, { fit: 'contain', background: { r: 255, g: 255, b: 255, alpha: 1 } })
      .flatten({ background: '#ffffff' })
      .webp({ quality: 85 })
      .toBuffer();
  } catch {
    throw new ValidationError({ logo: logoMessages.notImage });
  }
  const key = `logos/${organisation.id}-${randomBytes(6).toString('hex')}.webp`;
  await deps.storage.put(key, webp);
  // The previous logo is read under the row lock: with two uploads at once, each removes the one it replaced.
  const previous = await deps.db
    .transaction(async (tx) => {
      const previous = await lockLogo(tx, organisation.id);
      await updateOrganisation(tx, organisation.id, { logoPath: key, updatedAt: deps.clock.now() });
      await writeAudit(tx, {
        actorId: user.id,
        action: 'organisation.update',
        entity: 'organisation',
        entityId: organisation.id,
        data: { fields: ['logo'] },
        at: deps.clock.now(),
      });
      if (organisation.kind === 'partner') await enqueueSearchSync(tx, 'organisation', organisation.id);
      return previous;
    })
    .catch(async (error: unknown) => {
      await discard(deps.storage, [key]);
      throw error;
    });
  if (previous) await discard(deps.storage, [previous]);
}

export async function removeLogo(deps: Deps, user: CurrentUser, organisationId: number): Promise<void> {
  const organisation = await editableOrganisation(deps, user, organisationId);
  if (!organisation.logoPath) return;
  const previous = await deps.db.transaction(async (tx) => {
    const previous = await lockLogo(tx, organisation.id);
    await updateOrganisation(tx, organisation.id, { logoPath: null, updatedAt: deps.clock.now() });
    if (organisation.kind === 'partner') await enqueueSearchSync(tx, 'organisation', organisation.id);
    return previous;
  });
  if (previous) await discard(deps.storage, [previous]);
}

/** Public URL of a stored logo. */
export function logoUrl(logoPath: string | null): string | null {
  return logoPath ? `/medias/${logoPath}` : null;
}
