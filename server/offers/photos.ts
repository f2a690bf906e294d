import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
const MAX_WIDTH = 1600;
const THUMB_WIDTH = 480;
const THUMB_HEIGHT = 320;

export const photoMessages = {
  missing: 'Choisissez une photo à envoyer.',
  tooLarge: 'La photo dépasse 5 Mo : réduisez-la avant de l’envoyer.',
  notImage: 'Ce fichier n’est pas une image JPEG, PNG ou WebP.',
  suspicious: 'Ce fichier contient autre chose qu’une image : enregistrez la photo à nouveau depuis un logiciel d’image, puis réessayez.',
  unreadable: 'Cette image est illisible ou endommagée.',
  alt: 'Décrivez la photo en quelques mots (texte alternatif), pour les personnes qui ne la voient pas.',
};

export class PhotoError extends Error {}

type ImageType = 'jpeg' | 'png' | 'webp';

/** The real type from the first bytes, whatever the file name or the declared type say. */
function sniffImageType(data: Buffer): ImageType | null {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

/** True when bytes follow the end of the image: the usual way to glue an HTML page or a ZIP to it. */
function hasTrailingData(data: Buffer, type: ImageType): boolean {
  if (type === 'jpeg') {
    let end = data.length;
    while (end > 0 && data[end - 1] === 0x00) end--;
    return !(end >= 2 && data[end - 2] === 0xff && data[end - 1] === 0xd9);
  }
  if (type === 'png') return !data.subarray(data.length - 8).equals(Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]));
  const declared = data.readUInt32LE(4) + 8;
  return data.length !== declared && data.length !== declared + 1;
}

const activeMarkers = ['<script', '<html', '<!doctype', '<body', '<iframe', '<svg', '<?php', '<object', '<embed', 'javascript:'];

/** HTML/script or a ZIP archive hidden inside the image (in a comment or metadata chunk). */
function hasActiveContent(data: Buffer): boolean {
  const text = data.toString('latin1').toLowerCase();
  if (activeMarkers.some((marker) => text.includes(marker))) return true;
  // A ZIP local file header: "PK\3\4" then a plausible "version needed" (1.0, 2.0, 4.5…) and its zero high byte.
  let at = data.indexOf('PK\u0003\u0004', 0, 'latin1');
  while (at >= 0) {
    const version = data[at + 4];
    if (version !== undefined && version <= 63 && data[at + 5] === 0) return true;
    at = data.indexOf('PK\u0003\u0004', at + 1, 'latin1');
  }
  return false;
}

export function newPhotoKey(extension: 'webp' | 'jpg' = 'webp'): string {
  return `offres/${randomBytes(12).toString('hex')}.${extension}`;
}

/**
 * Checks an uploaded photo and re-encodes it: JPEG, PNG or WebP by its magic bytes, nothing glued
 * before or after the image, decoded in full by sharp, then resized (1600 px wide at most, and a
 * 480×320 thumbnail) and written as WebP without any metadata (EXIF, GPS, comments).
 */
export async function processPhoto(data: Buffer): Promise<{ main: Buffer; thumbnail: Buffer }> {
  if (data.length === 0) throw new PhotoError(photoMessages.missing);
  if (data.length > PHOTO_MAX_BYTES) throw new PhotoError(photoMessages.tooLarge);
  const type = sniffImageType(data);
  if (!type) throw new PhotoError(photoMessages.notImage);
  if (hasTrailingData(data, type) || hasActiveContent(data)) throw new PhotoError(photoMessages.suspicious);
  try {
    const image = sharp(data, { failOn: 'error', limitInputPixels: 60_000_000 });
    const metadata = await image.metadata();
    if (metadata.format !== type) throw new PhotoError(photoMessages.notImage);
    const oriented = image.rotate();
    const main = await oriented.clone().resize({ width: MAX_WIDTH, withoutEnlargement: true }).webp({ quality: 82 }).toBuffer();
    const thumbnail = await oriented.clone().resize({ width: THUMB_WIDTH, height: THUMB_HEIGHT, fit: 'cover' }).webp({ quality: 78 }).toBuffer();
    return { main, thumbnail };
  } catch (error) {
    if (error instanceof PhotoError) throw error;
    throw new PhotoError(photoMessages.unreadable);
  }
}
