import type { ActionContext } from 'adminjs';
import { GRID_ROLES } from '../../src/context.js';
import { can, type Action } from '../../src/permissions/policy.js';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { actorOf, asAdminUser, gridRoleFor } from '../admin-user.js';
import { historyFeature } from '../features/history.feature.js';
import { NAV, param, type AdminDeps, type TableResource } from './types.js';
import { gridTitleMatches, userMatches } from '../../src/search/search.js';

const allowed = (action: Action) => (ctx: ActionContext) => {
  if (!ctx.record) {
    // Without a record (the "new" button): anyone who manages at least one grid.
    const user = asAdminUser(ctx.currentAdmin);
    return user?.role === 'admin' || Object.values(user?.memberships ?? {}).includes('manager');
  }
  return can(actorOf(ctx.currentAdmin), action, {
    type: 'grid_member',
    gridRole: gridRoleFor(ctx.currentAdmin, ctx.record.params.grid_id),
  });
};

/** Who belongs to which grid, with what role. Managers of a grid manage its members. */
export function gridMembersResource(deps: AdminDeps): TableResource {
  const { grids } = deps.services;
  const memberOf = async (id: string) => {
    const row = await deps.pool.query<{ grid_id: string; user_id: string }>(
      'SELECT grid_id, user_id FROM grid_members WHERE id = $1',
      [id],
    );
    return row.rows[0];
  };
  return {
    table: 'grid_members',
    availableValues: { role: [...GRID_ROLES] },
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'grid_members',
        search: {
          hint: 'member email or name, or grid title',
          more: async (term, db) => [
            await userMatches(db, 'grid_members.user_id', term),
            await gridTitleMatches(db, 'grid_members.grid_id', term),
          ],
        },
        scope: (user) =>
          user.role === 'admin' ? 'all' : (qb) => qb.whereIn('grid_members.grid_id', Object.keys(user.memberships)),
        writer: {
          fieldMap: { userId: 'user_id', gridId: 'grid_id' },
          create: async (ctx, p) =>
            (
              await grids.addMember(ctx, param(p, 'grid_id') ?? '', {
                userId: param(p, 'user_id'),
                role: param(p, 'role'),
              })
            ).id,
          update: async (ctx, id, p) => {
            const member = await memberOf(id);
            if (member) await grids.changeMemberRole(ctx, member.grid_id, member.user_id, { role: param(p, 'role') });
          },
          delete: async (ctx, id) => {
            const member = await memberOf(id);
            if (member) await grids.removeMember(ctx, member.grid_id, member.user_id);
          },
        },
      }),
      options: {
        navigation: NAV.grids,
        sort: { sortBy: 'id', direction: 'asc' },
        listProperties: ['id', 'grid_id', 'user_id', 'role', 'created_at'],
        filterProperties: ['grid_id', 'user_id', 'role'],
        editProperties: ['grid_id', 'user_id', 'role'],
        properties: {
          grid_id: { isDisabled: false },
        },
        actions: {
          new: { isAccessible: allowed('create') },
          edit: { isAccessible: allowed('edit') },
          delete: { isAccessible: allowed('delete') },
          bulkDelete: { isAccessible: false, isVisible: false },
        },
      },
      features: [historyFeature(deps.pool, 'grid_member')],
    }),
  };
}
