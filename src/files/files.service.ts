import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { recordAudit, recordAuditBatch } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import { ConflictError, NotFoundError, UnauthenticatedError, UnsupportedMediaTypeError, ValidationError } from '../errors/app-error.js';
import { gridRoleOf } from '../grids/grids.repository.js';
import type { Logger } from '../observability/logger.js';
import { can } from '../permissions/policy.js';
import { authorizeSubmission } from '../permissions/record-access.js';
import type { SubmissionRow } from '../submissions/submissions.repository.js';
import type { TemplateCatalog } from '../templates/catalog.js';
import type { Field } from '../templates/definition.schema.js';
import { acceptedTypes, holdsFiles } from '../templates/field-types.js';
import { BlobMissingError, type BlobStore } from './storage.js';
import { typeAccepted } from './sniff.js';
import { discardStaged, receiveUpload, StorageFullError, type StagedFile } from './upload.js';
import type { IncomingHttpHeaders } from 'node:http';

export interface FileView {
  id: string;
  name: string;
  size: number;
  type: string;
  sha256: string;
  field: string;
  uploadedBy: string | null;
  uploadedAt: string;
}

export interface FileField {
  /** `section.field` */
  path: string;
  sectionKey: string;
  field: Field;
}

export interface UploadResult {
  files: FileView[];
  /** Files replaced in a single-file field (kept in the submission's history). */
  replaced: string[];
  /** Other places (that the caller may see) where the same content already appears. */
  duplicates: { fileId: string; submissionId: string; field: string }[];
}

/** A per-content lock key: uploads and the clean-up of the same blob never interleave. */
const LOCK_SQL = `hashtextextended('gridbook.blob:' || $1, 0)`;

/**
 * The lifecycle of attachments: upload into a submission's file field (streamed, size-limited,
 * type sniffed, stored once by SHA-256), list, download behind the submission's permissions,
 * replace and remove (audited, kept in the history), and the clean-up that deletes what nothing
 * references any more. Blob rows and stored content change together under a per-blob lock, in an
 * order that never leaves a row pointing to missing content.
 */
export class FilesService {
  constructor(
    private readonly deps: {
      pool: Pool;
      store: BlobStore;
      catalog: TemplateCatalog;
      stagingDir: string;
      maxBytes: number;
      maxFiles: number;
      graceHours: number;
      logger: Logger;
    },
  ) {}

  /** The file fields of a submission's version, by `section.field` (and by bare key when unique). */
  async fileFields(row: Pick<SubmissionRow, 'template_id' | 'template_version'>): Promise<Map<string, FileField>> {
    const version = await this.deps.catalog.version(row.template_id, row.template_version);
    const byPath = new Map<string, FileField>();
    const byKey = new Map<string, FileField[]>();
    for (const section of version.definition.sections) {
      for (const field of section.fields) {
        // A signature is a file field of one PNG.
        if (!holdsFiles(field.type)) continue;
        const f = { path: `${section.key}.${field.key}`, sectionKey: section.key, field };
        byPath.set(f.path, f);
        byKey.set(field.key, [...(byKey.get(field.key) ?? []), f]);
      }
    }
    for (const [key, list] of byKey) if (list.length === 1 && !byPath.has(key)) byPath.set(key, list[0]!);
    return byPath;
  }

  private async authorize(db: Queryable, ctx: ServiceContext, submissionId: string, action: 'read' | 'edit'): Promise<SubmissionRow> {
    const { row } = await authorizeSubmission(db, ctx, submissionId, action, { forbiddenMessage: 'Only its submitter changes the files of a submission' });
    if (action === 'edit' && row.review_status !== 'draft' && row.review_status !== 'rejected') {
      throw new ConflictError(`Files can change only on drafts and rejected submissions (this one is ${row.review_status})`);
    }
    return row;
  }

