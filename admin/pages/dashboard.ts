import type { PageHandler } from 'adminjs';
import sql from 'sql-template-tag';
import { gridsWhereMay, visibleScopeSql } from '../../src/permissions/visible-scope.js';
import { actorOf, asAdminUser, visibleScopeOf } from '../admin-user.js';
import type { AdminDeps } from '../resources/types.js';

export interface DashboardData {
  counts: { users: number; grids: number; deletedGrids: number; auditEntries: number; auditPending: number } | null;
  submissions: {
    byProcessing: Record<'pending' | 'processed' | 'failed', number>;
    byReview: Record<string, number>;
    perDay: { day: string; count: number }[];
  };
  queue: { waiting: number; active: number; delayed: number; failed: number } | null;
  waitingForMe: { count: number; items: { id: string; template: string; submittedAt: string }[] };
  myGrids: { id: string; slug: string; title: string; role: string }[];
  recentActions: { id: string; createdAt: string; action: string; entityType: string; entityId: string | null }[];
}

/**
 * The dashboard: submissions by processing and review status, the queue, submissions per day for
 * 30 days, what waits for my review, my grids and my recent actions (like the Django admin's).
 * Everything is scoped to what the user may see; overall counts are for admins.
 */
export function dashboardHandler(deps: AdminDeps): PageHandler {
  return async (_request, _response, context): Promise<DashboardData> => {
    const user = asAdminUser(context.currentAdmin);
    const empty: DashboardData = {
      counts: null,
      submissions: { byProcessing: { pending: 0, processed: 0, failed: 0 }, byReview: {}, perDay: [] },
      queue: null,
      waitingForMe: { count: 0, items: [] },
      myGrids: [],
      recentActions: [],
    };
    if (!user) return empty;
    const visible = visibleScopeSql(visibleScopeOf(user));
    const reviewerGrids = gridsWhereMay(actorOf(user)!, user.memberships, 'claim');

    const [counts, statuses, perDay, waiting, myGrids, recent, queue] = await Promise.all([
      user.role === 'admin'
        ? deps.pool.query<{ users: string; grids: string; deleted: string; entries: string; pending: string }>(
            `SELECT (SELECT count(*) FROM users) AS users,
                    (SELECT count(*) FROM grids WHERE NOT is_deleted) AS grids,
                    (SELECT count(*) FROM grids WHERE is_deleted) AS deleted,
                    (SELECT count(*) FROM audit_log) AS entries,
                    (SELECT count(*) FROM audit_unsealed) AS pending`,
          )
        : null,
      deps.pool.query<{ processing_status: number; review_status: string; n: string }>(
        sql`SELECT processing_status, review_status, count(*) AS n FROM submissions s WHERE ${visible} GROUP BY 1, 2`,
      ),
      deps.pool.query<{ day: string; n: string }>(
        sql`SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(s.id) AS n
              FROM generate_series(current_date - 29, current_date, interval '1 day') AS d(day)
              LEFT JOIN submissions s ON s.created_at >= d.day AND s.created_at < d.day + interval '1 day' AND ${visible}
             GROUP BY d.day ORDER BY d.day`,
      ),
      deps.pool.query<{ id: string; template: string; submitted_at: Date | null; created_at: Date; total: string }>(
        `SELECT s.id, t.title AS template, s.submitted_at, s.created_at, count(*) OVER () AS total
           FROM submissions s JOIN templates t ON t.id = s.template_id
          WHERE s.review_status = 'submitted' AND s.submitted_by <> $1 AND ($2::bigint[] IS NULL OR s.grid_id = ANY ($2::bigint[]))
          ORDER BY s.id LIMIT 10`,
        [user.id, reviewerGrids],
      ),
      deps.pool.query<{ id: string; slug: string; title: string; role: string }>(
        `SELECT g.id, g.slug, g.title, m.role FROM grid_members m JOIN grids g ON g.id = m.grid_id
          WHERE m.user_id = $1 AND NOT g.is_deleted ORDER BY g.title LIMIT 20`,
        [user.id],
      ),
      deps.pool.query<{ id: string; created_at: Date; action: string; entity_type: string; entity_id: string | null }>(
        `SELECT id, created_at, action, entity_type, entity_id FROM audit_log WHERE actor_id = $1 ORDER BY id DESC LIMIT 10`,
        [user.id],
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
    const c = counts?.rows[0];
    return {
      counts: c
        ? { users: Number(c.users), grids: Number(c.grids), deletedGrids: Number(c.deleted), auditEntries: Number(c.entries), auditPending: Number(c.pending) }
        : null,
      submissions: { byProcessing, byReview, perDay: perDay.rows.map((r) => ({ day: r.day, count: Number(r.n) })) },
      queue: queue ? { waiting: queue.waiting ?? 0, active: queue.active ?? 0, delayed: queue.delayed ?? 0, failed: queue.failed ?? 0 } : null,
      waitingForMe: {
        count: Number(waiting.rows[0]?.total ?? 0),
        items: waiting.rows.map((r) => ({ id: r.id, template: r.template, submittedAt: (r.submitted_at ?? r.created_at).toISOString() })),
      },
      myGrids: myGrids.rows,
      recentActions: recent.rows.map((r) => ({ id: r.id, createdAt: r.created_at.toISOString(), action: r.action, entityType: r.entity_type, entityId: r.entity_id })),
    };
  };
}
