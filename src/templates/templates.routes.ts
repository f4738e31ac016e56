import { Type } from '@sinclair/typebox';
import { contentDisposition } from '../files/files.routes.js';
import { sendData } from '../http/envelope.js';
import { route, type RouteSpec } from '../http/routes.js';
import type { TemplatesService } from './templates.service.js';
import type { PublishService } from './publish.service.js';
import { LANGUAGE_PATTERN } from '../rules/language.js';
import { DefinitionSchema } from './definition.schema.js';
import { CreateTemplateInput, PatchTemplateInput, PlanInput, PublishInput, ReviewMode, TemplateStatus } from './templates.schema.js';

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
  warnings: Type.Array(Warning, { description: 'missing translations: the definition is saved, the default language is shown' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
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
      reportUrl: Type.Optional(Type.String({ description: 'every failing row with its value: paged JSON, or `&format=csv`' })),
      resolution: Type.Optional(Type.Union([Type.Literal('null'), Type.Literal('quarantine')], { description: 'failing rows resolved by a choice' })),
      values: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Null()]), { description: 'map values that do not convert' })),
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
});

export function templatesRoutes(services: { templates: TemplatesService; publisher: PublishService }): RouteSpec[] {
  const { templates, publisher } = services;
  return [
    route({
      method: 'get',
      path: '/grids/:gridId/templates',
      tag: 'templates',
      summary: 'Templates of a grid',
      response: Type.Array(TemplateView),
      handler: ({ ctx, params }) => templates.list(ctx, params.gridId!),
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
      method: 'post',
      path: '/templates/:templateId/purge-retired',
      tag: 'templates',
      summary: 'Drop the columns of removed fields (explicit and audited; publishing never drops data)',
      handler: ({ ctx, params }) => publisher.purgeRetired(ctx, params.templateId!),
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/schema',
      tag: 'templates',
      summary: 'The JSON Schema (draft 2020-12) of the latest version, or of ?version=N; titles in ?lang= (or Accept-Language) when the form has it',
      query: Type.Object({
        version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
        lang: Type.Optional(Type.String({ pattern: LANGUAGE_PATTERN, maxLength: 35 })),
      }),
      handler: ({ ctx, params, query }) => templates.schema(ctx, params.templateId!, query.version),
    }),
  ];
}
