import { Type } from '@sinclair/typebox';
import { contentDisposition } from '../files/files.routes.js';
import { route, type RouteSpec } from '../http/routes.js';
import type { ExportService } from './export.service.js';
import { sendStream } from '../http/send-stream.js';
import { LANGUAGE_PATTERN } from '../rules/language.js';

/** The language of the headers: one the form declares (its default otherwise). */
const Lang = Type.String({ pattern: LANGUAGE_PATTERN, maxLength: 35 });
const Format = Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('zip')], { default: 'csv' });
const Values = Type.Union([Type.Literal('labels'), Type.Literal('codes')], {
  default: 'labels',
  description:
    '`labels` (default): option labels, file names, status labels, as people read them; `codes`: the stored values, for machines',
});

export function exportsRoutes(services: { exports: ExportService }): RouteSpec[] {
  const { exports } = services;
  const statusOf = (id: string) => ({
    statusUrl: `/api/v1/exports/${id}`,
    downloadUrl: `/api/v1/exports/${id}/download`,
  });
  return [
    route({
      method: 'get',
      path: '/templates/:templateId/export',
      tag: 'exports',
      summary:
        'Export processed data, streamed: `format=csv` (one row per submission, columns labelled by the fields, ' +
        'in `lang=` when the form has it; `table=<section>.<table>` ' +
        'for a repeating table), `xlsx` (a worksheet per table) or `zip` (a CSV per table). Larger than the threshold, or with ' +
        '`background=true`, it runs in the background: 202 with the export to follow. Choices, files and statuses read as labels and ' +
        'file names unless `values=codes`.',
      query: Type.Object({
        format: Type.Optional(Format),
        table: Type.Optional(Type.String({ maxLength: 300 })),
        values: Type.Optional(Values),
        background: Type.Optional(Type.Boolean()),
        lang: Type.Optional(Lang),
      }),
      raw: true,
      handler: async ({ ctx, params, query, res }) => {
        const target = await exports.target(
          ctx,
          params.templateId!,
          query.format ?? 'csv',
          query.table,
          query.values ?? 'labels',
          query.lang,
        );
        if (query.background || exports.shouldRunInBackground(await exports.rowCount(params.templateId!))) {
          const started = await exports.start(ctx, params.templateId!, target.format, target.values, query.lang);
          res.status(202).json({ success: true, data: { ...started, ...statusOf(started.id) } });
          return;
        }
        res.status(200);
        res.setHeader('Content-Type', target.contentType);
        res.setHeader('Content-Disposition', contentDisposition('attachment', target.fileName));
        res.setHeader('Cache-Control', 'no-store');
        await exports.stream(ctx, target, res);
      },
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/exports',
      tag: 'exports',
      summary: 'Start a background export (progress at the status URL, then a file to download)',
      body: Type.Object({ format: Format, values: Type.Optional(Values), lang: Type.Optional(Lang) }),
      status: 202,
      handler: async ({ ctx, params, body }) => {
        const started = await exports.start(ctx, params.templateId!, body.format, body.values ?? 'labels', body.lang);
        return { ...started, ...statusOf(started.id) };
      },
    }),
    route({
      method: 'get',
      path: '/templates/:templateId/exports',
      tag: 'exports',
      summary: "The template's recent exports",
      handler: ({ ctx, params }) => exports.list(ctx, params.templateId!),
    }),
    route({
      method: 'get',
      path: '/exports/:exportId',
      tag: 'exports',
      summary: 'Status and progress of a background export',
      handler: async ({ ctx, params }) => ({
        ...(await exports.status(ctx, params.exportId!)),
        ...statusOf(params.exportId!),
      }),
    }),
    route({
      method: 'get',
      path: '/exports/:exportId/download',
      tag: 'exports',
      summary: 'Download a finished export',
      raw: true,
      handler: async ({ ctx, params, res }) => {
        const { view, stream, contentType } = await exports.download(ctx, params.exportId!);
        res.status(200);
        res.setHeader('Content-Type', contentType);
        res.setHeader(
          'Content-Disposition',
          contentDisposition('attachment', view.fileName ?? `export-${view.id}.${view.format}`),
        );
        if (view.fileSize !== null) res.setHeader('Content-Length', String(view.fileSize));
        await sendStream(stream, res);
      },
    }),
  ];
}
