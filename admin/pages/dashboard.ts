import type { PageHandler } from 'adminjs';
import type { GridRole } from '../../src/context.js';
import { gridsAllowing, type Action, type Subject } from '../../src/permissions/policy.js';
import type { ReviewQueue } from '../../src/review/queue.service.js';
import { actorOf, asAdminUser, serviceContextOf, type AdminUser } from '../admin-user.js';
import type { AdminDeps } from '../resources/types.js';

export type Home = 'submitter' | 'reviewer' | 'builder' | 'admin';

export interface DashboardData {
  me: string | null;
  /** The parts of the dashboard this user's roles call for, in the order shown. */
  homes: Home[];
  /** A submitter's work: drafts, rejections, follow-ups assigned to them, the forms they may fill. */
  mine: {
    drafts: number;
    rejected: number;
    followUps: {
      count: number;
      overdue: number;
      items: { id: string; submissionId: string; title: string; dueOn: string | null; overdue: boolean }[];
    };
    forms: { id: string; title: string; gridTitle: string }[];
  } | null;
  /** A reviewer's queue (the queue service's answer, first items). */
  review: ReviewQueue | null;
  /** A builder's templates: drafts not yet published, and failed submissions. */
  building: {
    draftTemplates: number;
    items: { id: string; title: string; gridTitle: string }[];
    failed: number;
  } | null;
  /** The whole picture, for admins. */
  overview: {
    counts: { users: number; grids: number; deletedGrids: number; auditEntries: number; auditPending: number };
    submissions: {
      byProcessing: Record<'pending' | 'processed' | 'failed', number>;
      byReview: Record<string, number>;
      perDay: { day: string; count: number }[];
    };
    queue: { waiting: number; active: number; delayed: number; failed: number } | null;
  } | null;
  myGrids: { id: string; slug: string; title: string; role: string }[];
  recentActions: { id: string; createdAt: string; action: string; entityType: string; entityId: string | null }[];
}

/** The grids where the permission module allows an action (null: every grid). */
function grids(user: AdminUser, action: Action, subjectFor: (gridRole: GridRole | null) => Subject): string[] | null {
  const allowed = gridsAllowing(actorOf(user), user.memberships, action, subjectFor);
  return allowed === 'all' ? null : allowed;
}
const any = (g: string[] | null) => g === null || g.length > 0;

/**
 * The dashboard as a home for each role, each part decided by the permission module:
 * - who may fill forms (submitters): their drafts, their rejections, follow-ups assigned to them,
 *   and a "New submission" entry per form they may fill;
 * - who may claim (reviewers): their review queue;
 * - who may edit templates (builders): draft templates and failed submissions;
 * - admins: the whole picture (counts, statuses, submissions per day, the processing queue).
 * Everyone: their grids and recent actions (like the Django admin's).
 */
export function dashboardHandler(deps: AdminDeps): PageHandler {
  return async (_request, _response, context): Promise<DashboardData> => {
    const user = asAdminUser(context.currentAdmin);
    const empty: DashboardData = {
      me: null,
      homes: [],
      mine: null,
      review: null,
      building: null,
      overview: null,
      myGrids: [],
      recentActions: [],
    };
    if (!user) return empty;
    const admin = user.role === 'admin';
    const fillGrids = admin ? [] : grids(user, 'create', (gridRole) => ({ type: 'submission', gridRole, own: true }));
    const claimGrids = grids(user, 'claim', (gridRole) => ({ type: 'submission', gridRole, own: false }));
    const buildGrids = grids(user, 'edit', (gridRole) => ({ type: 'template', gridRole }));
    const retryGrids = grids(user, 'retry', (gridRole) => ({ type: 'submission', gridRole, own: false }));
    const homes: Home[] = [];
    if (any(fillGrids)) homes.push('submitter');
    if (any(claimGrids)) homes.push('reviewer');
    if (any(buildGrids)) homes.push('builder');
    if (admin) homes.push('admin');

    const [mine, review, building, overview, myGrids, recent] = await Promise.all([
      homes.includes('submitter') ? submitterHome(deps, user, fillGrids) : null,
      homes.includes('reviewer')
        ? deps.services.reviewQueue.queue(serviceContextOf(context.currentAdmin), { limit: 5 })
        : null,
      homes.includes('builder') ? builderHome(deps, buildGrids, retryGrids) : null,
      admin ? adminOverview(deps) : null,
      deps.pool.query<{ id: string; slug: string; title: string; role: string }>(
        `SELECT g.id, g.slug, g.title, m.role FROM grid_members m JOIN grids g ON g.id = m.grid_id
          WHERE m.user_id = $1 AND NOT g.is_deleted ORDER BY g.title LIMIT 20`,
        [user.id],
      ),
      deps.pool.query<{ id: string; created_at: Date; action: string; entity_type: string; entity_id: string | null }>(
        `SELECT id, created_at, action, entity_type, entity_id FROM audit_log WHERE actor_id = $1 ORDER BY id DESC LIMIT 10`,
        [user.id],
      ),
    ]);
    return {
      me: user.id,
      homes,
      mine,
      review,
      building,
      overview,
      myGrids: myGrids.rows,
      recentActions: recent.rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at.toISOString(),
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
      })),
    };
  };
}

