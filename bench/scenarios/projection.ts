import { createPool } from '../../src/db/pool.js';
import { seedBacklog, waitForProcessing } from '../lib/backlog.js';
import { backendPids, cpuMeter, describeCpu } from '../lib/cpu.js';
import { benchDatabase, benchRuntime, envNumber, timed } from '../lib/env.js';
import { seedFixture } from '../lib/fixture.js';
import { describeLoopDelay, loopDelayMeter } from '../lib/loop-delay.js';
import { pgSampler } from '../lib/pg-sampler.js';
import { stopAll } from '../lib/procs.js';
import type { Report } from '../lib/report.js';
import { batchStats, startWorkers, type WorkerChild } from '../lib/servers.js';
import { wideDefinition } from '../lib/template.js';
import { createReferenceTables, writeTypedRows } from '../lib/typed-rows.js';

const S = 'projection';

/**
 * A backlog of BENCH_BACKLOG (50,000) pending 300-field submissions, queued, then worked off by 1
 * and (on a fresh database) 2 worker processes with their default settings. The rate runs from
 * resuming the queue (workers started on it paused) to the poll that finds none pending.
 * Reference: the same typed rows written by plain multi-row INSERTs, 100 submissions per
 * transaction, on as many connections as there are workers, into copies of the same tables; and,
 * as a diagnostic, the product's own projection SQL on the same rows (bench/lib/typed-rows.ts).
 */
export async function projectionScenario(report: Report): Promise<void> {
  const backlog = envNumber('BENCH_BACKLOG', 50_000);
  const timeoutMs = envNumber('BENCH_PROJECTION_TIMEOUT_S', 600) * 1000;
  for (const workers of [1, 2]) {
    const db = await benchDatabase('projection');
    const rt = await benchRuntime(db);
    let children: WorkerChild[] = [];
    try {
      const fixture = await seedFixture(rt, wideDefinition(300));
      const seeded = await timed(() => seedBacklog(rt, fixture, backlog));
      console.log(
        `[${S}] ${backlog} pending submissions seeded and queued in ${(seeded.ms / 1000).toFixed(1)} s; starting ${workers} worker(s)`,
      );

      const redisPid = Number(/process_id:(\d+)/.exec(await rt.redis.info('server'))?.[1] ?? 0);
      // Workers start on a paused queue, so that their start-up is neither timed nor counted as CPU.
      await rt.queues.submissions.pause();
      children = await startWorkers(db, workers);
      const meter = await cpuMeter({
        workers: () => children.map((c) => c.pid),
        postgres: () => backendPids(rt.pool, db.name),
        redis: () => [redisPid],
      });
      const sampler = await pgSampler(db.url, db.name, `${workers} worker(s)`);
      const loop = await loopDelayMeter(Object.fromEntries(children.map((c) => [c.name, c.metricsUrl])));
      const started = performance.now();
      await rt.queues.submissions.resume();
      const done = await waitForProcessing(rt.pool, rt.queues.submissions, timeoutMs);
      const cpu = await meter.stop();
      const delays = await loop.stop();
      await sampler.stop();
      const seconds = (done.doneMs - started) / 1000;
      const rate = done.processed / seconds;
      console.log(
        `[${S}] ${workers} worker(s): ${done.processed} processed, ${done.failed} failed, ` +
          `${done.pending} pending after ${seconds.toFixed(1)} s${done.timedOut ? ' (TIMED OUT)' : ''}\n    ` +
          `${describeCpu(cpu, done.processed, 'submission')}\n    ${describeLoopDelay(delays)}`,
      );
      const batches = await batchStats(children);
      console.log(
        `    ${batches.batches} batches, ${batches.meanSize.toFixed(1)} submissions and ${batches.meanMs.toFixed(0)} ms each on average`,
      );
      const peakRss = Math.max(...children.map((c) => c.peakRssMb()));
      await stopAll(children);

      const ids = (await rt.pool.query<{ id: string }>('SELECT id FROM submissions ORDER BY id')).rows.map((r) => r.id);
      console.log(`[${S}] references on the same rows:`);
      // As the database owner: the runtime role may not create the reference tables in schema public.
      const owner = createPool(db.config.ownerDatabaseUrl, {
        max: workers + 1,
        applicationName: 'gridbook-bench-reference',
      });
      let reference: number;
      let productSql: number;
      try {
        const refLayout = await createReferenceTables(rt, owner, fixture.templateId);
        reference = await writeTypedRows(rt, owner, fixture, refLayout, ids, workers, 'plain');
        productSql = await writeTypedRows(rt, owner, fixture, refLayout, ids, workers, 'product-sql');
      } finally {
        await owner.end();
      }
      // With 2 workers two goals share the figure: an absolute rate and the ratio to the reference.
      const goal =
        workers === 2 ? { goal: '>= 3,000/s and >= 0.3x reference', met: rate >= 3000 && rate >= 0.3 * reference } : {};
      report.add({
        scenario: S,
        name: `submissions/s with ${workers} worker${workers > 1 ? 's' : ''}`,
        value: Math.round(rate),
        unit: 'sub/s',
        reference: {
          name: `plain batched INSERT, ${workers} connection${workers > 1 ? 's' : ''}`,
          value: Math.round(reference),
        },
        ratio: rate / reference,
        ...goal,
        note: describeCpu(cpu, done.processed, 'submission'),
      });
      report.rate(S, `diagnostic: the product's projection SQL alone, ${workers} connection(s)`, productSql, 'sub/s', {
        name: 'plain batched INSERT',
        value: reference,
      });
      const left = done.failed + done.pending;
      report.add({
        scenario: S,
        name: `failed or left pending with ${workers} worker(s)`,
        value: left,
        unit: 'submissions',
        goal: '0',
        met: left === 0,
      });
      report.add({
        scenario: S,
        name: `worker CPU per submission with ${workers} worker(s)`,
        value: Math.round((cpu.groups.workers! / done.processed) * 100) / 100,
        unit: 'CPU ms',
        note:
          `postgres ${(cpu.groups.postgres! / done.processed).toFixed(2)} CPU ms/submission; ` +
          `${batches.batches} batches of ${batches.meanSize.toFixed(1)} on average, ${batches.meanMs.toFixed(0)} ms each`,
      });
      report.add({
        scenario: S,
        name: `worker peak RSS with ${workers} worker(s)`,
        value: Math.round(peakRss),
        unit: 'MB',
      });
    } finally {
      await stopAll(children);
      await rt.close();
      await db.drop();
    }
  }
}
