import sql, { join, raw } from 'sql-template-tag';
import { auditInsertFrom, recordAudit } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { isPgError, translatePgError } from '../db/pg-errors.js';
import { ConflictError, UnauthenticatedError } from '../errors/app-error.js';
import { authorizeSubmission, authorizeTemplate, authorizeTemplateHeader } from '../permissions/record-access.js';
import { visibleInGrid, visibleScope, visibleScopeSql } from '../permissions/visible-scope.js';
import { rulesFor, type TemplateCatalog, type VersionInfo } from '../templates/catalog.js';
import { assertAnswer } from '../rules/assert.js';
import { assertIdempotencyKey, judgeNewAnswer, requestHashOf, templateOpenForAnswers } from './intake.js';
import { compileValidator } from '../validation/validate.js';
import { attachPendingFiles, checkPendingFiles, reconcileFileFields } from '../files/file-fields.js';
import type { Enqueue } from './enqueue.js';
import type { Metrics } from '../observability/metrics.js';
import { answerUnderKeys, type AnswerKeys } from './payload-keys.js';
import {
  SUBMISSION_COLUMNS,
  SUBMISSION_COLUMNS_WITHOUT_PAYLOAD,
  toSubmissionView,
  type SubmissionRow,
} from './submissions.repository.js';
import { own } from '../templates/own.js';
import {
  duplicatesOf,
  normalisedAnswers,
  RESERVATION_CONSTRAINT,
  syncReservations,
  uniqueAnswers,
  type UniqueAnswer,
} from './unique-values.js';
import {
  CreateSubmissionInput,
  ListSubmissionsQuery,
  PROCESSING_STATUS,
  UpdateSubmissionInput,
  type SubmissionView,
} from './submissions.schema.js';

const validateCreate = compileValidator(CreateSubmissionInput);
const validateUpdate = compileValidator(UpdateSubmissionInput);
const validateList = compileValidator(ListSubmissionsQuery, { coerce: true });

export interface CreateResult {
  submission: SubmissionView;
  /** The Idempotency-Key was seen before: this is the first request's result, nothing was created. */
  replayed: boolean;
}

/**
 * Submissions through the API: validated with the version's compiled JSON Schema, stored whole as
 * JSONB with processing_status 0 and their audit entry in one transaction, then queued (after the
 * commit) for the worker, which projects them into the typed tables.
 */
export class SubmissionsService {
  constructor(private readonly deps: { pool: Pool; catalog: TemplateCatalog; enqueue: Enqueue; metrics?: Metrics }) {}

  async create(
    ctx: ServiceContext,
    templateId: string,
    raw: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<CreateResult> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const key = options.idempotencyKey;
    assertIdempotencyKey(key);
    const input = validateCreate(raw);
    // Only a request with a key is remembered (and compared when replayed).
    const requestHash = key ? requestHashOf(templateId, input) : null;
    if (key && requestHash) {
      const replay = await this.replay(ctx.actor.id, key, requestHash);
      if (replay) return replay;
    }

    const template = await templateOpenForAnswers(this.deps.pool, ctx, templateId);
    const draft = input.draft === true;
    let row: SubmissionRow | null = null;
    // A publish or a rolled-back holder of a unique value between the checks and the insert: look
    // again (the insert changed nothing). Twice in a row is already unheard of.
    for (let attempt = 1; !row; attempt++) {
      const current = attempt === 1 ? template.current_version : await this.currentVersion(templateId);
      const version = await this.deps.catalog.version(templateId, current);
      // Judged once, here: the stored payload is the answer as judged (defaults, calculated values).
      // Drafts reserve nothing; a submitted answer reserves its unique values in the same statement.
      const { data, unique } = judgeNewAnswer(version, input.data, draft, ctx, { pendingFiles: true });
      // Files uploaded before the answer was saved (the uploader's pending uploads): attached with it.
      const pending = await checkPendingFiles(this.deps.pool, ctx.actor.id, version.definition, data);
      try {
        const insert = (db: Queryable) =>
          this.insert(
            db,
            ctx,
            { templateId, gridId: template.grid_id, reviewMode: template.review_mode },
            version,
            data,
            draft,
            unique,
            key,
            requestHash,
          );
        row = pending.length
          ? await withTransaction(
              this.deps.pool,
              async (tx) => {
                const created = await insert(tx);
                if (created) await attachPendingFiles(tx, ctx, created, pending);
                return created;
              },
              { translateErrors: false },
            )
          : await insert(this.deps.pool);
      } catch (error) {
        // Two requests with one Idempotency-Key at once: the second finds the first's row.
        if (key && requestHash && error instanceof ConflictError) {
          const replay = await this.replay(ctx.actor.id, key, requestHash);
          if (replay) return replay;
        }
        if (!isPgError(error) || error.code !== '23505' || error.constraint !== RESERVATION_CONSTRAINT) throw error;
        const duplicate = await duplicatesOf(this.deps.pool, ctx, templateId, unique);
        if (duplicate) throw duplicate;
      }
      if (!row && attempt >= 3)
        throw new ConflictError('The template changed while this answer was stored: send it again');
    }
    this.deps.metrics?.submissionsCreated.inc({ kind: draft ? 'draft' : 'submitted' });
    if (!draft) await this.deps.enqueue([row.id]);
    return { submission: toSubmissionView(row), replayed: false };
  }

