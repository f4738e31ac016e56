import type { ActionContext } from 'adminjs';
import { can, type Action } from '../../src/permissions/policy.js';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { actorOf, gridRoleFor } from '../admin-user.js';
import { Components } from '../component-loader.js';
import { confirmAction } from '../features/confirm-action.js';
import { historyFeature } from '../features/history.feature.js';
import { boolParam, NAV, param, type AdminDeps, type TableResource } from './types.js';

/** May the current user do `action` to the grid in the context (or grids in general, without a record)? */
const allowed = (action: Action) => (ctx: ActionContext) =>
  can(actorOf(ctx.currentAdmin), action, { type: 'grid', gridRole: gridRoleFor(ctx.currentAdmin, ctx.record?.id()) });

const isDeleted = (ctx: ActionContext) => boolParam(ctx.record?.params ?? {}, 'is_deleted') === true;

/**
 * Grids (Gridlink's fields). Deleting is a soft delete with a restore action; deleted grids are
 * hidden from the list unless the "is deleted" filter asks for them.
 */
export function gridsResource(deps: AdminDeps): TableResource {
  const { grids } = deps.services;
  return {
    table: 'grids',
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'grids',
        search: { hint: 'slug or title', text: ['slug', 'title'] },
        scope: (user) =>
          user.role === 'admin'
            ? 'all'
            : (qb) =>
                qb.whereExists((sub) =>
                  sub.select(1).from('grid_members as m').whereRaw('m.grid_id = grids.id').where('m.user_id', user.id),
                ),
        defaultFilters: { is_deleted: false },
        writer: {
          create: async (ctx, p) =>
            (
              await grids.create(ctx, {
                slug: param(p, 'slug'),
                title: param(p, 'title'),
                description: param(p, 'description') ?? '',
              })
            ).id,
          update: async (ctx, id, p) => {
            await grids.update(ctx, id, {
              slug: String(p.slug ?? '').trim(),
              title: String(p.title ?? '').trim(),
              description: param(p, 'description') ?? '',
            });
          },
        },
      }),
      options: {
        navigation: NAV.grids,
        titleProperty: 'title',
        sort: { sortBy: 'id', direction: 'asc' },
        listProperties: ['id', 'slug', 'title', 'owner', 'modified_on', 'is_deleted'],
        filterProperties: ['slug', 'title', 'owner', 'created_on', 'is_deleted'],
        showProperties: [
          'id',
          'slug',
          'title',
          'description',
          'owner',
          'created_on',
          'modified_on',
          'is_deleted',
          'deleted_on',
        ],
        editProperties: ['slug', 'title', 'description'],
        properties: {
          description: { type: 'textarea' },
          slug: {
            description: 'Lowercase letters, digits and hyphens; unique. Filled from the title until you edit it.',
            components: { edit: Components.SlugInput },
          },
        },
        actions: {
          new: { isAccessible: allowed('create') },
          edit: { isAccessible: (ctx) => allowed('edit')(ctx) && !isDeleted(ctx) },
          delete: { isAccessible: false, isVisible: false },
          bulkDelete: { isAccessible: false, isVisible: false },
          softDelete: confirmAction({
            name: 'softDelete',
            icon: 'Trash2',
            variant: 'danger',
            confirm: 'Delete this grid? It is hidden from lists and can be restored later; nothing in it is lost.',
            isAccessible: (ctx) => allowed('delete')(ctx) && !isDeleted(ctx),
            run: async (ctx, record) => {
              await grids.softDelete(ctx, String(record.id()));
              return 'The grid is deleted; use Restore to bring it back';
            },
          }),
          restore: confirmAction({
            name: 'restore',
            icon: 'RotateCcw',
            variant: 'success',
            confirm: 'Restore this grid?',
            isAccessible: (ctx) => allowed('restore')(ctx) && isDeleted(ctx),
            run: async (ctx, record) => {
              await grids.restore(ctx, String(record.id()));
              return 'The grid is restored';
            },
          }),
        },
      },
      features: [historyFeature(deps.pool, 'grid')],
    }),
  };
}
