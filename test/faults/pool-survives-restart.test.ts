import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../helpers/throwaway.js';
import { sleep } from './harness.js';
import { Tally } from '../security/tally.js';

/**
 * Was a bug (found by the PostgreSQL phase of submissions-under-faults.test.ts, where it kills
 * both worker processes about one restart in three): a client checked out of the pool of
 * src/db/pool.ts that is idle when PostgreSQL goes away (a transaction between two queries, a
 * batch awaiting its template layout, an upload storing its file under an advisory lock) emits
 * 'error' with no listener: "Connection terminated unexpectedly" is an unhandled 'error' event and
 * the process exits. pg-pool only listens on idle clients. The worker dies (its jobs stay "active"
 * until another worker notices they stalled; with none left, nothing is processed any more), and
 * `npm start` (web and worker in one process) dies entirely.
 *
 * Fix, in createPool (src/db/pool.ts): give every client a listener as it is created, e.g.
 *   pool.on('connect', (client) => client.on('error', () => {}));
 * (the next query on that client then fails with "Client has encountered a connection error" and
 * the pool discards it on release, as processing already expects). Same for any pg.Client made
 * outside a pool (src/templates/schema-listener.ts has one already).
 *
 * This test is the deterministic form: a process using createPool holds a checked-out client
 * idle in a transaction while PostgreSQL stops with -m immediate; the process must survive, its
 * next query fail cleanly, and the pool serve again once PostgreSQL is back.
 */
describe('the pool of src/db/pool.ts survives PostgreSQL going away under a checked-out client', () => {
  let pg: ThrowawayPostgres;
  let url: string;
  const tally = new Tally('faults: pool survives a PostgreSQL restart');

  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    url = await pg.createDatabase('pool_restart', { migrate: false });
  });
  afterAll(async () => {
    tally.publish();
    await pg?.destroy();
  });

  it('a process holding an idle checked-out client does not crash when PostgreSQL stops', async () => {
    const script = `
      import { createPool } from ${JSON.stringify(new URL('../../src/db/pool.ts', import.meta.url).pathname)};
      const pool = createPool(${JSON.stringify(url)}, { max: 2 });
      const client = await pool.connect();
      await client.query('BEGIN');
      console.log('holding');
      process.stdin.resume();
      process.stdin.once('data', async () => {
        try { await client.query('SELECT 1'); console.log('next query: ok?'); } catch (e) { console.log('next query failed: ' + e.message); }
        client.release(true);
        for (let i = 0; i < 50; i++) {
          try { await pool.query('SELECT 1'); console.log('pool serves again'); break; } catch { await new Promise((r) => setTimeout(r, 200)); }
        }
        await pool.end();
        process.exit(0);
      });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !out.includes('holding'); i++) await sleep(100);
      expect(out).toContain('holding');
      pg.stop('immediate');
      tally.add('faults injected');
      await sleep(1500);
      await pg.start();
      const crashed = child.exitCode !== null;
      if (!crashed) child.stdin!.write('go\n');
      const code = await Promise.race([exited, sleep(20_000).then(() => 'timeout' as const)]);
      expect(crashed, `the process died when PostgreSQL stopped:\n${out}`).toBe(false);
      expect(code, out).toBe(0);
      expect(out).toMatch(/next query failed/);
      expect(out).toMatch(/pool serves again/);
      tally.add('faults survived');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