  /**
   * Stores a new submission in ONE statement: the row, its section reviews (a template reviewed
   * section by section: each section starts its own review), its unique values and its audit
   * entry; one round trip, all or nothing. Null when the version is no longer the template's
   * current one (a publish committed meanwhile: its lock on the template row, which the statement
   * takes FOR KEY SHARE, made the statement wait for it). A value another submission holds fails
   * the statement with a unique violation on the reservations (thrown as it is).
   */
  private async insert(
    db: Queryable,
    ctx: ServiceContext,
    template: { templateId: string; gridId: string; reviewMode: string },
    version: VersionInfo,
    data: Record<string, unknown>,
    draft: boolean,
    unique: UniqueAnswer[],
    key: string | undefined,
    requestHash: string | null,
  ): Promise<SubmissionRow | null> {
    const reviewStatus = draft ? 'draft' : 'submitted';
    const audit = auditInsertFrom('created', ctx, {
      action: draft ? 'submission.save_draft' : 'submission.create',
      entityType: 'submission',
      gridId: template.gridId,
      after: { templateId: template.templateId, version: version.version, reviewStatus },
    });
    const { templateId } = template;
    // The payload is not read back: parsing 300 fields of JSONB again costs more than the insert.
    const result = await db
      .query<Omit<SubmissionRow, 'payload'>>(
        sql`WITH current AS (
            SELECT id FROM templates WHERE id = ${templateId} AND current_version = ${version.version} FOR KEY SHARE
          ), created AS (
            INSERT INTO submissions (template_id, template_version, grid_id, submitted_by, payload, review_status,
                                     submitted_at, idempotency_key, idempotency_hash)
            SELECT ${templateId}, ${version.version}, ${template.gridId}, ${ctx.actor!.id},
                   ${JSON.stringify(data)}, ${reviewStatus}, ${draft ? null : new Date()}, ${key ?? null}, ${requestHash}
              FROM current RETURNING ${raw(SUBMISSION_COLUMNS_WITHOUT_PAYLOAD)}
          ), sections AS (
            INSERT INTO submission_section_reviews (submission_id, section_id)
            SELECT created.id, section_id FROM created, unnest(${version.definition.sections.map((s) => s.id)}::text[]) AS section_id
             WHERE ${!draft && template.reviewMode === 'section'}
          ), reserved AS (
            INSERT INTO submission_unique_values (template_id, field_id, value, submission_id)
            SELECT ${templateId}, u.field_id, u.value, created.id FROM created, (${normalisedAnswers(unique)}) u WHERE u.value IS NOT NULL
          ), audited AS (${audit})
          SELECT * FROM created`,
      )
      .catch((error: unknown) => {
        throw isPgError(error) && error.constraint === RESERVATION_CONSTRAINT ? error : translatePgError(error);
      });
    return result.rows[0] ? { ...result.rows[0], payload: data } : null;
  }

  private async currentVersion(templateId: string): Promise<number> {
    const result = await this.deps.pool.query<{ current_version: number | null }>(
      'SELECT current_version FROM templates WHERE id = $1',
      [templateId],
    );
    const current = result.rows[0]?.current_version;
    if (!current) throw new ConflictError('This template is not published: there is no version to submit to');
    return current;
  }

  async get(ctx: ServiceContext, id: string, as: AnswerKeys = 'current'): Promise<SubmissionView> {
    const { row } = await authorizeSubmission(this.deps.pool, ctx, id, 'read');
    return (await this.present([row], as))[0]!;
  }

