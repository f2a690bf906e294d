import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thumbnailKey } from '../../server/offers/offers.view.js';
import type { App } from '../../server/types.js';
import { Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, offerRow } from '../helpers/offers.js';
import { insertOffer as insertIndexedOffer, syncSearch } from '../helpers/search.js';

let app: App;
let agent: Agent;
let organisationId: number;
beforeAll(async () => {
  app = await createTestApp();
  const user = await createUser(app);
  organisationId = (await createOrganisation(app, { ownerId: user.id, status: 'verified' })).id;
  agent = await signedInAgent(app, user);
});
afterAll(async () => {
  await app.close();
});

async function photo(width: number, height: number, format: 'jpeg' | 'png' | 'webp', options: { exif?: boolean } = {}) {
  let image = sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } });
  if (options.exif) image = image.withExif({ IFD0: { Copyright: 'Secret photographer', Artist: 'Jean Dupont' } });
  return image.toFormat(format).toBuffer();
}

function upload(offerId: number, file: { data: Buffer; filename: string; type: string } | null, alt = 'Enfants en atelier') {
  const { payload, boundary } = multipart({ photoAlt: alt }, file ? [{ field: 'photo', ...file }] : []);
  return agent.postMultipart(`/offres/${offerId}/photo`, payload, boundary);
}

const errorOf = (body: string, field: string) =>
  new RegExp(`id="f-${field}-error"><span class="visually-hidden">Erreur : </span>([^<]*)<`).exec(body)?.[1] ?? null;

