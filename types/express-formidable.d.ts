declare module 'express-formidable' {
  import type { RequestHandler } from 'express';
  export default function formidableMiddleware(options?: Record<string, unknown>): RequestHandler;
}