  /**
   * Views of stored submissions, their answers under the current version's keys (`current`) or as
   * they were sent (`submitted`), see payload-keys.ts.
   */
  private async present(rows: SubmissionRow[], as: AnswerKeys): Promise<SubmissionView[]> {
    if (as === 'submitted' || rows.length === 0) return rows.map(toSubmissionView);
    const templates = [...new Set(rows.map((r) => r.template_id))];
    const found = await this.deps.pool.query<{ id: string; current_version: number | null }>(
      'SELECT id, current_version FROM templates WHERE id = ANY ($1::bigint[])',
      [templates],
    );
    const current = new Map(found.rows.map((r) => [r.id, r.current_version]));
    return Promise.all(
      rows.map(async (row) => {
        const latest = current.get(row.template_id);
        if (!latest || latest === row.template_version) return toSubmissionView(row);
        const [from, to] = await Promise.all([
          this.deps.catalog.version(row.template_id, row.template_version),
          this.deps.catalog.version(row.template_id, latest),
        ]);
        return { ...toSubmissionView(row), data: answerUnderKeys(row.payload, from.definition, to.definition) };
      }),
    );
  }

  /** Newest first, keyset-paginated (the cursor is the last id of the previous page). */
  async list(
    ctx: ServiceContext,
    templateId: string,
    rawQuery: unknown,
  ): Promise<{ items: SubmissionView[]; nextCursor: string | null }> {
    const query = validateList(rawQuery ?? {});
    const { template, role } = await authorizeTemplateHeader(this.deps.pool, ctx, templateId, 'read');
    const visible = visibleInGrid(visibleScope(ctx.actor, role ? { [template.grid_id]: role } : {}), template.grid_id);
    const limit = query.limit ?? 50;
    const where = [
      sql`template_id = ${templateId}`,
      visibleScopeSql(visible, { gridId: 'grid_id', submittedBy: 'submitted_by' }),
    ];
    if (query.processingStatus)
      where.push(sql`processing_status = ANY (${query.processingStatus.split(',').map(Number)}::smallint[])`);
    if (query.reviewStatus) where.push(sql`review_status = ANY (${query.reviewStatus.split(',')}::text[])`);
    if (query.createdAfter) where.push(sql`created_at >= ${query.createdAfter}`);
    if (query.createdBefore) where.push(sql`created_at < ${query.createdBefore}`);
    if (query.cursor) where.push(sql`id < ${query.cursor}`);
    const result = await this.deps.pool.query<SubmissionRow>(
      sql`SELECT ${raw(SUBMISSION_COLUMNS)} FROM submissions WHERE ${join(where, ' AND ')} ORDER BY id DESC LIMIT ${limit + 1}`,
    );
    const rows = result.rows.slice(0, limit);
    return {
      items: await this.present(rows, query.as ?? 'current'),
      nextCursor: result.rows.length > limit ? rows[rows.length - 1]!.id : null,
    };
  }

  /**
   * Edits a draft (it stays a draft) or a rejected submission, which may then be submitted again.
   * For templates reviewed per section, only the rejected sections of a rejected submission change.
   */
  async update(ctx: ServiceContext, id: string, raw: unknown): Promise<SubmissionView> {
    const input = validateUpdate(raw);
    const row = await withTransaction(this.deps.pool, async (tx) => {
      const { row: before } = await authorizeSubmission(tx, ctx, id, 'edit', { forUpdate: true });
      if (before.review_status !== 'draft' && before.review_status !== 'rejected') {
        throw new ConflictError(
          `Only drafts and rejected submissions can be edited (this one is ${before.review_status})`,
        );
      }
      // FOR KEY SHARE: a publish under way finishes first (its unique fields are the ones to check).
      const template = await tx.query<{ current_version: number; review_mode: string }>(
        'SELECT current_version, review_mode FROM templates WHERE id = $1 FOR KEY SHARE',
        [before.template_id],
      );
      const version = await this.deps.catalog.version(before.template_id, template.rows[0]!.current_version);
      const rules = rulesFor(version, ctx);
      const data = assertAnswer(rules, await reconcileFileFields(tx, ctx, before, version.definition, input.data), {
        draft: before.review_status === 'draft',
      });
      if (before.review_status === 'rejected' && template.rows[0]!.review_mode === 'section') {
        await this.assertOnlyRejectedSectionsChange(tx, before, data);
      }
      const result = await tx.query<SubmissionRow>(
        `UPDATE submissions SET payload = $2, template_version = $3, updated_at = now(),
                edited_since_rejection = (review_status = 'rejected')
          WHERE id = $1 RETURNING ${SUBMISSION_COLUMNS}`,
        [id, JSON.stringify(data), version.version],
      );
      // A rejected submission keeps its unique values while rejected; its edit moves them (a value
      // it keeps stays its own, a new one must be free). Drafts reserve nothing.
      if (before.review_status === 'rejected') {
        await syncReservations(
          tx,
          ctx,
          { id, templateId: before.template_id },
          uniqueAnswers(version.definition, data, rules),
        );
      }
      await recordAudit(tx, ctx, {
        action: 'submission.update',
        entityType: 'submission',
        entityId: id,
        gridId: before.grid_id,
        before: { data: before.payload, version: before.template_version },
        after: { data, version: version.version },
      });
      return result.rows[0]!;
    });
    return toSubmissionView(row);
  }

