import { changedFields, recordAudit } from '../audit/audit.service.js';
import type { GridRole, ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/app-error.js';
import { authorizeInGrid } from '../permissions/grid-access.js';
import { assertCan, can, type Action } from '../permissions/policy.js';
import { findUserById } from '../users/users.repository.js';
import { compileValidator } from '../validation/validate.js';
import {
  findGrid,
  findMember,
  GRID_COLUMNS,
  gridAuditSnapshot,
  isId,
  toGridView,
  toMemberView,
  type GridRow,
  type MemberRow,
} from './grids.repository.js';
import {
  AddMemberInput,
  ChangeMemberRoleInput,
  CreateGridInput,
  PatchGridInput,
  type GridView,
  type MemberView,
} from './grids.schema.js';

const validateCreate = compileValidator(CreateGridInput);
const validatePatch = compileValidator(PatchGridInput);
const validateAddMember = compileValidator(AddMemberInput);
const validateChangeRole = compileValidator(ChangeMemberRoleInput);

export interface ListGridsOptions {
  includeDeleted?: boolean;
  limit?: number;
  afterId?: string;
}

export class GridsService {
  constructor(private readonly deps: { pool: Pool }) {}

  async list(ctx: ServiceContext, opts: ListGridsOptions = {}): Promise<GridView[]> {
    assertCan(ctx.actor, 'list', { type: 'grid', gridRole: null });
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
    const isAdmin = ctx.actor.role === 'admin';
    const result = await this.deps.pool.query<GridRow>(
      `SELECT ${GRID_COLUMNS} FROM grids g
        WHERE g.id > $1
          AND ($2 OR NOT g.is_deleted)
          AND ($3 OR EXISTS (SELECT 1 FROM grid_members m WHERE m.grid_id = g.id AND m.user_id = $4))
        ORDER BY g.id LIMIT $5`,
      [opts.afterId ?? '0', opts.includeDeleted ?? false, isAdmin, ctx.actor.id, limit],
    );
    return result.rows.map(toGridView);
  }

  async get(ctx: ServiceContext, id: string): Promise<GridView> {
    const { grid } = await this.authorize(this.deps.pool, ctx, id, 'read');
    return toGridView(grid);
  }

  /** Creates a grid owned by the caller, who becomes its first manager. */
  async create(ctx: ServiceContext, raw: unknown): Promise<GridView> {
    assertCan(ctx.actor, 'create', { type: 'grid', gridRole: null }, 'Only builders and admins create grids');
    const actor = ctx.actor;
    const input = validateCreate(raw);
    return withTransaction(this.deps.pool, async (tx) => {
      const result = await tx.query<GridRow>(
        `INSERT INTO grids (owner, slug, title, description) VALUES ($1, $2, $3, $4) RETURNING ${GRID_COLUMNS}`,
        [actor.id, input.slug, input.title.trim(), input.description],
      );
      const grid = result.rows[0]!;
      await tx.query(`INSERT INTO grid_members (grid_id, user_id, role) VALUES ($1, $2, 'manager')`, [
        grid.id,
        actor.id,
      ]);
      await recordAudit(tx, ctx, {
        action: 'grid.create',
        entityType: 'grid',
        entityId: grid.id,
        gridId: grid.id,
        after: gridAuditSnapshot(grid),
      });
      return toGridView(grid);
    });
  }

  async update(ctx: ServiceContext, id: string, raw: unknown): Promise<GridView> {
    const patch = validatePatch(raw);
    return withTransaction(this.deps.pool, async (tx) => {
      const { grid: before } = await this.authorize(tx, ctx, id, 'edit', { forUpdate: true });
      if (before.is_deleted) throw new ConflictError('This grid is deleted: restore it before editing');
      const result = await tx.query<GridRow>(
        `UPDATE grids SET slug = COALESCE($2, slug), title = COALESCE($3, title),
                description = COALESCE($4, description), modified_on = now()
          WHERE id = $1 RETURNING ${GRID_COLUMNS}`,
        [id, patch.slug ?? null, patch.title?.trim() ?? null, patch.description ?? null],
      );
      const after = result.rows[0]!;
      const diff = changedFields(gridAuditSnapshot(before), gridAuditSnapshot(after));
      if (Object.keys(diff.after).length > 0) {
        await recordAudit(tx, ctx, { action: 'grid.update', entityType: 'grid', entityId: id, gridId: id, ...diff });
      }
      return toGridView(after);
    });
  }

  /** Soft delete: the grid and everything in it stay, hidden, until restored. */
  async softDelete(ctx: ServiceContext, id: string): Promise<GridView> {
    return this.setDeleted(ctx, id, true);
  }

  async restore(ctx: ServiceContext, id: string): Promise<GridView> {
    return this.setDeleted(ctx, id, false);
  }

  async listMembers(ctx: ServiceContext, gridId: string): Promise<MemberView[]> {
    await this.authorize(this.deps.pool, ctx, gridId, 'read');
    const result = await this.deps.pool.query<MemberRow>(
      `SELECT m.id, m.grid_id, m.user_id, u.email, u.name, m.role, m.created_at
         FROM grid_members m JOIN users u ON u.id = m.user_id
        WHERE m.grid_id = $1 ORDER BY m.id`,
      [gridId],
    );
    return result.rows.map(toMemberView);
  }

  async addMember(ctx: ServiceContext, gridId: string, raw: unknown): Promise<MemberView> {
    const input = validateAddMember(raw);
    return withTransaction(this.deps.pool, async (tx) => {
      await this.authorizeMembers(tx, ctx, gridId, 'create');
      const user = await findUserById(tx, input.userId);
      if (!user) throw new NotFoundError('User', input.userId);
      await tx.query(`INSERT INTO grid_members (grid_id, user_id, role) VALUES ($1, $2, $3)`, [
        gridId,
        input.userId,
        input.role,
      ]);
      const member = (await findMember(tx, gridId, input.userId))!;
      await recordAudit(tx, ctx, {
        action: 'grid_member.add',
        entityType: 'grid_member',
        entityId: member.id,
        gridId,
        after: { userId: input.userId, email: user.email, role: input.role },
      });
      return toMemberView(member);
    });
  }

  async changeMemberRole(ctx: ServiceContext, gridId: string, userId: string, raw: unknown): Promise<MemberView> {
    const { role } = validateChangeRole(raw);
    return withTransaction(this.deps.pool, async (tx) => {
      const grid = await this.authorizeMembers(tx, ctx, gridId, 'edit');
      const before = await findMember(tx, gridId, userId);
      if (!before) throw new NotFoundError('Member', userId);
      if (grid.owner === userId && role !== 'manager') {
        throw new ConflictError("The grid's owner stays its manager");
      }
      await tx.query('UPDATE grid_members SET role = $3 WHERE grid_id = $1 AND user_id = $2', [gridId, userId, role]);
      await recordAudit(tx, ctx, {
        action: 'grid_member.change_role',
        entityType: 'grid_member',
        entityId: before.id,
        gridId,
        before: { userId, role: before.role },
        after: { userId, role },
      });
      return toMemberView({ ...before, role });
    });
  }

  async removeMember(ctx: ServiceContext, gridId: string, userId: string): Promise<void> {
    await withTransaction(this.deps.pool, async (tx) => {
      const grid = await this.authorizeMembers(tx, ctx, gridId, 'delete');
      const before = await findMember(tx, gridId, userId);
      if (!before) throw new NotFoundError('Member', userId);
      if (grid.owner === userId) throw new ConflictError("The grid's owner cannot be removed from it");
      await tx.query('DELETE FROM grid_members WHERE grid_id = $1 AND user_id = $2', [gridId, userId]);
      await recordAudit(tx, ctx, {
        action: 'grid_member.remove',
        entityType: 'grid_member',
        entityId: before.id,
        gridId,
        before: { userId, email: before.email, role: before.role },
      });
    });
  }

  private async setDeleted(ctx: ServiceContext, id: string, deleted: boolean): Promise<GridView> {
    return withTransaction(this.deps.pool, async (tx) => {
      const { grid } = await this.authorize(tx, ctx, id, deleted ? 'delete' : 'restore', { forUpdate: true });
      if (grid.is_deleted === deleted) {
        throw new ConflictError(deleted ? 'This grid is already deleted' : 'This grid is not deleted');
      }
      const result = await tx.query<GridRow>(
        `UPDATE grids SET is_deleted = $2, deleted_on = CASE WHEN $2 THEN now() ELSE NULL END, modified_on = now()
          WHERE id = $1 RETURNING ${GRID_COLUMNS}`,
        [id, deleted],
      );
      await recordAudit(tx, ctx, {
        action: deleted ? 'grid.soft_delete' : 'grid.restore',
        entityType: 'grid',
        entityId: id,
        gridId: id,
        before: { isDeleted: grid.is_deleted },
        after: { isDeleted: deleted },
      });
      return toGridView(result.rows[0]!);
    });
  }

  /**
   * Loads a grid and checks the action against the caller's role in it. A grid the caller may not
   * read is reported as not found, so its existence does not leak; a readable one they may not
   * change is forbidden. Deleted grids are visible only to those who may restore them.
   */
  /**
   * Loads a grid and checks the action against the caller's role in it (see authorizeInGrid).
   * Deleted grids are visible only to those who may restore them.
   */
  private async authorize(
    db: Queryable,
    ctx: ServiceContext,
    id: string,
    action: Action,
    opts: { forUpdate?: boolean } = {},
  ): Promise<{ grid: GridRow; role: GridRole | null }> {
    if (!ctx.actor) throw new UnauthenticatedError();
    const grid = isId(id) ? await findGrid(db, id, opts) : null;
    if (!grid) throw new NotFoundError('Grid', id);
    const role = await authorizeInGrid(db, ctx, id, 'grid', action, () => new NotFoundError('Grid', id), {
      visibleAction: grid.is_deleted ? 'restore' : 'read',
    });
    return { grid, role };
  }

  private async authorizeMembers(db: Queryable, ctx: ServiceContext, gridId: string, action: Action): Promise<GridRow> {
    const { grid, role } = await this.authorize(db, ctx, gridId, 'read');
    if (!can(ctx.actor, action, { type: 'grid_member', gridRole: role })) {
      throw new ForbiddenError('Only the managers of this grid manage its members');
    }
    if (grid.is_deleted) throw new ConflictError('This grid is deleted: restore it first');
    return grid;
  }
}
