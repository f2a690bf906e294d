import { readdir, readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { readEml } from '../lib/eml.js';
import { NotFoundError } from '../lib/errors.js';
import type { App } from '../types.js';

/** Outside production: the emails written to DATA_DIR/mail, readable in the browser. */
export default async function devRoutes(app: App) {
  const { mailer } = app.deps;

  async function listMails() {
    const files = await readdir(mailer.outboxDir).catch(() => [] as string[]);
    const mails = [];
    for (const file of files
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .reverse()
      .slice(0, 200)) {
      const { to, subject, date } = await readEml(await readFile(`${mailer.outboxDir}/${file}`));
      mails.push({ file, to, subject, date });
    }
    return mails;
  }

  app.get('/dev/mails', async (_request, reply) => {
    await mailer.flush();
    return reply.page('dev/mails', { title: 'E-mails envoyés (développement)', mails: await listMails() });
  });

  app.get('/dev/mails/:file', { schema: { params: Type.Object({ file: Type.String({ pattern: '^[\\w.-]+\\.eml$' }) }) } }, async (request, reply) => {
    const raw = await readFile(`${mailer.outboxDir}/${request.params.file}`).catch(() => null);
    if (raw === null) throw new NotFoundError();
    return reply.page('dev/mail', { title: 'E-mail', file: request.params.file, text: (await readEml(raw)).text });
  });
}
