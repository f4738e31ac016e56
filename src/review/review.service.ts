import { auditHistory, recordAudit, type AuditEntry } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, PoolClient, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/app-error.js';
import type { Action } from '../permissions/policy.js';
import { authorizeSubmission } from '../permissions/record-access.js';
import type { Enqueue } from '../submissions/enqueue.js';
import {
  findSubmission,
  SUBMISSION_COLUMNS,
  toSubmissionView,
  type SubmissionRow,
} from '../submissions/submissions.repository.js';
import type { ReviewStatus, SubmissionView } from '../submissions/submissions.schema.js';
import { syncReservations, uniqueAnswers } from '../submissions/unique-values.js';
import { rulesFor, type TemplateCatalog } from '../templates/catalog.js';
import { assertAnswer } from '../rules/assert.js';
import { recordWebhookEvents, submissionEvent } from '../webhooks/outbox.js';
import {
  deriveSubmissionStatus,
  SECTION_TRANSITIONS,
  TRANSITIONS,
  type ReviewCommand,
  type SectionStatus,
} from './state-machine.js';

export interface SectionReview {
  sectionId: string;
  status: SectionStatus;
  reviewerId: string | null;
  reason: string | null;
  updatedAt: string;
}

export interface TransitionInput {
  reason?: string;
  /** For templates reviewed per section: the section the command applies to. */
  sectionId?: string;
}

const MAX_REASON = 2000;

/**
 * The review workflow: draft -> submitted -> in_review -> approved | rejected, rejected ->
 * submitted after an edit, and an admin's reopen of an approved submission. Templates may review
 * per section: each section then has its own status and reviewer, and the submission's status
 * follows from them.
 *
 * Every transition is one conditional UPDATE (`WHERE review_status = <expected>`): of two
 * reviewers acting at once exactly one matches the row; the other gets a 409 with the state it
 * lost to. Each transition writes its audit entry in the same transaction.
 */
export class ReviewService {
  constructor(private readonly deps: { pool: Pool; catalog: TemplateCatalog; enqueue: Enqueue }) {}

  async submit(ctx: ServiceContext, id: string): Promise<SubmissionView> {
    const row = await this.transition(ctx, id, 'submit', {});
    // The answer may have changed since it was last processed: project it again.
    await this.deps.enqueue([row.id]);
    return toSubmissionView(row);
  }

  async claim(ctx: ServiceContext, id: string, input: TransitionInput = {}): Promise<SubmissionView> {
    return toSubmissionView(await this.transition(ctx, id, 'claim', input));
  }

  async approve(ctx: ServiceContext, id: string, input: TransitionInput = {}): Promise<SubmissionView> {
    return toSubmissionView(await this.transition(ctx, id, 'approve', input));
  }

