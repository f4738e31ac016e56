import type { ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { ConflictError, ForbiddenError, UnauthenticatedError } from '../errors/app-error.js';
import { membershipsOf } from '../grids/grids.repository.js';
import { gridsAllowing } from '../permissions/policy.js';
import type { SubmissionView } from '../submissions/submissions.schema.js';
import type { ReviewService } from './review.service.js';

export interface QueueItem {
  id: string;
  templateId: string;
  templateTitle: string;
  gridId: string;
  gridTitle: string;
  submitterName: string;
  submittedAt: string;
  reviewStatus: string;
  reviewMode: 'submission' | 'section';
  overdue: boolean;
  /** Section review: sections nobody has claimed, and sections in review by the caller. */
  openSections: number;
  mySections: number;
}

/** A part of the queue: how many, how many overdue, the first items. */
export interface QueueList {
  count: number;
  overdue: number;
  items: QueueItem[];
}

export interface ReviewQueue {
  /** What the caller may claim: a submission reviewed as a whole that waits, or a section nobody took. */
  waiting: QueueList;
  /** What the caller has claimed and not decided yet. */
  claimed: QueueList;
}

/**
 * "Waiting": a submission reviewed as a whole in `submitted`; or one reviewed section by section
 * with a section nobody has claimed (a resubmitted one sits in `in_review` with its rejected
 * sections back in `submitted`). The one definition of what waits for review, over `s`, `t`.
 */
const WAITING_SQL = `((t.review_mode = 'submission' AND s.review_status = 'submitted')
  OR (t.review_mode = 'section' AND s.review_status IN ('submitted', 'in_review')
      AND EXISTS (SELECT 1 FROM submission_section_reviews r WHERE r.submission_id = s.id AND r.status = 'submitted')))`;

/** "Claimed by $1": the submission, or one of its sections, in review by the caller. */
const CLAIMED_SQL = `((t.review_mode = 'submission' AND s.review_status = 'in_review' AND s.reviewer_id = $1)
  OR (t.review_mode = 'section' AND s.review_status = 'in_review'
      AND EXISTS (SELECT 1 FROM submission_section_reviews r WHERE r.submission_id = s.id AND r.status = 'in_review' AND r.reviewer_id = $1)))`;

/** Overdue first, then the longest waiting. */
const ORDER_SQL = 's.review_overdue_at IS NULL, coalesce(s.submitted_at, s.created_at), s.id';

/**
 * The review queue of one user: what waits for them (in the grids where the permission module
 * lets them claim, never their own submissions) and what they claimed, overdue first; and
 * "claim next", which takes the first waiting submission into their review.
 */
export class ReviewQueueService {
  constructor(private readonly deps: { pool: Pool; review: ReviewService }) {}

  /** The grids where the caller may claim (null: every grid), from the permission module. */
  async reviewGrids(ctx: ServiceContext): Promise<string[] | null> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const memberships = ctx.actor.role === 'admin' ? {} : await membershipsOf(this.deps.pool, ctx.actor.id);
    const grids = gridsAllowing(ctx.actor, memberships, 'claim', (gridRole) => ({
      type: 'submission',
      gridRole,
      own: false,
    }));
    return grids === 'all' ? null : grids;
  }

  async queue(ctx: ServiceContext, options: { limit?: number } = {}): Promise<ReviewQueue> {
    const grids = await this.reviewGrids(ctx);
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    if (grids !== null && grids.length === 0)
      return { waiting: { count: 0, overdue: 0, items: [] }, claimed: { count: 0, overdue: 0, items: [] } };
    const [waiting, claimed] = await Promise.all([
      this.list(ctx.actor!.id, grids, WAITING_SQL, limit),
      this.list(ctx.actor!.id, grids, CLAIMED_SQL, limit),
    ]);
    return { waiting, claimed };
  }

  /**
   * Claims the first waiting submission (all of it; for section review, every section nobody has
   * claimed). Another reviewer may take it at the same moment: then the next one is tried.
   * Returns null when nothing waits.
   */
  async claimNext(ctx: ServiceContext): Promise<SubmissionView | null> {
    const grids = await this.reviewGrids(ctx);
    if (grids !== null && grids.length === 0) throw new ForbiddenError('You review in no grid');
    const skipped: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const next = await this.deps.pool.query<{ id: string }>(
        `SELECT s.id FROM submissions s JOIN templates t ON t.id = s.template_id
          WHERE ${WAITING_SQL} AND s.submitted_by <> $1 AND ($2::bigint[] IS NULL OR s.grid_id = ANY ($2::bigint[]))
            AND NOT (s.id = ANY ($3::bigint[])) AND NOT t.is_deleted
          ORDER BY ${ORDER_SQL} LIMIT 1`,
        [ctx.actor!.id, grids, skipped],
      );
      const id = next.rows[0]?.id;
      if (!id) return null;
      try {
        return await this.deps.review.claimWhole(ctx, id);
      } catch (error) {
        // Taken by someone else in between: on to the next one.
        if (!(error instanceof ConflictError)) throw error;
        skipped.push(id);
      }
    }
    return null;
  }

  private async list(
    me: string,
    grids: string[] | null,
    where: string,
    limit: number,
  ): Promise<ReviewQueue['waiting']> {
    const result = await this.deps.pool.query<{
      id: string;
      template_id: string;
      template_title: string;
      grid_id: string;
      grid_title: string;
      submitter_name: string;
      at: Date;
      review_status: string;
      review_mode: 'submission' | 'section';
      overdue: boolean;
      open_sections: number;
      my_sections: number;
      total: string;
      overdue_total: string;
    }>(
      `SELECT s.id, s.template_id, t.title AS template_title, s.grid_id, g.title AS grid_title,
              coalesce(nullif(u.name, ''), u.email) AS submitter_name, coalesce(s.submitted_at, s.created_at) AS at,
              s.review_status, t.review_mode, s.review_overdue_at IS NOT NULL AS overdue,
              (SELECT count(*)::int FROM submission_section_reviews r WHERE r.submission_id = s.id AND r.status = 'submitted') AS open_sections,
              (SELECT count(*)::int FROM submission_section_reviews r WHERE r.submission_id = s.id AND r.status = ` +
        `'in_review' AND r.reviewer_id = $1) AS my_sections,
              count(*) OVER () AS total, count(*) FILTER (WHERE s.review_overdue_at IS NOT NULL) OVER () AS overdue_total
         FROM submissions s JOIN templates t ON t.id = s.template_id JOIN grids g ON g.id = s.grid_id JOIN users u ON u.id = s.submitted_by
        WHERE ${where} AND s.submitted_by <> $1 AND ($2::bigint[] IS NULL OR s.grid_id = ANY ($2::bigint[])) AND NOT g.is_deleted AND NOT t.is_deleted
        ORDER BY ${ORDER_SQL} LIMIT $3`,
      [me, grids, limit],
    );
    return {
      count: Number(result.rows[0]?.total ?? 0),
      overdue: Number(result.rows[0]?.overdue_total ?? 0),
      items: result.rows.map((r) => ({
        id: r.id,
        templateId: r.template_id,
        templateTitle: r.template_title,
        gridId: r.grid_id,
        gridTitle: r.grid_title,
        submitterName: r.submitter_name,
        submittedAt: r.at.toISOString(),
        reviewStatus: r.review_status,
        reviewMode: r.review_mode,
        overdue: r.overdue,
        openSections: r.open_sections,
        mySections: r.my_sections,
      })),
    };
  }
}
