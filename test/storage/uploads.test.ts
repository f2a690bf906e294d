import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organisations } from '../../db/schema/index.js';
import { DiskStorage, type Storage } from '../../server/lib/storage.js';
import { thumbnailKey } from '../../server/offers/offers.view.js';
import { migrateFiles } from '../../server/storage/migrate.js';
import { ORPHAN_GRACE_MS } from '../../server/storage/orphans.js';
import type { App } from '../../server/types.js';
import { type Agent, multipart } from '../helpers/agent.js';
import { createTestApp } from '../helpers/app.js';
import { createOrganisation, createUser, signedInAgent } from '../helpers/fixtures.js';
import { insertOffer, offerRow } from '../helpers/offers.js';

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
  await app?.close();
});

async function keysUnder(storage: Storage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of storage.list(prefix)) keys.push(entry.key);
  return keys.sort();
}

const image = (r: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g: 90, b: 160 } } })
    .png()
    .toBuffer();

function uploadPhoto(offerId: number, data: Buffer) {
  const { payload, boundary } = multipart({ photoAlt: 'Atelier' }, [{ field: 'photo', filename: 'photo.png', type: 'image/png', data }]);
  return agent.postMultipart(`/offres/${offerId}/photo`, payload, boundary);
}

describe('stored files stay in step with the rows that point to them', () => {
  it('keeps only the files of the photo the offer shows after four photos are uploaded at once', async () => {
    const offer = await insertOffer(app, organisationId);
    const responses = await Promise.all([10, 60, 110, 160].map(async (r) => uploadPhoto(offer.id, await image(r))));
    expect(responses.map((response) => response.statusCode)).toEqual([303, 303, 303, 303]);
    const { photoPath } = await offerRow(app, offer.id);
    expect(await keysUnder(app.deps.storage, 'offres/')).toEqual([photoPath!, thumbnailKey(photoPath!)].sort());
  });

  it('keeps only the logo the organisation shows after three logos are uploaded at once', async () => {
    const upload = async (r: number) => {
      const { payload, boundary } = multipart({}, [{ field: 'logo', filename: 'logo.png', type: 'image/png', data: await image(r) }]);
      return agent.postMultipart(`/structures/${organisationId}/logo`, payload, boundary);
    };
    const responses = await Promise.all([20, 120, 220].map(upload));
    expect(responses.every((response) => response.statusCode < 400)).toBe(true);
    const [row] = await app.deps.db.select({ logoPath: organisations.logoPath }).from(organisations);
    const logos = await keysUnder(app.deps.storage, 'logos/');
    expect(logos).toEqual([row!.logoPath]);
  });

  it('leaves no file, whole or partial, when the disk refuses the write (file size limit)', () => {
    const root = mkdtempSync(join(tmpdir(), 'passerelle-full-'));
    try {
      // `ulimit -f 16` makes any write past 8 kB fail with EFBIG, as a full disk fails with ENOSPC.
      const output = execFileSync('bash', ['-c', `ulimit -f 16; exec node --import tsx test/storage/fixtures/put-file.ts "$0" offres/big.webp`, root], {
        encoding: 'utf8',
      });
      expect(output.trim()).toBe('failed: EFBIG');
      expect(readdirSync(root, { recursive: true }).filter((name) => String(name).includes('.'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('removes files no row references once they are older than the grace period, and keeps the others', async () => {
    const offer = await insertOffer(app, organisationId);
    expect((await uploadPhoto(offer.id, await image(200))).statusCode).toBe(303);
    const { photoPath } = await offerRow(app, offer.id);
    await app.deps.storage.put('offres/000000000000000000000000.webp', Buffer.from('orphan'));
    await app.deps.storage.put('requests/1/left-by-a-failed-message.pdf', Buffer.from('%PDF-'));

    await app.deps.scheduler.runNow('storage-orphans');
    expect(await app.deps.storage.get('offres/000000000000000000000000.webp')).not.toBeNull();

    app.deps.clock.advance(ORPHAN_GRACE_MS + 60_000);
    try {
      await app.deps.scheduler.runNow('storage-orphans');
    } finally {
      app.deps.clock.advance(-(ORPHAN_GRACE_MS + 60_000));
    }
    expect(await app.deps.storage.get('offres/000000000000000000000000.webp')).toBeNull();
    expect(await app.deps.storage.get('requests/1/left-by-a-failed-message.pdf')).toBeNull();
    expect(await app.deps.storage.get(photoPath!)).not.toBeNull();
    expect(await app.deps.storage.get(thumbnailKey(photoPath!))).not.toBeNull();
    expect((await agent.get(`/medias/${photoPath}`)).statusCode).toBe(200);
  });

  it('copies the files of an uploads directory into another engine once, and says how many it copied', async () => {
    const root = mkdtempSync(join(tmpdir(), 'passerelle-migrate-'));
    const target = mkdtempSync(join(tmpdir(), 'passerelle-migrate-target-'));
    try {
      const source = new DiskStorage(root);
      await source.put('offres/aaaaaaaaaaaaaaaaaaaaaaaa.webp', Buffer.from('photo'));
      await source.put('logos/1-aaaaaaaaaaaa.webp', Buffer.from('logo'));
      await source.put('requests/3/piece.pdf', Buffer.from('%PDF-1.4'));
      const engine = app.deps.storage.kind === 'disk' ? new DiskStorage(target) : app.deps.storage;
      const first = await migrateFiles(source, engine);
      expect(first).toMatchObject({ moved: 3, alreadyThere: 0, bytes: 5 + 4 + 8 });
      expect((await engine.get('requests/3/piece.pdf'))?.toString()).toBe('%PDF-1.4');
      expect(await migrateFiles(source, engine)).toMatchObject({ moved: 0, alreadyThere: 3 });
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(target, { recursive: true, force: true });
    }
  });
});
