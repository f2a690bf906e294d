import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, lte } from 'drizzle-orm';
import type { Eta } from 'eta';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../../db/client.js';
import { mailOutbox } from '../../db/schema/index.js';
import type { Config } from '../config.js';
import type { Clock } from './clock.js';
import { formatters } from './format.js';
import { createEta } from './templates.js';

interface MailMessage {
  to: string;
  /** Template under views/emails (without extension): renders `<name>.text.eta` and, if present, `<name>.html.eta`. */
  template: string;
  subject: string;
  data: Record<string, unknown>;
  headers?: Record<string, string>;
}

const MAX_ATTEMPTS = 8;

/**
 * Emails are queued in the database (in the caller's transaction) and sent by flush(), run by
 * the jobs plugin: nothing is lost when SMTP is down, a failed send is retried with backoff.
 * Without SMTP_URL, messages are written as .eml files to DATA_DIR/mail, with CRLF line ends as
 * RFC 5322 requires (SMTP converts them on the wire; a file is read as it is written).
 */
export class Mailer {
  readonly outboxDir: string;
  private readonly transport: Transporter;
  /** Plain-text bodies are not HTML: values go in unescaped (an apostrophe must not become &#39;). */
  private readonly textEta: Eta;

  constructor(
    private readonly deps: { config: Config; db: Db; clock: Clock; eta: Eta },
    transport?: Transporter,
  ) {
    this.outboxDir = join(deps.config.DATA_DIR, 'mail');
    this.textEta = createEta(deps.config.NODE_ENV === 'production', { autoEscape: false });
    this.transport =
      transport ??
      (deps.config.SMTP_URL
        ? nodemailer.createTransport(deps.config.SMTP_URL)
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }));
  }

  render(template: string, data: Record<string, unknown>): { text: string; html: string | null } {
    const context = { ...data, baseUrl: this.deps.config.BASE_URL, f: formatters };
    const text = this.textEta.render(`/emails/${template}.text.eta`, context);
    let html: string | null = null;
    try {
      const body = this.deps.eta.render(`/emails/${template}.html.eta`, context);
      html = this.deps.eta.render('/emails/layout.html.eta', { ...context, body });
    } catch (error) {
      if (!String((error as Error).message).includes('Could not find template')) throw error;
    }
    return { text, html };
  }

  /** Queues a message; pass the transaction so the email exists only if the change is committed. */
  async queue(message: MailMessage, db: Db = this.deps.db): Promise<void> {
    const { text, html } = this.render(message.template, { ...message.data, subject: message.subject });
    const now = this.deps.clock.now();
    await db
      .insert(mailOutbox)
      .values({ to: message.to, subject: message.subject, text, html, headers: message.headers ?? {}, nextAttemptAt: now, createdAt: now });
  }

  /** Sends what is due; returns how many were sent. */
  async flush(limit = 50): Promise<number> {
    const { db, clock, config } = this.deps;
    const due = await db
      .select()
      .from(mailOutbox)
      .where(and(eq(mailOutbox.status, 'pending'), lte(mailOutbox.nextAttemptAt, clock.now())))
      .orderBy(asc(mailOutbox.id))
      .limit(limit);
    let sent = 0;
    for (const mail of due) {
      try {
        const info = await this.transport.sendMail({
          from: config.MAIL_FROM,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html ?? undefined,
          headers: mail.headers,
        });
        if (!config.SMTP_URL && 'message' in info && Buffer.isBuffer(info.message)) {
          mkdirSync(this.outboxDir, { recursive: true });
          const stamp = clock.now().toISOString().replace(/[:.]/g, '-');
          writeFileSync(join(this.outboxDir, `${stamp}-${String(mail.id).padStart(6, '0')}.eml`), info.message);
        }
        await db
          .update(mailOutbox)
          .set({ status: 'sent', sentAt: clock.now(), attempts: mail.attempts + 1 })
          .where(eq(mailOutbox.id, mail.id));
        sent++;
      } catch (error) {
        const attempts = mail.attempts + 1;
        const backoffMs = Math.min(2 ** attempts * 30_000, 6 * 3600_000);
        await db
          .update(mailOutbox)
          .set({
            attempts,
            status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
            nextAttemptAt: new Date(clock.now().getTime() + backoffMs),
            lastError: String((error as Error).message).slice(0, 500),
          })
          .where(eq(mailOutbox.id, mail.id));
      }
    }
    return sent;
  }
}
