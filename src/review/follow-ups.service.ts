import { recordAudit, recordAuditBatch } from '../audit/audit.service.js';
import type { GridRole, ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../errors/app-error.js';
import { gridRoleOf } from '../grids/grids.repository.js';
import { can } from '../permissions/policy.js';
import { authorizeSubmission } from '../permissions/record-access.js';
import type { SubmissionRow } from '../submissions/submissions.repository.js';
import { compileValidator } from '../validation/validate.js';
import { Type } from '@sinclair/typebox';
import { STORABLE_DATE } from '../templates/field-types.js';

export const CommentInput = Type.Object({ body: Type.String({ minLength: 1, maxLength: 10000 }) });
export const FollowUpInput = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 500 }),
  details: Type.String({ maxLength: 10000, default: '' }),
  assigneeId: Type.Optional(Type.Union([Type.String({ pattern: '^[0-9]{1,18}$' }), Type.Null()])),
  dueOn: Type.Optional(Type.Union([Type.String({ format: 'date', pattern: STORABLE_DATE }), Type.Null()])),
});
export const ResolveInput = Type.Object({ resolution: Type.String({ maxLength: 2000, default: '' }) });

const validateComment = compileValidator(CommentInput);
const validateFollowUp = compileValidator(FollowUpInput);
const validateResolve = compileValidator(ResolveInput);

export interface CommentView {
  id: string;
  submissionId: string;
  authorId: string;
  authorName: string;
  body: string;
  createdAt: string;
}

export interface FollowUpView {
  id: string;
  submissionId: string;
  gridId: string;
  title: string;
  details: string;
  assigneeId: string | null;
  assigneeName: string | null;
  dueOn: string | null;
  createdBy: string;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  overdue: boolean;
}

interface FollowUpRow {
  id: string;
  submission_id: string;
  grid_id: string;
  title: string;
  details: string;
  assignee_id: string | null;
  assignee_name: string | null;
  due_on: string | null;
  created_by: string;
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  overdue_at: Date | null;
}

const FOLLOW_UP_SELECT = `SELECT f.*, u.name AS assignee_name FROM follow_ups f LEFT JOIN users u ON u.id = f.assignee_id`;

function toFollowUpView(r: FollowUpRow): FollowUpView {
  return {
    id: r.id,
    submissionId: r.submission_id,
    gridId: r.grid_id,
    title: r.title,
    details: r.details,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    dueOn: r.due_on,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    resolvedBy: r.resolved_by,
    resolution: r.resolution,
    overdue: r.resolved_at === null && r.overdue_at !== null,
  };
}

/**
 * Comments and follow-up tasks on submissions. Whoever may read a submission may comment on it;
 * reviewers, builders and managers of its grid create follow-ups, assigned to a member of the grid;
 * the assignee, the author or a manager resolves one. Every change is an audit entry.
 */
export class FollowUpsService {
  constructor(private readonly deps: { pool: Pool; reviewSlaHours: number }) {}

  private submission(
    db: Queryable,
    ctx: ServiceContext,
    id: string,
    action: 'read' | 'comment',
  ): Promise<{ row: SubmissionRow; role: GridRole | null }> {
    return authorizeSubmission(db, ctx, id, action);
  }

  async comments(ctx: ServiceContext, submissionId: string): Promise<CommentView[]> {
    await this.submission(this.deps.pool, ctx, submissionId, 'read');
    const result = await this.deps.pool.query<{
      id: string;
      submission_id: string;
      author_id: string;
      author_name: string;
      body: string;
      created_at: Date;
    }>(
      `SELECT c.id, c.submission_id, c.author_id, coalesce(nullif(u.name, ''), u.email) AS author_name, c.body, c.created_at
         FROM submission_comments c JOIN users u ON u.id = c.author_id WHERE c.submission_id = $1 ORDER BY c.id`,
      [submissionId],
    );
    return result.rows.map((r) => ({
      id: r.id,
      submissionId: r.submission_id,
      authorId: r.author_id,
      authorName: r.author_name,
      body: r.body,
      createdAt: r.created_at.toISOString(),
    }));
  }

