import { randomBytes } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, isServerBuildFresh } from '../../src/ops/server-build.js';
import { clearRedisPrefix } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { waitFor } from '../helpers/forms.js';
import { freePort, spawnCli, type Spawned } from '../helpers/process.js';
import { TEST_REDIS_URL } from '../helpers/test-env.js';

const MB = 1024 * 1024;

/**
 * Sends up to `total` bytes of body to `url` (declared with Content-Length, or chunked), as fast as
 * the server takes them, and stops at the first answer: a server that answers 413 early and closes
 * ends the upload there.
 */
function flood(
  url: string,
  contentType: string,
  total: number,
  declared: boolean,
): Promise<{ status: number; sent: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(MB, contentType.includes('json') ? ' ' : 'a');
    let sent = 0;
    let answered = false;
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        ...(declared ? { 'content-length': String(total) } : { 'transfer-encoding': 'chunked' }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, body }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered)
        reject(new Error(`the upload ended without an answer after ${sent} bytes: ${e.code ?? e.message}`));
    });
    // A JSON body that opens a string and never ends it: a parser that reads it whole holds it all.
    if (contentType.includes('json')) {
      req.write('{"email":"');
      sent += 10;
    }
    const pump = () => {
      while (!answered && !req.destroyed && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

/**
 * One anonymous request cannot sink a web process: 300 MB bodies to the sign-in page (urlencoded
 * and JSON, declared or chunked) are answered 413 while the process's heap stays small and the
 * process keeps answering /readyz. Runs what `npm run web` runs (the build in dist/, with its heap
 * limit), as a real process, so an unbounded parser would end it.
 */
describe('anonymous bodies on /admin against a real web process', () => {
  let db: TestDatabase;
  let web: Spawned;
  let base: string;
  const prefix = `gbtest:${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    if (!(await isServerBuildFresh())) await buildServer();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    web = spawnCli('dist/src/cli/web.js', {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      STORAGE_DIR: path.join(os.tmpdir(), `gridbook-bodies-${randomBytes(4).toString('hex')}`),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_OPTIONS: '--max-old-space-size=256',
    });
    await waitFor(
      () =>
        fetch(`${base}/readyz`)
          .then((r) => r.status)
          .catch(() => 0),
      (s) => s === 200,
      90_000,
      'web ready',
    );
  });
  afterAll(async () => {
    await web?.stop('SIGTERM');
    await db?.drop();
    await clearRedisPrefix(TEST_REDIS_URL, prefix);
  });

  /** The web process's used heap, from its own Prometheus metrics. */
  const heapUsed = async () => {
    const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    return Number(text.match(/^gridbook_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m)![1]);
  };

  it('300 MB urlencoded and JSON POSTs to /admin/login: 413, heap under 100 MB, /readyz answering throughout', async () => {
    const heap: number[] = [await heapUsed()];
    const ready: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const started = Date.now();
        ready.push(
          await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5000) })
            .then((r) => r.status)
            .catch(() => 0),
        );
        heap.push(await heapUsed().catch(() => Number.NaN));
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
      }
    })();
    const attempts = [
      { type: 'application/x-www-form-urlencoded', declared: true },
      { type: 'application/json', declared: true },
      { type: 'application/x-www-form-urlencoded', declared: false },
      { type: 'application/json', declared: false },
    ];
    const results = [];
    try {
      for (const a of attempts)
        results.push({ ...a, ...(await flood(`${base}/admin/login`, a.type, 300 * MB, a.declared)) });
      // Keep sampling a little after the last answer.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      sampling = false;
      await sampler;
    }
    for (const r of results) {
      expect(r.status, `${r.type} ${r.declared ? 'declared' : 'chunked'}`).toBe(413);
      expect(r.body).toMatch(/larger than 1 MB/);
      // The server stopped the upload long before its end.
      expect(r.sent).toBeLessThan(100 * MB);
    }
    expect(Math.max(...heap)).toBeLessThan(100 * MB);
    expect(ready.length).toBeGreaterThan(0);
    expect(ready.every((s) => s === 200)).toBe(true);
    expect(web.child.exitCode).toBeNull();
    const outcome = (r: { type: string; declared: boolean; status: number; sent: number }) =>
      `${r.type.split('/')[1]} ${r.declared ? 'declared' : 'chunked'}: ${r.status} after ${(r.sent / MB).toFixed(0)} MB sent`;
    console.log(
      `admin bodies: ${results.map(outcome).join('; ')}; ` +
        `heap max ${(Math.max(...heap) / MB).toFixed(1)} MB over ${heap.length} samples; /readyz ${ready.length}x 200`,
    );
  });
});
