import { benchDatabase, benchRuntime, envNumber } from '../lib/env.js';
import { accessToken, seedFixture } from '../lib/fixture.js';
import { backendPids, cpuMeter, describeCpu } from '../lib/cpu.js';
import { describeLoad, runLoad, type LoadResult } from '../lib/load.js';
import { describeLoopDelay, loopDelayMeter, type LoopDelay } from '../lib/loop-delay.js';
import { pgSampler } from '../lib/pg-sampler.js';
import { stopAll } from '../lib/procs.js';
import type { Report } from '../lib/report.js';
import { startReference, startWeb, type Server } from '../lib/servers.js';
import { widePayload, wideDefinition } from '../lib/template.js';

const S = 'ingest';

/**
 * POST /api/v1/templates/:id/submissions with a 300-field payload, as a grid submitter with a
 * bearer token, at 16 and 64 connections for BENCH_DURATION_S (20) each, against the real web
 * process; then the same load against the reference server. No worker runs: this measures the API
 * alone (jobs pile up in Redis, as they would while workers are busy).
 */
export async function ingestScenario(report: Report): Promise<void> {
  const durationMs = envNumber('BENCH_DURATION_S', 20) * 1000;
  const warmupMs = Math.min(3000, durationMs / 4);
  const db = await benchDatabase('ingest');
  const rt = await benchRuntime(db);
  let web: Server | undefined;
  let ref: Server | undefined;
  try {
    const definition = wideDefinition(300);
    const fixture = await seedFixture(rt, definition);
    // 32 distinct payloads, serialized once: the generator must not spend its CPU on JSON.
    const bodies = Array.from({ length: 32 }, (_, i) =>
      Buffer.from(JSON.stringify({ data: widePayload(definition, i + 1) })),
    );
    console.log(`[${S}] payload ${(bodies[0]!.length / 1024).toFixed(1)} KB, ${durationMs / 1000} s per run`);

    web = await startWeb(db);
    ref = await startReference(db);
    const token = await accessToken(web.base, fixture.submitter.email);
    const redisPid = Number(/process_id:(\d+)/.exec(await rt.redis.info('server'))?.[1] ?? 0);
    // One load run with the CPU each process used during it.
    const measure = async (
      server: Server,
      url: string,
      headers: Record<string, string>,
      connections: number,
      ms: number,
    ) => {
      const meter = await cpuMeter({
        [server.child.name]: () => [server.child.pid],
        postgres: () => backendPids(rt.pool, db.name),
        redis: () => [redisPid],
      });
      const sampler = await pgSampler(db.url, db.name, `${server.child.name} @${connections}`);
      const loop = await loopDelayMeter({ [server.child.name]: `${server.base}/metrics` });
      const load = await runLoad({
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        bodies,
        connections,
        durationMs: ms,
      });
      const cpu = await meter.stop();
      const delays = await loop.stop();
      await sampler.stop();
      console.log(
        `[${S}] ${server.child.name} @${connections}: ${describeLoad(load)}\n    ${describeCpu(cpu, load.requests)}\n    ${describeLoopDelay(delays)}`,
      );
      return {
        load,
        cpuPerRequest: cpu.groups[server.child.name]! / Math.max(1, load.requests),
        cpuNote: describeCpu(cpu, load.requests),
        loopDelay: delays[server.child.name],
      };
    };
    const ours = (connections: number, ms: number) =>
      measure(
        web!,
        `${web!.base}/api/v1/templates/${fixture.templateId}/submissions`,
        { authorization: `Bearer ${token}` },
        connections,
        ms,
      );
    const theirs = (connections: number, ms: number) => measure(ref!, `${ref!.base}/submissions`, {}, connections, ms);

    // Warm-up (JIT, pools, caches), not counted.
    await ours(16, warmupMs);
    await theirs(16, warmupMs);
    web.child.resetPeak();
    ref.child.resetPeak();

    for (const connections of [16, 64]) {
      const a = await ours(connections, durationMs);
      const b = await theirs(connections, durationMs);
      record(report, connections, a, b);
    }
    await batchIngest(report, web, token, fixture.templateId, definition, durationMs);
    const rss = web.child.peakRssMb();
    const refRss = ref.child.peakRssMb();
    report.add({
      scenario: S,
      name: 'web process peak RSS under load',
      value: Math.round(rss),
      unit: 'MB',
      reference: { name: 'reference server peak RSS', value: Math.round(refRss) },
      ratio: refRss / rss,
      goal: '< 300 MB',
      met: rss < 300,
    });
  } finally {
    await stopAll([web?.child, ref?.child]);
    await rt.close();
    await db.drop();
  }
}

