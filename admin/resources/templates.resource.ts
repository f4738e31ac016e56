import type { ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { AppError } from '../../src/errors/app-error.js';
import { can, type Action } from '../../src/permissions/policy.js';
import { GridbookResource } from '../adapter/gridbook-resource.js';
import { actorOf, asAdminUser, gridRoleFor, serviceContextOf } from '../admin-user.js';
import { Components } from '../component-loader.js';
import { statusProperty } from '../features/status-property.js';
import { inMenu } from '../features/in-menu.js';
import { confirmAction } from '../features/confirm-action.js';
import { historyFeature } from '../features/history.feature.js';
import { NAV, param, REFUSED, type AdminDeps, type TableResource } from './types.js';
import { fillTemplateAction } from '../actions/review-page.action.js';
import { templateTitleMatches } from '../../src/search/search.js';

const allowed = (action: Action) => (ctx: ActionContext) => {
  if (!ctx.record) {
    const user = asAdminUser(ctx.currentAdmin);
    return user?.role === 'admin' || Object.values(user?.memberships ?? {}).some((r) => r === 'manager' || r === 'builder');
  }
  return can(actorOf(ctx.currentAdmin), action, { type: 'template', gridRole: gridRoleFor(ctx.currentAdmin, ctx.record.params.grid_id) });
};

/** What the builder page posts: one operation per request. */
type BuilderOp = 'save' | 'plan' | 'publish' | 'preview';

/**
 * The form builder's server side (admin/components/form-builder/ is its page). GET loads the
 * template; POST performs one operation through the services: save the working definition, plan
 * (dry run), publish, or preview the JSON Schema. Errors come back per path, never as a stack.
 */
function builderAction(deps: AdminDeps) {
  const { templates, publisher } = deps.services;
  return {
    actionType: 'record' as const,
    icon: 'Edit3',
    component: Components.FormBuilder,
    isAccessible: allowed('read'),
    showInDrawer: false,
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin } = context;
      if (!record) throw new Error('the builder needs a record');
      const ctx = serviceContextOf(currentAdmin);
      const id = String(record.id());
      const base = { record: record.toJSON(currentAdmin) };
      const canEdit = allowed('edit')(context);
      try {
        if (request.method !== 'post') {
          return { ...base, template: await templates.get(ctx, id), canEdit };
        }
        const payload = (request.payload ?? {}) as Record<string, unknown>;
        const op = String(payload.op ?? '') as BuilderOp;
        const conversions: unknown = payload.conversions ? JSON.parse(String(payload.conversions)) : undefined;
        switch (op) {
          case 'save': {
            const definition: unknown = JSON.parse(String(payload.definition ?? 'null'));
            await templates.updateDefinition(ctx, id, definition);
            return { ...base, template: await templates.get(ctx, id), notice: { message: 'Definition saved', type: 'success' } };
          }
          case 'plan':
            return { ...base, plan: await publisher.plan(ctx, id, { conversions }) };
          case 'publish': {
            const expected = payload.expectedVersion === undefined || payload.expectedVersion === '' ? undefined : Number(payload.expectedVersion);
            const result = await publisher.publish(ctx, id, { expectedVersion: expected, conversions });
            return {
              ...base,
              published: result,
              template: await templates.get(ctx, id),
              notice: { message: `Published version ${result.version}`, type: 'success' },
            };
          }
          case 'preview':
            return { ...base, schema: await templates.previewSchema(ctx, id) };
          default:
            return { ...base, notice: { message: `Unknown operation "${op}"`, type: 'error' } };
        }
      } catch (error) {
        if (error instanceof SyntaxError) {
          return { ...base, errors: [{ path: '', message: 'The definition is not valid JSON' }], notice: { message: 'The definition is not valid JSON', type: 'error' } };
        }
        if (!(error instanceof AppError)) throw error;
        const extra = 'plan' in error ? { plan: (error as AppError & { plan: unknown }).plan } : {};
        return { ...base, ...extra, errors: error.details, notice: { message: error.message, type: 'error' } };
      }
    },
  };
}

