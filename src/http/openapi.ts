import type { TSchema } from '@sinclair/typebox';
import type { RouteSpec } from './routes.js';

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
              submissionId: {
                type: 'string',
                description: 'DUPLICATE_VALUE: the submission holding the value, when the caller may read it',
              },
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
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = plain(r.query);
    const queryParams = query
      ? Object.entries(
          (query.properties ??
            (query.allOf as { properties?: object }[] | undefined)?.reduce(
              (acc, s) => ({ ...acc, ...s.properties }),
              {},
            ) ??
            {}) as Record<string, unknown>,
        ).map(([name, schema]) => ({ name, in: 'query', required: false, schema }))
      : [];
    const status = String(r.status ?? 200);
    paths[path] ??= {};
    paths[path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[:/{}-]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.public ? { security: [] } : {}),
      parameters: [...params, ...queryParams],
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: plain(r.body) } } } }
        : {}),
      responses: {
        [status]: {
          description: 'Success',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['success', 'data'],
                properties: { success: { const: true }, data: plain(r.response) ?? {} },
              },
            },
          },
        },
        ...Object.fromEntries(
          (r.errors ?? []).map((e) => [
            String(e.status),
            {
              description: e.description,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
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
        'Authenticate with `POST /auth/token`, then send `Authorization: Bearer <accessToken>`. ' +
        'On the interactive docs page (/api/docs), "Try it out" also works with the admin panel\'s session.',
    },
    // Relative first: the API as reached from wherever this document was read (the docs page's
    // "Try it out" calls its own origin, whatever host or proxy it came through).
    servers: [
      { url: '/api/v1', description: 'This server' },
      { url: `${serverUrl}/api/v1`, description: 'The configured public URL' },
    ],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: ErrorEnvelope },
    },
    paths,
  };
}
