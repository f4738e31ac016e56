import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { recordAudit, recordAuditBatch } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import {
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../errors/app-error.js';
import { inTransaction, withTransaction } from '../db/transaction.js';
import type { Logger } from '../observability/logger.js';
import { authorizeSubmission, mayReadSubmission } from '../permissions/record-access.js';
import { findSubmission, type SubmissionRow } from '../submissions/submissions.repository.js';
import type { TemplateCatalog } from '../templates/catalog.js';
import type { Field } from '../templates/definition.schema.js';
import { acceptedTypes, holdsFiles } from '../templates/field-types.js';
import {
  attachFiles,
  blobRecorded,
  deleteExpiredFiles,
  deleteUnusedBlob,
  detachFiles,
  fieldHolding,
  filesOf,
  findFile,
  insertFile,
  isPendingUploadOf,
  lockBlobs,
  sameContentElsewhere,
  setFilePayload,
  submissionsHolding,
  unlockBlobs,
  unusedBlobs,
} from './files.repository.js';
import { BlobMissingError, type BlobStore } from './storage.js';
import { typeAccepted } from './sniff.js';
import { discardStaged, receiveUpload, StorageFullError, type StagedFile } from './upload.js';
import type { IncomingHttpHeaders } from 'node:http';
import { templateOpenForAnswers } from '../submissions/intake.js';

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

  private async authorize(
    db: Queryable,
    ctx: ServiceContext,
    submissionId: string,
    action: 'read' | 'edit',
  ): Promise<SubmissionRow> {
    const { row } = await authorizeSubmission(db, ctx, submissionId, action, {
      forbiddenMessage: 'Only its submitter changes the files of a submission',
    });
    if (action === 'edit' && row.review_status !== 'draft' && row.review_status !== 'rejected') {
      throw new ConflictError(
        `Files can change only on drafts and rejected submissions (this one is ${row.review_status})`,
      );
    }
    return row;
  }

  async upload(
    ctx: ServiceContext,
    submissionId: string,
    req: Readable & { headers: IncomingHttpHeaders },
  ): Promise<UploadResult> {
    const row = await this.authorize(this.deps.pool, ctx, submissionId, 'edit');
    const { field, files } = await this.receive(req, await this.fileFields(row));
    try {
      return await this.store(files, (tx) => this.attach(tx, ctx, row, field, files));
    } finally {
      await discardStaged(files);
    }
  }

  /**
   * Uploads for a new answer to a template, before it is saved (the fill page of a new submission):
   * checked like any upload against the field of the template's current version, stored, and kept
   * pending. The uploader's new submission that names them in a file field takes them (see
   * SubmissionsService.create); nobody else can. Never taken, they are swept by the clean-up after
   * the grace period, like any unreferenced file.
   */
  async uploadPending(
    ctx: ServiceContext,
    templateId: string,
    req: Readable & { headers: IncomingHttpHeaders },
  ): Promise<{ files: FileView[] }> {
    const template = await templateOpenForAnswers(this.deps.pool, ctx, templateId);
    const fields = await this.fileFields({ template_id: templateId, template_version: template.current_version });
    const { field, files } = await this.receive(req, fields);
    try {
      return await this.store(files, async (tx) => {
        const views: FileView[] = [];
        for (const file of files) views.push(await insertFile(tx, file, ctx.actor!.id, field.path, true));
        await recordAuditBatch(
          tx,
          ctx,
          views.map((v) => ({
            action: 'file.upload_pending',
            entityType: 'template',
            entityId: templateId,
            gridId: template.grid_id,
            after: { field: field.path, fileId: v.id, name: v.name, size: v.size, type: v.type, sha256: v.sha256 },
          })),
        );
        return { files: views };
      });
    } finally {
      await discardStaged(files);
    }
  }

  /** Receives a multipart upload into one of `fields`, checking its type and count (staged files; the caller discards them). */
  private async receive(
    req: Readable & { headers: IncomingHttpHeaders },
    fields: Map<string, FileField>,
  ): Promise<{ field: FileField; files: StagedFile[] }> {
    const { field, files } = await receiveUpload(req, {
      stagingDir: this.deps.stagingDir,
      maxFiles: this.deps.maxFiles,
      maxBytesFor: (f: FileField) => Math.min(f.field.rules?.maxSize ?? this.deps.maxBytes, this.deps.maxBytes),
      resolveField: (name) => {
        const found = fields.get(name.trim());
        if (!found) {
          throw ValidationError.field(
            'field',
            `"${name}" is not a file field of this form (file fields: ${[...new Set([...fields.values()].map((f) => f.path))].join(', ') || 'none'})`,
          );
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
    } catch (error) {
      await discardStaged(files);
      throw error;
    }
    return { field, files };
  }

  /** Stores the accepted files and records them (`record`, one transaction), under their blobs' locks. */
  private async store<T>(files: StagedFile[], record: (tx: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.deps.pool.connect();
    const shas = [...new Set(files.map((f) => f.sha256))];
    try {
      await lockBlobs(client, shas);
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
      return await inTransaction(client, record, { translateErrors: false });
    } finally {
      await unlockBlobs(client, shas);
      client.release();
    }
  }

  private async attach(
    tx: PoolClient,
    ctx: ServiceContext,
    before: SubmissionRow,
    field: FileField,
    files: StagedFile[],
  ): Promise<UploadResult> {
    const locked = (await findSubmission(tx, before.id, { forUpdate: true }))!;
    if (locked.review_status !== 'draft' && locked.review_status !== 'rejected')
      throw new ConflictError('This submission is no longer editable');
    const views: FileView[] = [];
    for (const file of files) views.push(await insertFile(tx, file, ctx.actor!.id, field.path));

    const section = { ...((locked.payload[field.sectionKey] ?? {}) as Record<string, unknown>) };
    const current = Array.isArray(section[field.field.key]) ? (section[field.field.key] as string[]) : [];
    const added = views.map((v) => v.id);
    const next = field.field.multiple ? [...current, ...added] : added;
    const max = field.field.multiple ? (field.field.rules?.maxItems ?? 100) : 1;
    if (next.length > max) throw ValidationError.field(field.path, `holds at most ${max} file${max === 1 ? '' : 's'}`);
    const replaced = field.field.multiple ? [] : current;
    section[field.field.key] = next;

    await setFilePayload(tx, locked.id, { ...locked.payload, [field.sectionKey]: section });
    await attachFiles(tx, locked.id, field.path, added);
    if (replaced.length) await detachFiles(tx, locked.id, replaced, field.path);
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
  private async duplicates(
    db: Queryable,
    ctx: ServiceContext,
    submissionId: string,
    views: FileView[],
  ): Promise<UploadResult['duplicates']> {
    const visible: UploadResult['duplicates'] = [];
    for (const r of await sameContentElsewhere(
      db,
      views.map((v) => v.sha256),
      submissionId,
    )) {
      if (await mayReadSubmission(db, ctx.actor!, r))
        visible.push({ fileId: r.fileId, submissionId: r.submissionId, field: r.field });
    }
    return visible;
  }

  async list(ctx: ServiceContext, submissionId: string): Promise<FileView[]> {
    await this.authorize(this.deps.pool, ctx, submissionId, 'read');
    return filesOf(this.deps.pool, submissionId);
  }

  /** Removes a file from a draft's or rejected submission's field (the file stays in its history). */
  async remove(ctx: ServiceContext, submissionId: string, fileId: string): Promise<void> {
    await withTransaction(
      this.deps.pool,
      async (tx) => {
        await this.authorize(tx, ctx, submissionId, 'edit');
        const row = (await findSubmission(tx, submissionId, { forUpdate: true }))!;
        const fieldPath = /^\d{1,18}$/.test(fileId) ? await fieldHolding(tx, submissionId, fileId) : null;
        if (!fieldPath) throw new NotFoundError('File', fileId);
        const [sectionKey, fieldKey] = fieldPath.split('.') as [string, string];
        const section = { ...((row.payload[sectionKey] ?? {}) as Record<string, unknown>) };
        section[fieldKey] = ((section[fieldKey] as string[] | undefined) ?? []).filter((id) => id !== fileId);
        await setFilePayload(tx, submissionId, { ...row.payload, [sectionKey]: section });
        await detachFiles(tx, submissionId, [fileId]);
        await recordAudit(tx, ctx, {
          action: 'file.remove',
          entityType: 'submission',
          entityId: submissionId,
          gridId: row.grid_id,
          before: { field: fieldPath, fileId },
        });
      },
      { translateErrors: false },
    );
  }

  /**
   * A file for download, if the caller may read a submission that holds it (or held it: history).
   * A pending upload (not attached yet) is its uploader's alone. Anyone else gets "not found", as if
   * it did not exist.
   */
  async open(ctx: ServiceContext, fileId: string): Promise<{ file: FileView; stream: Readable }> {
    if (!ctx.actor) throw new UnauthenticatedError();
    if (!/^\d{1,18}$/.test(fileId)) throw new NotFoundError('File', fileId);
    // Held now or in the past (replaced, removed): readable by whoever may read that submission.
    let allowed = false;
    for (const holder of await submissionsHolding(this.deps.pool, fileId)) {
      if (await mayReadSubmission(this.deps.pool, ctx.actor, holder)) {
        allowed = true;
        break;
      }
    }
    // An upload for an answer not saved yet: its uploader's alone.
    if (!allowed) allowed = await isPendingUploadOf(this.deps.pool, fileId, ctx.actor.id);
    const file = allowed ? await findFile(this.deps.pool, fileId) : null;
    if (!file) throw new NotFoundError('File', fileId);
    try {
      return { file, stream: await this.deps.store.open(file.sha256) };
    } catch (error) {
      if (error instanceof BlobMissingError) {
        this.deps.logger.error({ fileId, sha256: file.sha256 }, 'file row without its content');
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
    const files = await deleteExpiredFiles(this.deps.pool, grace);
    const blobs: string[] = [];
    for (const sha256 of await unusedBlobs(this.deps.pool, grace)) {
      if (await this.deleteBlob(sha256, true)) blobs.push(sha256);
    }
    const orphans: string[] = [];
    const cutoff = Date.now() - grace * 3_600_000;
    for await (const blob of this.deps.store.list()) {
      if (blob.modifiedAt.getTime() > cutoff) continue;
      if (!(await blobRecorded(this.deps.pool, blob.sha256)) && (await this.deleteBlob(blob.sha256, false)))
        orphans.push(blob.sha256);
    }
    const staged = await this.cleanStaging();
    if (files.length || blobs.length || orphans.length || staged) {
      const system: ServiceContext = { actor: null, requestId: null, ip: null };
      await recordAuditBatch(this.deps.pool, system, [
        {
          action: 'files.cleanup',
          entityType: 'files',
          after: { files: files.map((f) => f.id), blobs, orphans, staged },
        },
      ]);
      this.deps.logger.info(
        { files: files.length, blobs: blobs.length, orphans: orphans.length, staged },
        'file clean-up removed unreferenced data',
      );
    }
    return { files: files.length, blobs, orphans, staged };
  }

  /** Deletes one blob's row (if `withRow`) and content, under its lock; false when it is in use again. */
  private async deleteBlob(sha256: string, withRow: boolean): Promise<boolean> {
    const client = await this.deps.pool.connect();
    try {
      await lockBlobs(client, [sha256]);
      const gone = withRow
        ? await deleteUnusedBlob(client, sha256, this.deps.graceHours)
        : !(await blobRecorded(client, sha256));
      if (!gone) return false;
      await this.deps.store.delete(sha256);
      return true;
    } finally {
      await unlockBlobs(client, [sha256]);
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