describe('offer photos', () => {
  it('re-encodes a JPEG as WebP at most 1600 px wide with a thumbnail, strips EXIF, and serves it with caching headers', async () => {
    const offer = await insertOffer(app, organisationId);
    const data = await photo(2400, 1600, 'jpeg', { exif: true });
    expect(data.toString('latin1')).toContain('Secret photographer');
    const response = await upload(offer.id, { data, filename: 'photo.jpg', type: 'image/jpeg' });
    expect(response.statusCode).toBe(303);
    const saved = await offerRow(app, offer.id);
    expect(saved.photoAlt).toBe('Enfants en atelier');
    expect(saved.photoPath).toMatch(/^offres\/[a-f0-9]{24}\.webp$/);

    const served = await new Agent(app).get(`/medias/${saved.photoPath}`);
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/webp');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['cache-control']).toContain('max-age=31536000');
    const stored = served.rawPayload;
    const metadata = await sharp(stored).metadata();
    expect(metadata.format).toBe('webp');
    expect(metadata.width).toBe(1600);
    expect(metadata.exif).toBeUndefined();
    expect(stored.toString('latin1')).not.toContain('Secret photographer');
    const thumbnail = await new Agent(app).get(`/medias/${thumbnailKey(saved.photoPath!)}`);
    expect((await sharp(thumbnail.rawPayload).metadata()).width).toBe(480);

    const page = await new Agent(app).get(`/offres/${offer.id}-${offer.slug}`);
    expect(page.body).toContain(`src="/medias/${saved.photoPath}" alt="Enfants en atelier"`);

    const png = await upload(offer.id, { data: await photo(300, 200, 'png'), filename: 'dessin.png', type: 'image/png' }, 'Un dessin');
    expect(png.statusCode).toBe(303);
    const replaced = await offerRow(app, offer.id);
    expect(replaced.photoPath).not.toBe(saved.photoPath);
    expect((await new Agent(app).get(`/medias/${saved.photoPath}`)).statusCode).toBe(404);
  });

  it('requires an alt text and a file', async () => {
    const offer = await insertOffer(app, organisationId);
    const noAlt = await upload(offer.id, { data: await photo(100, 100, 'webp'), filename: 'a.webp', type: 'image/webp' }, '');
    expect(noAlt.statusCode).toBe(422);
    expect(errorOf(noAlt.body, 'photoAlt')).toContain('Décrivez la photo');
    const noFile = await upload(offer.id, null);
    expect(noFile.statusCode).toBe(422);
    expect(errorOf(noFile.body, 'photo')).toBe('Choisissez une photo à envoyer.');
    expect((await offerRow(app, offer.id)).photoPath).toBeNull();
  });

  it('refuses a non-image, an oversized file and polyglot files with a message next to the field', async () => {
    const offer = await insertOffer(app, organisationId);
    const png = await photo(64, 64, 'png');
    const jpeg = await photo(64, 64, 'jpeg');
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    const zip = Buffer.from('504b0304140000000800000000000000000000000000000000000000000000000000504b0506000000000000000000000000000000000000', 'hex');
    const withComment = Buffer.concat([
      jpeg.subarray(0, 2),
      Buffer.from([0xff, 0xfe, 0x00, 0x22]),
      Buffer.from('<script>alert(document.domain)</'),
      jpeg.subarray(2),
    ]);
    const truncated = jpeg.subarray(0, jpeg.length - 40);
    const cases: [string, { data: Buffer; filename: string; type: string }, string][] = [
      [
        'text file',
        { data: Buffer.from('<html><body>Bonjour</body></html>'), filename: 'photo.jpg', type: 'image/jpeg' },
        'n’est pas une image JPEG, PNG ou WebP',
      ],
      ['gif', { data: gif, filename: 'anim.gif', type: 'image/gif' }, 'n’est pas une image JPEG, PNG ou WebP'],
      ['oversized', { data: Buffer.concat([jpeg, Buffer.alloc(5 * 1024 * 1024)]), filename: 'grande.jpg', type: 'image/jpeg' }, 'dépasse 5 Mo'],
      [
        'PNG + HTML',
        { data: Buffer.concat([png, Buffer.from('<html><script>alert(1)</script></html>')]), filename: 'x.png', type: 'image/png' },
        'contient autre chose qu’une image',
      ],
      ['JPEG + ZIP', { data: Buffer.concat([jpeg, zip]), filename: 'x.jpg', type: 'image/jpeg' }, 'contient autre chose qu’une image'],
      ['JPEG with a script in a comment', { data: withComment, filename: 'x.jpg', type: 'image/jpeg' }, 'contient autre chose qu’une image'],
      ['truncated JPEG', { data: truncated, filename: 'x.jpg', type: 'image/jpeg' }, 'contient autre chose qu’une image'],
      [
        'corrupt PNG',
        { data: Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 7), png.subarray(png.length - 12)]), filename: 'x.png', type: 'image/png' },
        'illisible',
      ],
    ];
    for (const [label, file, message] of cases) {
      const response = await upload(offer.id, file);
      expect(response.statusCode, label).toBe(422);
      expect(errorOf(response.body, 'photo'), label).toContain(message);
    }
    expect((await offerRow(app, offer.id)).photoPath).toBeNull();
  });

  it('shows the photo on the result cards once sent, its new description once changed, and no photo once removed', async () => {
    const offer = await insertIndexedOffer(app, organisationId, { title: 'Sténopé et chambre noire', slug: 'stenope' });
    const card = async () => {
      await syncSearch(app);
      const body = (await new Agent(app).get('/offres?q=sténopé')).body;
      expect(body).toContain(`href="/offres/${offer.id}-stenope"`);
      return /<img class="offer-card-thumb" src="([^"]*)" alt="([^"]*)"/.exec(body)?.slice(1) ?? null;
    };
    expect(await card()).toBeNull();
    const jpeg = { data: await photo(600, 400, 'jpeg'), filename: 'boite.jpg', type: 'image/jpeg' };
    expect((await upload(offer.id, jpeg, 'Une boîte noire')).statusCode).toBe(303);
    const key = (await offerRow(app, offer.id)).photoPath!;
    expect(await card()).toEqual([`/medias/${thumbnailKey(key)}`, 'Une boîte noire']);
    expect((await upload(offer.id, null, 'Une boîte noire et son couvercle')).statusCode).toBe(303);
    expect(await card()).toEqual([`/medias/${thumbnailKey(key)}`, 'Une boîte noire et son couvercle']);
    expect((await agent.post(`/offres/${offer.id}/photo/supprimer`)).statusCode).toBe(303);
    expect(await card()).toBeNull();
  });

  it('lets only the organisation’s members change the photo', async () => {
    const offer = await insertOffer(app, organisationId);
    const other = await signedInAgent(app);
    const { payload, boundary } = multipart({ photoAlt: 'x' }, [{ field: 'photo', data: await photo(50, 50, 'png'), filename: 'a.png', type: 'image/png' }]);
    expect((await other.postMultipart(`/offres/${offer.id}/photo`, payload, boundary)).statusCode).toBe(404);
    expect((await agent.postMultipart(`/offres/${offer.id}/photo`, payload, boundary, { csrf: false })).statusCode).toBe(403);
    expect((await offerRow(app, offer.id)).photoPath).toBeNull();
  });
});
