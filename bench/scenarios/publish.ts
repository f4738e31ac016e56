import type { ServiceContext } from '../../src/context.js';
import { systemContext } from '../../src/context.js';
import type { Runtime } from '../../src/runtime.js';
import { benchDatabase, benchRuntime, timed } from '../lib/env.js';
import type { Report } from '../lib/report.js';
import { wideDefinition } from '../lib/template.js';

async function adminContext(rt: Runtime): Promise<{ ctx: ServiceContext; gridId: string }> {
  const user = await rt.pool.query<{ id: string }>(
    `INSERT INTO users (email, name, role, password_hash) VALUES ('bench@example.org', 'Bench', 'admin', 'x') RETURNING id`,
  );
  const ctx: ServiceContext = {
    ...systemContext('bench'),
    actor: { id: user.rows[0]!.id, email: 'bench@example.org', role: 'admin' },
  };
  const grid = await rt.services.grids.create(ctx, { slug: 'bench', title: 'Bench' });
  return { ctx, gridId: grid.id };
}

/** Plain PostgreSQL running the same DDL (fresh names), in one transaction: the reference. */
async function plainDdl(rt: Runtime, ddl: string[], schema: string): Promise<number> {
  const client = await rt.pool.connect();
  try {
    const statements = ddl
      .filter((s) => !s.startsWith('CREATE SCHEMA'))
      .map((s) => s.replaceAll('"forms".', `"${schema}".`));
    await client.query(`CREATE SCHEMA "${schema}"`);
    const { ms } = await timed(async () => {
      await client.query('BEGIN');
      for (const s of statements) await client.query(s);
      await client.query('COMMIT');
    });
    return ms;
  } finally {
    client.release();
  }
}

/** Publish: a 300-field and a 1,000-field template; adding one field to tables holding 1,000,000 rows. */
export async function publishScenario(report: Report): Promise<void> {
  const db = await benchDatabase('publish');
  const rt = await benchRuntime(db);
  try {
    const { ctx, gridId } = await adminContext(rt);
    for (const [fields, goalMs] of [
      [300, 300],
      [1000, 1000],
    ] as const) {
      const template = await rt.services.templates.create(ctx, gridId, {
        slug: `wide-${fields}`,
        title: `Wide ${fields}`,
        definition: wideDefinition(fields),
      });
      const { ms, result } = await timed(() => rt.services.publisher.publish(ctx, template.id, {}));
      const ddl = (
        await rt.pool.query<{ ddl: string[] }>('SELECT ddl FROM template_versions WHERE template_id = $1', [
          template.id,
        ])
      ).rows[0]!.ddl;
      const reference = await plainDdl(rt, ddl, `ref_${fields}`);
      report.time(
        'publish',
        `publish ${fields}-field template (${result.plan.statements.length} statements)`,
        ms,
        { name: 'the same DDL run directly', value: reference },
        { text: `< ${goalMs} ms`, maxMs: goalMs },
      );
    }

    // Adding a field to a template whose section table holds 1,000,000 rows.
    const rows = Number(process.env.BENCH_PUBLISH_ROWS ?? 1_000_000);
    const small = await rt.services.templates.create(ctx, gridId, {
      slug: 'big',
      title: 'Big',
      definition: wideDefinition(10, { tables: false }),
    });
    await rt.services.publisher.publish(ctx, small.id, {});
    const table = `f${small.id}_part_1`;
    console.log(`[publish] seeding ${rows.toLocaleString('en-US')} submissions and rows...`);
    await rt.pool.query(
      `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, processing_status)
       SELECT $1, 1, $2, $3, '{}'::jsonb, 1 FROM generate_series(1, $4)`,
      [small.id, gridId, ctx.actor!.id, rows],
    );
    await rt.pool.query(
      `INSERT INTO forms."${table}" (submission_id, q1, q2) SELECT id, 'value ' || id, id FROM submissions WHERE template_id = $1`,
      [small.id],
    );
    await rt.pool.query(`CREATE TABLE public.bench_ref AS SELECT * FROM forms."${table}"`);
    await rt.pool.query('VACUUM ANALYZE');
    const definition = wideDefinition(10, { tables: false });
    definition.sections[0]!.fields.push({ id: 'f_added', key: 'added', label: 'Added later', type: 'text' });
    await rt.services.templates.updateDefinition(ctx, small.id, definition);
    const added = await timed(() => rt.services.publisher.publish(ctx, small.id, {}));
    const reference = await timed(() => rt.pool.query('ALTER TABLE public.bench_ref ADD COLUMN added text'));
    report.time(
      'publish',
      `add one field at ${rows.toLocaleString('en-US')} rows`,
      added.ms,
      { name: 'plain ALTER TABLE ADD COLUMN', value: reference.ms },
      { text: '< 100 ms', maxMs: 100 },
    );
  } finally {
    await rt.close();
    await db.drop();
  }
}

export { adminContext };
