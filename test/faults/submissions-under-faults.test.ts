import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/api-client.js';
import { waitFor } from '../helpers/forms.js';
import { spawnCli, type Spawned } from '../helpers/process.js';
import { Tally } from '../security/tally.js';
import {
  diagnose,
  isEnvelopeError,
  pendingCount,
  remoteSurvey,
  sleep,
  startCluster,
  SubmissionStream,
  verifyNothingLost,
  type Cluster,
  type RemoteSurvey,
  type Verification,
} from './harness.js';

/**
 * Nothing is lost, whatever breaks. The real web process and worker processes run against their own
 * PostgreSQL and Redis; a steady stream of clients posts submissions (retrying 503s and network
 * errors with the same Idempotency-Key, as a good client does) while, one phase at a time:
 *
 *   A. a worker process is killed with SIGKILL in the middle of a batch transaction (another starts);
 *   B. Redis is killed with SIGKILL and started again 5 s later (empty: it keeps nothing on disk);
 *   C. Redis is flushed (FLUSHALL): every queued job and every job scheduler is gone;
 *   D. PostgreSQL is stopped with `-m immediate` and started again 5 s later: meanwhile the API
 *      answers 503 SERVICE_UNAVAILABLE in the envelope, and it recovers by itself (then two more
 *      short immediate restarts, at other moments of the stream).
 *
 * After each phase every submission that got a 2xx exists, ended processed (or failed with a
 * reason) exactly once, with its typed rows exactly once; the audit chain verifies; the integrity
 * check passes. The figures are printed at the end.
 */

const PHASE_MS = { workerKill: 12_000, redisRestart: 16_000, redisFlush: 10_000, postgresRestart: 24_000 };

