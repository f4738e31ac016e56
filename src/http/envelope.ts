import type { Response } from 'express';
import type { ErrorDetail } from '../errors/app-error.js';

/** `{"success": true, "data": ...}` */
export function sendData(res: Response, data: unknown, status = 200): void {
  res.status(status).json({ success: true, data });
}

/** `{"success": false, "error": {"code", "message", "details"}}` */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details: ErrorDetail[] = [],
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json({ success: false, error: { code, message, details, ...extra } });
}
