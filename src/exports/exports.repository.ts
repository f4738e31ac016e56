import type { Queryable } from '../db/pool.js';
import type { ExportValues } from './export-plan.js';
import type { Format } from './writers.js';

/** The SQL of background exports (the `exports` table); export.service.ts decides. */

export type ExportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ExportRow {
  id: string;
  template_id: string;
  grid_id: string;
  format: Format;
  value_mode: ExportValues;
  status: ExportStatus;
  rows_total: string | null;
  rows_done: string;
  file_name: string | null;
  file_size: string | null;
  error: string | null;
  requested_by: string;
  language: string | null;
  created_at: Date;
  finished_at: Date | null;
  expires_at: Date | null;
}

/** Processed submissions of a template: the rows of an export's main sheet. */
export async function countProcessed(db: Queryable, templateId: string): Promise<number> {
  const result = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM submissions WHERE template_id = $1 AND processing_status = 1',
    [templateId],
  );
  return Number(result.rows[0]!.n);
}

export async function insertExport(
  db: Queryable,
  e: {
    templateId: string;
    gridId: string;
    format: Format;
    requestedBy: string;
    fileName: string;
    values: ExportValues;
    language: string | null;
  },
): Promise<ExportRow> {
  const result = await db.query<ExportRow>(
    `INSERT INTO exports (template_id, grid_id, format, requested_by, file_name, value_mode, language) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
    [e.templateId, e.gridId, e.format, e.requestedBy, e.fileName, e.values, e.language],
  );
  return result.rows[0]!;
}

export async function findExport(db: Queryable, id: string): Promise<ExportRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  return (await db.query<ExportRow>('SELECT * FROM exports WHERE id = $1', [id])).rows[0] ?? null;
}

/** A template's latest exports, newest first. */
export async function latestExports(db: Queryable, templateId: string, limit = 50): Promise<ExportRow[]> {
  return (
    await db.query<ExportRow>('SELECT * FROM exports WHERE template_id = $1 ORDER BY id DESC LIMIT $2', [
      templateId,
      limit,
    ])
  ).rows;
}

export async function markRunning(db: Queryable, id: string, rowsTotal: number | string): Promise<void> {
  await db.query(
    `UPDATE exports SET status = 'running', started_at = now(), rows_total = $2, rows_done = 0, error = NULL WHERE id = $1`,
    [id, rowsTotal],
  );
}

export async function recordProgress(db: Queryable, id: string, rowsDone: number): Promise<void> {
  await db.query('UPDATE exports SET rows_done = $2 WHERE id = $1', [id, rowsDone]);
}

export async function markDone(
  db: Queryable,
  id: string,
  rowsDone: number,
  fileSize: number,
  retentionHours: number,
): Promise<ExportRow> {
  const result = await db.query<ExportRow>(
    `UPDATE exports SET status = 'done', rows_done = $2, file_size = $3, finished_at = now(),
            expires_at = now() + make_interval(hours => $4) WHERE id = $1 RETURNING *`,
    [id, rowsDone, fileSize, retentionHours],
  );
  return result.rows[0]!;
}

export async function markFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE exports SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [id, error]);
}

/** Done exports past their expiry become failed ('expired'); returns them (their files go). */
export async function expireDone(db: Queryable): Promise<{ id: string; format: Format }[]> {
  return (
    await db.query<{ id: string; format: Format }>(
      `UPDATE exports SET status = 'failed', error = 'expired' WHERE status = 'done' AND expires_at < now() RETURNING id, format`,
    )
  ).rows;
}