async function submitterHome(
  deps: AdminDeps,
  user: AdminUser,
  fillGrids: string[] | null,
): Promise<DashboardData['mine']> {
  const [own, followUps, forms] = await Promise.all([
    deps.pool.query<{ drafts: string; rejected: string }>(
      `SELECT count(*) FILTER (WHERE review_status = 'draft') AS drafts, count(*) FILTER (WHERE review_status = 'rejected') AS rejected
         FROM submissions WHERE submitted_by = $1 AND review_status IN ('draft', 'rejected')`,
      [user.id],
    ),
    deps.pool.query<{
      id: string;
      submission_id: string;
      title: string;
      due_on: string | null;
      overdue: boolean;
      total: string;
      overdue_total: string;
    }>(
      `SELECT f.id, f.submission_id, f.title, to_char(f.due_on, 'YYYY-MM-DD') AS due_on, f.overdue_at IS NOT NULL AS overdue,
              count(*) OVER () AS total, count(*) FILTER (WHERE f.overdue_at IS NOT NULL) OVER () AS overdue_total
         FROM follow_ups f
        WHERE f.assignee_id = $1 AND f.resolved_at IS NULL AND ($2::bigint[] IS NULL OR f.grid_id = ANY ($2::bigint[]))
        ORDER BY f.overdue_at IS NULL, f.due_on NULLS LAST, f.id LIMIT 10`,
      [user.id, grids(user, 'read', (gridRole) => ({ type: 'follow_up', gridRole, assignee: true, creator: false }))],
    ),
    deps.pool.query<{ id: string; title: string; grid_title: string }>(
      `SELECT t.id, t.title, g.title AS grid_title FROM templates t JOIN grids g ON g.id = t.grid_id
        WHERE t.current_version IS NOT NULL AND t.status <> 'archived' AND NOT g.is_deleted AND NOT t.is_deleted
          AND ($1::bigint[] IS NULL OR t.grid_id = ANY ($1::bigint[]))
        ORDER BY g.title, t.title LIMIT 50`,
      [fillGrids],
    ),
  ]);
  const f = followUps.rows;
  return {
    drafts: Number(own.rows[0]?.drafts ?? 0),
    rejected: Number(own.rows[0]?.rejected ?? 0),
    followUps: {
      count: Number(f[0]?.total ?? 0),
      overdue: Number(f[0]?.overdue_total ?? 0),
      items: f.map((r) => ({
        id: r.id,
        submissionId: r.submission_id,
        title: r.title,
        dueOn: r.due_on,
        overdue: r.overdue,
      })),
    },
    forms: forms.rows.map((r) => ({ id: r.id, title: r.title, gridTitle: r.grid_title })),
  };
}

async function builderHome(
  deps: AdminDeps,
  buildGrids: string[] | null,
  retryGrids: string[] | null,
): Promise<DashboardData['building']> {
  const [drafts, failed] = await Promise.all([
    deps.pool.query<{ id: string; title: string; grid_title: string; total: string }>(
      `SELECT t.id, t.title, g.title AS grid_title, count(*) OVER () AS total FROM templates t JOIN grids g ON g.id = t.grid_id
        WHERE t.status = 'draft' AND NOT g.is_deleted AND NOT t.is_deleted AND ($1::bigint[] IS NULL OR t.grid_id = ANY ($1::bigint[]))
        ORDER BY t.updated_at DESC, t.id DESC LIMIT 10`,
      [buildGrids],
    ),
    deps.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM submissions WHERE processing_status = 2 AND ($1::bigint[] IS NULL OR grid_id = ANY ($1::bigint[]))`,
      [retryGrids],
    ),
  ]);
  return {
    draftTemplates: Number(drafts.rows[0]?.total ?? 0),
    items: drafts.rows.map((r) => ({ id: r.id, title: r.title, gridTitle: r.grid_title })),
    failed: Number(failed.rows[0]?.n ?? 0),
  };
}

async function adminOverview(deps: AdminDeps): Promise<DashboardData['overview']> {
  const [counts, statuses, perDay, queue] = await Promise.all([
    deps.pool.query<{ users: string; grids: string; deleted: string; entries: string; pending: string }>(
      `SELECT (SELECT count(*) FROM users) AS users,
              (SELECT count(*) FROM grids WHERE NOT is_deleted) AS grids,
              (SELECT count(*) FROM grids WHERE is_deleted) AS deleted,
              (SELECT count(*) FROM audit_log) AS entries,
              (SELECT count(*) FROM audit_unsealed) AS pending`,
    ),
    deps.pool.query<{ processing_status: number; review_status: string; n: string }>(
      'SELECT processing_status, review_status, count(*) AS n FROM submissions GROUP BY 1, 2',
    ),
    deps.pool.query<{ day: string; n: string }>(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(s.id) AS n
         FROM generate_series(current_date - 29, current_date, interval '1 day') AS d(day)
         LEFT JOIN submissions s ON s.created_at >= d.day AND s.created_at < d.day + interval '1 day'
        GROUP BY d.day ORDER BY d.day`,
    ),
    // Redis may be down: the dashboard still answers, without the queue.
    deps.queues.submissions.getJobCounts('waiting', 'active', 'delayed', 'failed').catch(() => null),
  ]);
  const byProcessing = { pending: 0, processed: 0, failed: 0 };
  const byReview: Record<string, number> = {};
  for (const row of statuses.rows) {
    const n = Number(row.n);
    byProcessing[(['pending', 'processed', 'failed'] as const)[row.processing_status]!] += n;
    byReview[row.review_status] = (byReview[row.review_status] ?? 0) + n;
  }
  const c = counts.rows[0]!;
  return {
    counts: {
      users: Number(c.users),
      grids: Number(c.grids),
      deletedGrids: Number(c.deleted),
      auditEntries: Number(c.entries),
      auditPending: Number(c.pending),
    },
    submissions: { byProcessing, byReview, perDay: perDay.rows.map((r) => ({ day: r.day, count: Number(r.n) })) },
    queue: queue
      ? {
          waiting: queue.waiting ?? 0,
          active: queue.active ?? 0,
          delayed: queue.delayed ?? 0,
          failed: queue.failed ?? 0,
        }
      : null,
  };
}
