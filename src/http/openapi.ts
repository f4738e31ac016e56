import type { TSchema } from '@sinclair/typebox';
import type { RouteSpec } from './routes.js';
import { escapeHtml } from './escape.js';

/**
 * The OpenAPI 3.1 document, generated from the route declarations (the same schemas the routes
 * validate with). OpenAPI 3.1 uses JSON Schema 2020-12, so TypeBox schemas go in as they are.
 */

const ErrorEnvelope = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { const: false },
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', examples: ['VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'DUPLICATE_VALUE'] },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string' },
              message: { type: 'string' },
              code: { type: 'string' },
              label: { type: 'string', description: "DUPLICATE_VALUE: the field's label" },
              submissionId: { type: 'string', description: 'DUPLICATE_VALUE: the submission holding the value, when the caller may read it' },
            },
          },
        },
      },
    },
  },
};

const plain = (schema: TSchema | undefined): Record<string, unknown> | undefined =>
  schema ? (JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) : undefined;

export function openApiDocument(routes: RouteSpec[], serverUrl: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = plain(r.query);
    const queryParams = query
      ? Object.entries((query.properties ?? (query.allOf as { properties?: object }[] | undefined)?.reduce((acc, s) => ({ ...acc, ...s.properties }), {}) ?? {}) as Record<string, unknown>).map(
          ([name, schema]) => ({ name, in: 'query', required: false, schema }),
        )
      : [];
    const status = String(r.status ?? 200);
    paths[path] ??= {};
    paths[path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[:/{}-]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.public ? { security: [] } : {}),
      parameters: [...params, ...queryParams],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(r.body) } } } } : {}),
      responses: {
        [status]: {
          description: 'Success',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['success', 'data'], properties: { success: { const: true }, data: plain(r.response) ?? {} } },
            },
          },
        },
        ...Object.fromEntries(
          (r.errors ?? []).map((e) => [String(e.status), { description: e.description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
        ),
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Gridbook API',
      version,
      description:
        'Every response is an envelope: {"success": true, "data": ...} or {"success": false, "error": {"code", "message", "details"}}. ' +
        'Authenticate with POST /auth/token, then send "Authorization: Bearer <accessToken>".',
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: ErrorEnvelope },
    },
    paths,
  };
}

/** A readable page for the document, served locally (no CDN): routes by tag, with their schemas. */
export function apiDocsPage(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<string, Record<string, { summary: string; tags: string[]; requestBody?: unknown; security?: unknown[] }>>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody
        ? `<details><summary>request body</summary><pre>${escapeHtml(JSON.stringify((op.requestBody as { content: { 'application/json': { schema: unknown } } }).content['application/json'].schema, null, 2))}</pre></details>`
        : '';
      const html = `<div class="op"><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code>${op.security ? ' <em>public</em>' : ''}<p>${escapeHtml(op.summary)}</p>${body}</div>`;
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const info = doc.info as { title: string; description: string; version: string };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1c1c38}
.op{border:1px solid #dde;border-radius:6px;padding:.5rem .8rem;margin:.5rem 0}.m{font-weight:700;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff}
.get{background:#3a7}.post{background:#36c}.put,.patch{background:#c83}.delete{background:#c33}pre{background:#f5f5fa;padding:.5rem;overflow:auto;font-size:12px}p{margin:.3rem 0}</style></head>
<body><h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1><p>${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
${[...byTag].map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>${ops.join('')}`).join('')}</body></html>`;
}
