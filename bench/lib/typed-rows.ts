import { databaseName } from '../../src/config/config.js';
import { qualifiedName, quoteIdent } from '../../src/db/identifiers.js';
import type { Pool, PoolClient } from '../../src/db/pool.js';
import type { Runtime } from '../../src/runtime.js';
import type { TableLayout, TemplateLayout } from '../../src/templates/catalog.js';
import { layoutTables, projectPayload, writeProjection, type ProjectedRows } from '../../src/submissions/projection.js';
import { backendPids, cpuMeter, describeCpu } from './cpu.js';
import type { Fixture } from './fixture.js';
import { widePayload } from './template.js';

/**
 * The projection references: the typed rows of a backlog written straight to copies of the
 * template's tables (public.ref_<table>, same columns, indexes and foreign keys), 100 submissions
 * per transaction, on `connections` connections at once, with no queue, lock, validation or audit.
 * - `plain`: multi-row INSERT ... VALUES with parameters, the obvious way;
 * - `product-sql`: the product's own writeProjection (DELETE, then INSERT ... SELECT FROM
 *   jsonb_to_recordset), to tell the cost of that SQL from the cost of the pipeline around it.
 * Rows come from the product's projectPayload over the backlog's payload variants, so they are
 * the same rows the workers write.
 *
 * The references run on `owner`, a pool of the database owner's login: the runtime role the product
 * (and the bench's runtime) logs in as may not create tables in schema public (src/db/roles.ts).
 * The role a statement runs as does not change what it costs.
 */
export type Writer = 'plain' | 'product-sql';

export async function createReferenceTables(rt: Runtime, owner: Pool, templateId: string): Promise<TemplateLayout> {
  const layout = await rt.catalog.layout(templateId);
  const copy = (t: TableLayout): TableLayout => ({ ...t, name: `ref_${t.name}` });
  for (const t of layoutTables(layout)) {
    await owner.query(
      `CREATE TABLE ${quoteIdent(`ref_${t.name}`)} (LIKE ${qualifiedName(layout.schema, t.name)} INCLUDING ALL)`,
    );
    await owner.query(
      `ALTER TABLE ${quoteIdent(`ref_${t.name}`)} ADD FOREIGN KEY (submission_id) REFERENCES submissions (id) ON DELETE CASCADE`,
    );
  }
  const rename = (m: Map<string, TableLayout>) => new Map([...m].map(([id, t]) => [id, copy(t)]));
  return { ...layout, schema: 'public', sections: rename(layout.sections), tables: rename(layout.tables) };
}

/** Writes the rows of `ids` into the reference tables; returns submissions per second. */
export async function writeTypedRows(
  rt: Runtime,
  owner: Pool,
  fixture: Fixture,
  refLayout: TemplateLayout,
  ids: string[],
  connections: number,
  writer: Writer,
): Promise<number> {
  await owner.query(
    `TRUNCATE ${layoutTables(refLayout)
      .map((t) => quoteIdent(t.name))
      .join(', ')}`,
  );
  const version = await rt.catalog.version(fixture.templateId, 1);
  // The 16 payload variants of seedBacklog, projected once; submission number n (1-based) used variant n % 16.
  const variants = Array.from(
    { length: 16 },
    (_, i) => projectPayload('0', widePayload(fixture.definition, i + 1), version.definition, refLayout).byTable,
  );
  const rowsOf = (batch: string[], offset: number): ProjectedRows => {
    const byTable = new Map<string, Record<string, unknown>[]>();
    for (const t of layoutTables(refLayout)) {
      byTable.set(
        t.name,
        batch.flatMap((id, i) =>
          (variants[(offset + i + 1) % 16]!.get(t.name) ?? []).map((r) => ({ ...r, submission_id: id })),
        ),
      );
    }
    return { byTable };
  };
  const plainInsert = async (client: PoolClient, rows: ProjectedRows) => {
    for (const [table, list] of rows.byTable) {
      if (!list.length) continue;
      const columns = Object.keys(list[0]!);
      const values: unknown[] = [];
      const tuples = list.map((r) => `(${columns.map((c) => (values.push(r[c]), `$${values.length}`)).join(', ')})`);
      await client.query(
        `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES ${tuples.join(', ')}`,
        values,
      );
    }
  };

  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
  let next = 0;
  const meter = await cpuMeter({ postgres: () => backendPids(owner, databaseName(rt.config.databaseUrl)) });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await owner.connect();
      try {
        while (next < batches.length) {
          const index = next++;
          const rows = rowsOf(batches[index]!, index * 100);
          await client.query('BEGIN');
          if (writer === 'plain') await plainInsert(client, rows);
          else await writeProjection(client, refLayout, batches[index]!, rows);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  const rate = (ids.length / (performance.now() - started)) * 1000;
  console.log(
    `    ${writer} writer, ${connections} connection(s): ${Math.round(rate)} submissions/s; ${describeCpu(await meter.stop(), ids.length, 'submission')}`,
  );
  return rate;
}