  async upload(ctx: ServiceContext, submissionId: string, req: Readable & { headers: IncomingHttpHeaders }): Promise<UploadResult> {
    const row = await this.authorize(this.deps.pool, ctx, submissionId, 'edit');
    const fields = await this.fileFields(row);
    const { field, files } = await receiveUpload(req, {
      stagingDir: this.deps.stagingDir,
      maxFiles: this.deps.maxFiles,
      maxBytesFor: (f: FileField) => Math.min(f.field.rules?.maxSize ?? this.deps.maxBytes, this.deps.maxBytes),
      resolveField: (name) => {
        const found = fields.get(name.trim());
        if (!found) {
          throw ValidationError.field('field', `"${name}" is not a file field of this form (file fields: ${[...new Set([...fields.values()].map((f) => f.path))].join(', ') || 'none'})`);
        }
        return found;
      },
    });
    try {
      for (const file of files) {
        const accept = acceptedTypes(field.field);
        if (!typeAccepted(file.detectedType, accept)) {
          throw new UnsupportedMediaTypeError(
            `${file.originalName} is ${file.detectedType} by its content, which ${field.path} does not accept (accepted: ${accept!.join(', ')})`,
          );
        }
      }
      if (!field.field.multiple && files.length > 1) throw ValidationError.field(field.path, 'takes one file');
      return await this.store(ctx, row, field, files);
    } finally {
      await discardStaged(files);
    }
  }