  async addComment(ctx: ServiceContext, submissionId: string, raw: unknown): Promise<CommentView> {
    const input = validateComment(raw);
    const body = input.body.trim();
    if (!body) throw ValidationError.field('body', 'must not be blank');
    return withTransaction(this.deps.pool, async (tx) => {
      const { row } = await this.submission(tx, ctx, submissionId, 'comment');
      const result = await tx.query<{ id: string; created_at: Date }>(
        'INSERT INTO submission_comments (submission_id, author_id, body) VALUES ($1, $2, $3) RETURNING id, created_at',
        [submissionId, ctx.actor!.id, body],
      );
      const comment = result.rows[0]!;
      await recordAudit(tx, ctx, {
        action: 'submission.comment',
        entityType: 'submission',
        entityId: submissionId,
        gridId: row.grid_id,
        after: { commentId: comment.id, body },
      });
      return {
        id: comment.id,
        submissionId,
        authorId: ctx.actor!.id,
        authorName: ctx.actor!.email,
        body,
        createdAt: comment.created_at.toISOString(),
      };
    });
  }

  async followUps(ctx: ServiceContext, submissionId: string): Promise<FollowUpView[]> {
    await this.submission(this.deps.pool, ctx, submissionId, 'read');
    const result = await this.deps.pool.query<FollowUpRow>(
      `${FOLLOW_UP_SELECT} WHERE f.submission_id = $1 ORDER BY f.id`,
      [submissionId],
    );
    return result.rows.map(toFollowUpView);
  }

