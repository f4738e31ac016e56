import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebApp } from '../../src/app.js';
import type { ServiceContext } from '../../src/context.js';
import type { Definition } from '../../src/templates/definition.schema.js';
import { PublishService } from '../../src/templates/publish.service.js';
import type { ConversionView } from '../../src/templates/conversions.service.js';
import { startWorker } from '../../src/worker.js';
import { benchDatabase, benchRuntime, envNumber, timed } from '../lib/env.js';
import { renewedToken, seedFixture } from '../lib/fixture.js';
import { send } from '../lib/load.js';
import { lockWaitSampler, type LockWaits } from '../lib/pg-sampler.js';
import { percentile, type Report } from '../lib/report.js';

/**
 * Schema evolution on a big live table: a section table of BENCH_EVOLVE_ROWS rows (1,000,000),
 * whose text field `code_a` becomes an integer while submissions arrive through the API at a steady
 * BENCH_EVOLVE_RATE (20/s). Online (src/templates/conversions.service.ts): the publish adds a column
 * and a trigger, the worker fills it in batches, a short transaction swaps the names. Reported:
 * failed requests, the longest lock wait any statement saw (pg_locks.waitstart, sampled), the
 * backfill's time and rows/s. The reference: the one-step ALTER ... TYPE on the same table (its
 * twin field `code_b`, same values) under the same load, which holds the table for the rewrite.
 * The web app and the worker run in the bench process.
 */

const definition = (a: 'text' | 'integer', b: 'text' | 'integer'): Definition =>
  ({
    sections: [
      {
        id: 's_main',
        key: 'main',
        label: 'Main',
        fields: [
          { id: 'f_a', key: 'code_a', label: 'Code A', type: a },
          { id: 'f_b', key: 'code_b', label: 'Code B', type: b },
          { id: 'f_note', key: 'note', label: 'Note', type: 'text' },
        ],
      },
    ],
  }) as Definition;

interface Steady {
  stop(): Promise<{
    sent: number;
    failed: number;
    statuses: Record<string, number>;
    p99: number;
    maxMs: number;
    firstError?: string;
  }>;
}

