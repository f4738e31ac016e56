import { waitForProcessing } from '../lib/backlog.js';
import { backendPids, cpuMeter, describeCpu } from '../lib/cpu.js';
import { benchDatabase, benchRuntime, envNumber } from '../lib/env.js';
import { renewedToken, seedFixture } from '../lib/fixture.js';
import { describeLoad, runLoad } from '../lib/load.js';
import { describeLoopDelay, loopDelayMeter } from '../lib/loop-delay.js';
import { pgSampler } from '../lib/pg-sampler.js';
import { stopAll } from '../lib/procs.js';
import type { Report } from '../lib/report.js';
import { batchStats, startReference, startWeb, startWorkers, type Server, type WorkerChild } from '../lib/servers.js';
import { widePayload, wideDefinition } from '../lib/template.js';

const S = 'end-to-end';

/**
 * BENCH_E2E_COUNT (100,000) submissions POSTed at 64 connections to the web process while 2 worker
 * processes run, until every one is processed (status 1): total seconds from the first request.
 * Reference: the reference server taking the same requests (it writes the typed row inline, so
 * when its last answer arrives everything is stored and typed). Bounded by BENCH_E2E_TIMEOUT_S.
 */
export async function endToEndScenario(report: Report): Promise<void> {
  const count = envNumber('BENCH_E2E_COUNT', 100_000);
  const timeoutMs = envNumber('BENCH_E2E_TIMEOUT_S', 1200) * 1000;
  const db = await benchDatabase('e2e');
  const rt = await benchRuntime(db);
  let web: Server | undefined;
  let ref: Server | undefined;
  let workers: WorkerChild[] = [];
  try {
    const definition = wideDefinition(300);
    const fixture = await seedFixture(rt, definition);
    const bodies = Array.from({ length: 32 }, (_, i) =>
      Buffer.from(JSON.stringify({ data: widePayload(definition, i + 1) })),
    );
    web = await startWeb(db);
    workers = await startWorkers(db, 2);
    const token = await renewedToken(web.base, fixture.submitter.email);
    const redisPid = Number(/process_id:(\d+)/.exec(await rt.redis.info('server'))?.[1] ?? 0);
    console.log(`[${S}] posting ${count} submissions at 64 connections with 2 workers running...`);

    const meter = await cpuMeter({
      web: () => [web!.child.pid],
      workers: () => workers.map((w) => w.pid),
      postgres: () => backendPids(rt.pool, db.name),
      redis: () => [redisPid],
    });
    const sampler = await pgSampler(db.url, db.name, 'end to end');
    const loop = await loopDelayMeter({
      web: `${web.base}/metrics`,
      ...Object.fromEntries(workers.map((w) => [w.name, w.metricsUrl])),
    });
    const started = performance.now();
    const load = await runLoad({
      url: `${web.base}/api/v1/templates/${fixture.templateId}/submissions`,
      method: 'POST',
      headers: () => ({ 'content-type': 'application/json', ...token.headers() }),
      bodies,
      connections: 64,
      requests: count,
      durationMs: timeoutMs,
    });
    token.stop();
    const postedMs = performance.now() - started;
    const done = await waitForProcessing(rt.pool, rt.queues.submissions, Math.max(60_000, timeoutMs - postedMs));
    const totalMs = done.doneMs - started;
    const cpu = await meter.stop();
    const delays = await loop.stop();
    await sampler.stop();
    console.log(
      `[${S}] posted in ${(postedMs / 1000).toFixed(1)} s (${describeLoad(load)}); ` +
        `all processed ${((totalMs - postedMs) / 1000).toFixed(1)} s later: ${done.processed} processed, ` +
        `${done.failed} failed, ${done.pending} pending${done.timedOut ? ' (TIMED OUT)' : ''}\n    ` +
        `${describeCpu(cpu, done.processed, 'submission')}\n    ${describeLoopDelay(delays)}`,
    );
    const batches = await batchStats(workers);
    console.log(
      `    ${batches.batches} batches, ${batches.meanSize.toFixed(1)} submissions and ${batches.meanMs.toFixed(0)} ms each on average`,
    );
    const webRss = web.child.peakRssMb();
    await stopAll([web.child, ...workers]);

    ref = await startReference(db);
    const reference = await runLoad({
      url: `${ref.base}/submissions`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      bodies,
      connections: 64,
      requests: count,
      durationMs: timeoutMs,
    });
    console.log(`[${S}] reference: ${describeLoad(reference)}`);

    const complete = done.processed === count && !done.timedOut && load.requests === count;
    report.add({
      scenario: S,
      name: `${count.toLocaleString('en-US')} submissions posted and processed (2 workers)`,
      value: Math.round(totalMs / 100) / 10,
      unit: 's',
      reference: { name: 'reference server, same requests', value: Math.round(reference.elapsedMs / 100) / 10 },
      ratio: reference.elapsedMs / totalMs,
      // 100 s for 100,000: scaled with BENCH_E2E_COUNT (the same 1,000 submissions/s end to end).
      goal: `<= ${count / 1000} s, all processed`,
      met: complete && totalMs <= count,
      note:
        `posting took ${(postedMs / 1000).toFixed(1)} s, the backlog drained ` +
        `${((totalMs - postedMs) / 1000).toFixed(1)} s after; web peak RSS ${Math.round(webRss)} MB; ` +
        `batches of ${batches.meanSize.toFixed(1)} on average; ${describeCpu(cpu, done.processed, 'submission')}`,
    });
    report.add({
      scenario: S,
      name: 'not processed (errors, failed or pending)',
      value: count - done.processed,
      unit: 'submissions',
      goal: '0',
      met: count === done.processed,
    });
  } finally {
    await stopAll([web?.child, ref?.child, ...workers]);
    await rt.close();
    await db.drop();
  }
}