describe('submissions under faults (real processes, throwaway PostgreSQL and Redis)', () => {
  let c: Cluster;
  let s: RemoteSurvey;
  let stream: SubmissionStream;
  const tally = new Tally('faults: submissions under faults');
  let maxConvergedMs = 0;

  beforeAll(async () => {
    c = await startCluster();
    await c.startWeb();
    s = await remoteSurvey(c.baseUrl, c.pool, 2);
    // Phase A starts with one worker, so that the transaction caught open is the victim's.
    await c.startWorker();
    stream = new SubmissionStream(c.baseUrl, s, { clients: 4, ratePerSecond: 120, retries: 3, prefix: 'fault' });
  });

  afterAll(async () => {
    await stream?.stop();
    if (stream) {
      const accepted = stream.accepted();
      tally.set('submissions sent', stream.ledger.size);
      tally.set('requests sent (with retries)', stream.requests);
      tally.set('accepted (2xx)', accepted.length);
      tally.set('accepted on a retry (replayed or late)', accepted.filter((e) => e.attempts.length > 1).length);
      for (const [status, n] of Object.entries(stream.refusedByStatus())) tally.set(`refused: ${status}`, n);
      tally.set('unexpected responses (5xx other than 503, stacks, non-envelope)', stream.anomalies.length);
      tally.set('slowest convergence after a fault (ms)', maxConvergedMs);
      for (const a of stream.anomalies.slice(0, 10)) tally.note(`anomaly: ${a}`);
    }
    tally.publish();
    if (c) {
      // Errors the processes logged (not the access log's lines about the 503s we caused).
      const errorsOf = (p: Spawned) =>
        p
          .output()
          .split('\n')
          .filter((l) => /"level":(50|60)/.test(l) && !/"msg":"request errored"/.test(l));
      for (const p of [c.web, ...c.workers].filter((p): p is Spawned => !!p && errorsOf(p).length > 0)) {
        console.log(
          `--- process ${p.child.pid} logged ${errorsOf(p).length} error(s), first ones:\n${errorsOf(p).slice(0, 5).join('\n').slice(0, 4000)}`,
        );
      }
      await c.destroy();
    }
  });

  /** Runs the stream for `durationMs` around `inject`, then checks that nothing was lost. */
  async function phase(name: string, durationMs: number, inject: () => Promise<void>): Promise<Verification> {
    tally.add('faults injected');
    const started = Date.now();
    stream.start();
    try {
      await inject();
      const left = durationMs - (Date.now() - started);
      if (left > 0) await sleep(left);
    } finally {
      await stream.stop();
    }
    // Every process still runs: none died of the fault (a dead worker leaves its jobs "active" for
    // ever when no other worker is left to notice they stalled).
    const dead = [c.web!, ...c.workers].filter((p) => p.child.exitCode !== null);
    for (let i = 0; i < dead.length; i++) tally.add('processes that died of a fault');
    expect(
      dead.map(
        (p) =>
          `process ${p.child.pid} exited ${p.child.exitCode}:\n${p.output().trimEnd().split('\n').slice(-16).join('\n')}`,
      ),
      `${name}: the web and worker processes survive the fault`,
    ).toEqual([]);
    const v = await verifyNothingLost(c.pool, s, stream, c.storageDir);
    maxConvergedMs = Math.max(maxConvergedMs, v.convergedMs);
    tally.set('lost (accepted, then missing, pending or without typed rows)', v.lost);
    tally.set('committed without an answer (client gave up), processed anyway', v.unacknowledged);
    tally.set('processed (status 1)', v.processed);
    tally.set('failed with a reason (status 2)', v.failed);
    tally.note(
      `${name}: ${stream.ledger.size} sent so far, ${v.accepted} accepted, all settled ${(v.convergedMs / 1000).toFixed(1)} s after the window, ` +
        `${v.audit.checked} audit links verified`,
    );
    expect(c.web!.child.exitCode, 'the web process is still running').toBeNull();
    if (v.problems.length) console.log(`--- ${name}: diagnosis\n${await diagnose(c, s.templateId)}`);
    expect(v.problems, `${name}: nothing lost, nothing doubled`).toEqual([]);
    expect(v.lost).toBe(0);
    expect(stream.anomalies, `${name}: no 500s, no stacks, always the envelope`).toEqual([]);
    tally.add('faults survived');
    return v;
  }

  const workerTransactionsOpen = async () =>
    Number(
      (
        await c.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'gridbook-worker' AND backend_xid IS NOT NULL`,
        )
      ).rows[0]!.n,
    );

  it('A. kill -9 of a worker in the middle of a batch: another takes over, each submission processed once', async () => {
    let caughtOpen = false;
    await phase('A. worker kill -9', PHASE_MS.workerKill, async () => {
      await sleep(3000);
      const victim = c.workers[0]!;
      // A write transaction of the (only) worker open: a batch is being projected right now.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        if ((await workerTransactionsOpen()) > 0) {
          caughtOpen = true;
          break;
        }
        await sleep(5);
      }
      await c.killWorker(victim);
      tally.note(
        `A. worker killed ${caughtOpen ? 'with a batch transaction open' : '(no open transaction caught within 10 s)'}`,
      );
      // "Start another": two from now on.
      await Promise.all([c.startWorker(), c.startWorker()]);
    });
    expect(caughtOpen, 'the worker was killed mid-batch').toBe(true);
  });

  it('B. Redis killed with SIGKILL and restarted 5 s later (empty): workers reconnect, the sweeper re-queues', async () => {
    let restartedAt = 0;
    await phase('B. Redis kill -9 + restart', PHASE_MS.redisRestart, async () => {
      await sleep(3000);
      await c.redis.kill();
      await sleep(5000);
      await c.redis.start();
      restartedAt = Date.now();
    });
    // The workers resumed: submissions created after the restart were processed, and how soon.
    const resumed = await c.pool.query<{ first: Date | null }>(
      `SELECT min(processed_at) AS first FROM submissions WHERE template_id = $1 AND created_at > $2 AND processing_status = 1`,
      [s.templateId, new Date(restartedAt)],
    );
    expect(resumed.rows[0]!.first, 'something created after the Redis restart was processed').not.toBeNull();
    tally.set(
      'first processing after the Redis restart (ms)',
      Math.max(0, resumed.rows[0]!.first!.getTime() - restartedAt),
    );

    // Each worker process on its own (the others paused) still takes work: none of them stayed
    // disconnected after the restart (bullmq#2466).
    for (const worker of c.workers) {
      const others = c.workers.filter((w) => w !== worker);
      for (const o of others) o.child.kill('SIGSTOP');
      try {
        stream.start();
        await sleep(1000);
        await stream.stop();
        await waitFor(
          () => pendingCount(c.pool, s.templateId),
          (n) => n === 0,
          30_000,
          `worker ${worker.child.pid} alone processing after the Redis restart`,
        );
      } finally {
        for (const o of others) o.child.kill('SIGCONT');
      }
      expect(worker.child.exitCode).toBeNull();
    }
    tally.note(
      `B. each of the ${c.workers.length} worker processes processed submissions on its own after the restart`,
    );
  });

  it('C. FLUSHALL of that Redis: jobs and job schedulers are gone; the sweeper re-queues from PostgreSQL', async () => {
    await phase('C. Redis FLUSHALL', PHASE_MS.redisFlush, async () => {
      await sleep(4000);
      await c.redis.flushAll();
    });
  });

  it('D. PostgreSQL stopped with -m immediate and restarted: 503 in the envelope meanwhile, recovery by itself', async () => {
    const probes: { path: string; status: number; ok: boolean; body: string }[] = [];
    const token = s.submitters[0]!.api.token!;
    const probe = async (method: string, path: string, body?: unknown) => {
      try {
        const res = await fetch(`${c.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const ok =
          res.status === 503 &&
          isEnvelopeError(parsed) &&
          (parsed as { error: { code: string } }).error.code === 'SERVICE_UNAVAILABLE' &&
          !/\n\s+at /.test(text);
        probes.push({ path, status: res.status, ok, body: text.slice(0, 300) });
      } catch (error) {
        probes.push({ path, status: 0, ok: false, body: String((error as Error).message) });
      }
    };
    let recoveredMs = -1;
    await phase('D. PostgreSQL immediate stop + restart', PHASE_MS.postgresRestart, async () => {
      await sleep(3000);
      c.pg.stop('immediate');
      tally.add('PostgreSQL immediate restarts');
      const downUntil = Date.now() + 5000;
      let n = 0;
      while (Date.now() < downUntil) {
        await Promise.all([
          probe('GET', '/api/v1/me'),
          probe('GET', `/api/v1/templates/${s.templateId}/submissions?limit=1`),
          probe('POST', `/api/v1/templates/${s.templateId}/submissions`, {
            data: { household: { village: `probe ${n++}` } },
          }),
          probe('GET', '/readyz'),
        ]);
        await sleep(200);
      }
      tally.set('probes while PostgreSQL was down', probes.length);
      tally.set('probes answered 503 SERVICE_UNAVAILABLE', probes.filter((p) => p.ok).length);
      await c.pg.start();
      const upAt = Date.now();
      // The web process recovers by itself: no restart, the pool reconnects.
      const me = new ApiClient(c.baseUrl);
      me.token = token;
      await waitFor(
        () =>
          me.get('/me').then(
            (r) => r.status,
            () => 0,
          ),
        (status) => status === 200,
        30_000,
        'the API answering again after PostgreSQL came back',
      );
      recoveredMs = Date.now() - upAt;
      tally.set('API recovered after PostgreSQL restart (ms)', recoveredMs);
      // Two more, shorter, at other moments of the stream: a crash that depends on what a process
      // was doing at that instant gets more chances to show.
      for (const downMs of [2000, 1500]) {
        await sleep(2500);
        c.pg.stop('immediate');
        await sleep(downMs);
        await c.pg.start();
        tally.add('PostgreSQL immediate restarts');
      }
    });
    const bad = probes.filter((p) => !p.ok);
    expect(probes.length).toBeGreaterThan(20);
    expect(bad, 'every request while PostgreSQL is down: 503 SERVICE_UNAVAILABLE in the envelope, no stack').toEqual(
      [],
    );
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
  });

  it('ends with `npm run check:integrity` passing on the database the faults went through', async () => {
    const cli = spawnCli('src/cli/check-integrity.ts', c.env);
    const code = await Promise.race([cli.exited, sleep(60_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') await cli.stop('SIGKILL');
    const out = cli.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/Integrity OK/);
    expect(out).toMatch(/ok\s+processed-submissions-projected/);
    tally.note(`check:integrity: ${out.split('\n').filter((l) => /^(ok|FAIL)/.test(l)).length} checks passed`);
  });
});