type Measured = { load: LoadResult; cpuPerRequest: number; cpuNote: string; loopDelay?: LoopDelay };

function record(report: Report, connections: number, ours: Measured, theirs: Measured): void {
  const [a, b] = [ours.load, theirs.load];
  const ref = (value: number) => ({ name: 'reference server', value });
  const at = `at ${connections} connections`;
  // At 64 connections two goals share the figure: an absolute rate and the ratio to the reference.
  const goal =
    connections === 64 ? { goal: '>= 1,500 req/s and >= 1.0x reference', met: a.rps >= 1500 && a.rps >= b.rps } : {};
  report.add({
    scenario: S,
    name: `submissions/s ${at}`,
    value: Math.round(a.rps),
    unit: 'req/s',
    reference: ref(Math.round(b.rps)),
    ratio: a.rps / b.rps,
    ...goal,
    note: `ours: ${ours.cpuNote}; reference: ${theirs.cpuNote}`,
  });
  report.time(S, `p50 ${at}`, a.p50, ref(b.p50));
  report.time(S, `p99 ${at}`, a.p99, ref(b.p99), { text: '< 100 ms', maxMs: 100 });
  if (ours.loopDelay)
    report.time(S, `web event-loop delay p99 ${at}`, ours.loopDelay.p99, undefined, { text: '< 20 ms', maxMs: 20 });
  report.add({
    scenario: S,
    name: `errors (non-2xx) ${at}`,
    value: a.errors,
    unit: 'requests',
    goal: '0',
    met: a.errors === 0,
  });
  // CPU per request of the server process: what bounds the rate when one core runs it.
  const cpu = (n: number) => Math.round(n * 100) / 100;
  report.add({
    scenario: S,
    name: `server process CPU per request ${at}`,
    value: cpu(ours.cpuPerRequest),
    unit: 'CPU ms',
    reference: ref(cpu(theirs.cpuPerRequest)),
    ratio: theirs.cpuPerRequest / ours.cpuPerRequest,
  });
}

/**
 * The batch endpoint: BATCH_SIZE answers per request at 8 connections, each answer with a fresh
 * idempotency key (a replay would cost nothing), against the single-request rate at 64 connections
 * measured before.
 */
async function batchIngest(
  report: Report,
  web: Server,
  token: string,
  templateId: string,
  definition: ReturnType<typeof wideDefinition>,
  durationMs: number,
): Promise<void> {
  const BATCH_SIZE = 100;
  const answers = Array.from({ length: 32 }, (_, i) => JSON.stringify(widePayload(definition, i + 1)));
  const run = Date.now().toString(36);
  const item = (n: number, i: number) =>
    `{"idempotencyKey":"${run}-${n}-${i}","data":${answers[(n + i) % answers.length]}}`;
  const bodyFor = (n: number) =>
    Buffer.from(`{"items":[${Array.from({ length: BATCH_SIZE }, (_, i) => item(n, i)).join(',')}]}`);
  const loop = await loopDelayMeter({ web: `${web.base}/metrics` });
  const load = await runLoad({
    url: `${web.base}/api/v1/templates/${templateId}/submissions/batch`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    bodyFor,
    connections: 8,
    durationMs,
  });
  const delays = await loop.stop();
  console.log(`[${S}] batches of ${BATCH_SIZE} @8: ${describeLoad(load)}\n    ${describeLoopDelay(delays)}`);
  const single = report.figures.find((f) => f.scenario === S && f.name === 'submissions/s at 64 connections');
  const rate = load.rps * BATCH_SIZE;
  report.add({
    scenario: S,
    name: `submissions/s through the batch endpoint (batches of ${BATCH_SIZE}, 8 connections)`,
    value: Math.round(rate),
    unit: 'sub/s',
    ...(single
      ? {
          reference: { name: 'single requests at 64 connections, same run', value: single.value },
          ratio: rate / single.value,
          goal: '>= 3x single',
          met: rate >= 3 * single.value,
        }
      : {}),
    note: `p99 ${load.p99.toFixed(0)} ms per batch; errors ${load.errors}`,
  });
}