  /** Stores the accepted files and attaches them, in one transaction, under their blobs' locks. */
  private async store(ctx: ServiceContext, submission: SubmissionRow, field: FileField, files: StagedFile[]): Promise<UploadResult> {
    const client = await this.deps.pool.connect();
    const shas = [...new Set(files.map((f) => f.sha256))].sort();
    try {
      for (const sha of shas) await client.query(`SELECT pg_advisory_lock(${LOCK_SQL})`, [sha]);
      // Content first (no row can point to it yet), rows after: a crash in between leaves an orphan
      // blob, which the clean-up removes, never a row without its content.
      for (const file of files) {
        try {
          await this.deps.store.putFile(file.sha256, file.stagedPath, file.size, file.detectedType);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOSPC' || code === 'EDQUOT') throw new StorageFullError();
          throw error;
        }
      }
      await client.query('BEGIN');
      const result = await this.attach(client, ctx, submission, field, files);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      for (const sha of shas) await client.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`, [sha]).catch(() => {});
      client.release();
    }
  }

  private async attach(tx: PoolClient, ctx: ServiceContext, before: SubmissionRow, field: FileField, files: StagedFile[]): Promise<UploadResult> {
    const locked = (await tx.query<SubmissionRow>('SELECT * FROM submissions WHERE id = $1 FOR UPDATE', [before.id])).rows[0]!;
    if (locked.review_status !== 'draft' && locked.review_status !== 'rejected') throw new ConflictError('This submission is no longer editable');
    const views: FileView[] = [];
    for (const file of files) {
      await tx.query(
        `INSERT INTO blobs (sha256, size, detected_type) VALUES ($1, $2, $3)
         ON CONFLICT (sha256) DO UPDATE SET last_used_at = now()`,
        [file.sha256, file.size, file.detectedType],
      );
      const inserted = await tx.query<{ id: string; uploaded_at: Date }>(
        `INSERT INTO files (sha256, original_name, size, detected_type, uploaded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id, uploaded_at`,
        [file.sha256, file.originalName, file.size, file.detectedType, ctx.actor!.id],
      );
      const id = inserted.rows[0]!.id;
      views.push({ id, name: file.originalName, size: file.size, type: file.detectedType, sha256: file.sha256, field: field.path, uploadedBy: ctx.actor!.id, uploadedAt: inserted.rows[0]!.uploaded_at.toISOString() });
    }

    const section = { ...((locked.payload[field.sectionKey] ?? {}) as Record<string, unknown>) };
    const current = Array.isArray(section[field.field.key]) ? (section[field.field.key] as string[]) : [];
    const added = views.map((v) => v.id);
    const next = field.field.multiple ? [...current, ...added] : added;
    const max = field.field.multiple ? (field.field.rules?.maxItems ?? 100) : 1;
    if (next.length > max) throw ValidationError.field(field.path, `holds at most ${max} file${max === 1 ? '' : 's'}`);
    const replaced = field.field.multiple ? [] : current;
    section[field.field.key] = next;
    const payload = { ...locked.payload, [field.sectionKey]: section };

    await tx.query(`UPDATE submissions SET payload = $2, updated_at = now(), edited_since_rejection = (review_status = 'rejected') WHERE id = $1`, [
      locked.id,
      JSON.stringify(payload),
    ]);
    await tx.query(
      `INSERT INTO submission_files (submission_id, field, file_id) SELECT $1, $2, unnest($3::bigint[])`,
      [locked.id, field.path, added],
    );
    if (replaced.length) {
      await tx.query(
        'UPDATE submission_files SET removed_at = now() WHERE submission_id = $1 AND field = $2 AND file_id = ANY ($3::bigint[]) AND removed_at IS NULL',
        [locked.id, field.path, replaced],
      );
    }
    await recordAuditBatch(tx, ctx, [
      ...views.map((v) => ({
        action: replaced.length ? 'file.replace' : 'file.upload',
        entityType: 'submission',
        entityId: locked.id,
        gridId: locked.grid_id,
        before: replaced.length ? { field: field.path, fileIds: replaced } : null,
        after: { field: field.path, fileId: v.id, name: v.name, size: v.size, type: v.type, sha256: v.sha256 },
      })),
    ]);
    return { files: views, replaced, duplicates: await this.duplicates(tx, ctx, locked.id, views) };
  }

  /** Where else the same content appears, among the places the caller may see. */
  private async duplicates(db: Queryable, ctx: ServiceContext, submissionId: string, views: FileView[]): Promise<UploadResult['duplicates']> {
    const result = await db.query<{ file_id: string; submission_id: string; field: string; grid_id: string; submitted_by: string }>(
      `SELECT f.id AS file_id, sf.submission_id, sf.field, s.grid_id, s.submitted_by
         FROM files f JOIN submission_files sf ON sf.file_id = f.id JOIN submissions s ON s.id = sf.submission_id
        WHERE f.sha256 = ANY ($1::text[]) AND sf.submission_id <> $2 AND sf.removed_at IS NULL ORDER BY sf.submission_id LIMIT 200`,
      [views.map((v) => v.sha256), submissionId],
    );
    const visible: UploadResult['duplicates'] = [];
    for (const r of result.rows) {
      const role = ctx.actor!.role === 'admin' ? null : await gridRoleOf(db, r.grid_id, ctx.actor!.id);
      if (can(ctx.actor, 'read', { type: 'submission', gridRole: role, own: r.submitted_by === ctx.actor!.id })) {
        visible.push({ fileId: r.file_id, submissionId: r.submission_id, field: r.field });
      }
    }
    return visible;
  }

  async list(ctx: ServiceContext, submissionId: string): Promise<FileView[]> {
    await this.authorize(this.deps.pool, ctx, submissionId, 'read');
    const result = await this.deps.pool.query<{ id: string; original_name: string; size: string; detected_type: string; sha256: string; field: string; uploaded_by: string | null; uploaded_at: Date }>(
      `SELECT f.id, f.original_name, f.size, f.detected_type, f.sha256, sf.field, f.uploaded_by, f.uploaded_at
         FROM submission_files sf JOIN files f ON f.id = sf.file_id WHERE sf.submission_id = $1 AND sf.removed_at IS NULL ORDER BY sf.field, f.id`,
      [submissionId],
    );
    return result.rows.map((r) => ({ id: r.id, name: r.original_name, size: Number(r.size), type: r.detected_type, sha256: r.sha256, field: r.field, uploadedBy: r.uploaded_by, uploadedAt: r.uploaded_at.toISOString() }));
  }

  /** Removes a file from a draft's or rejected submission's field (the file stays in its history). */
  async remove(ctx: ServiceContext, submissionId: string, fileId: string): Promise<void> {
    const client = await this.deps.pool.connect();
    try {
      await client.query('BEGIN');
      await this.authorize(client, ctx, submissionId, 'edit');
      const row = (await client.query<SubmissionRow>('SELECT * FROM submissions WHERE id = $1 FOR UPDATE', [submissionId])).rows[0]!;
      const ref = await client.query<{ field: string }>(
        'SELECT field FROM submission_files WHERE submission_id = $1 AND file_id = $2 AND removed_at IS NULL',
        [submissionId, fileId],
      );
      if (!ref.rows[0] || !/^\d{1,18}$/.test(fileId)) throw new NotFoundError('File', fileId);
      const fieldPath = ref.rows[0].field;
      const [sectionKey, fieldKey] = fieldPath.split('.') as [string, string];
      const section = { ...((row.payload[sectionKey] ?? {}) as Record<string, unknown>) };
      section[fieldKey] = ((section[fieldKey] as string[] | undefined) ?? []).filter((id) => id !== fileId);
      await client.query(`UPDATE submissions SET payload = $2, updated_at = now(), edited_since_rejection = (review_status = 'rejected') WHERE id = $1`, [
        submissionId,
        JSON.stringify({ ...row.payload, [sectionKey]: section }),
      ]);
      await client.query('UPDATE submission_files SET removed_at = now() WHERE submission_id = $1 AND file_id = $2', [submissionId, fileId]);
      await recordAudit(client, ctx, { action: 'file.remove', entityType: 'submission', entityId: submissionId, gridId: row.grid_id, before: { field: fieldPath, fileId } });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * A file for download, if the caller may read a submission that holds it (or held it: history).
   * Anyone else gets "not found", as if it did not exist.
   */
  async open(ctx: ServiceContext, fileId: string): Promise<{ file: FileView; stream: Readable }> {
    if (!ctx.actor) throw new UnauthenticatedError();
    if (!/^\d{1,18}$/.test(fileId)) throw new NotFoundError('File', fileId);
    // Held now or in the past (replaced, removed): readable by whoever may read that submission.
    const refs = await this.deps.pool.query<{ submission_id: string; grid_id: string; submitted_by: string }>(
      `SELECT DISTINCT s.id AS submission_id, s.grid_id, s.submitted_by FROM submission_files sf JOIN submissions s ON s.id = sf.submission_id WHERE sf.file_id = $1`,
      [fileId],
    );
    let allowed = false;
    for (const r of refs.rows) {
      const role = ctx.actor.role === 'admin' ? null : await gridRoleOf(this.deps.pool, r.grid_id, ctx.actor.id);
      if (can(ctx.actor, 'read', { type: 'submission', gridRole: role, own: r.submitted_by === ctx.actor.id })) allowed = true;
    }
    const row = (await this.deps.pool.query<{ id: string; original_name: string; size: string; detected_type: string; sha256: string; uploaded_by: string | null; uploaded_at: Date }>(
      'SELECT id, original_name, size, detected_type, sha256, uploaded_by, uploaded_at FROM files WHERE id = $1',
      [fileId],
    )).rows[0];
    if (!allowed || !row) throw new NotFoundError('File', fileId);
    try {
      const stream = await this.deps.store.open(row.sha256);
      return {
        file: { id: row.id, name: row.original_name, size: Number(row.size), type: row.detected_type, sha256: row.sha256, field: '', uploadedBy: row.uploaded_by, uploadedAt: row.uploaded_at.toISOString() },
        stream,
      };
    } catch (error) {
      if (error instanceof BlobMissingError) {
        this.deps.logger.error({ fileId, sha256: row.sha256 }, 'file row without its content');
        throw new NotFoundError('File content', fileId);
      }
      throw error;
    }
  }

  /**
   * The clean-up job: deletes file rows nothing has referenced for the grace period, then blobs no
   * file uses (row first, then content, under the blob's lock), then stored content without a row
   * (left by a crash between storing and recording), then stale staged uploads. Reports it all.
   */
  async cleanup(): Promise<{ files: number; blobs: string[]; orphans: string[]; staged: number }> {
    const grace = this.deps.graceHours;
    // Past references (removed, replaced) go with the file: the history keeps its audit entries.
    const files = await this.deps.pool.query<{ id: string; sha256: string }>(
      `WITH expired AS (
         SELECT f.id FROM files f WHERE f.unreferenced_at <= now() - make_interval(hours => $1)
            AND NOT EXISTS (SELECT 1 FROM submission_files sf WHERE sf.file_id = f.id AND sf.removed_at IS NULL)
       ), refs AS (
         DELETE FROM submission_files sf USING expired WHERE sf.file_id = expired.id
       )
       DELETE FROM files f USING expired WHERE f.id = expired.id RETURNING f.id, f.sha256`,
      [grace],
    );
    const candidates = await this.deps.pool.query<{ sha256: string }>(
      `SELECT b.sha256 FROM blobs b WHERE b.last_used_at <= now() - make_interval(hours => $1)
          AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256) LIMIT 10000`,
      [grace],
    );
    const blobs: string[] = [];
    for (const { sha256 } of candidates.rows) {
      if (await this.deleteBlob(sha256, true)) blobs.push(sha256);
    }
    const orphans: string[] = [];
    const cutoff = Date.now() - grace * 3_600_000;
    for await (const blob of this.deps.store.list()) {
      if (blob.modifiedAt.getTime() > cutoff) continue;
      const row = await this.deps.pool.query('SELECT 1 FROM blobs WHERE sha256 = $1', [blob.sha256]);
      if (row.rowCount === 0 && (await this.deleteBlob(blob.sha256, false))) orphans.push(blob.sha256);
    }
    const staged = await this.cleanStaging();
    if (files.rowCount || blobs.length || orphans.length || staged) {
      const system: ServiceContext = { actor: null, requestId: null, ip: null };
      await recordAuditBatch(this.deps.pool, system, [
        { action: 'files.cleanup', entityType: 'files', after: { files: files.rows.map((f) => f.id), blobs, orphans, staged } },
      ]);
      this.deps.logger.info({ files: files.rowCount, blobs: blobs.length, orphans: orphans.length, staged }, 'file clean-up removed unreferenced data');
    }
    return { files: files.rowCount ?? 0, blobs, orphans, staged };
  }

  /** Deletes one blob's row (if `withRow`) and content, under its lock; false when it is in use again. */
  private async deleteBlob(sha256: string, withRow: boolean): Promise<boolean> {
    const client = await this.deps.pool.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(${LOCK_SQL})`, [sha256]);
      if (withRow) {
        const deleted = await client.query(
          `DELETE FROM blobs b WHERE b.sha256 = $1 AND b.last_used_at <= now() - make_interval(hours => $2)
              AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256)`,
          [sha256, this.deps.graceHours],
        );
        if (deleted.rowCount !== 1) return false;
      } else {
        const row = await client.query('SELECT 1 FROM blobs WHERE sha256 = $1', [sha256]);
        if (row.rowCount) return false;
      }
      await this.deps.store.delete(sha256);
      return true;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`, [sha256]).catch(() => {});
      client.release();
    }
  }

  /** Staged uploads older than an hour belong to requests that died mid-way. */
  private async cleanStaging(): Promise<number> {
    let removed = 0;
    const names = await readdir(this.deps.stagingDir).catch(() => [] as string[]);
    for (const name of names) {
      const file = path.join(this.deps.stagingDir, name);
      const info = await stat(file).catch(() => null);
      if (info && Date.now() - info.mtimeMs > 3_600_000) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
