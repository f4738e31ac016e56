import type { NextFunction, Request, Response } from 'express';
import { AppError, TooManyRequestsError } from '../errors/app-error.js';
import { translatePgError } from '../db/pg-errors.js';
import type { Logger } from '../observability/logger.js';
import { sendError } from './envelope.js';
import { requestMetaOf } from './request-context.js';

/** Errors raised by body parsers and friends carry an HTTP status and a `type`. */
interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

function fromHttpError(error: HttpishError): AppError | null {
  const status = error.status ?? error.statusCode;
  if (!status || status < 400 || status >= 500) return null;
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', 413, 'The request body is too large');
    case 'entity.parse.failed':
      return new AppError('BAD_REQUEST', 400, 'The request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 415, error.message ?? 'Unsupported encoding');
    default:
      return new AppError(
        status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST',
        status,
        error.expose && error.message ? error.message : 'Bad request',
      );
  }
}

/**
 * The one place errors become responses: domain errors keep their code and status, PostgreSQL
 * errors are translated, anything unknown is a 500 that names the request id and nothing else.
 */
export function apiErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { requestId } = requestMetaOf(res);
    // A stream (a download, an export) failed after its headers left: the only honest answer is
    // to cut the connection, so the client sees an incomplete transfer rather than a bad file.
    if (res.headersSent) {
      logger.error({ err, requestId, url: req.originalUrl }, 'response failed while streaming');
      res.destroy();
      return;
    }
    // Refused before the body was read (an upload over its limit): answer now and close, rather
    // than reading the rest of it.
    if (!req.complete) res.setHeader('Connection', 'close');
    const translated = translatePgError(err);
    const known = translated instanceof AppError ? translated : fromHttpError(translated as HttpishError);
    if (known) {
      if (known instanceof TooManyRequestsError && known.retryAfterSeconds) {
        res.setHeader('Retry-After', String(known.retryAfterSeconds));
      }
      if (known.status >= 500) logger.warn({ err: translated, requestId }, known.message);
      sendError(res, known.status, known.code, known.message, known.details);
      return;
    }
    logger.error({ err, requestId, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendError(res, 500, 'INTERNAL', `Internal error (request id ${requestId})`, [], { requestId });
  };
}

export function apiNotFound(_req: Request, res: Response): void {
  sendError(res, 404, 'NOT_FOUND', 'No such route');
}
