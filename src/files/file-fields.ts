import type { Queryable } from '../db/pool.js';
import { ValidationError } from '../errors/app-error.js';
import type { Definition } from '../templates/definition.schema.js';
import { recordAuditBatch } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import { holdsFiles } from '../templates/field-types.js';
import { own } from '../templates/own.js';

/**
 * File fields (and signatures) inside a payload hold ids of files uploaded to that submission (POST
 * /submissions/:id/files). A client cannot put other ids there (that would reach someone else's
 * file through its own submission), and an edit that leaves a file field out keeps its files.
 */

function fileFieldsOf(definition: Definition): { sectionKey: string; key: string; path: string }[] {
  return definition.sections.flatMap((s) =>
    s.fields
      .filter((f) => holdsFiles(f.type))
      .map((f) => ({ sectionKey: s.key, key: f.key, path: `${s.key}.${f.key}` })),
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
