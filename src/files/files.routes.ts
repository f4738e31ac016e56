import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { FilesService } from './files.service.js';
import { INLINE_SAFE } from './sniff.js';
import { sendStream } from '../http/send-stream.js';

/** `attachment; filename="..."; filename*=UTF-8''...`: an ASCII fallback and the exact name (RFC 6266). */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const FileView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  type: Type.String({ description: 'detected from the content, not from the name or the client' }),
  sha256: Type.String(),
  field: Type.String(),
  uploadedBy: Type.Union([Type.String(), Type.Null()]),
  uploadedAt: Type.String({ format: 'date-time' }),
});

export function filesRoutes(services: { files: FilesService }): RouteSpec[] {
  const { files } = services;
  return [
    route({
      method: 'post',
      path: '/submissions/:submissionId/files',
      tag: 'files',
      summary:
        'Upload files to a file field of a draft or rejected submission: multipart/form-data with a "field" part ("section.field"), ' +
        'then one or more "file" parts. Types are checked against the content; a file whose content exists is stored once, and ' +
        '`duplicates` says where else it appears.',
      status: 201,
      response: Type.Object({
        files: Type.Array(FileView),
        replaced: Type.Array(Type.String()),
        duplicates: Type.Array(
          Type.Object({ fileId: Type.String(), submissionId: Type.String(), field: Type.String() }),
        ),
      }),
      handler: ({ ctx, params, req }) => files.upload(ctx, params.submissionId!, req),
    }),
    route({
      method: 'post',
      path: '/templates/:templateId/files',
      tag: 'files',
      summary:
        'Upload files for a new answer to this template, before it is saved: the same multipart body and checks as a ' +
        "submission's upload, against the template's current version. The files are pending: name their ids in that field " +
        'when creating the submission (POST /templates/:templateId/submissions, by the same user) and they are attached; ' +
        'never named, they are deleted by the clean-up after the grace period.',
      status: 201,
      response: Type.Object({ files: Type.Array(FileView) }),
      handler: ({ ctx, params, req }) => files.uploadPending(ctx, params.templateId!, req),
    }),
    route({
      method: 'get',
      path: '/submissions/:submissionId/files',
      tag: 'files',
      summary: 'The files of a submission',
      response: Type.Array(FileView),
      handler: ({ ctx, params }) => files.list(ctx, params.submissionId!),
    }),
    route({
      method: 'delete',
      path: '/submissions/:submissionId/files/:fileId',
      tag: 'files',
      summary: 'Remove a file from a draft or rejected submission (it stays in the history until the clean-up)',
      handler: async ({ ctx, params }) => {
        await files.remove(ctx, params.submissionId!, params.fileId!);
        return { removed: true };
      },
    }),
    route({
      method: 'get',
      path: '/files/:fileId',
      tag: 'files',
      summary:
        'Download a file (attachment), or `?inline=1` to preview a safe type (raster images, PDF; never SVG or HTML)',
      query: Type.Object({
        inline: Type.Optional(
          Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')]),
        ),
      }),
      raw: true,
      handler: async ({ ctx, params, query, res }) => {
        const { file, stream } = await files.open(ctx, params.fileId!);
        const wantsInline = query.inline === '1' || query.inline === 'true';
        const inline = wantsInline && INLINE_SAFE.has(file.type);
        res.status(200);
        res.setHeader(
          'Content-Type',
          inline
            ? file.type
            : file.type === 'text/html' || file.type === 'image/svg+xml'
              ? 'application/octet-stream'
              : file.type,
        );
        res.setHeader('Content-Length', String(file.size));
        res.setHeader('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', file.name));
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.setHeader(
          'Content-Security-Policy',
          "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
        );
        res.setHeader('Cache-Control', 'private, max-age=300');
        res.setHeader('ETag', `"${file.sha256}"`);
        if (wantsInline && !inline) res.setHeader('X-Gridbook-Inline-Refused', `${file.type} is never shown inline`);
        await sendStream(stream, res);
      },
    }),
  ];
}