  async reject(ctx: ServiceContext, id: string, input: TransitionInput): Promise<SubmissionView> {
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason) throw ValidationError.field('reason', 'a rejection needs a reason');
    if (reason.length > MAX_REASON) throw ValidationError.field('reason', `must be at most ${MAX_REASON} characters`);
    return toSubmissionView(await this.transition(ctx, id, 'reject', { ...input, reason }));
  }

  async reopen(ctx: ServiceContext, id: string, input: TransitionInput = {}): Promise<SubmissionView> {
    const reason = typeof input.reason === 'string' ? input.reason.trim().slice(0, MAX_REASON) : '';
    if (!reason) throw ValidationError.field('reason', 'reopening needs a reason');
    return toSubmissionView(await this.transition(ctx, id, 'reopen', { ...input, reason }));
  }

  /** The submission's audit entries, newest first (its transitions, edits, comments, follow-ups, processing). */
  async history(ctx: ServiceContext, id: string): Promise<AuditEntry[]> {
    await this.load(this.deps.pool, ctx, id, 'read_audit');
    return auditHistory(this.deps.pool, 'submission', id, 500);
  }

  async sections(ctx: ServiceContext, id: string): Promise<SectionReview[]> {
    await this.load(this.deps.pool, ctx, id, 'read');
    return this.sectionRows(this.deps.pool, id);
  }

  private async sectionRows(db: Queryable, id: string): Promise<SectionReview[]> {
    const result = await db.query<{
      section_id: string;
      status: SectionStatus;
      reviewer_id: string | null;
      reason: string | null;
      updated_at: Date;
    }>(
      'SELECT section_id, status, reviewer_id, reason, updated_at FROM submission_section_reviews WHERE submission_id = $1',
      [id],
    );
    return result.rows.map((r) => ({
      sectionId: r.section_id,
      status: r.status,
      reviewerId: r.reviewer_id,
      reason: r.reason,
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  /** Loads a submission and checks the command's permission (not its state). */
  private async load(
    db: Queryable,
    ctx: ServiceContext,
    id: string,
    action: Action,
    sectionReviewer?: string | null,
  ): Promise<{ row: SubmissionRow; reviewMode: string }> {
    const actorId = ctx.actor?.id;
    const reviewerOf = (r: SubmissionRow) => (sectionReviewer === undefined ? r.reviewer_id : sectionReviewer);
    const { row } = await authorizeSubmission(db, ctx, id, action, {
      reviewerId: reviewerOf,
      forbiddenMessage: (r) => {
        const reviewer = reviewerOf(r);
        if (r.submitted_by === actorId && (action === 'claim' || action === 'approve' || action === 'reject'))
          return 'Nobody reviews their own submission';
        if ((action === 'approve' || action === 'reject') && reviewer && reviewer !== actorId) {
          return 'Only the reviewer who claimed it (or a manager of the grid) decides on it';
        }
        return undefined;
      },
    });
    const mode = await db.query<{ review_mode: string }>('SELECT review_mode FROM templates WHERE id = $1', [
      row.template_id,
    ]);
    return { row, reviewMode: mode.rows[0]!.review_mode };
  }

  /** A submission and its form's review mode, read before any lock (not found when there is none). */
  private async reviewModeOf(id: string): Promise<{ peek: SubmissionRow; mode: string | undefined }> {
    const peek = await findSubmission(this.deps.pool, id);
    if (!peek) throw new NotFoundError('Submission', id);
    const { rows } = await this.deps.pool.query<{ review_mode: string }>(
      'SELECT review_mode FROM templates WHERE id = $1',
      [peek.template_id],
    );
    return { peek, mode: rows[0]?.review_mode };
  }

  private async transition(
    ctx: ServiceContext,
    id: string,
    command: ReviewCommand,
    input: TransitionInput,
  ): Promise<SubmissionRow> {
    const action: Action = command;
    const { peek, mode } = await this.reviewModeOf(id);
    if (mode === 'section' && (command === 'claim' || command === 'approve' || command === 'reject')) {
      if (!input.sectionId)
        throw ValidationError.field(
          'sectionId',
          'this template is reviewed section by section: name the section (the Review page lists them)',
        );
      return this.sectionTransition(ctx, peek, command, input.sectionId, input.reason);
    }
    if (input.sectionId && mode !== 'section')
      throw ValidationError.field('sectionId', 'this template is reviewed as a whole');

    return withTransaction(this.deps.pool, async (tx) => {
      const { row } = await this.load(tx, ctx, id, action);
      const rule = TRANSITIONS[command];
      if (!rule.from.includes(row.review_status)) throw this.conflict(row, command);
      if (command === 'submit' && row.review_status === 'rejected' && !row.edited_since_rejection) {
        throw new ConflictError(
          'Edit the submission before sending it back: it was rejected and has not changed since',
        );
      }
      let judged: unknown = null;
      if (command === 'submit') {
        // Drafts may be saved incomplete; what goes to review must pass every rule of its version.
        // What is stored is the answer as judged: an upload since the draft was saved (a
        // signature, a file) may change what a calculation reads.
        const version = await this.deps.catalog.version(row.template_id, row.template_version);
        judged = assertAnswer(rulesFor(version, ctx), row.payload);
      }
      const reviewer =
        command === 'claim' ? ctx.actor!.id : command === 'submit' || command === 'reopen' ? null : row.reviewer_id;
      const updated = await tx.query<SubmissionRow>(
        `UPDATE submissions SET review_status = $3, reviewer_id = $4, review_reason = $5,
                reviewed_at = CASE WHEN $3 IN ('approved', 'rejected') THEN now() ELSE reviewed_at END,
                submitted_at = CASE WHEN $3 = 'submitted' THEN now() ELSE submitted_at END,
                processing_status = CASE WHEN $6 THEN 0 ELSE processing_status END,
                processing_error = CASE WHEN $6 THEN NULL ELSE processing_error END,
                edited_since_rejection = CASE WHEN $3 = 'rejected' THEN false ELSE edited_since_rejection END,
                review_overdue_at = NULL, updated_at = now(), payload = COALESCE($8::jsonb, payload)
          WHERE id = $1 AND review_status = $2 AND reviewer_id IS NOT DISTINCT FROM $7
          RETURNING ${SUBMISSION_COLUMNS}`,
        [
          id,
          row.review_status,
          rule.to,
          reviewer,
          input.reason ?? null,
          command === 'submit',
          row.reviewer_id,
          judged === null ? null : JSON.stringify(judged),
        ],
      );
      let after = updated.rows[0];
      if (!after) throw this.conflict((await findSubmission(tx, id))!, command);
      if (command === 'submit') await this.reserveUniqueValues(tx, ctx, after);
      if (mode === 'section' && command === 'submit') after = await this.resetSections(tx, after, row.review_status);
      if (mode === 'section' && command === 'reopen') {
        await tx.query(
          `UPDATE submission_section_reviews SET status = 'submitted', reviewer_id = NULL, reason = NULL, updated_at = now() WHERE submission_id = $1`,
          [id],
        );
      }
      await announceDecision(tx, row.review_status, after, ctx);
      await recordAudit(tx, ctx, {
        action: `submission.${command}`,
        entityType: 'submission',
        entityId: id,
        gridId: row.grid_id,
        before: { reviewStatus: row.review_status, reviewerId: row.reviewer_id },
        after: {
          reviewStatus: after.review_status,
          reviewerId: after.reviewer_id,
          ...(input.reason ? { reason: input.reason } : {}),
        },
      });
      return after;
    });
  }

  /**
   * A draft going to review reserves its unique values (a rejected one coming back already moved
   * them when it was edited: this confirms them). The unique fields are the current version's;
   * FOR KEY SHARE waits for a publish under way. A value held by another submission: 409, and the
   * transition is rolled back.
   */
  private async reserveUniqueValues(tx: PoolClient, ctx: ServiceContext, row: SubmissionRow): Promise<void> {
    const current = await tx.query<{ current_version: number }>(
      'SELECT current_version FROM templates WHERE id = $1 FOR KEY SHARE',
      [row.template_id],
    );
    const [latest, own] = await Promise.all([
      this.deps.catalog.version(row.template_id, current.rows[0]!.current_version),
      this.deps.catalog.version(row.template_id, row.template_version),
    ]);
    await syncReservations(
      tx,
      ctx,
      { id: row.id, templateId: row.template_id },
      uniqueAnswers(latest.definition, row.payload, own.rules),
    );
  }

  /** Section rows at (re)submission: all sections on first submission; the rejected ones on a resubmission. */
  private async resetSections(tx: PoolClient, row: SubmissionRow, from: ReviewStatus): Promise<SubmissionRow> {
    if (from === 'rejected') {
      await tx.query(
        `UPDATE submission_section_reviews SET status = 'submitted', reviewer_id = NULL, reason = NULL, updated_at = now()
          WHERE submission_id = $1 AND status = 'rejected'`,
        [row.id],
      );
    } else {
      const version = await this.deps.catalog.version(row.template_id, row.template_version);
      await tx.query(
        `INSERT INTO submission_section_reviews (submission_id, section_id)
         SELECT $1, unnest($2::text[]) ON CONFLICT (submission_id, section_id) DO UPDATE SET status = 'submitted', reviewer_id = NULL, reason = NULL, updated_at = now()`,
        [row.id, version.definition.sections.map((s) => s.id)],
      );
    }
    return this.syncStatus(tx, row, row.review_status);
  }

  private async sectionTransition(
    ctx: ServiceContext,
    peek: SubmissionRow,
    command: 'claim' | 'approve' | 'reject',
    sectionId: string,
    reason?: string,
  ): Promise<SubmissionRow> {
    return withTransaction(this.deps.pool, (tx) => this.sectionStep(tx, ctx, peek, command, sectionId, reason));
  }

  /** One command on one section, inside the caller's transaction: permission, state, status, audit. */
  private async sectionStep(
    tx: PoolClient,
    ctx: ServiceContext,
    peek: SubmissionRow,
    command: 'claim' | 'approve' | 'reject',
    sectionId: string,
    reason?: string,
  ): Promise<SubmissionRow> {
    const section = await tx.query<{ status: SectionStatus; reviewer_id: string | null }>(
      'SELECT status, reviewer_id FROM submission_section_reviews WHERE submission_id = $1 AND section_id = $2',
      [peek.id, sectionId],
    );
    const current = section.rows[0];
    if (!current) throw new NotFoundError(`Section ${sectionId} of submission`, peek.id);
    const { row } = await this.load(tx, ctx, peek.id, command, current.reviewer_id);
    const rule = SECTION_TRANSITIONS[command];
    const reviewer = command === 'claim' ? ctx.actor!.id : current.reviewer_id;
    const updated = await tx.query(
      `UPDATE submission_section_reviews SET status = $4, reviewer_id = $5, reason = $6, updated_at = now()
        WHERE submission_id = $1 AND section_id = $2 AND status = $3 AND reviewer_id IS NOT DISTINCT FROM $7`,
      [peek.id, sectionId, rule.from, rule.to, reviewer, reason ?? null, current.reviewer_id],
    );
    if (updated.rowCount !== 1 || current.status !== rule.from) {
      throw new ConflictError(
        `Section ${sectionId} is ${current.status}${current.reviewer_id ? ` (reviewer ${current.reviewer_id})` : ''}: it cannot be ${command === 'claim' ? 'claimed' : `${command}d`} now`,
        [{ path: 'sectionStatus', message: current.status }],
      );
    }
    const after = await this.syncStatus(tx, row, row.review_status);
    await announceDecision(tx, row.review_status, after, ctx);
    await recordAudit(tx, ctx, {
      action: `submission.section_${command}`,
      entityType: 'submission',
      entityId: peek.id,
      gridId: row.grid_id,
      before: { section: sectionId, status: current.status, reviewStatus: row.review_status },
      after: { section: sectionId, status: rule.to, reviewStatus: after.review_status, ...(reason ? { reason } : {}) },
    });
    return after;
  }

  /**
   * A command on the whole submission, whatever its template's review mode: the command itself
   * for a template reviewed as a whole; for one reviewed section by section, the same command on
   * every section it applies to, in one transaction (all of them or none). Claim takes every
   * section nobody has claimed; approve and reject decide every section still open, which must
   * all be in review by the actor (or, for a grid manager, by anyone). This is what "Claim next",
   * the bulk Approve/Reject of a list and the review page's shortcuts mean.
   */
  async claimWhole(ctx: ServiceContext, id: string): Promise<SubmissionView> {
    return this.whole(ctx, id, 'claim', {});
  }

  async approveWhole(ctx: ServiceContext, id: string): Promise<SubmissionView> {
    return this.whole(ctx, id, 'approve', {});
  }

  async rejectWhole(ctx: ServiceContext, id: string, input: { reason?: string }): Promise<SubmissionView> {
    const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
    if (!reason) throw ValidationError.field('reason', 'a rejection needs a reason');
    if (reason.length > MAX_REASON) throw ValidationError.field('reason', `must be at most ${MAX_REASON} characters`);
    return this.whole(ctx, id, 'reject', { reason });
  }

  private async whole(
    ctx: ServiceContext,
    id: string,
    command: 'claim' | 'approve' | 'reject',
    input: { reason?: string },
  ): Promise<SubmissionView> {
    const { mode } = await this.reviewModeOf(id);
    if (mode !== 'section') return toSubmissionView(await this.transition(ctx, id, command, input));
    return withTransaction(this.deps.pool, async (tx) => {
      const { row } = await this.load(tx, ctx, id, 'read');
      // FOR UPDATE: two reviewers taking or deciding the same submission's sections queue here.
      const sections = await tx.query<{ section_id: string; status: SectionStatus; reviewer_id: string | null }>(
        `SELECT section_id, status, reviewer_id FROM submission_section_reviews WHERE submission_id = $1 ORDER BY section_id FOR UPDATE`,
        [id],
      );
      const version = await this.deps.catalog.version(row.template_id, row.template_version);
      const order = new Map(version.definition.sections.map((s, i) => [s.id, i]));
      // Section labels in the language the caller reads.
      const sectionsIn = rulesFor(version, ctx).definition.sections;
      const label = (sectionId: string) => sectionsIn.find((s) => s.id === sectionId)?.label ?? sectionId;
      const open = sections.rows
        .filter((s) =>
          command === 'claim' ? s.status === 'submitted' : s.status === 'submitted' || s.status === 'in_review',
        )
        .sort((a, b) => (order.get(a.section_id) ?? 0) - (order.get(b.section_id) ?? 0));
      if (open.length === 0) throw this.conflict(row, command);
      if (command !== 'claim') {
        const unclaimed = open.filter((s) => s.status === 'submitted');
        if (unclaimed.length) {
          throw new ConflictError(
            `Claim every section before deciding on the whole submission: ${unclaimed.map((s) => `"${label(s.section_id)}"`).join(', ')} ${unclaimed.length === 1 ? 'is' : 'are'} not claimed`,
            [{ path: 'sections', message: unclaimed.map((s) => s.section_id).join(',') }],
          );
        }
      }
      let after = row;
      for (const s of open) after = await this.sectionStep(tx, ctx, row, command, s.section_id, input.reason);
      return toSubmissionView(after);
    });
  }

  /**
   * Recomputes a section-reviewed submission's status from its sections. Its reason joins the
   * rejected sections' reasons, each after its section's label (what the submitter reads), never
   * after the section's internal id.
   */
  private async syncStatus(
    tx: PoolClient,
    row: Pick<SubmissionRow, 'id' | 'template_id' | 'template_version'>,
    before: ReviewStatus,
  ): Promise<SubmissionRow> {
    const id = row.id;
    const sections = await this.sectionRows(tx, id);
    const status = deriveSubmissionStatus(sections.map((s) => s.status));
    const rejected = sections.filter((s) => s.status === 'rejected' && s.reason);
    // The stored reason reads the section labels in the form's default language (the rules hold the definition localized).
    const labels = rejected.length
      ? new Map(
          (await this.deps.catalog.version(row.template_id, row.template_version)).rules.definition.sections.map(
            (s) => [s.id, s.label],
          ),
        )
      : null;
    const reasons = rejected.map((s) => `${labels?.get(s.sectionId) ?? s.sectionId}: ${s.reason}`);
    const result = await tx.query<SubmissionRow>(
      `UPDATE submissions SET review_status = $2, review_reason = $3,
              reviewed_at = CASE WHEN $2 IN ('approved', 'rejected') THEN now() ELSE reviewed_at END,
              edited_since_rejection = CASE WHEN $2 = 'rejected' AND $4 <> 'rejected' THEN false ELSE edited_since_rejection END,
              review_overdue_at = NULL, updated_at = now()
        WHERE id = $1 RETURNING ${SUBMISSION_COLUMNS}`,
      [id, status, reasons.length ? reasons.join('; ') : null, before],
    );
    return result.rows[0]!;
  }

  private conflict(row: SubmissionRow, command: ReviewCommand): ConflictError {
    const by = row.reviewer_id ? ` (reviewer ${row.reviewer_id})` : '';
    return new ConflictError(
      `This submission is ${row.review_status}${by}: it cannot be ${TRANSITIONS[command].verb} now`,
      [
        { path: 'reviewStatus', message: row.review_status },
        ...(row.reviewer_id ? [{ path: 'reviewerId', message: row.reviewer_id }] : []),
      ],
    );
  }
}

/** A webhook event when a submission became approved or rejected (in the transition's transaction). */
async function announceDecision(
  tx: PoolClient,
  before: ReviewStatus,
  after: SubmissionRow,
  ctx: ServiceContext,
): Promise<void> {
  if (before === after.review_status || (after.review_status !== 'approved' && after.review_status !== 'rejected'))
    return;
  const event = after.review_status === 'approved' ? 'submission.approved' : 'submission.rejected';
  await recordWebhookEvents(tx, event, [
    submissionEvent(
      { id: after.id, gridId: after.grid_id, templateId: after.template_id, templateVersion: after.template_version },
      {
        reviewStatus: after.review_status,
        reviewerId: after.reviewer_id ?? ctx.actor?.id ?? null,
        reason: after.review_reason,
      },
    ),
  ]);
}
