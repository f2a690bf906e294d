import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../server/types.js';

type Form = Record<string, string | number | boolean | string[] | undefined>;

let agents = 0;

/** A new address in 10.0.0.0/8 for each agent: each one is a person on their own machine. */
function nextAddress(): string {
  agents++;
  return `10.${(agents >> 16) & 255}.${(agents >> 8) & 255}.${agents & 255}`;
}

/** A browser-like client over fastify.inject: keeps cookies and sends the CSRF token with forms. */
export class Agent {
  private readonly cookies = new Map<string, string>();
  lastResponse: LightMyRequestResponse | null = null;

  constructor(
    readonly app: App,
    /** The client's IP address as the app sees it (its rate limits count per address). */
    readonly remoteAddress = nextAddress(),
  ) {}

  private cookieHeader(): string {
    // Encoded like a browser sends what Set-Cookie gave it (values may contain ';' once decoded).
    return [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
  }

  private keep(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired = (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.maxAge === 0 || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    this.lastResponse = response;
    return response;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.keep(await this.app.inject({ method: 'GET', url, remoteAddress: this.remoteAddress, headers: { cookie: this.cookieHeader(), ...headers } }));
  }

  /** A fresh CSRF token bound to the current session, read from a page like a browser would. */
  async csrfToken(): Promise<string> {
    const page = await this.get('/a-propos');
    const match = /name="_csrf" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"/.exec(page.body);
    if (!match) throw new Error('No CSRF token on the page');
    return (match[1] ?? match[2])!;
  }

  /** Posts a urlencoded form with a valid CSRF token unless `csrf: false` or a token is given. */
  async post(url: string, form: Form = {}, options: { csrf?: boolean | string; headers?: Record<string, string | undefined> } = {}) {
    const body = new URLSearchParams();
    const token = options.csrf === false ? null : typeof options.csrf === 'string' ? options.csrf : await this.csrfToken();
    if (token) body.append('_csrf', token);
    for (const [key, value] of Object.entries(form)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, String(item));
    }
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        remoteAddress: this.remoteAddress,
        payload: body.toString(),
        headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      }),
    );
  }

  /** Posts multipart data (file uploads); the CSRF token goes in the query string like our forms do. */
  async postMultipart(url: string, payload: Buffer, boundary: string, options: { csrf?: boolean } = {}) {
    const token = options.csrf === false ? null : await this.csrfToken();
    const target = token ? `${url}${url.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(token)}` : url;
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url: target,
        remoteAddress: this.remoteAddress,
        payload,
        headers: { cookie: this.cookieHeader(), 'content-type': `multipart/form-data; boundary=${boundary}` },
      }),
    );
  }

  hasSession(): boolean {
    return [...this.cookies.keys()].some((name) => name.endsWith('passerelle_session'));
  }
}

/** Builds a multipart body: fields, then files. */
export function multipart(fields: Record<string, string>, files: { field: string; filename: string; type: string; data: Buffer }[] = []) {
  const boundary = `----passerelle${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), boundary };
}
