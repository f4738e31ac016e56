import type { PoolClient, Queryable } from '../db/pool.js';
import type { FileView } from './files.service.js';

/**
 * The SQL of the files feature: blobs (content stored once by SHA-256), files (one upload: a name
 * and who sent it) and submission_files (which field of which submission holds a file, now or in
 * its history). files.service.ts decides; this module reads and writes.
 */

/** A per-content lock key: uploads and the clean-up of the same blob never interleave. */
const LOCK_SQL = `hashtextextended('gridbook.blob:' || $1, 0)`;

interface FileRow {
  id: string;
  original_name: string;
  size: string;
  detected_type: string;
  sha256: string;
  uploaded_by: string | null;
  uploaded_at: Date;
}

export interface StoredFile {
  sha256: string;
  originalName: string;
  size: number;
  detectedType: string;
}

export function toFileView(row: FileRow, field: string): FileView {
  return {
    id: row.id,
    name: row.original_name,
    size: Number(row.size),
    type: row.detected_type,
    sha256: row.sha256,
    field,
    uploadedBy: row.uploaded_by,
    uploadedAt: row.uploaded_at.toISOString(),
  };
}

/** Session-level locks on these blobs, in a stable order (so two uploads never deadlock). */
export async function lockBlobs(client: PoolClient, shas: string[]): Promise<void> {
  for (const sha of [...shas].sort()) await client.query(`SELECT pg_advisory_lock(${LOCK_SQL})`, [sha]);
}

