import type { Queryable } from '../db/pool.js';
import type { ReviewStatus, SubmissionView } from './submissions.schema.js';

export interface SubmissionRow {
  id: string;
  template_id: string;
  template_version: number;
  grid_id: string;
  submitted_by: string;
  payload: Record<string, unknown>;
  processing_status: number;
  processing_error: string | null;
  processed_at: Date | null;
  review_status: ReviewStatus;
  reviewer_id: string | null;
  review_reason: string | null;
  idempotency_key: string | null;
  idempotency_hash: string | null;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  reviewed_at: Date | null;
  edited_since_rejection: boolean;
  review_overdue_at: Date | null;
}

/** Every column but the payload: for statements that already hold the payload they wrote. */
export const SUBMISSION_COLUMNS_WITHOUT_PAYLOAD =
  'id, template_id, template_version, grid_id, submitted_by, processing_status, processing_error, processed_at, ' +
  'review_status, reviewer_id, review_reason, idempotency_key, idempotency_hash, created_at, updated_at, ' +
  'submitted_at, reviewed_at, edited_since_rejection, review_overdue_at';
export const SUBMISSION_COLUMNS = `${SUBMISSION_COLUMNS_WITHOUT_PAYLOAD}, payload`;

export function toSubmissionView(row: SubmissionRow): SubmissionView {
  return {
    id: row.id,
    templateId: row.template_id,
    templateVersion: row.template_version,
    gridId: row.grid_id,
    submittedBy: row.submitted_by,
    data: row.payload,
    processingStatus: row.processing_status,
    processingError: row.processing_error,
    processedAt: row.processed_at?.toISOString() ?? null,
    reviewStatus: row.review_status,
    reviewerId: row.reviewer_id,
    reviewReason: row.review_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    submittedAt: row.submitted_at?.toISOString() ?? null,
    reviewedAt: row.reviewed_at?.toISOString() ?? null,
    reviewOverdue: row.review_overdue_at !== null,
  };
}

export async function findSubmission(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<SubmissionRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const result = await db.query<SubmissionRow>(
    // A submission of a template in the trash (src/templates/trash.ts) is in the trash with it.
    `SELECT ${SUBMISSION_COLUMNS} FROM submissions
      WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM templates t WHERE t.id = submissions.template_id AND t.is_deleted)${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return result.rows[0] ?? null;
}
