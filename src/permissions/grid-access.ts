import type { GridRole, ServiceContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/app-error.js';
import { gridRoleOf } from '../grids/grids.repository.js';
import { can, type Action, type Subject } from './policy.js';

type GridScopedType = Extract<Subject, { gridRole: GridRole | null }>['type'];

/**
 * Checks an action on something that lives in a grid (the grid itself, its members, its
 * templates, ...), given the grid it belongs to. Something the caller may not read is reported as
 * not found, so its existence does not leak; something readable they may not change is forbidden.
 * Returns the caller's role in the grid (null for admins, who need none).
 */
export async function authorizeInGrid(
  db: Queryable,
  ctx: ServiceContext,
  gridId: string,
  type: GridScopedType,
  action: Action,
  notFound: () => NotFoundError,
  options: { forbiddenMessage?: string; visibleAction?: Action; knownRole?: GridRole | null } = {},
): Promise<GridRole | null> {
  if (!ctx.actor) throw new UnauthenticatedError();
  // knownRole: the caller read the actor's grid role with the record, in the same query.
  const role =
    ctx.actor.role === 'admin'
      ? null
      : options.knownRole !== undefined
        ? options.knownRole
        : await gridRoleOf(db, gridId, ctx.actor.id);
  const subject = { type, gridRole: role } as Subject;
  if (!can(ctx.actor, options.visibleAction ?? 'read', subject)) throw notFound();
  if (!can(ctx.actor, action, subject)) throw new ForbiddenError(options.forbiddenMessage);
  return role;
}
