import { Type } from '@sinclair/typebox';
import { contentDisposition } from '../files/files.routes.js';
import { sendData } from '../http/envelope.js';
import { route, type RouteSpec } from '../http/routes.js';
import type { TemplatesService } from './templates.service.js';
import type { PublishService } from './publish.service.js';
import type { ConversionService } from './conversions.service.js';
import { LANGUAGE_PATTERN } from '../rules/language.js';
import { DefinitionSchema } from './definition.schema.js';
import { UnpublishInput, type UnpublishService } from './unpublish.js';
import type { TablesService } from './tables.service.js';
import type { TemplateTrash } from './trash.js';
import type { CompactionService } from './compaction.js';
import {
  CreateTemplateInput,
  PatchTemplateInput,
  PlanInput,
  PublishInput,
  ReviewMode,
  TemplateStatus,
} from './templates.schema.js';

const Warning = Type.Object({ path: Type.String(), message: Type.String() });

const TemplateView = Type.Object({
  id: Type.String(),
  gridId: Type.String(),
  slug: Type.String(),
  title: Type.String(),
  description: Type.String(),
  status: TemplateStatus,
  reviewMode: ReviewMode,
  currentVersion: Type.Union([Type.Integer(), Type.Null()]),
  definition: DefinitionSchema,
  warnings: Type.Array(Warning, {
    description: 'missing translations: the definition is saved, the default language is shown',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  deletedOn: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'when it went to the trash',
  }),
});

/** A form data table's column slots and row size (src/templates/budget.ts). */
export const TableBudgetView = Type.Object({
  table: Type.String(),
  kind: Type.Union([Type.Literal('section'), Type.Literal('table')]),
  key: Type.String({ description: 'the section key, or `section.table` for a repeating table' }),
  retired: Type.Boolean({ description: 'the table of a removed section, kept with its data' }),
  slots: Type.Object(
    {
      live: Type.Integer(),
      retired: Type.Integer({ description: 'columns of removed fields, kept with their data' }),
      dropped: Type.Integer({
        description: 'dropped columns PostgreSQL still counts (pg_attribute.attisdropped); compaction reclaims them',
      }),
      other: Type.Integer({ description: 'columns the names do not know (a conversion in progress)' }),
      used: Type.Integer(),
      limit: Type.Integer({ description: "PostgreSQL's 1,600 columns a table" }),
    },
    { description: 'column slots: PostgreSQL counts every pg_attribute row with attnum > 0, dropped ones included' },
  ),
  added: Type.Optional(Type.Integer({ description: 'slots the plan adds' })),
  rowBytes: Type.Integer({
    description: 'the least a fully filled row takes (variable-length values as 18-byte TOAST pointers)',
  }),
  rowBytesLimit: Type.Integer(),
  level: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('full')], {
    description: 'warning from 80%; full refuses a publish',
  }),
  advice: Type.Optional(Type.String()),
});