/** Releases `lockBlobs`; a failure here is the connection's, released with it. */
export async function unlockBlobs(client: PoolClient, shas: string[]): Promise<void> {
  for (const sha of shas) await client.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`, [sha]).catch(() => {});
}

/**
 * The blob's row (touched when it exists) and a new file row for one upload. A `pending` upload (for
 * an answer not saved yet) starts unreferenced: attached when its uploader's new submission refers
 * to it, swept by the clean-up after the grace period otherwise.
 */
export async function insertFile(
  tx: Queryable,
  file: StoredFile,
  uploadedBy: string,
  field: string,
  pending = false,
): Promise<FileView> {
  await tx.query(
    `INSERT INTO blobs (sha256, size, detected_type) VALUES ($1, $2, $3)
     ON CONFLICT (sha256) DO UPDATE SET last_used_at = now()`,
    [file.sha256, file.size, file.detectedType],
  );
  const inserted = await tx.query<FileRow>(
    `INSERT INTO files (sha256, original_name, size, detected_type, uploaded_by, unreferenced_at)
     VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::boolean THEN now() END)
     RETURNING id, original_name, size, detected_type, sha256, uploaded_by, uploaded_at`,
    [file.sha256, file.originalName, file.size, file.detectedType, uploadedBy, pending],
  );
  return toFileView(inserted.rows[0]!, field);
}

/** A submission's answer after its files changed: an edit like any other. */
export async function setFilePayload(
  tx: Queryable,
  submissionId: string,
  payload: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `UPDATE submissions SET payload = $2, updated_at = now(), edited_since_rejection = (review_status = 'rejected') WHERE id = $1`,
    [submissionId, JSON.stringify(payload)],
  );
}

export async function attachFiles(
  tx: Queryable,
  submissionId: string,
  field: string,
  fileIds: string[],
): Promise<void> {
  await tx.query(`INSERT INTO submission_files (submission_id, field, file_id) SELECT $1, $2, unnest($3::bigint[])`, [
    submissionId,
    field,
    fileIds,
  ]);
}

/** Ends these files' place in the field (they stay in the submission's history). */
export async function detachFiles(
  tx: Queryable,
  submissionId: string,
  fileIds: string[],
  field?: string,
): Promise<void> {
  await tx.query(
    `UPDATE submission_files SET removed_at = now()
      WHERE submission_id = $1 AND file_id = ANY ($2::bigint[]) AND removed_at IS NULL AND ($3::text IS NULL OR field = $3)`,
    [submissionId, fileIds, field ?? null],
  );
}

/** The field that holds a file in a submission now, if it does. */
export async function fieldHolding(db: Queryable, submissionId: string, fileId: string): Promise<string | null> {
  const ref = await db.query<{ field: string }>(
    'SELECT field FROM submission_files WHERE submission_id = $1 AND file_id = $2 AND removed_at IS NULL',
    [submissionId, fileId],
  );
  return ref.rows[0]?.field ?? null;
}

/** The files a submission holds now, by field. */
export async function filesOf(db: Queryable, submissionId: string): Promise<FileView[]> {
  const result = await db.query<FileRow & { field: string }>(
    `SELECT f.id, f.original_name, f.size, f.detected_type, f.sha256, sf.field, f.uploaded_by, f.uploaded_at
       FROM submission_files sf JOIN files f ON f.id = sf.file_id WHERE sf.submission_id = $1 AND sf.removed_at IS NULL ORDER BY sf.field, f.id`,
    [submissionId],
  );
  return result.rows.map((r) => toFileView(r, r.field));
}

/**
 * A pending upload: a file no submission has ever held (a removed file keeps its past reference
 * until the clean-up deletes both), still waiting for its answer.
 */
const PENDING = `f.unreferenced_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM submission_files sf WHERE sf.file_id = f.id)`;

/** These ids' pending uploads by `uploadedBy` (any other id is left out). */
export async function pendingFiles(
  db: Queryable,
  uploadedBy: string,
  fileIds: string[],
): Promise<{ id: string; size: number; type: string }[]> {
  const result = await db.query<{ id: string; size: string; detected_type: string }>(
    `SELECT f.id, f.size, f.detected_type FROM files f WHERE f.id = ANY ($1::bigint[]) AND f.uploaded_by = $2 AND ${PENDING}`,
    [fileIds, uploadedBy],
  );
  return result.rows.map((r) => ({ id: r.id, size: Number(r.size), type: r.detected_type }));
}

/**
 * Takes `uploadedBy`'s pending uploads for a submission being created (in its transaction): no
 * longer unreferenced, then held by their fields. Returns the ids taken; one another request took
 * first (or the clean-up swept) is missing, and the caller gives up.
 */
export async function claimPendingFiles(tx: Queryable, uploadedBy: string, fileIds: string[]): Promise<string[]> {
  const result = await tx.query<{ id: string }>(
    `UPDATE files f SET unreferenced_at = NULL WHERE f.id = ANY ($1::bigint[]) AND f.uploaded_by = $2 AND ${PENDING} RETURNING f.id`,
    [fileIds, uploadedBy],
  );
  return result.rows.map((r) => r.id);
}

/** Whether this is `uploadedBy`'s pending upload (theirs to read before their answer is saved). */
export async function isPendingUploadOf(db: Queryable, fileId: string, uploadedBy: string): Promise<boolean> {
  const result = await db.query(`SELECT 1 FROM files f WHERE f.id = $1 AND f.uploaded_by = $2 AND ${PENDING}`, [
    fileId,
    uploadedBy,
  ]);
  return (result.rowCount ?? 0) > 0;
}

export async function findFile(db: Queryable, fileId: string): Promise<FileView | null> {
  const row = (
    await db.query<FileRow>(
      'SELECT id, original_name, size, detected_type, sha256, uploaded_by, uploaded_at FROM files WHERE id = $1',
      [fileId],
    )
  ).rows[0];
  return row ? toFileView(row, '') : null;
}

export interface HoldingSubmission {
  submissionId: string;
  gridId: string;
  submittedBy: string;
  field: string;
  fileId: string;
}

/** Submissions that hold a file now or held it in the past (replaced, removed). */
export async function submissionsHolding(db: Queryable, fileId: string): Promise<HoldingSubmission[]> {
  const refs = await db.query<{ submission_id: string; grid_id: string; submitted_by: string; field: string }>(
    `SELECT DISTINCT ON (s.id) s.id AS submission_id, s.grid_id, s.submitted_by, sf.field
       FROM submission_files sf JOIN submissions s ON s.id = sf.submission_id WHERE sf.file_id = $1 ORDER BY s.id`,
    [fileId],
  );
  return refs.rows.map((r) => ({
    submissionId: r.submission_id,
    gridId: r.grid_id,
    submittedBy: r.submitted_by,
    field: r.field,
    fileId,
  }));
}

/** Other submissions that hold the same content now. */
export async function sameContentElsewhere(
  db: Queryable,
  shas: string[],
  submissionId: string,
): Promise<HoldingSubmission[]> {
  const result = await db.query<{
    file_id: string;
    submission_id: string;
    field: string;
    grid_id: string;
    submitted_by: string;
  }>(
    `SELECT f.id AS file_id, sf.submission_id, sf.field, s.grid_id, s.submitted_by
       FROM files f JOIN submission_files sf ON sf.file_id = f.id JOIN submissions s ON s.id = sf.submission_id
      WHERE f.sha256 = ANY ($1::text[]) AND sf.submission_id <> $2 AND sf.removed_at IS NULL ORDER BY sf.submission_id LIMIT 200`,
    [shas, submissionId],
  );
  return result.rows.map((r) => ({
    submissionId: r.submission_id,
    gridId: r.grid_id,
    submittedBy: r.submitted_by,
    field: r.field,
    fileId: r.file_id,
  }));
}

/**
 * Deletes file rows nothing has referenced for `graceHours` (their past references with them: the
 * history keeps its audit entries). Returns what went.
 */
export async function deleteExpiredFiles(db: Queryable, graceHours: number): Promise<{ id: string; sha256: string }[]> {
  const files = await db.query<{ id: string; sha256: string }>(
    `WITH expired AS (
       SELECT f.id FROM files f WHERE f.unreferenced_at <= now() - make_interval(hours => $1)
          AND NOT EXISTS (SELECT 1 FROM submission_files sf WHERE sf.file_id = f.id AND sf.removed_at IS NULL)
     ), refs AS (
       DELETE FROM submission_files sf USING expired WHERE sf.file_id = expired.id
     )
     DELETE FROM files f USING expired WHERE f.id = expired.id AND f.unreferenced_at IS NOT NULL RETURNING f.id, f.sha256`,
    [graceHours],
  );
  return files.rows;
}

/** Blobs no file uses, unused for `graceHours` (at most `limit` per call). */
export async function unusedBlobs(db: Queryable, graceHours: number, limit = 10_000): Promise<string[]> {
  const candidates = await db.query<{ sha256: string }>(
    `SELECT b.sha256 FROM blobs b WHERE b.last_used_at <= now() - make_interval(hours => $1)
        AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256) LIMIT $2`,
    [graceHours, limit],
  );
  return candidates.rows.map((r) => r.sha256);
}

/** Deletes a blob's row if it is still unused; false when something uses it again. */
export async function deleteUnusedBlob(db: Queryable, sha256: string, graceHours: number): Promise<boolean> {
  const deleted = await db.query(
    `DELETE FROM blobs b WHERE b.sha256 = $1 AND b.last_used_at <= now() - make_interval(hours => $2)
        AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256)`,
    [sha256, graceHours],
  );
  return deleted.rowCount === 1;
}

export async function blobRecorded(db: Queryable, sha256: string): Promise<boolean> {
  const row = await db.query('SELECT 1 FROM blobs WHERE sha256 = $1', [sha256]);
  return (row.rowCount ?? 0) > 0;
}
