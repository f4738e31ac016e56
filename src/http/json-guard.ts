import type { NextFunction, Request, Response } from 'express';
import { sendError } from './envelope.js';

/** JSON bodies nested deeper than this are refused: no form needs it, and deep nesting is a stack attack. */
export const MAX_JSON_DEPTH = 64;

export type JsonProblem = { status: 400 | 422; path: string; message: string } | null;

const pathOf = (parts: (string | number)[]) =>
  parts
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '') || '(body)';

type Found = { status: 400 | 422; message: string; path: (string | number)[] };

/**
 * Finds what no part of the system can store in a parsed JSON body: nesting deeper than
 * MAX_JSON_DEPTH, and strings (values or keys) holding NUL or a lone UTF-16 surrogate, which
 * PostgreSQL refuses in text and jsonb. The recursion stops at MAX_JSON_DEPTH, so a hostile depth
 * cannot overflow the stack; the path is built only for the value at fault (this runs on every
 * body, so it allocates nothing on the way).
 */
export function jsonProblem(body: unknown): JsonProblem {
  const found = inspect(body, 0);
  if (!found) return null;
  const parts = found.path.reverse();
  return {
    status: found.status,
    path: pathOf(found.status === 400 ? parts.slice(0, 8) : parts),
    message: found.message,
  };
}

function inspect(value: unknown, depth: number): Found | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000'))
      return { status: 422, path: [], message: 'holds a NUL character, which cannot be stored' };
    if (!value.isWellFormed())
      return { status: 422, path: [], message: 'holds an unpaired UTF-16 surrogate, which cannot be stored' };
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_JSON_DEPTH) return { status: 400, path: [], message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = inspect(value[i], depth + 1);
      if (found) return (found.path.push(i), found);
    }
    return null;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes('\u0000') || !key.isWellFormed())
      return { status: 422, path: [], message: 'holds a key with a NUL character or an unpaired surrogate' };
    const found = inspect((value as Record<string, unknown>)[key], depth + 1);
    if (found) return (found.path.push(key), found);
  }
  return null;
}

/** After express.json: refuses bodies jsonProblem finds fault with, in the envelope. */
export function guardJsonBody(req: Request, res: Response, next: NextFunction): void {
  const problem = req.body === undefined ? null : jsonProblem(req.body);
  if (!problem) return next();
  sendError(
    res,
    problem.status,
    problem.status === 400 ? 'BAD_REQUEST' : 'VALIDATION_FAILED',
    `${problem.path}: ${problem.message}`,
    [{ path: problem.path, message: problem.message }],
  );
}
