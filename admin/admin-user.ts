import type { CurrentAdmin } from 'adminjs';
import type { Actor, GlobalRole, GridRole, ServiceContext } from '../src/context.js';
import { GLOBAL_ROLES } from '../src/context.js';
import { currentRequestMeta } from '../src/http/request-context.js';
import type { Queryable } from '../src/db/pool.js';
import { visibleScope, type VisibleScope } from '../src/permissions/visible-scope.js';

/**
 * The signed-in user as AdminJS sees it (`currentAdmin`). Reloaded from the database on every
 * request by the admin router, so a role or membership change applies on the next request and a
 * disabled user is signed out at once. Memberships ride along so that `isAccessible` (which
 * AdminJS calls synchronously) can answer per grid without a query.
 */
export interface AdminUser extends CurrentAdmin {
  id: string;
  email: string;
  title: string;
  role: GlobalRole;
  memberships: Record<string, GridRole>;
}

export function asAdminUser(admin: CurrentAdmin | undefined): AdminUser | null {
  if (!admin || typeof admin.id !== 'string' || !GLOBAL_ROLES.includes(admin.role as GlobalRole)) return null;
  return admin as AdminUser;
}

export function actorOf(admin: CurrentAdmin | undefined): Actor | null {
  const user = asAdminUser(admin);
  return user ? { id: user.id, email: user.email, role: user.role } : null;
}

/** The explicit context services receive, built from AdminJS's currentAdmin and the request. */
export function serviceContextOf(admin: CurrentAdmin | undefined): ServiceContext {
  const meta = currentRequestMeta();
  return { actor: actorOf(admin), requestId: meta?.requestId ?? null, ip: meta?.ip ?? null };
}

/** The submissions this user sees (src/permissions/visible-scope.ts), from the memberships the session carries. */
export function visibleScopeOf(admin: CurrentAdmin | undefined): VisibleScope {
  const user = asAdminUser(admin);
  return visibleScope(user && actorOf(user), user?.memberships ?? {});
}

export function gridRoleFor(admin: CurrentAdmin | undefined, gridId: unknown): GridRole | null {
  const user = asAdminUser(admin);
  if (!user || gridId === undefined || gridId === null) return null;
  return user.memberships[String(gridId)] ?? null;
}

/** Loads a user as the admin panel sees them (with grid memberships), or null when missing or disabled. */
export async function loadAdminUser(db: Queryable, userId: string): Promise<AdminUser | null> {
  if (!/^\d{1,18}$/.test(userId)) return null;
  const result = await db.query<{
    id: string;
    email: string;
    name: string;
    role: GlobalRole;
    memberships: Record<string, GridRole> | null;
  }>(
    `SELECT u.id, u.email, u.name, u.role,
            (SELECT jsonb_object_agg(m.grid_id::text, m.role) FROM grid_members m WHERE m.user_id = u.id) AS memberships
       FROM users u WHERE u.id = $1 AND u.active`,
    [userId],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    title: row.name || row.email,
    role: row.role,
    memberships: row.memberships ?? {},
  };
}
