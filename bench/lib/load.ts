import http from 'node:http';
import { percentile } from './report.js';

/**
 * A small closed-loop load generator on node:http: `connections` keep-alive sockets, each sending
 * its next request as soon as the previous answer is read. Bodies are serialized beforehand and
 * rotated, so the generator spends its time on sockets, not on JSON.
 */
export interface LoadOptions {
  url: string;
  method?: string;
  /** Fixed headers, or a function read before each request (a bearer token that gets renewed). */
  headers?: Record<string, string> | (() => Record<string, string>);
  bodies?: Buffer[];
  /** ...or a body made for the n-th request (fresh idempotency keys), instead of `bodies`. */
  bodyFor?: (n: number) => Buffer;
  connections: number;
  /** Stops after this long... */
  durationMs?: number;
  /** ...or after this many requests were sent (whichever comes first). */
  requests?: number;
}

export interface LoadResult {
  requests: number;
  /** Non-2xx answers and failed requests. */
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
  rps: number;
  p50: number;
  p99: number;
  /** CPU the generator itself used, as a share of one core (it runs on the same machine). */
  loaderCpu: number;
  firstError?: string;
}

export interface Answer {
  status: number;
  body: string;
  ms: number;
  headers: http.IncomingHttpHeaders;
}

/** One request on `agent`; resolves with status, body and wall time (network errors reject). */
export function send(
  agent: http.Agent,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const body =
      options.body === undefined ? undefined : Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body);
    const req = http.request(
      url,
      {
        agent,
        method: options.method ?? 'GET',
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  let firstError: string | undefined;
  const limit = options.requests ?? Infinity;
  const started = performance.now();
  const end = options.durationMs === undefined ? Infinity : started + options.durationMs;
  const cpu = process.cpuUsage();
  const bodies = options.bodies ?? [];

  const loop = async () => {
    while (performance.now() < end && sent < limit) {
      const body = options.bodyFor ? options.bodyFor(sent) : bodies.length ? bodies[sent % bodies.length] : undefined;
      sent++;
      try {
        const headers = typeof options.headers === 'function' ? options.headers() : options.headers;
        const answer = await send(agent, options.url, { method: options.method, headers, body });
        latencies.push(answer.ms);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status < 200 || answer.status > 299) {
          errors++;
          firstError ??= `${answer.status} ${answer.body.slice(0, 300)}`;
        }
      } catch (error) {
        errors++;
        statuses.network = (statuses.network ?? 0) + 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, loop));
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return {
    requests: latencies.length,
    errors,
    statuses,
    elapsedMs,
    rps: (latencies.length / elapsedMs) * 1000,
    p50: latencies.length ? percentile(latencies, 50) : NaN,
    p99: latencies.length ? percentile(latencies, 99) : NaN,
    loaderCpu: (used.user + used.system) / 1000 / elapsedMs,
    firstError,
  };
}

export function describeLoad(r: LoadResult): string {
  return (
    `${r.requests} requests in ${(r.elapsedMs / 1000).toFixed(1)} s, statuses ${JSON.stringify(r.statuses)}, ` +
    `load generator CPU ${(r.loaderCpu * 100).toFixed(0)}% of a ` +
    `core${r.firstError ? `, first error: ${r.firstError}` : ''}`
  );
}
