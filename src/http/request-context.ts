import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { withLogFields } from '../observability/logger.js';

export interface RequestMeta {
  requestId: string;
  ip: string | null;
}

/**
 * The request id and client address of the request being served. Set once at the edge; the admin
 * adapter reads it to build the explicit ServiceContext it hands to services, because AdminJS does
 * not pass the HTTP request down to resources.
 */
const storage = new AsyncLocalStorage<RequestMeta>();

export function currentRequestMeta(): RequestMeta | undefined {
  return storage.getStore();
}

/** Accepts a client's X-Request-Id when it is short and plain, otherwise makes one. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext() {
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.get('x-request-id');
    const requestId = given && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const meta: RequestMeta = { requestId, ip: req.ip ?? null };
    res.locals.requestMeta = meta;
    storage.run(meta, () => withLogFields({ requestId }, next));
  };
}

export function requestMetaOf(res: Response): RequestMeta {
  return (res.locals.requestMeta as RequestMeta | undefined) ?? { requestId: randomUUID(), ip: null };
}

/**
 * Re-enters the request's context. Body parsers that read the request in stream callbacks (such as
 * express-formidable) call `next` outside it; mount this right after them.
 */
export function reenterRequestContext() {
  return (_req: Request, res: Response, next: NextFunction) => {
    const meta = requestMetaOf(res);
    storage.run(meta, () => withLogFields({ requestId: meta.requestId }, next));
  };
}
