import type { Queryable } from '../db/pool.js';
import { ConflictError, ValidationError } from '../errors/app-error.js';
import type { Definition, Field } from '../templates/definition.schema.js';
import { recordAuditBatch } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import { acceptedTypes, holdsFiles } from '../templates/field-types.js';
import { own } from '../templates/own.js';
import { attachFiles, claimPendingFiles, pendingFiles } from './files.repository.js';
import { typeAccepted } from './sniff.js';

/**
 * File fields (and signatures) inside a payload hold ids of files uploaded to that submission (POST
 * /submissions/:id/files). A client cannot put other ids there (that would reach someone else's
 * file through its own submission), and an edit that leaves a file field out keeps its files.
 */

function fileFieldsOf(definition: Definition): { sectionKey: string; key: string; path: string; field: Field }[] {
  return definition.sections.flatMap((s) =>
    s.fields
      .filter((f) => holdsFiles(f.type))
      .map((f) => ({ sectionKey: s.key, key: f.key, path: `${s.key}.${f.key}`, field: f })),
  );
}

const idsAt = (payload: Record<string, unknown>, sectionKey: string, key: string): string[] => {
  const value = own(own(payload, sectionKey), key);
  return Array.isArray(value) ? value.map(String) : [];
};

/** A new submission has no files yet: its file fields must be empty. */
export function assertNoFilesOnCreate(definition: Definition, data: Record<string, unknown>): void {
  for (const f of fileFieldsOf(definition)) {
    if (idsAt(data, f.sectionKey, f.key).length > 0) {
      throw ValidationError.field(
        f.path,
        'upload files after creating the submission (POST /api/v1/submissions/:id/files), then refer to them',
      );
    }
  }
}

/** The files a new answer names in a field: its uploader's pending uploads (POST /templates/:id/files). */
export interface PendingFiles {
  path: string;
  fileIds: string[];
}

/**
 * Checks the file ids a new answer names: each one a pending upload of `actorId` (never attached,
 * not swept), named once, of a type and size its field accepts, one file at most in a single-file
 * field. Returns them by field, for `attachPendingFiles` once the submission exists.
 */
export async function checkPendingFiles(
  db: Queryable,
  actorId: string,
  definition: Definition,
  data: Record<string, unknown>,
): Promise<PendingFiles[]> {
  const named = fileFieldsOf(definition)
    .map((f) => ({ ...f, fileIds: idsAt(data, f.sectionKey, f.key) }))
    .filter((f) => f.fileIds.length > 0);
  if (named.length === 0) return [];
  const found = new Map(
    (
      await pendingFiles(db, actorId, [
        ...new Set(named.flatMap((f) => f.fileIds).filter((id) => /^\d{1,18}$/.test(id))),
      ])
    ).map((f) => [f.id, f]),
  );
  const seen = new Set<string>();
  for (const f of named) {
    if (!f.field.multiple && f.fileIds.length > 1) throw ValidationError.field(f.path, 'takes one file');
    const accept = acceptedTypes(f.field);
    for (const id of f.fileIds) {
      const file = found.get(id);
      if (!file) {
        throw ValidationError.field(
          f.path,
          `file ${id} is not an upload of yours waiting for a new answer (upload it first: POST /api/v1/templates/:templateId/files)`,
        );
      }
      if (seen.has(id)) throw ValidationError.field(f.path, `file ${id} is named twice`);
      seen.add(id);
      if (!typeAccepted(file.type, accept))
        throw ValidationError.field(f.path, `file ${id} is ${file.type}, which this field does not accept`);
      if (f.field.rules?.maxSize !== undefined && file.size > f.field.rules.maxSize)
        throw ValidationError.field(f.path, `file ${id} is larger than ${f.field.rules.maxSize} bytes`);
    }
  }
  return named.map((f) => ({ path: f.path, fileIds: f.fileIds }));
}

/**
 * Attaches checked pending uploads to the submission just created, in its transaction. A file
 * another request took meanwhile (or the clean-up swept) fails it all: nothing is created.
 */
export async function attachPendingFiles(
  tx: Queryable,
  ctx: ServiceContext,
  submission: { id: string; grid_id: string },
  pending: PendingFiles[],
): Promise<void> {
  const ids = pending.flatMap((p) => p.fileIds);
  const taken = await claimPendingFiles(tx, ctx.actor!.id, ids);
  if (taken.length !== ids.length) {
    throw new ConflictError('A file of this answer was attached elsewhere or has expired meanwhile: upload it again');
  }
  for (const p of pending) await attachFiles(tx, submission.id, p.path, p.fileIds);
  await recordAuditBatch(
    tx,
    ctx,
    pending.flatMap((p) =>
      p.fileIds.map((fileId) => ({
        action: 'file.attach',
        entityType: 'submission',
        entityId: submission.id,
        gridId: submission.grid_id,
        after: { field: p.path, fileId },
      })),
    ),
  );
}

/**
 * Merges an edit's file fields with the submission's files: absent fields keep their files; a field
 * given a subset of its files drops the others (recorded as removed, audited); any other id is
 * refused. Returns the payload to store.
 */
export async function reconcileFileFields(
  tx: Queryable,
  ctx: ServiceContext,
  submission: { id: string; grid_id: string; payload: Record<string, unknown> },
  definition: Definition,
  data: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const next: Record<string, unknown> = { ...data };
  const removed: { path: string; fileId: string }[] = [];
  for (const f of fileFieldsOf(definition)) {
    const current = idsAt(submission.payload, f.sectionKey, f.key);
    const section = { ...((own(next, f.sectionKey) ?? {}) as Record<string, unknown>) };
    if (!Object.hasOwn(section, f.key)) {
      if (current.length) section[f.key] = current;
      if (Object.keys(section).length) next[f.sectionKey] = section;
      continue;
    }
    const given = idsAt(next, f.sectionKey, f.key);
    const unknown = given.filter((id) => !current.includes(id));
    if (unknown.length) throw ValidationError.field(f.path, `file ${unknown[0]} is not attached to this submission`);
    for (const id of current.filter((c) => !given.includes(c))) removed.push({ path: f.path, fileId: id });
  }
  for (const r of removed) {
    await tx.query(
      'UPDATE submission_files SET removed_at = now() WHERE submission_id = $1 AND field = $2 AND file_id = $3 AND removed_at IS NULL',
      [submission.id, r.path, r.fileId],
    );
  }
  await recordAuditBatch(
    tx,
    ctx,
    removed.map((r) => ({
      action: 'file.remove',
      entityType: 'submission',
      entityId: submission.id,
      gridId: submission.grid_id,
      before: { field: r.path, fileId: r.fileId },
    })),
  );
  return next;
}
