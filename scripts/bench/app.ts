import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { getPriority, setPriority } from 'node:os';

/** What the bench's parts share: the app in a child process and autocannon runs with per-request headers. */

export interface BenchOptions {
  /** The bench database. */
  url: string;
  n: number;
  duration: number;
  connections: number;
}

export interface Row {
  name: string;
  urls: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  timeouts: number;
}

interface AutocannonInstance extends PromiseLike<{ errors: number; timeouts: number; non2xx: number }> {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTime: number) => void): void;
}
// autocannon ships no types.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: object) => AutocannonInstance;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface BenchApp {
  child: ChildProcess;
  base: string;
  port: number;
  /** Resident memory of the app process (MB), from /proc. */
  rssMb(): number;
  stop(): Promise<void>;
}

export async function startBenchApp(url: string, env: Record<string, string> = {}, port?: number): Promise<BenchApp> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(chosen),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-session-secret-bench-session-secret',
      SEED_DEMO: '0',
      JOBS_ENABLED: '0',
      API_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      BASE_URL: `http://127.0.0.1:${chosen}`,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const base = `http://127.0.0.1:${chosen}`;
  const app: BenchApp = {
    child,
    base,
    port: chosen,
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${base}/healthz`)).ok) return app;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill();
  throw new Error('the app did not start');
}

/**
 * The niceness of the processes that stand for what runs elsewhere in production (the app, and the
 * /healthz probe as its load balancer), taken when the load generator lowers its own.
 */
let appNiceness: number | null = null;

/**
 * Runs the load generator (this process's main thread, where autocannon sends and reads every
 * request) `niceness` steps below the app it measures. Clients are on other machines: on a
 * two-core machine, at the app's priority, they took a fifth to a third of its main thread's time
 * and delayed the probe's own wake-ups (`/healthz` p99 14–22 ms seen by the probe for 1–3 ms in the
 * app). Start the app first: a child takes the niceness of the thread that spawns it. Returns how to
 * undo it (raising a priority back needs root: without it, later apps run at the load generator's
 * level, as before this change, both of them together).
 */
export function lowerLoadGeneratorPriority(niceness: number): () => void {
  if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19) throw new Error('--load-niceness: an integer from 0 to 19');
  appNiceness = getPriority();
  if (niceness === 0) return () => {};
  setPriority(Math.min(19, appNiceness + niceness));
  return () => {
    try {
      setPriority(appNiceness!);
    } catch {}
    appNiceness = null;
  };
}

/**
 * Starts `health-probe.ts` in a process of its own and resolves once it probes (so that its
 * start-up is not inside the measured window); `result()` gives its /healthz latencies (sorted, ms).
 */
export async function startHealthProbe(
  base: string,
  intervalMs: number,
  seconds: number,
): Promise<{ result: () => Promise<{ latencies: number[]; failures: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/health-probe.ts', base, String(intervalMs), String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The probe stands for a load balancer: back at the app's priority, above the load generator's.
  if (appNiceness !== null && getPriority() !== appNiceness) {
    try {
      setPriority(child.pid!, appNiceness);
    } catch {
      if (!warnedOfProbe)
        console.log("(the /healthz probe runs at the load generator's priority: raising it back needs root; --load-niceness 0 for equal priorities)");
      warnedOfProbe = true;
    }
  }
  let out = '';
  const exited = new Promise<void>((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`health probe exited with ${code}`)))),
  );
  exited.catch(() => {}); // awaited by result()
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve();
    });
    exited.then(resolve, reject);
  });
  return {
    result: async () => {
      await exited;
      const parsed = JSON.parse(out.slice(out.indexOf('\n') + 1)) as { latencies: number[]; failures: number };
      return { latencies: parsed.latencies.sort((a, b) => a - b), failures: parsed.failures };
    },
  };
}

let warnedOfProbe = false;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * What a browser sends (Chromium's value): the bench measures the answers users get, compressed.
 * `npm run bench -- --accept-encoding identity` measures them uncompressed, as the bench did until December 2026.
 */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';
let acceptEncoding = BROWSER_ACCEPT_ENCODING;
export function setAcceptEncoding(value: string): void {
  acceptEncoding = value;
}
export function benchHeaders(): Record<string, string> {
  return { 'accept-encoding': acceptEncoding };
}

export interface BenchRequest {
  path: string;
  headers?: Record<string, string>;
}

/**
 * Each request takes the next of `next()` (across connections). A status other than 2xx/3xx, a
 * socket error and a timeout count as errors; `expect` may reject a 200 whose body is wrong.
 */
export async function measureRequests(
  name: string,
  base: string,
  next: () => BenchRequest,
  options: { connections: number; duration: number; timeoutS?: number; quiet?: boolean },
): Promise<Row> {
  const latencies: number[] = [];
  const seen = new Set<string>();
  let errors = 0;
  const instance = autocannon({
    url: base,
    connections: options.connections,
    duration: options.duration,
    timeout: options.timeoutS ?? 10,
    headers: benchHeaders(),
    requests: [
      {
        method: 'GET',
        setupRequest: (request: { path: string; headers: Record<string, string> }) => {
          const { path, headers } = next();
          seen.add(`${path} ${headers?.cookie ?? ''}`);
          request.path = path;
          request.headers = { ...request.headers, ...headers };
          return request;
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode >= 400) errors++;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const row: Row = {
    name,
    urls: seen.size,
    requests: latencies.length,
    rps: latencies.length / options.duration,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors + result.errors,
    timeouts: result.timeouts,
  };
  if (!options.quiet) console.log(`  ${name}: ${Math.round(row.rps)} req/s, p95 ${row.p95.toFixed(1)} ms, p99 ${row.p99.toFixed(1)} ms`);
  return row;
}

export function printTable(rows: Row[]): void {
  console.log('| scenario | distinct requests | requests | req/s | p50 | p95 | p99 | errors | timeouts |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(
      `| ${row.name} | ${row.urls} | ${row.requests} | ${Math.round(row.rps)} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.errors} | ${row.timeouts} |`,
    );
  }
}

/**
 * CPU time used so far by this machine's PostgreSQL processes (ms; NaN off Linux): the bench
 * reports what each scenario cost the database beside what it cost the app. Counts every
 * server process, so it assumes the server is otherwise idle. Linux's clock tick is 10 ms.
 */
export function postgresCpuMs(): number {
  if (process.platform !== 'linux') return Number.NaN;
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10;
}
