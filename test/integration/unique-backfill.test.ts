import { readdir } from 'node:fs/promises';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS_DIR, MIGRATIONS_TABLE } from '../../src/db/migrations.js';
import { connectionConfig } from '../../src/db/pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/**
 * The migration that introduced unique-value reservations, on a database that already holds
 * submissions: submitted answers reserve their values, the earliest holder of a repeated value
 * keeps it, the later ones are listed (not deleted), drafts and blanks reserve nothing, and the
 * typed tables' unique indexes are dropped. The migration does not fail on duplicates.
 */

const MIGRATION = '1764410400000_unique_value_reservations';

const field = (id: string, key: string, type: string, unique = true) => ({
  id,
  key,
  label: key,
  type,
  rules: unique ? { unique: true } : {},
});

describe('migration: unique-value reservations backfill', () => {
  let db: TestDatabase;
  let client: pg.Client;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const before = files.indexOf(`${MIGRATION}.sql`);
    expect(before).toBeGreaterThan(0);
    await runner({
      databaseUrl: connectionConfig(db.url),
      dir: MIGRATIONS_DIR,
      migrationsTable: MIGRATIONS_TABLE,
      direction: 'up',
      count: before,
      log: () => {},
    });
    client = new pg.Client(connectionConfig(db.url));
    await client.connect();

    // A template published twice (v2 renamed the section and the village's key), a typed table
    // with the unique index publishing used to create, and answers of both versions.
    await client.query(
      `INSERT INTO users (email, name, role, password_hash) VALUES ('a@example.test', 'A', 'admin', 'x')`,
    );
    await client.query(`INSERT INTO grids (owner, slug, title) SELECT id, 'g', 'G' FROM users`);
    const v1 = {
      sections: [
        {
          id: 's_h',
          key: 'household',
          label: 'H',
          fields: [
            field('f_village', 'village', 'text'),
            field('f_n', 'n', 'integer'),
            field('f_note', 'note', 'text', false),
          ],
        },
      ],
    };
    const v2 = {
      sections: [
        {
          id: 's_h',
          key: 'hh',
          label: 'H',
          fields: [
            field('f_village', 'place', 'text'),
            field('f_n', 'n', 'integer'),
            field('f_note', 'note', 'text', false),
          ],
        },
      ],
    };
    const t = await client.query(
      `INSERT INTO templates (grid_id, slug, title, status, definition, current_version) SELECT id, 't', 'T', 'published', $1, 2 FROM grids RETURNING id`,
      [v2],
    );
    const templateId = t.rows[0].id;
    for (const [version, definition] of [
      [1, v1],
      [2, v2],
    ] as const) {
      await client.query(
        `INSERT INTO template_versions (template_id, version, definition, json_schema, naming, ddl) VALUES ($1, $2, $3, '{}', '{}', '{}')`,
        [templateId, version, definition],
      );
    }
    await client.query(
      `CREATE TABLE forms.f${templateId}_hh (submission_id bigint PRIMARY KEY REFERENCES submissions (id) ON DELETE CASCADE, place text)`,
    );
    await client.query(`CREATE UNIQUE INDEX f${templateId}_hh_place_key ON forms.f${templateId}_hh (place)`);
    const add = async (name: string, version: number, payload: unknown, status = 'submitted') => {
      const r = await client.query(
        `INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status)
         SELECT $1, $2, grid_id, (SELECT id FROM users), $3, $4 FROM templates WHERE id = $1 RETURNING id`,
        [templateId, version, payload, status],
      );
      ids[name] = String(r.rows[0].id);
    };
    await add('first', 1, { household: { village: 'Kibera', n: 3 } });
    await add('repeat', 2, { hh: { place: ' KIBERA ', n: '3.0' } }, 'rejected');
    await add('other', 2, { hh: { place: 'Other', n: 4, note: 'x' } });
    await add('draft', 2, { hh: { place: 'Draftville', n: 5 } }, 'draft');
    await add('blank', 1, { household: { village: '', n: null } });
    ids.template = String(templateId);
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('reserves submitted values, keeps the earliest holder, lists the rest, and drops the typed unique indexes', async () => {
    const notices: string[] = [];
    // The rest of the migrations, this one included: it must not fail on the duplicates.
    await applyMigrations(db.url, { info: (m) => notices.push(m) });
    expect(notices.some((m) => m.includes(MIGRATION))).toBe(true);

    const reserved = await client.query(
      `SELECT field_id, value, submission_id::text FROM submission_unique_values ORDER BY field_id COLLATE "C", value COLLATE "C"`,
    );
    expect(reserved.rows).toEqual([
      { field_id: 'f_n', value: '3', submission_id: ids.first },
      { field_id: 'f_n', value: '4', submission_id: ids.other },
      { field_id: 'f_village', value: 'kibera', submission_id: ids.first },
      { field_id: 'f_village', value: 'other', submission_id: ids.other },
    ]);
    const conflicts = await client.query(
      `SELECT field_id, value, submission_id::text, kept_by::text FROM unique_value_conflicts ORDER BY field_id COLLATE "C"`,
    );
    expect(conflicts.rows).toEqual([
      { field_id: 'f_n', value: '3', submission_id: ids.repeat, kept_by: ids.first },
      { field_id: 'f_village', value: 'kibera', submission_id: ids.repeat, kept_by: ids.first },
    ]);
    // Nothing deleted; the typed table keeps its primary key and loses the unique index.
    expect(Number((await client.query('SELECT count(*) AS n FROM submissions')).rows[0].n)).toBe(5);
    const indexes = await client.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'forms' ORDER BY 1`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual([`f${ids.template}_hh_pkey`]);
  });
});