/** Templates: a list per grid, the form builder, and the purge of retired columns. */
export function templatesResource(deps: AdminDeps): TableResource {
  const { templates, publisher } = deps.services;
  return {
    table: 'templates',
    availableValues: { status: ['draft', 'published', 'archived'], review_mode: ['submission', 'section'] },
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'templates',
        search: { text: ['slug', 'title'] },
        detailOnly: ['definition'],
        scope: (user) => (user.role === 'admin' ? 'all' : (qb) => qb.whereIn('templates.grid_id', Object.keys(user.memberships))),
        writer: {
          create: async (ctx, p) =>
            (
              await templates.create(ctx, param(p, 'grid_id') ?? '', {
                slug: param(p, 'slug'),
                title: param(p, 'title'),
                description: param(p, 'description') ?? '',
                reviewMode: param(p, 'review_mode'),
              })
            ).id,
          update: async (ctx, id, p) => {
            await templates.updateMeta(ctx, id, { title: param(p, 'title'), description: param(p, 'description') ?? '', reviewMode: param(p, 'review_mode') });
          },
          fieldMap: { gridId: 'grid_id' },
        },
      }),
      options: {
        navigation: NAV.grids,
        titleProperty: 'title',
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: ['id', 'title', 'slug', 'grid_id', 'status', 'current_version', 'updated_at'],
        filterProperties: ['title', 'slug', 'grid_id', 'status', 'updated_at'],
        showProperties: ['id', 'title', 'slug', 'grid_id', 'description', 'status', 'review_mode', 'current_version', 'created_by', 'created_at', 'updated_at'],
        editProperties: ['grid_id', 'slug', 'title', 'description', 'review_mode'],
        properties: {
          description: { type: 'textarea' },
          slug: { description: 'Lowercase letters, digits and hyphens; unique in its grid. Filled from the title until you edit it.', components: { edit: Components.SlugInput } },
          definition: { isVisible: false },
          grid_id: { isDisabled: false },
          status: statusProperty('template'),
        },
        actions: {
          new: { isAccessible: allowed('create') },
          edit: { isAccessible: allowed('edit') },
          delete: { isAccessible: false, isVisible: false },
          bulkDelete: { isAccessible: false, isVisible: false },
          builder: builderAction(deps),
          fill: fillTemplateAction(deps),
          export: {
            actionType: 'record',
            icon: 'Download',
            component: Components.ExportPanel,
            isAccessible: (ctx: ActionContext) => allowed('export')(ctx) && ctx.record?.params.current_version != null,
            // GET only reads: the counts and tables the page needs (downloads and starts go through the API).
            handler: async (_request: ActionRequest, _response: unknown, context: ActionContext) => {
              const id = String(context.record!.id());
              const target = await deps.services.exports.target(serviceContextOf(context.currentAdmin), id, 'csv');
              return {
                record: context.record!.toJSON(context.currentAdmin),
                rows: await deps.services.exports.rowCount(id),
                threshold: deps.exportThreshold,
                tables: target.sheets.slice(1).map((s) => s.name),
                languages: target.languages,
              };
            },
          },
          // Rarely used maintenance actions sit in a "More" menu so the header stays one row.
          rebuild: inMenu('More', confirmAction({
            name: 'rebuild',
            icon: 'RefreshCw',
            confirm:
              "Project all of this template's submissions into its tables again (after a publish changed them)? They are queued and processed in the background.",
            isAccessible: (ctx) => allowed('publish')(ctx) && ctx.record?.params.current_version != null,
            run: async (ctx, record) => {
              const result = await deps.services.submissions.rebuild(ctx, String(record.id()));
              return `${result.queued} submission(s) queued for processing`;
            },
          })),
          purgeRetired: inMenu('More', confirmAction({
            name: 'purgeRetired',
            icon: 'Trash',
            variant: 'danger',
            confirm:
              'Drop the columns of removed fields, and their data, for good? Publishing never does this; this cannot be undone. The exact DDL is recorded in the audit log.',
            isAccessible: (ctx) => allowed('purge')(ctx) && ctx.record?.params.current_version != null,
            run: async (ctx, record) => {
              const result = await publisher.purgeRetired(ctx, String(record.id()));
              return `Dropped ${result.dropped.length} retired column(s) or table(s)`;
            },
          })),
        },
      },
      features: [historyFeature(deps.pool, 'template')],
    }),
  };
}

/** Published versions, read-only: the definition and the exact DDL each publish ran. */
export function templateVersionsResource(): TableResource {
  return {
    table: 'template_versions',
    build: (metadata) => ({
      resource: new GridbookResource(metadata, {
        id: 'template_versions',
        search: { more: async (term, db) => [await templateTitleMatches(db, 'template_versions.template_id', term)] },
        detailOnly: ['definition', 'ddl', 'checks'],
        scope: (user) =>
          user.role === 'admin'
            ? 'all'
            : (qb) => qb.whereIn('template_versions.template_id', (sub) => sub.select('id').from('templates').whereIn('grid_id', Object.keys(user.memberships))),
      }),
      options: {
        navigation: NAV.grids,
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: ['id', 'template_id', 'version', 'published_by', 'published_at'],
        filterProperties: ['template_id', 'version', 'published_at'],
        showProperties: ['id', 'template_id', 'version', 'published_by', 'published_at', 'ddl', 'checks', 'definition'],
        properties: {
          ddl: { components: { show: Components.CodeBlock }, isArray: false },
          checks: { components: { show: Components.CodeBlock } },
          definition: { components: { show: Components.CodeBlock } },
          json_schema: { isVisible: false },
          naming: { isVisible: false },
        },
        actions: { new: REFUSED, edit: REFUSED, delete: REFUSED, bulkDelete: REFUSED },
      },
    }),
  };
}
