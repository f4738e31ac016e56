import type { Static, TSchema } from '@sinclair/typebox';
import type { NextFunction, Request, Response, Router } from 'express';
import type { ServiceContext } from '../context.js';
import { UnauthenticatedError } from '../errors/app-error.js';
import { compileValidator } from '../validation/validate.js';
import { sendData } from './envelope.js';

/**
 * API routes are declared, not just registered: one declaration gives the Express handler (with
 * body and query validation against its schemas) and the route's entry in the OpenAPI document,
 * so the document cannot drift from what the routes accept.
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<B, Q> {
  ctx: ServiceContext;
  params: Record<string, string>;
  body: B;
  query: Q;
  req: Request;
  res: Response;
}

export interface RouteSpec<B extends TSchema = TSchema, Q extends TSchema = TSchema> {
  method: Method;
  /** Express path below /api/v1, e.g. `/templates/:templateId/publish`. */
  path: string;
  summary: string;
  tag: string;
  /** Request body schema: validated here, unless `bodyCheckedBy: 'service'` (documented only). */
  body?: B;
  bodyCheckedBy?: 'route' | 'service';
  query?: Q;
  queryCheckedBy?: 'route' | 'service';
  /** Schema of `data` in the success envelope, for the document. */
  response?: TSchema;
  status?: number;
  /** Error answers worth their own entry in the document (every route may also answer the others). */
  errors?: { status: number; description: string }[];
  /** Public routes (sign-in, token refresh) say so; everything else needs a signed-in user. */
  public?: boolean;
  handler: (context: RouteContext<Static<B>, Static<Q>>) => Promise<unknown>;
  /** Writes the response itself (files, streams) instead of the envelope. */
  raw?: boolean;
}

export function route<B extends TSchema = TSchema, Q extends TSchema = TSchema>(spec: RouteSpec<B, Q>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function contextOf(res: Response): ServiceContext {
  return res.locals.serviceContext as ServiceContext;
}

export function mountRoutes(router: Router, routes: RouteSpec[]): void {
  for (const spec of routes) {
    const validateBody = spec.body && spec.bodyCheckedBy !== 'service' ? compileValidator(spec.body) : null;
    const validateQuery =
      spec.query && spec.queryCheckedBy !== 'service' ? compileValidator(spec.query, { coerce: true }) : null;
    router[spec.method](spec.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const ctx = contextOf(res);
        if (!spec.public && !ctx.actor) throw new UnauthenticatedError();
        const body = validateBody ? validateBody(req.body ?? {}) : (req.body as unknown);
        const query = validateQuery ? validateQuery({ ...(req.query as Record<string, unknown>) }) : req.query;
        const data = await spec.handler({ ctx, params: req.params as Record<string, string>, body, query, req, res });
        if (!spec.raw) sendData(res, data ?? null, spec.status ?? 200);
      } catch (error) {
        next(error);
      }
    });
  }
}
