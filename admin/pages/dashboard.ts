import type { PageHandler } from 'adminjs';
import { actorOf } from '../admin-user.js';
import type { AdminDeps } from '../resources/types.js';

export interface DashboardData {
  counts: { users: number; grids: number; deletedGrids: number; auditEntries: number; auditPending: number } | null;
  myGrids: { id: string; slug: string; title: string; role: string }[];
  recentActions: { id: string; createdAt: string; action: string; entityType: string; entityId: string | null }[];
}

/** The dashboard's data: overall counts for admins, and for everyone their grids and recent actions. */
export function dashboardHandler(deps: AdminDeps): PageHandler {
  return async (_request, _response, context): Promise<DashboardData> => {
    const actor = actorOf(context.currentAdmin);
    if (!actor) return { counts: null, myGrids: [], recentActions: [] };
    const [counts, myGrids, recent] = await Promise.all([
      actor.role === 'admin'
        ? deps.pool.query<{ users: string; grids: string; deleted: string; entries: string; pending: string }>(
            `SELECT (SELECT count(*) FROM users) AS users,
                    (SELECT count(*) FROM grids WHERE NOT is_deleted) AS grids,
                    (SELECT count(*) FROM grids WHERE is_deleted) AS deleted,
                    (SELECT count(*) FROM audit_log) AS entries,
                    (SELECT count(*) FROM audit_unsealed) AS pending`,
          )
        : null,
      deps.pool.query<{ id: string; slug: string; title: string; role: string }>(
        `SELECT g.id, g.slug, g.title, m.role FROM grid_members m JOIN grids g ON g.id = m.grid_id
          WHERE m.user_id = $1 AND NOT g.is_deleted ORDER BY g.title LIMIT 20`,
        [actor.id],
      ),
      deps.pool.query<{ id: string; created_at: Date; action: string; entity_type: string; entity_id: string | null }>(
        `SELECT id, created_at, action, entity_type, entity_id FROM audit_log
          WHERE actor_id = $1 ORDER BY id DESC LIMIT 10`,
        [actor.id],
      ),
    ]);
    const c = counts?.rows[0];
    return {
      counts: c
        ? {
            users: Number(c.users),
            grids: Number(c.grids),
            deletedGrids: Number(c.deleted),
            auditEntries: Number(c.entries),
            auditPending: Number(c.pending),
          }
        : null,
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