const CompactionView = Type.Object({
  id: Type.String(),
  templateId: Type.String(),
  table: Type.String(),
  status: Type.Union(['queued', 'copying', 'swapping', 'done', 'failed'].map((s) => Type.Literal(s))),
  rowsTotal: Type.Union([Type.Integer(), Type.Null()], { description: "the planner's estimate when the copy started" }),
  rowsCopied: Type.Integer(),
  slotsBefore: Type.Union([Type.Integer(), Type.Null()]),
  slotsAfter: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const PlanView = Type.Object({
  templateId: Type.String(),
  fromVersion: Type.Union([Type.Integer(), Type.Null()]),
  toVersion: Type.Integer(),
  ok: Type.Boolean({ description: 'false when existing rows break a new rule: publish would refuse' }),
  changes: Type.Array(Type.String()),
  statements: Type.Array(Type.Object({ sql: Type.String(), reason: Type.String() })),
  checks: Type.Array(
    Type.Object({
      field: Type.String(),
      rule: Type.String(),
      description: Type.String(),
      table: Type.String(),
      failing: Type.Integer(),
      examples: Type.Array(Type.String(), { description: 'ids of up to 20 failing submissions' }),
      skipped: Type.Optional(Type.Boolean()),
      reportUrl: Type.Optional(
        Type.String({ description: 'every failing row with its value: paged JSON, or `&format=csv`' }),
      ),
      resolution: Type.Optional(
        Type.Union([Type.Literal('null'), Type.Literal('quarantine')], {
          description: 'failing rows resolved by a choice',
        }),
      ),
      values: Type.Optional(
        Type.Array(Type.Union([Type.String(), Type.Null()]), { description: 'map values that do not convert' }),
      ),
    }),
  ),
  conversions: Type.Array(
    Type.Object({
      field: Type.String(),
      onFailure: Type.Union([Type.Literal('refuse'), Type.Literal('null'), Type.Literal('quarantine')]),
      quarantineColumn: Type.Optional(Type.String()),
      mappedRows: Type.Integer(),
      unconvertedRows: Type.Integer(),
    }),
  ),
  fields: Type.Integer(),
  warnings: Type.Array(Warning),
  budget: Type.Array(TableBudgetView, {
    description: 'each table once published; a table over a limit makes `ok` false',
  }),
});

const ConversionView = Type.Object({
  id: Type.String(),
  templateId: Type.String(),
  version: Type.Integer({ description: 'the version whose publish started it' }),
  field: Type.String(),
  table: Type.String(),
  column: Type.String(),
  fromType: Type.String(),
  targetType: Type.String(),
  onFailure: Type.Union([Type.Literal('refuse'), Type.Literal('null'), Type.Literal('quarantine')]),
  quarantineColumn: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([
    Type.Literal('backfilling'),
    Type.Literal('done'),
    Type.Literal('cancelled'),
    Type.Literal('failed'),
  ]),
  totalRows: Type.Integer({ description: 'rows of the table when the backfill started' }),
  rowsDone: Type.Integer(),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  batches: Type.Integer(),
  mappedRows: Type.Integer(),
  unconvertedRows: Type.Integer(),
  lateUnconvertedRows: Type.Integer({
    description: 'refuse: rows written after the checks whose value did not convert (kept in the retired column)',
  }),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function templatesRoutes(services: {
  templates: TemplatesService;
  publisher: PublishService;
  conversions: ConversionService;
  tables: TablesService;
  unpublisher: UnpublishService;
  templateTrash: TemplateTrash;
  compactions: CompactionService;
}): RouteSpec[] {
  const { templates, publisher, conversions, tables, unpublisher, templateTrash, compactions } = services;
  return [
    route({
      method: 'get',
      path: '/grids/:gridId/templates',
      tag: 'templates',
      summary: "Templates of a grid; `deleted=true`: those in the grid's trash (restorable until purged)",
      query: Type.Object({ deleted: Type.Optional(Type.Boolean({ default: false })) }),
      response: Type.Array(TemplateView),
      handler: ({ ctx, params, query }) => templates.list(ctx, params.gridId!, { deleted: query.deleted }),
    }),
    route({
      method: 'post',
      path: '/grids/:gridId/templates',
      tag: 'templates',
      summary: 'Create a draft template, optionally with a definition',
      body: CreateTemplateInput,
      bodyCheckedBy: 'service',
      response: TemplateView,
      status: 201,
      handler: ({ ctx, params, body }) => templates.create(ctx, params.gridId!, body),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId',
      tag: 'templates',
      summary: 'A template: its working definition and its versions',
      handler: ({ ctx, params }) => templates.get(ctx, params.templateId!),
    }),
    route({
      method: 'patch',
      path: '/templates/:templateId',
      tag: 'templates',
      summary: "Change a template's title, description or review mode",
      body: PatchTemplateInput,
      bodyCheckedBy: 'service',
      response: TemplateView,
      handler: ({ ctx, params, body }) => templates.updateMeta(ctx, params.templateId!, body),
    }),
    route({
      method: 'delete',
      path: '/templates/:templateId',
      tag: 'templates',
      summary:
        'Move a template, with its submissions and tables, to the trash (grid managers): hidden, restorable until purged after TEMPLATE_TRASH_RETENTION_DAYS',
      response: Type.Intersect([TemplateView, Type.Object({ purgeAfter: Type.String({ format: 'date-time' }) })]),
      handler: ({ ctx, params }) => templateTrash.delete(ctx, params.templateId!),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/restore',
      tag: 'templates',
      summary: 'Restore a template from the trash, with its submissions, tables and views',
      response: TemplateView,
      handler: ({ ctx, params }) => templateTrash.restore(ctx, params.templateId!),
    }),
    route({
      method: 'put',
      path: '/templates/:templateId/definition',
      tag: 'templates',
      summary: 'Replace the working definition (errors per field path)',
      body: DefinitionSchema,
      bodyCheckedBy: 'service',
      response: TemplateView,
      handler: ({ ctx, params, body }) => templates.updateDefinition(ctx, params.templateId!, body),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/plan',
      tag: 'templates',
      summary:
        'Dry run of publishing: the DDL it would run and the checks on existing rows; `conversions` tries the choices for values a type change cannot convert',
      body: PlanInput,
      response: PlanView,
      handler: ({ ctx, params, body }) => publisher.plan(ctx, params.templateId!, body),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/plan/failures',
      tag: 'templates',
      summary:
        'The conversion report of one check of the plan: every existing row it finds failing, with the stored value, ' +
        'in pages (`cursor` from `nextCursor`) or whole as CSV (`format=csv`); `row` counts from 1 as in exports',
      query: Type.Object({
        field: Type.String({ minLength: 1, maxLength: 300 }),
        rule: Type.String({ minLength: 1, maxLength: 100 }),
        cursor: Type.Optional(Type.String({ maxLength: 40 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' })),
      }),
      raw: true,
      handler: async ({ ctx, params, query, res }) => {
        if (query.format !== 'csv') {
          sendData(res, await publisher.failures(ctx, params.templateId!, query));
          return;
        }
        await publisher.failuresCsv(ctx, params.templateId!, query, (fileName) => {
          res.status(200);
          res.setHeader('Content-Type', 'text/csv; charset=utf-8');
          res.setHeader('Content-Disposition', contentDisposition('attachment', fileName));
          res.setHeader('Cache-Control', 'no-store');
          return res;
        });
      },
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/publish',
      tag: 'templates',
      summary: 'Publish the working definition: a new version, its tables created or altered, in one transaction',
      body: PublishInput,
      status: 201,
      handler: ({ ctx, params, body }) => publisher.publish(ctx, params.templateId!, body),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/conversions',
      tag: 'templates',
      summary:
        'Type changes of big tables converting in the background (online: a new column filled in batches, then swapped), newest first, with their progress',
      response: Type.Array(ConversionView),
      handler: ({ ctx, params }) => conversions.list(ctx, params.templateId!),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/conversions/:conversionId/cancel',
      tag: 'templates',
      summary:
        'Cancel a conversion in progress: its new column and trigger are dropped, the column keeps its old type (audited)',
      response: ConversionView,
      handler: ({ ctx, params }) => conversions.cancel(ctx, params.templateId!, params.conversionId!),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/unpublish',
      tag: 'templates',
      summary:
        "Unpublish the latest version: a new version with the previous one's form (columns of fields it removed come back with their data, " +
        'fields it added are retired with theirs); refused with the reason when not reversible (a type change converted in place, a purged column)',
      body: UnpublishInput,
      status: 201,
      response: Type.Object({
        version: Type.Integer({ description: 'the new version' }),
        restores: Type.Integer({ description: 'the version whose form is back' }),
        unpublished: Type.Integer(),
        changes: Type.Array(Type.String()),
        statements: Type.Array(Type.String()),
      }),
      handler: ({ ctx, params, body }) => unpublisher.unpublish(ctx, params.templateId!, body),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/purge-retired',
      tag: 'templates',
      summary: 'Drop the columns of removed fields (explicit and audited; publishing never drops data)',
      handler: ({ ctx, params }) => publisher.purgeRetired(ctx, params.templateId!),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/tables',
      tag: 'templates',
      summary:
        "The template's form data tables: column slots (live, retired, dropped but still counted, of 1,600) and estimated row size",
      response: Type.Object({
        templateId: Type.String(),
        version: Type.Union([Type.Integer(), Type.Null()]),
        tables: Type.Array(TableBudgetView),
      }),
      handler: ({ ctx, params }) => tables.list(ctx, params.templateId!),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/tables/:table/compact',
      tag: 'templates',
      summary:
        'Compact a form data table online (a background job): a new table with only its live and retired columns, copied in batches, ' +
        'then swapped in a short transaction; gives back the slots of dropped columns. Progress: GET .../compactions/:compactionId',
      status: 202,
      response: CompactionView,
      handler: ({ ctx, params }) => compactions.start(ctx, params.templateId!, params.table!),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/compactions',
      tag: 'templates',
      summary: "The template's compactions, newest first, with their progress",
      response: Type.Array(CompactionView),
      handler: ({ ctx, params }) => compactions.list(ctx, params.templateId!),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/compactions/:compactionId',
      tag: 'templates',
      summary: 'One compaction: its status, rows copied, slots before and after',
      response: CompactionView,
      handler: ({ ctx, params }) => compactions.get(ctx, params.templateId!, params.compactionId!),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/schema',
      tag: 'templates',
      summary:
        'The JSON Schema (draft 2020-12) of the latest version, or of ?version=N; titles in ?lang= (or Accept-Language) when the form has it',
      query: Type.Object({
        version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
        lang: Type.Optional(Type.String({ pattern: LANGUAGE_PATTERN, maxLength: 35 })),
      }),
      handler: ({ ctx, params, query }) => templates.schema(ctx, params.templateId!, query.version),
    }),
  ];
}
