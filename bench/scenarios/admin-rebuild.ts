import { Adapter } from '@adminjs/sql';
import { buildAdmin } from '../../admin/admin.js';
import { AdminHost } from '../../admin/admin-host.js';
import { databaseName } from '../../src/config/config.js';
import { connectionConfig } from '../../src/db/pool.js';
import { createLogger } from '../../src/observability/logger.js';
import { benchDatabase, benchRuntime, timed } from '../lib/env.js';
import { percentile, type Report } from '../lib/report.js';
import { wideDefinition } from '../lib/template.js';
import { adminContext } from './publish.js';

/** Admin panel rebuild time with 200 published templates (each: 2 sections, 1 repeating table). */
export async function adminRebuildScenario(report: Report): Promise<void> {
  const templates = Number(process.env.BENCH_TEMPLATES ?? 200);
  const db = await benchDatabase('rebuild');
  const rt = await benchRuntime(db);
  try {
    const { ctx, gridId } = await adminContext(rt);
    console.log(`[admin-rebuild] publishing ${templates} templates...`);
    for (let i = 0; i < templates; i++) {
      const def = wideDefinition(30);
      def.sections.push({
        id: 's_second',
        key: 'second',
        label: 'Second',
        fields: wideDefinition(15, { tables: false }).sections[0]!.fields.map((f) => ({ ...f, id: `${f.id}_2` })),
      });
      def.sections[0]!.tables = def.sections[0]!.tables!.slice(0, 1);
      const t = await rt.services.templates.create(ctx, gridId, {
        slug: `t-${i}`,
        title: `Template ${i}`,
        definition: def,
      });
      await rt.services.publisher.publish(ctx, t.id, {});
    }
    const tables = Number(
      (await rt.pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'forms'`)).rows[0]!.n,
    );

    const build = async () => {
      const admin = await buildAdmin({
        pool: rt.pool,
        knex: rt.knex,
        databaseName: databaseName(db.url),
        services: rt.services,
        catalog: rt.catalog,
        queues: rt.queues,
        exportThreshold: 50_000,
      });
      return { admin, router: (_req: unknown, _res: unknown, next: () => void) => next() };
    };
    const host = new AdminHost(build as never, createLogger('silent'));
    await host.init();
    // Heap after a full GC (node --expose-gc): growth over many rebuilds would be a leak.
    const heap = () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed;
    };
    await host.rebuild();
    const heapBefore = heap();
    const samples: number[] = [];
    for (let i = 0; i < 30; i++) samples.push((await timed(() => host.rebuild())).ms);
    const resources = host.admin.resources.length;
    const heapAfter = heap();

    // Reference: @adminjs/sql's own introspection of the same forms schema (a fresh pool each time, as it does).
    const url = new URL(db.url);
    const refSamples: number[] = [];
    for (let i = 0; i < 3; i++) {
      refSamples.push(
        (
          await timed(async () => {
            const meta = await new Adapter('postgresql', {
              ...connectionConfig(db.url),
              database: url.pathname.slice(1),
              schema: 'forms',
            }).init();
            const knex = (meta.tables()[0] as unknown as { knex?: { destroy(): Promise<void> } } | undefined)?.knex;
            await knex?.destroy();
          })
        ).ms,
      );
    }
    report.time(
      'admin-rebuild',
      `rebuild p50 with ${templates} templates (${tables} tables, ${resources} resources)`,
      percentile(samples, 50),
      { name: '@adminjs/sql introspection alone, same tables', value: percentile(refSamples, 50) },
    );
    report.time('admin-rebuild', 'rebuild p95', percentile(samples, 95));
    report.add({
      scenario: 'admin-rebuild',
      name: 'heap growth over 30 rebuilds (after GC)',
      value: Math.round(((heapAfter - heapBefore) / 2 ** 20) * 10) / 10,
      unit: 'MB',
      note: (globalThis as { gc?: unknown }).gc ? undefined : 'run with node --expose-gc for a meaningful figure',
    });
  } finally {
    await rt.close();
    await db.drop();
  }
}
