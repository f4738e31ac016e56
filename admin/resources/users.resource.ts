import type { ActionContext, ActionResponse } from 'adminjs';
import { GLOBAL_ROLES } from '../../src/context.js';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { asAdminUser } from '../admin-user.js';
import { confirmAction } from '../features/confirm-action.js';
import { historyFeature } from '../features/history.feature.js';
import { boolParam, NAV, param, type AdminDeps, type TableResource } from './types.js';

const isAdmin = ({ currentAdmin }: ActionContext) => asAdminUser(currentAdmin)?.role === 'admin';
/** The password typed into the form is echoed back in the record AdminJS returns: drop it. */
const forgetTypedPassword = async (response: ActionResponse) => {
  // AdminJS types its responses as `any`: the record, when there is one, is a RecordJSON.
  const record = response.record as { params?: Record<string, unknown> } | undefined;
  if (record?.params) delete record.params.password;
  return response;
};
const isLocked = (lockedUntil: unknown) => Boolean(lockedUntil) && new Date(String(lockedUntil)) > new Date();

/**
 * Users. The password hash is a hidden column: it is never selected, so no list, show, search or
 * populated reference (a grid's owner, an audit entry's actor) can carry it. Users are disabled,
 * never deleted: the audit log keeps pointing at them.
 */
export function usersResource(deps: AdminDeps): TableResource {
  const { users } = deps.services;
  return {
    table: 'users',
    hiddenColumns: ['password_hash'],
    availableValues: { role: [...GLOBAL_ROLES] },
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'users',
        search: { hint: 'email or name', text: ['email', 'name'] },
        // Admins see everyone; managers of a grid see all users (to add members); others see the
        // people they share a grid with, and themselves.
        scope: (user) => {
          if (user.role === 'admin' || Object.values(user.memberships).includes('manager')) return 'all';
          return (qb) =>
            qb
              .where('users.id', user.id)
              .orWhereIn('users.id', (sub) =>
                sub
                  .select('m2.user_id')
                  .from('grid_members as m1')
                  .join('grid_members as m2', 'm1.grid_id', 'm2.grid_id')
                  .where('m1.user_id', user.id),
              );
        },
        writer: {
          create: async (ctx, p) =>
            (
              await users.create(ctx, {
                email: param(p, 'email'),
                name: param(p, 'name') ?? '',
                role: param(p, 'role'),
                password: p.password ?? '',
                active: boolParam(p, 'active') ?? true,
              })
            ).id,
          update: async (ctx, id, p) => {
            const password = typeof p.password === 'string' && p.password !== '' ? p.password : undefined;
            await users.update(ctx, id, {
              email: String(p.email ?? '').trim(),
              name: param(p, 'name') ?? '',
              role: String(p.role ?? ''),
              active: boolParam(p, 'active'),
              ...(password ? { password } : {}),
            });
          },
        },
      }),
      options: {
        navigation: NAV.access,
        titleProperty: 'email',
        sort: { sortBy: 'id', direction: 'asc' },
        listProperties: ['id', 'email', 'name', 'role', 'active', 'last_login_at', 'locked_until'],
        filterProperties: ['email', 'name', 'role', 'active', 'created_at'],
        showProperties: [
          'id',
          'email',
          'name',
          'role',
          'active',
          'last_login_at',
          'locked_until',
          'failed_login_count',
          'password_changed_at',
          'created_at',
          'updated_at',
        ],
        editProperties: ['email', 'name', 'role', 'active', 'password'],
        properties: {
          password: {
            type: 'password',
            description: 'At least 10 characters. Leave empty to keep the current password.',
          },
          failed_login_count: { isVisible: { list: false, filter: false, show: true, edit: false } },
        },
        actions: {
          list: { isAccessible: isAdmin },
          show: { isAccessible: isAdmin },
          new: { isAccessible: isAdmin, after: forgetTypedPassword },
          edit: { isAccessible: isAdmin, after: forgetTypedPassword },
          search: { isAccessible: true },
          delete: { isAccessible: false, isVisible: false },
          bulkDelete: { isAccessible: false, isVisible: false },
          unlock: confirmAction({
            name: 'unlock',
            icon: 'Unlock',
            confirm: 'Clear the failed sign-ins of this account and unlock it now?',
            isAccessible: isAdmin,
            isVisible: (ctx) => isAdmin(ctx) && isLocked(ctx.record?.params.locked_until),
            run: async (ctx, record) => {
              await users.unlock(ctx, String(record.id()));
              return 'The account is unlocked';
            },
          }),
        },
      },
      features: [historyFeature(deps.pool, 'user')],
    }),
  };
}