/** Requests at a fixed rate, whatever the answers' latency (an open loop, as field devices send). */
function steadyLoad(url: string, headers: () => Record<string, string>, rate: number): Steady {
  // A connection per request: a kept-alive socket the server closes as a request is sent on it
  // (Node's keep-alive race) would count as a failed request that says nothing about the product.
  const agent = new http.Agent({ keepAlive: false, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const inflight = new Set<Promise<void>>();
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  const timer = setInterval(() => {
    const n = sent++;
    const body = JSON.stringify({ data: { main: { note: `answer ${n}` } } });
    const request: Promise<void> = send(agent, url, {
      method: 'POST',
      headers: { ...headers(), 'content-type': 'application/json' },
      body,
    })
      .then(
        (answer) => {
          latencies.push(answer.ms);
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status !== 202) {
            failed++;
            firstError ??= `${answer.status} ${answer.body.slice(0, 200)}`;
          }
        },
        (error: Error) => {
          failed++;
          statuses.network = (statuses.network ?? 0) + 1;
          firstError ??= error.message;
        },
      )
      .finally(() => inflight.delete(request));
    inflight.add(request);
  }, 1000 / rate);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all([...inflight]);
      agent.destroy();
      return {
        sent,
        failed,
        statuses,
        p99: latencies.length ? percentile(latencies, 99) : NaN,
        maxMs: latencies.length ? Math.max(...latencies) : NaN,
        firstError,
      };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function evolveScenario(report: Report): Promise<void> {
  const rows = envNumber('BENCH_EVOLVE_ROWS', 1_000_000);
  const rate = envNumber('BENCH_EVOLVE_RATE', 20);
  const db = await benchDatabase('evolve');
  const rt = await benchRuntime(db);
  const web = await createWebApp(rt);
  const server = http.createServer(web.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const worker = await startWorker(rt);
  try {
    const fixture = await seedFixture(rt, definition('text', 'text'));
    const ctx: ServiceContext = { actor: { ...fixture.admin, role: 'admin' }, requestId: 'bench', ip: null };
    const table = `forms."f${fixture.templateId}_main"`;
    console.log(`[evolve] seeding ${rows.toLocaleString('en-US')} submissions and rows...`);
    await rt.pool.query(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status)
       SELECT $1, 1, $2, $3, '{}'::jsonb, 1 FROM generate_series(1, $4::int)`,
      [fixture.templateId, fixture.gridId, fixture.admin.id, rows],
    );
    await rt.pool.query(
      `INSERT INTO ${table} (submission_id, code_a, code_b, note) SELECT id, (id % 100000)::text, ` +
        `(id % 100000)::text, 'seed' FROM submissions WHERE template_id = $1`,
      [fixture.templateId],
    );
    await rt.pool.query(`VACUUM ANALYZE ${table}`);
    const token = await renewedToken(base, fixture.submitter.email);
    const url = `${base}/api/v1/templates/${fixture.templateId}/submissions`;

    const phase = async (
      label: string,
      change: () => Promise<void>,
    ): Promise<{ load: Awaited<ReturnType<Steady['stop']>>; locks: LockWaits }> => {
      const sampler = await lockWaitSampler(db.url, db.name);
      const load = steadyLoad(url, token.headers, rate);
      await sleep(2000);
      await change();
      await sleep(2000);
      const [result, locks] = [await load.stop(), await sampler.stop()];
      console.log(
        `[evolve] ${label}: ${result.sent} requests, statuses ${JSON.stringify(result.statuses)}, ` +
          `p99 ${result.p99.toFixed(0)} ms, slowest ${result.maxMs.toFixed(0)} ms; ` +
          `longest lock wait ${locks.maxMs.toFixed(0)} ms (${locks.waits} ` +
          `waits)${locks.statement ? `: ${locks.statement}` : ''}${result.firstError ? `; first error: ${result.firstError}` : ''}`,
      );
      return { load: result, locks };
    };

    // Online: code_a.
    let conversion: ConversionView | null = null;
    let publishMs = 0;
    const online = await phase('online conversion', async () => {
      await rt.services.templates.updateDefinition(ctx, fixture.templateId, definition('integer', 'text'));
      const published = await timed(() => rt.services.publisher.publish(ctx, fixture.templateId, {}));
      publishMs = published.ms;
      const id = published.result.conversions[0]?.id;
      if (!id)
        throw new Error(
          `the type change did not convert online: ${JSON.stringify(published.result.plan.statements.map((s) => s.sql))}`,
        );
      for (;;) {
        conversion = await rt.services.conversions.get(id);
        if (conversion?.state !== 'backfilling') break;
        await sleep(250);
      }
      if (conversion?.state !== 'done') throw new Error(`conversion ended ${conversion?.state}: ${conversion?.error}`);
    });
    const done = conversion as ConversionView | null;
    const backfillMs = new Date(done!.finishedAt!).getTime() - new Date(done!.createdAt).getTime();

    // One step: code_b, the same values, by a publisher that never converts online.
    const oneStep = new PublishService({ pool: rt.pool });
    let oneStepMs = 0;
    const reference = await phase('one-step ALTER', async () => {
      await rt.services.templates.updateDefinition(ctx, fixture.templateId, definition('integer', 'integer'));
      oneStepMs = (await timed(() => oneStep.publish(ctx, fixture.templateId, {}))).ms;
    });
    token.stop();

    const size = rows.toLocaleString('en-US');
    report.add({
      scenario: 'evolve',
      name: `failed requests during an online type change at ${size} rows (${online.load.sent} sent at ${rate}/s)`,
      value: online.load.failed,
      unit: 'requests',
      reference: { name: 'failed during the one-step ALTER', value: reference.load.failed },
      goal: '0',
      met: online.load.failed === 0,
    });
    report.time(
      'evolve',
      `longest lock wait of any statement, online type change at ${size} rows`,
      online.locks.maxMs,
      { name: 'one-step ALTER ... TYPE on the same table', value: reference.locks.maxMs },
      { text: '< 1000 ms', maxMs: 1000 },
    );
    report.time('evolve', `slowest submission during the online type change at ${size} rows`, online.load.maxMs, {
      name: 'during the one-step ALTER',
      value: reference.load.maxMs,
    });
    report.time(
      'evolve',
      `publish call (checks outside locks, then a column and a trigger) at ${size} rows`,
      publishMs,
      {
        name: 'one-step publish (checks and rewrite under lock)',
        value: oneStepMs,
      },
    );
    report.time('evolve', `backfill, publish to swap, ${size} rows in ${done!.batches} batches`, backfillMs);
    report.rate('evolve', 'backfill rate', (done!.rowsDone / backfillMs) * 1000, 'rows/s', {
      name: 'one-step ALTER (rows / publish time)',
      value: (rows / oneStepMs) * 1000,
    });
  } finally {
    await worker.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await web.close();
    await rt.close();
    await db.drop();
  }
}
