/** Attachments accepted in a thread: checked by their first bytes, not by their name or declared type. */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;

interface AttachmentKind {
  type: string;
  extension: string;
  label: string;
}

const kinds = {
  pdf: { type: 'application/pdf', extension: 'pdf', label: 'PDF' },
  jpeg: { type: 'image/jpeg', extension: 'jpg', label: 'image JPEG' },
  png: { type: 'image/png', extension: 'png', label: 'image PNG' },
  webp: { type: 'image/webp', extension: 'webp', label: 'image WebP' },
} satisfies Record<string, AttachmentKind>;

export function detectAttachment(data: Buffer): AttachmentKind | null {
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') return kinds.pdf;
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return kinds.jpeg;
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return kinds.png;
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return kinds.webp;
  return null;
}

/** A file name safe to store and to send back in Content-Disposition. */
export function cleanFileName(name: string, extension: string): string {
  const base = name
    .replace(/^.*[\\/]/, '')
    .replace(/[\u0000-\u001f\u007f"<>:|?*]/g, '')
    .replace(/\.[^.]*$/, '')
    .trim()
    .slice(0, 80);
  return `${base || 'piece-jointe'}.${extension}`;
}

export function contentDisposition(fileName: string): string {
  const ascii =
    fileName
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/["\\]/g, '') || `piece-jointe.${fileName.split('.').pop()}`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} o`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} Ko`;
  return `${(bytes / 1024 / 1024).toFixed(1).replace('.', ',')} Mo`;
}
