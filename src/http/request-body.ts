import type { Request } from 'express';

/** Whether a request carries a body (declared with Content-Length, or chunked). */
export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
