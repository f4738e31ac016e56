import { qualifiedName, quoteIdent } from '../db/identifiers.js';
import type { Queryable } from '../db/pool.js';
import { ValidationError } from '../errors/app-error.js';
import { repeatedValues } from '../submissions/unique-values.js';
import { SYSTEM_COLUMNS } from './naming.js';
import type { PlannedCheck } from './plan.js';

/**
 * The conversion report: every existing row a planned change would break, with the value that
 * breaks it, in pages (the API) or whole (CSV). The publish's own checks count failing rows and
 * name a few through the same function, so the report and the refusal never disagree.
 */

export interface FailingRow {
  submissionId: string;
  /** The row of a repeating table (0-based row_index), null for a section's field. */
  row: number | null;
  /** The stored value as text (null: the check is about a missing value). */
  value: string | null;
}

/** Where a page starts: after this submission and row. */
export interface ReportCursor {
  id: string;
  row: number;
}

export function encodeCursor(last: FailingRow): string {
  return `${last.submissionId}.${last.row ?? -1}`;
}

export function decodeCursor(cursor: string | undefined): ReportCursor | null {
  if (cursor === undefined) return null;
  const match = /^([0-9]{1,18})\.(-1|[0-9]{1,9})$/.exec(cursor);
  if (!match)
    throw new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'is not a cursor this report returned' }]);
  return { id: match[1]!, row: Number(match[2]) };
}

const SCAN_BATCH = 5000;
const after = (row: FailingRow, cursor: ReportCursor | null) =>
  !cursor ||
  BigInt(row.submissionId) > BigInt(cursor.id) ||
  (BigInt(row.submissionId) === BigInt(cursor.id) && (row.row ?? -1) > cursor.row);

/** Up to `limit` failing rows of one check, after `cursor`, in (submission, row) order. */
export async function failingPage(
  db: Queryable,
  check: PlannedCheck,
  templateId: string,
  cursor: ReportCursor | null,
  limit: number,
): Promise<FailingRow[]> {
  if (check.unique) {
    const repeated = await repeatedValues(db, templateId, check.unique.field);
    return repeated
      .map((r) => ({ submissionId: r.id, row: null, value: r.value }))
      .filter((r) => after(r, cursor))
      .slice(0, limit);
  }
  if (check.sql) {
    const params = [...(check.params ?? [])];
    const at = params.length;
    params.push(cursor?.id ?? null, cursor?.row ?? null, limit);
    const found = await db.query<{ id: string; row: number | null; value: string | null }>(
      `SELECT f.id::text AS id, f.row, f.value FROM (${check.sql}) f
        WHERE $${at + 1}::bigint IS NULL OR (f.id, coalesce(f.row, -1)) > ($${at + 1}::bigint, $${at + 2}::integer)
        ORDER BY f.id, coalesce(f.row, -1) LIMIT $${at + 3}`,
      params,
    );
    return found.rows.map((r) => ({ submissionId: r.id, row: r.row, value: r.value }));
  }
  return scanPage(db, check, cursor, limit);
}

/** JavaScript semantics (patterns, formats): the column scanned in keyset batches of (submission, row). */
async function scanPage(
  db: Queryable,
  check: PlannedCheck,
  cursor: ReportCursor | null,
  limit: number,
): Promise<FailingRow[]> {
  const { column, failing } = check.js!;
  const table = qualifiedName('forms', check.table);
  const sid = quoteIdent(SYSTEM_COLUMNS.submissionId);
  const row = check.rowColumn ? quoteIdent(check.rowColumn) : '-1';
  const out: FailingRow[] = [];
  let position = cursor ?? { id: '0', row: -1 };
  for (;;) {
    const batch = await db.query<{ id: string; row: number; v: string }>(
      `SELECT ${sid}::text AS id, ${row} AS row, ${quoteIdent(column)}::text AS v FROM ${table}
        WHERE ${quoteIdent(column)} IS NOT NULL AND (${sid}, ${row}) > ($1::bigint, $2::integer)
        ORDER BY ${sid}, ${row} LIMIT ${SCAN_BATCH}`,
      [position.id, position.row],
    );
    for (const r of batch.rows) {
      if (!failing(r.v)) continue;
      out.push({ submissionId: r.id, row: check.rowColumn ? r.row : null, value: r.v });
      if (out.length === limit) return out;
    }
    if (batch.rows.length < SCAN_BATCH) return out;
    const last = batch.rows[batch.rows.length - 1]!;
    position = { id: last.id, row: last.row };
  }
}

/** Every failing row of a check, page by page (for the CSV and for counting). */
export async function* failingRows(
  db: Queryable,
  check: PlannedCheck,
  templateId: string,
  pageSize = SCAN_BATCH,
): AsyncGenerator<FailingRow[]> {
  let cursor: ReportCursor | null = null;
  for (;;) {
    const page = await failingPage(db, check, templateId, cursor, pageSize);
    if (page.length) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    cursor = { id: last.submissionId, row: last.row ?? -1 };
  }
}