  private async assertOnlyRejectedSectionsChange(
    tx: Queryable,
    before: SubmissionRow,
    data: Record<string, unknown>,
  ): Promise<void> {
    const version = await this.deps.catalog.version(before.template_id, before.template_version);
    const decided = await tx.query<{ section_id: string }>(
      `SELECT section_id FROM submission_section_reviews WHERE submission_id = $1 AND status <> 'rejected'`,
      [before.id],
    );
    for (const { section_id } of decided.rows) {
      const section = version.rules.definition.sections.find((s) => s.id === section_id);
      if (
        section &&
        JSON.stringify(own(before.payload, section.key) ?? null) !== JSON.stringify(own(data, section.key) ?? null)
      ) {
        throw new ConflictError(`Section "${section.label}" was not rejected: only the rejected sections can change`, [
          { path: section.key, message: 'this section was not rejected' },
        ]);
      }
    }
  }

  /** Deletes a draft (its typed rows go with it: they reference the submission ON DELETE CASCADE). */
  async remove(ctx: ServiceContext, id: string): Promise<void> {
    await withTransaction(this.deps.pool, async (tx) => {
      const { row } = await authorizeSubmission(tx, ctx, id, 'delete', { forUpdate: true });
      if (row.review_status !== 'draft') throw new ConflictError('Only drafts can be deleted');
      await tx.query('DELETE FROM submissions WHERE id = $1', [id]);
      await recordAudit(tx, ctx, {
        action: 'submission.delete_draft',
        entityType: 'submission',
        entityId: id,
        gridId: row.grid_id,
        before: { data: row.payload },
      });
    });
  }

  /** Queues failed submissions again (after the data or the template was fixed). */
  async retry(
    ctx: ServiceContext,
    ids: string[],
  ): Promise<{ retried: string[]; refused: { id: string; reason: string }[] }> {
    const retried: string[] = [];
    const refused: { id: string; reason: string }[] = [];
    for (const id of ids) {
      try {
        await withTransaction(this.deps.pool, async (tx) => {
          const { row } = await authorizeSubmission(tx, ctx, id, 'retry', { forUpdate: true });
          if (row.processing_status !== PROCESSING_STATUS.failed)
            throw new ConflictError(`Submission ${id} has not failed`);
          await tx.query(
            `UPDATE submissions SET processing_status = 0, processing_error = NULL, updated_at = now() WHERE id = $1`,
            [id],
          );
          await recordAudit(tx, ctx, {
            action: 'submission.retry_processing',
            entityType: 'submission',
            entityId: id,
            gridId: row.grid_id,
            before: { processingStatus: 2, error: row.processing_error },
            after: { processingStatus: 0 },
          });
        });
        retried.push(id);
      } catch (error) {
        if (!(error instanceof Error) || !('status' in error)) throw error;
        refused.push({ id, reason: error.message });
      }
    }
    await this.deps.enqueue(retried);
    return { retried, refused };
  }

  /**
   * Projects all of a template's submitted submissions again (after a publish changed its tables):
   * marks them pending and queues them. Drafts are left alone.
   */
  async rebuild(ctx: ServiceContext, templateId: string): Promise<{ queued: number }> {
    const ids = await withTransaction(this.deps.pool, async (tx) => {
      const template = await authorizeTemplate(tx, ctx, templateId, 'publish');
      const result = await tx.query<{ id: string }>(
        `UPDATE submissions SET processing_status = 0, processing_error = NULL, updated_at = now()
          WHERE template_id = $1 AND review_status <> 'draft' RETURNING id`,
        [templateId],
      );
      await recordAudit(tx, ctx, {
        action: 'template.rebuild_projection',
        entityType: 'template',
        entityId: templateId,
        gridId: template.grid_id,
        after: { queued: result.rowCount },
      });
      return result.rows.map((r) => r.id);
    });
    await this.deps.enqueue(ids);
    return { queued: ids.length };
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<CreateResult | null> {
    const result = await this.deps.pool.query<SubmissionRow>(
      `SELECT ${SUBMISSION_COLUMNS} FROM submissions WHERE submitted_by = $1 AND idempotency_key = $2`,
      [userId, key],
    );
    const row = result.rows[0];
    if (!row) return null;
    if (row.idempotency_hash !== requestHash) {
      throw new ConflictError('This Idempotency-Key was already used for a different request');
    }
    return { submission: (await this.present([row], 'current'))[0]!, replayed: true };
  }
}
