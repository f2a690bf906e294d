import { simpleParser } from 'mailparser';

interface ReadMail {
  to: string;
  subject: string;
  date: string;
  /** The text/plain part, decoded. */
  text: string;
}

/** Reads an .eml file the mailer wrote (dev outbox page and tests). */
export async function readEml(raw: string | Buffer): Promise<ReadMail> {
  const mail = await simpleParser(raw);
  const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
  return { to, subject: mail.subject ?? '', date: mail.headers.get('date') ? String(mail.date?.toUTCString()) : '', text: mail.text ?? '' };
}
