import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { authRoutes } from '../auth/auth.routes.js';
import { gridsRoutes } from '../grids/grids.routes.js';
import type { Runtime } from '../runtime.js';
import { templatesRoutes } from '../templates/templates.routes.js';
import { usersRoutes } from '../users/users.routes.js';
import {
  SUBMISSION_BATCH_BODY_LIMIT,
  SUBMISSION_BATCH_PATH,
  submissionsRoutes,
} from '../submissions/submissions.routes.js';
import { filesRoutes } from '../files/files.routes.js';
import { exportsRoutes } from '../exports/exports.routes.js';
import { reviewRoutes } from '../review/review.routes.js';
import { webhooksRoutes } from '../webhooks/webhooks.routes.js';
import { apiAuthentication } from './api-auth.js';
import { sendError } from './envelope.js';
import { apiNotFound } from './error-handler.js';
import { guardJsonBody } from './json-guard.js';
import { apiDocsRouter } from './api-docs.js';
import { openApiDocument } from './openapi.js';
import { mountRoutes, type RouteSpec } from './routes.js';
import { hasBody } from './request-body.js';

export const API_VERSION = '1.0.0';
/** JSON bodies above this are refused with 413 before they are parsed. */
export const JSON_BODY_LIMIT = '2mb';

export function apiRoutes(rt: Runtime): RouteSpec[] {
  return [
    ...authRoutes(rt.services, rt.pool),
    ...usersRoutes(rt.services),
    ...gridsRoutes(rt.services),
    ...templatesRoutes(rt.services),
    ...submissionsRoutes(rt.services),
    ...reviewRoutes(rt.services),
    ...filesRoutes(rt.services),
    ...exportsRoutes(rt.services),
    ...webhooksRoutes(rt.services),
  ];
}

/** Requests with a body must say it is JSON, or multipart for file uploads (read by the upload route). */
function requireJson(req: Request, res: Response, next: NextFunction) {
  if (!hasBody(req) || req.is(['application/json', 'application/*+json', 'multipart/form-data'])) return next();
  sendError(res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');
}

/** /api/v1: JSON in, the envelope out, every route declared once (routes.ts) and documented from that. */
export function createApiRouter(rt: Runtime): { v1: Router; docs: Router } {
  const routes = apiRoutes(rt);
  const doc = openApiDocument(routes, rt.config.publicUrl, API_VERSION);
  const v1 = express.Router();
  v1.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  v1.use(requireJson);
  const json = (limit: string) =>
    express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  // The batch endpoint's larger limit, still before parsing (and authentication); the general
  // parser below skips a body already read.
  v1.post(SUBMISSION_BATCH_PATH, json(SUBMISSION_BATCH_BODY_LIMIT));
  v1.use(json(JSON_BODY_LIMIT));
  v1.use(guardJsonBody);
  v1.use(apiAuthentication({ pool: rt.pool, tokens: rt.services.tokens }));
  mountRoutes(v1, routes);
  v1.use(apiNotFound);

  return { v1, docs: apiDocsRouter((doc.info as { title: string }).title) };
}
