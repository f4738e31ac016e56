import type { Queryable } from '../db/pool.js';
import type { GridRole } from '../context.js';
import type { Definition } from './definition.schema.js';
import type { Naming } from './naming.js';

export interface TemplateRow {
  id: string;
  grid_id: string;
  slug: string;
  title: string;
  description: string;
  status: 'draft' | 'published' | 'archived';
  review_mode: 'submission' | 'section';
  definition: Definition;
  current_version: number | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  /** In the trash (trash.ts): hidden, restorable until purged_on. */
  is_deleted: boolean;
  deleted_on: Date | null;
  purged_on: Date | null;
}

export interface VersionRow {
  id: string;
  template_id: string;
  version: number;
  definition: Definition;
  json_schema: Record<string, unknown>;
  naming: Naming;
  ddl: string[];
  checks: unknown[];
  published_by: string | null;
  published_at: Date;
}

export const TEMPLATE_COLUMNS =
  'id, grid_id, slug, title, description, status, review_mode, definition, current_version, created_by, ' +
  'created_at, updated_at, is_deleted, deleted_on, purged_on';

/** A template; one in the trash only with `includeDeleted` (restoring it): for everything else it does not exist. */
export async function findTemplate(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean; includeDeleted?: boolean } = {},
): Promise<TemplateRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const result = await db.query<TemplateRow>(
    `SELECT ${TEMPLATE_COLUMNS} FROM templates WHERE id = $1${opts.includeDeleted ? '' : ' AND NOT is_deleted'}${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return result.rows[0] ?? null;
}

/** A template without its working definition (which can run to hundreds of kB): for checks on every request. */
export type TemplateHeader = Omit<TemplateRow, 'definition'>;
const HEADER_COLUMNS = TEMPLATE_COLUMNS.replace(' definition,', '');

/** A template's header, with the grid role of `userId` in the template's grid (null when not a member). */
export async function findTemplateHeader(
  db: Queryable,
  id: string,
  userId: string,
): Promise<(TemplateHeader & { member_role: GridRole | null }) | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const result = await db.query<TemplateHeader & { member_role: GridRole | null }>(
    `SELECT ${HEADER_COLUMNS}, (SELECT role FROM grid_members m WHERE m.grid_id = t.grid_id AND m.user_id = $2) AS member_role
       FROM templates t WHERE id = $1 AND NOT is_deleted`,
    [id, userId],
  );
  return result.rows[0] ?? null;
}

export async function findVersion(db: Queryable, templateId: string, version: number): Promise<VersionRow | null> {
  const result = await db.query<VersionRow>('SELECT * FROM template_versions WHERE template_id = $1 AND version = $2', [
    templateId,
    version,
  ]);
  return result.rows[0] ?? null;
}

export type VersionListRow = Omit<VersionRow, 'definition' | 'json_schema' | 'naming'> & {
  published_by_name: string | null;
};

/** A template's versions, newest first, with the publisher's name (or email) for people to read. */
export async function listVersions(db: Queryable, templateId: string): Promise<VersionListRow[]> {
  const result = await db.query<VersionListRow>(
    `SELECT v.id, v.template_id, v.version, v.ddl, v.checks, v.published_by, v.published_at,
            coalesce(nullif(u.name, ''), u.email) AS published_by_name
       FROM template_versions v LEFT JOIN users u ON u.id = v.published_by
      WHERE v.template_id = $1 ORDER BY v.version DESC`,
    [templateId],
  );
  return result.rows;
}

/** Every stable id any published version of the template has used. */
export async function idsEverPublished(db: Queryable, templateId: string): Promise<Set<string>> {
  const result = await db.query<{ naming: Naming }>('SELECT naming FROM template_versions WHERE template_id = $1', [
    templateId,
  ]);
  const ids = new Set<string>();
  for (const { naming } of result.rows) {
    for (const [sectionId, t] of Object.entries(naming.sections)) {
      ids.add(sectionId);
      for (const fieldId of Object.keys(t.columns)) ids.add(fieldId);
    }
    for (const [tableId, t] of Object.entries(naming.tables)) {
      ids.add(tableId);
      for (const fieldId of Object.keys(t.columns)) ids.add(fieldId);
    }
  }
  return ids;
}

/** Every id of the definition: sections, fields, tables and columns. */
export function idsOf(definition: Definition): Set<string> {
  const ids = new Set<string>();
  for (const s of definition.sections) {
    ids.add(s.id);
    for (const f of s.fields) ids.add(f.id);
    for (const t of s.tables ?? []) {
      ids.add(t.id);
      for (const c of t.columns) ids.add(c.id);
    }
  }
  return ids;
}

/**
 * Ids removed by a published version: they stay retired for ever (their columns may still hold
 * data), so a new item can never take one and inherit an old column.
 */
export async function retiredIds(db: Queryable, templateId: string): Promise<Set<string>> {
  const latest = await db.query<{ definition: Definition }>(
    'SELECT definition FROM template_versions WHERE template_id = $1 ORDER BY version DESC LIMIT 1',
    [templateId],
  );
  if (!latest.rows[0]) return new Set();
  const current = idsOf(latest.rows[0].definition);
  return new Set([...(await idsEverPublished(db, templateId))].filter((id) => !current.has(id)));
}

/** Columns and tables dropped by purges, which the next naming must know are gone. */
export async function purgedObjects(
  db: Queryable,
  templateId: string,
): Promise<{ tables: Set<string>; columns: Set<string> }> {
  const result = await db.query<{ columns: { table: string; column?: string }[] }>(
    'SELECT columns FROM template_purges WHERE template_id = $1',
    [templateId],
  );
  const tables = new Set<string>();
  const columns = new Set<string>();
  for (const row of result.rows) {
    for (const item of row.columns) {
      if (item.column) columns.add(`${item.table}.${item.column}`);
      else tables.add(item.table);
    }
  }
  return { tables, columns };
}
