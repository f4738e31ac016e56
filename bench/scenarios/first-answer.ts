import http from 'node:http';
import type { ServiceContext } from '../../src/context.js';
import { benchDatabase, benchRuntime, envNumber } from '../lib/env.js';
import { accessToken, seedFixture } from '../lib/fixture.js';
import { send } from '../lib/load.js';
import { percentile } from '../lib/report.js';
import { stopAll } from '../lib/procs.js';
import type { Report } from '../lib/report.js';
import { startWeb, type Server } from '../lib/servers.js';
import { widePayload, wideDefinition } from '../lib/template.js';

const S = 'first-answer';
const METRICS_TOKEN = 'bench-metrics-token';

/** The web process's event-loop delay since the last read (prom-client resets its histogram on each scrape). */
async function eventLoopDelay(web: Server): Promise<{ p99: number; max: number }> {
  const agent = new http.Agent();
  const answer = await send(agent, `${web.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  agent.destroy();
  if (answer.status !== 200) throw new Error(`metrics: ${answer.status} ${answer.body.slice(0, 200)}`);
  const read = (name: string) =>
    Number(
      new RegExp(`^gridbook_nodejs_eventloop_lag_${name}_seconds(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(
        answer.body,
      )?.[1],
    ) * 1000;
  return { p99: read('p99'), max: read('max') };
}

/**
 * Answers sent at a steady rate (an open loop: a saturated closed loop measures its own queue, not
 * what one piece of work holds the loop for), each on a free socket of a keep-alive agent.
 */
async function pacedLoad(url: string, headers: Record<string, string>, bodies: Buffer[], rate: number, ms: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; performance.now() - started < ms; i++) {
    pending.push(
      send(agent, url, { method: 'POST', headers, body: bodies[i % bodies.length] }).then(
        (a) => {
          latencies.push(a.ms);
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        },
        () => {
          statuses.network = (statuses.network ?? 0) + 1;
        },
      ),
    );
    const next = started + ((i + 1) * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  await Promise.all(pending);
  agent.destroy();
  const errors = Object.entries(statuses)
    .filter(([s]) => s !== '202')
    .reduce((n, [, c]) => n + c, 0);
  return { requests: latencies.length, errors, statuses, p99: latencies.length ? percentile(latencies, 99) : NaN };
}

const describe = (r: Awaited<ReturnType<typeof pacedLoad>>) =>
  `${r.requests} answers, statuses ${JSON.stringify(r.statuses)}, latency p99 ${r.p99.toFixed(0)} ms`;

/**
 * The first answer to a freshly published 1,000-field version, while 300-field answers to another
 * template arrive at a steady BENCH_FIRST_ANSWER_RATE (40/s): the web process's event-loop delay
 * p99 over the window (prom-client's monitorEventLoopDelay, 10 ms resolution, so an idle loop
 * reads about 10 ms), against the same window without a publish. The version's rules are compiled
 * when the publish is announced (LISTEN/NOTIFY), not by its first answer, and compiling generates
 * no code (a few milliseconds for 1,000 fields).
 */
export async function firstAnswerScenario(report: Report): Promise<void> {
  const windowMs = envNumber('BENCH_FIRST_ANSWER_WINDOW_S', 8) * 1000;
  const rate = envNumber('BENCH_FIRST_ANSWER_RATE', 40);
  const db = await benchDatabase('first-answer');
  const rt = await benchRuntime(db);
  let web: Server | undefined;
  try {
    const definition = wideDefinition(300);
    const fixture = await seedFixture(rt, definition);
    const bodies = Array.from({ length: 32 }, (_, i) =>
      Buffer.from(JSON.stringify({ data: widePayload(definition, i + 1) })),
    );
    web = await startWeb(db, 'web', { METRICS_TOKEN });
    const token = await accessToken(web.base, fixture.submitter.email);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const load = (ms: number) =>
      pacedLoad(`${web!.base}/api/v1/templates/${fixture.templateId}/submissions`, headers, bodies, rate, ms);

    await load(3000); // warm-up: JIT, pools, caches
    await eventLoopDelay(web);
    const baselineLoad = await load(windowMs);
    const baseline = await eventLoopDelay(web);
    console.log(
      `[${S}] baseline: ${describe(baselineLoad)}; event-loop delay p99 ${baseline.p99.toFixed(1)} ms, max ${baseline.max.toFixed(1)} ms`,
    );

    const ctx: ServiceContext = { actor: { ...fixture.admin, role: 'admin' }, requestId: 'bench', ip: null };
    const wide = wideDefinition(1000);
    const template = await rt.services.templates.create(ctx, fixture.gridId, {
      slug: 'first-answer',
      title: 'First answer',
      definition: wide,
    });
    const firstBody = JSON.stringify({ data: widePayload(wide, 1) });
    const running = load(windowMs);
    await new Promise((resolve) => setTimeout(resolve, windowMs / 4));
    await rt.services.publisher.publish(ctx, template.id, {});
    const agent = new http.Agent({ keepAlive: true });
    const first = await send(agent, `${web.base}/api/v1/templates/${template.id}/submissions`, {
      method: 'POST',
      headers,
      body: firstBody,
    });
    const next = await send(agent, `${web.base}/api/v1/templates/${template.id}/submissions`, {
      method: 'POST',
      headers,
      body: firstBody,
    });
    agent.destroy();
    if (first.status !== 202) throw new Error(`first answer: ${first.status} ${first.body.slice(0, 300)}`);
    const loaded = await running;
    const during = await eventLoopDelay(web);
    console.log(
      `[${S}] with the publish: ${describe(loaded)}; event-loop delay p99 ${during.p99.toFixed(1)} ms, max ${during.max.toFixed(1)} ms`,
    );

    report.time(
      S,
      `web event-loop delay p99 while a new 1,000-field version gets its first answer, ${rate} answers/s`,
      during.p99,
      { name: 'the same load without a publish', value: baseline.p99 },
      { text: '< 20 ms', maxMs: 20 },
    );
    report.time(S, 'web event-loop delay max in that window', during.max, {
      name: 'the same load without a publish',
      value: baseline.max,
    });
    report.time(S, 'first answer to the new 1,000-field version (202)', first.ms, {
      name: 'its second answer',
      value: next.ms,
    });
    report.add({
      scenario: S,
      name: 'errors (non-2xx) during the window',
      value: loaded.errors,
      unit: 'requests',
      goal: '0',
      met: loaded.errors === 0,
    });
  } finally {
    await stopAll([web?.child]);
    await rt.close();
    await db.drop();
  }
}
