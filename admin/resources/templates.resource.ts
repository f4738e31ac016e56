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
import { boolParam, NAV, param, REFUSED, type AdminDeps, type TableResource } from './types.js';
import { fillTemplateAction } from '../actions/review-page.action.js';
import { humanDefinitionNotice } from '../../src/templates/definition-path.js';
import { templateTitleMatches } from '../../src/search/search.js';

const allowed = (action: Action) => (ctx: ActionContext) => {
  if (!ctx.record) {
    const user = asAdminUser(ctx.currentAdmin);
    return (
      user?.role === 'admin' || Object.values(user?.memberships ?? {}).some((r) => r === 'manager' || r === 'builder')
    );
  }
  return can(actorOf(ctx.currentAdmin), action, {
    type: 'template',
    gridRole: gridRoleFor(ctx.currentAdmin, ctx.record.params.grid_id),
  });
};

const isDeleted = (ctx: ActionContext) => boolParam(ctx.record?.params ?? {}, 'is_deleted') === true;

/** What the builder page posts: one operation per request. */
type BuilderOp =
  'save' | 'plan' | 'publish' | 'preview' | 'compact' | 'compactions' | 'conversions' | 'cancelConversion';

/**
 * The form builder's server side (admin/components/form-builder/ is its page). GET loads the
 * template; POST performs one operation through the services: save the working definition, plan
 * (dry run), publish, preview the JSON Schema, follow or cancel the type changes converting in the
 * background. Errors come back per path, never as a stack.
 */
