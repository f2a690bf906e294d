import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Instance {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `node --import tsx server/main.ts` on a port with the given settings and waits for /healthz. */
export async function startInstance(name: string, port: number, env: Record<string, string>): Promise<Instance> {
  const dataDir = mkdtempSync(join(tmpdir(), `passerelle-cluster-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), DATA_DIR: dataDir, BASE_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance ${name} exited: ${output.join('')}`);
    const ok = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`instance ${name} did not start: ${output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    name,
    port,
    url,
    process: child,
    output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser-like client: keeps cookies across instances (as behind a load balancer) and sends CSRF tokens. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  private keep(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (!value || /max-age=0|expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '), ...extra };
  }

  async get(instance: Instance, path: string): Promise<Response> {
    return this.keep(await fetch(instance.url + path, { headers: this.headers(), redirect: 'manual' }));
  }

  async csrf(instance: Instance): Promise<string> {
    const body = await (await this.get(instance, '/a-propos')).text();
    const match = /name="_csrf" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"/.exec(body);
    if (!match) throw new Error('no CSRF token');
    return (match[1] ?? match[2])!;
  }

  async post(instance: Instance, path: string, form: Record<string, string | string[] | undefined>, token?: string): Promise<Response> {
    const body = new URLSearchParams({ _csrf: token ?? (await this.csrf(instance)) });
    for (const [key, value] of Object.entries(form)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    return this.keep(
      await fetch(instance.url + path, {
        method: 'POST',
        body: body.toString(),
        headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        redirect: 'manual',
      }),
    );
  }

  async postMultipart(instance: Instance, path: string, payload: Buffer, boundary: string): Promise<Response> {
    const token = await this.csrf(instance);
    return this.keep(
      await fetch(`${instance.url}${path}?_csrf=${encodeURIComponent(token)}`, {
        method: 'POST',
        body: new Uint8Array(payload),
        headers: this.headers({ 'content-type': `multipart/form-data; boundary=${boundary}` }),
        redirect: 'manual',
      }),
    );
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