  /** Open follow-ups assigned to the caller, overdue first. */
  async mine(ctx: ServiceContext): Promise<FollowUpView[]> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const result = await this.deps.pool.query<FollowUpRow>(
      `${FOLLOW_UP_SELECT} WHERE f.assignee_id = $1 AND f.resolved_at IS NULL ORDER BY f.overdue_at IS NULL, f.due_on NULLS LAST, f.id LIMIT 200`,
      [ctx.actor.id],
    );
    return result.rows.map(toFollowUpView);
  }

  async create(ctx: ServiceContext, submissionId: string, raw: unknown): Promise<FollowUpView> {
    const input = validateFollowUp(raw);
    return withTransaction(this.deps.pool, async (tx) => {
      const { row, role } = await this.submission(tx, ctx, submissionId, 'read');
      if (!can(ctx.actor, 'create', { type: 'follow_up', gridRole: role, assignee: false, creator: true })) {
        throw new ForbiddenError('Only reviewers, builders and managers of this grid create follow-ups');
      }
      if (input.assigneeId) {
        const member = await tx.query('SELECT 1 FROM grid_members WHERE grid_id = $1 AND user_id = $2', [
          row.grid_id,
          input.assigneeId,
        ]);
        if (!member.rowCount) throw ValidationError.field('assigneeId', 'must be a member of the grid');
      }
      const result = await tx.query<{ id: string }>(
        `INSERT INTO follow_ups (submission_id, grid_id, title, details, assignee_id, due_on, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          submissionId,
          row.grid_id,
          input.title.trim(),
          input.details,
          input.assigneeId ?? null,
          input.dueOn ?? null,
          ctx.actor!.id,
        ],
      );
      const id = result.rows[0]!.id;
      await recordAudit(tx, ctx, {
        action: 'follow_up.create',
        entityType: 'submission',
        entityId: submissionId,
        gridId: row.grid_id,
        after: { followUpId: id, title: input.title, assigneeId: input.assigneeId ?? null, dueOn: input.dueOn ?? null },
      });
      return toFollowUpView((await tx.query<FollowUpRow>(`${FOLLOW_UP_SELECT} WHERE f.id = $1`, [id])).rows[0]!);
    });
  }

  async resolve(ctx: ServiceContext, followUpId: string, raw: unknown = {}): Promise<FollowUpView> {
    const input = validateResolve(raw ?? {});
    if (!ctx.actor) throw new UnauthenticatedError();
    return withTransaction(this.deps.pool, async (tx) => {
      if (!/^\d{1,18}$/.test(followUpId)) throw new NotFoundError('Follow-up', followUpId);
      const found = await tx.query<FollowUpRow>(`${FOLLOW_UP_SELECT} WHERE f.id = $1 FOR UPDATE OF f`, [followUpId]);
      const followUp = found.rows[0];
      if (!followUp) throw new NotFoundError('Follow-up', followUpId);
      const role = ctx.actor!.role === 'admin' ? null : await gridRoleOf(tx, followUp.grid_id, ctx.actor!.id);
      const subject = {
        type: 'follow_up' as const,
        gridRole: role,
        assignee: followUp.assignee_id === ctx.actor!.id,
        creator: followUp.created_by === ctx.actor!.id,
      };
      if (!can(ctx.actor, 'read', subject)) throw new NotFoundError('Follow-up', followUpId);
      if (!can(ctx.actor, 'resolve', subject))
        throw new ForbiddenError('Only its assignee, its author or a manager resolves a follow-up');
      if (followUp.resolved_at) throw new ConflictError('This follow-up is already resolved');
      await tx.query(
        `UPDATE follow_ups SET resolved_at = now(), resolved_by = $2, resolution = $3, overdue_at = NULL WHERE id = $1`,
        [followUpId, ctx.actor!.id, input.resolution || null],
      );
      await recordAudit(tx, ctx, {
        action: 'follow_up.resolve',
        entityType: 'submission',
        entityId: followUp.submission_id,
        gridId: followUp.grid_id,
        after: { followUpId, resolution: input.resolution || null },
      });
      return toFollowUpView(
        (await tx.query<FollowUpRow>(`${FOLLOW_UP_SELECT} WHERE f.id = $1`, [followUpId])).rows[0]!,
      );
    });
  }

  /**
   * The periodic job: flags follow-ups past their due date and submissions waiting in review longer
   * than the configured time (both shown on dashboards and lists), with an audit entry each.
   */
  async markOverdue(): Promise<{ followUps: number; submissions: number }> {
    return withTransaction(this.deps.pool, async (tx) => {
      const followUps = await tx.query<{ id: string; submission_id: string; grid_id: string; due_on: string }>(
        `UPDATE follow_ups SET overdue_at = now()
          WHERE resolved_at IS NULL AND overdue_at IS NULL AND due_on < current_date
          RETURNING id, submission_id, grid_id, due_on`,
      );
      const submissions = await tx.query<{ id: string; grid_id: string; review_status: string }>(
        `UPDATE submissions SET review_overdue_at = now()
          WHERE review_status IN ('submitted', 'in_review') AND review_overdue_at IS NULL
            AND coalesce(submitted_at, created_at) < now() - make_interval(hours => $1)
          RETURNING id, grid_id, review_status`,
        [this.deps.reviewSlaHours],
      );
      const system: ServiceContext = { actor: null, requestId: null, ip: null };
      await recordAuditBatch(tx, system, [
        ...followUps.rows.map((f) => ({
          action: 'follow_up.overdue',
          entityType: 'submission',
          entityId: f.submission_id,
          gridId: f.grid_id,
          after: { followUpId: f.id, dueOn: f.due_on },
        })),
        ...submissions.rows.map((s) => ({
          action: 'submission.review_overdue',
          entityType: 'submission',
          entityId: s.id,
          gridId: s.grid_id,
          after: { reviewStatus: s.review_status, slaHours: this.deps.reviewSlaHours },
        })),
      ]);
      return { followUps: followUps.rowCount ?? 0, submissions: submissions.rowCount ?? 0 };
    });
  }
}