function builderAction(deps: AdminDeps) {
  const { templates, publisher, compactions, conversions: converter } = deps.services;
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
      /** The definition being saved, when the operation is a save (its problems are put in its words). */
      let saving: unknown;
      try {
        if (request.method !== 'post') {
          return { ...base, template: await templates.get(ctx, id), canEdit };
        }
        const payload = (request.payload ?? {}) as Record<string, unknown>;
        const op = String(payload.op ?? '') as BuilderOp;
        if (op === 'save') saving = JSON.parse(String(payload.definition ?? 'null'));
        const conversions: unknown = payload.conversions ? JSON.parse(String(payload.conversions)) : undefined;
        switch (op) {
          case 'save': {
            await templates.updateDefinition(ctx, id, saving);
            return {
              ...base,
              template: await templates.get(ctx, id),
              notice: { message: 'Definition saved', type: 'success' },
            };
          }
          case 'plan':
            return { ...base, plan: await publisher.plan(ctx, id, { conversions }) };
          case 'publish': {
            const expected =
              payload.expectedVersion === undefined || payload.expectedVersion === ''
                ? undefined
                : Number(payload.expectedVersion);
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
          case 'compact': {
            const started = await compactions.start(ctx, id, String(payload.table ?? ''));
            return {
              ...base,
              compactions: await compactions.list(ctx, id),
              notice: { message: `Compaction of ${started.table} started`, type: 'success' },
            };
          }
          case 'compactions':
            return { ...base, compactions: await compactions.list(ctx, id) };
          case 'conversions':
            return { ...base, conversions: await converter.list(ctx, id) };
          case 'cancelConversion': {
            const cancelled = await converter.cancel(ctx, id, String(payload.conversionId ?? ''));
            return {
              ...base,
              conversions: await converter.list(ctx, id),
              notice: {
                message: `Conversion of ${cancelled.field} cancelled: the column keeps its old type`,
                type: 'success',
              },
            };
          }
          default:
            return { ...base, notice: { message: `Unknown operation "${op}"`, type: 'error' } };
        }
      } catch (error) {
        /** A definition problem's notice names the place as the builder shows it; `errors[].path` stays the machine path. */
        const notice = async (e: AppError): Promise<string> => {
          const first = e.details[0]?.path;
          if (!first || !e.message.startsWith(`${first}: `)) return e.message;
          const definition = saving ?? (await templates.get(ctx, id).catch(() => null))?.definition;
          return humanDefinitionNotice(definition, e.message, first);
        };
        if (error instanceof SyntaxError) {
          return {
            ...base,
            errors: [{ path: '', message: 'The definition is not valid JSON' }],
            notice: { message: 'The definition is not valid JSON', type: 'error' },
          };
        }
        if (!(error instanceof AppError)) throw error;
        const extra = 'plan' in error ? { plan: (error as AppError & { plan: unknown }).plan } : {};
        return { ...base, ...extra, errors: error.details, notice: { message: await notice(error), type: 'error' } };
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
        search: { hint: 'slug or title', text: ['slug', 'title'] },
        detailOnly: ['definition'],
        scope: (user) =>
          user.role === 'admin' ? 'all' : (qb) => qb.whereIn('templates.grid_id', Object.keys(user.memberships)),
        // The trash (src/templates/trash.ts) is shown by the "is deleted" filter; purged ones stay as records.
        defaultFilters: { is_deleted: false },
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
            await templates.updateMeta(ctx, id, {
              title: param(p, 'title'),
              description: param(p, 'description') ?? '',
              reviewMode: param(p, 'review_mode'),
            });
          },
          fieldMap: { gridId: 'grid_id' },
        },
      }),
      options: {
        navigation: NAV.grids,
        titleProperty: 'title',
        sort: { sortBy: 'id', direction: 'desc' },
        listProperties: ['id', 'title', 'slug', 'grid_id', 'status', 'current_version', 'updated_at'],
        filterProperties: ['title', 'slug', 'grid_id', 'status', 'updated_at', 'is_deleted'],
        showProperties: [
          'id',
          'title',
          'slug',
          'grid_id',
          'description',
          'status',
          'review_mode',
          'current_version',
          'created_by',
          'created_at',
          'updated_at',
          'is_deleted',
          'deleted_on',
          'purged_on',
        ],
        editProperties: ['grid_id', 'slug', 'title', 'description', 'review_mode'],
        properties: {
          description: { type: 'textarea' },
          slug: {
            description:
              'Lowercase letters, digits and hyphens; unique in its grid. Filled from the title until you edit it.',
            components: { edit: Components.SlugInput },
          },
          definition: { isVisible: false },
          grid_id: { isDisabled: false },
          status: statusProperty('template'),
        },
        actions: {
          new: { isAccessible: allowed('create') },
          edit: { isAccessible: (ctx) => allowed('edit')(ctx) && !isDeleted(ctx) },
          delete: { isAccessible: false, isVisible: false },
          bulkDelete: { isAccessible: false, isVisible: false },
          softDelete: inMenu(
            'More',
            confirmAction({
              name: 'softDelete',
              icon: 'Trash2',
              variant: 'danger',
              confirm:
                `Move this template, with its submissions and tables, to the trash? ` +
                `It is hidden at once and can be restored for ${deps.templateTrashDays ?? 30} days; then it is purged for good.`,
              isAccessible: (ctx) => allowed('delete')(ctx) && !isDeleted(ctx),
              run: async (ctx, record) => {
                const result = await deps.services.templateTrash.delete(ctx, String(record.id()));
                return `The template is in the trash until ${result.purgeAfter.slice(0, 10)}; use Restore to bring it back`;
              },
            }),
          ),
          restore: confirmAction({
            name: 'restore',
            icon: 'RotateCcw',
            variant: 'success',
            confirm: 'Restore this template, with its submissions and tables?',
            isAccessible: (ctx) => allowed('restore')(ctx) && isDeleted(ctx) && !ctx.record?.params.purged_on,
            run: async (ctx, record) => {
              await deps.services.templateTrash.restore(ctx, String(record.id()));
              return 'The template is restored';
            },
          }),
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
          rebuild: inMenu(
            'More',
            confirmAction({
              name: 'rebuild',
              icon: 'RefreshCw',
              confirm:
                "Project all of this template's submissions into its tables again (after a publish changed them)? " +
                'They are queued and processed in the background.',
              isAccessible: (ctx) => allowed('publish')(ctx) && ctx.record?.params.current_version != null,
              run: async (ctx, record) => {
                const result = await deps.services.submissions.rebuild(ctx, String(record.id()));
                return `${result.queued} submission(s) queued for processing`;
              },
            }),
          ),
          unpublish: inMenu(
            'More',
            confirmAction({
              name: 'unpublish',
              icon: 'RotateCcw',
              variant: 'danger',
              confirm:
                "Unpublish the latest version? A new version restores the previous version's form: " +
                'fields it removed come back with their data, fields it added are retired (their data is kept). ' +
                'Refused when a change cannot be undone (a type change, a purged column).',
              isAccessible: (ctx) => allowed('publish')(ctx) && Number(ctx.record?.params.current_version ?? 0) >= 2,
              run: async (ctx, record) => {
                const result = await deps.services.unpublisher.unpublish(ctx, String(record.id()));
                return `Version ${result.unpublished} unpublished: version ${result.version} restores the form of version ${result.restores}`;
              },
            }),
          ),
          purgeRetired: inMenu(
            'More',
            confirmAction({
              name: 'purgeRetired',
              icon: 'Trash',
              variant: 'danger',
              confirm:
                'Drop the columns of removed fields, and their data, for good? Publishing never does this; ' +
                'this cannot be undone. The exact DDL is recorded in the audit log.',
              isAccessible: (ctx) => allowed('purge')(ctx) && ctx.record?.params.current_version != null,
              run: async (ctx, record) => {
                const result = await publisher.purgeRetired(ctx, String(record.id()));
                return `Dropped ${result.dropped.length} retired column(s) or table(s)`;
              },
            }),
          ),
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
        search: {
          hint: 'template title',
          more: async (term, db) => [await templateTitleMatches(db, 'template_versions.template_id', term)],
        },
        detailOnly: ['definition', 'ddl', 'checks'],
        scope: (user) =>
          user.role === 'admin'
            ? 'all'
            : (qb) =>
                qb.whereIn('template_versions.template_id', (sub) =>
                  sub.select('id').from('templates').whereIn('grid_id', Object.keys(user.memberships)),
                ),
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
