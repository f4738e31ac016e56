import type { NextFunction, Request, Response } from 'express';
import { sendError } from './envelope.js';

/** JSON bodies nested deeper than this are refused: no form needs it, and deep nesting is a stack attack. */
export const MAX_JSON_DEPTH = 64;

export type JsonProblem = { status: 400 | 422; path: string; message: string } | null;

const pathOf = (parts: (string | number)[]) => parts.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(body)';

/**
 * Finds what no part of the system can store in a parsed JSON body: nesting deeper than
 * MAX_JSON_DEPTH, and strings (values or keys) holding NUL or a lone UTF-16 surrogate, which
 * PostgreSQL refuses in text and jsonb. Iterative, so a hostile depth cannot overflow the stack.
 */
export function jsonProblem(body: unknown): JsonProblem {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: body, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (path.length > MAX_JSON_DEPTH) return { status: 400, path: pathOf(path.slice(0, 8)), message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { status: 422, path: pathOf(path), message: 'holds a NUL character, which cannot be stored' };
      if (!value.isWellFormed()) return { status: 422, path: pathOf(path), message: 'holds an unpaired UTF-16 surrogate, which cannot be stored' };
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000') || !key.isWellFormed()) return { status: 422, path: pathOf(path), message: 'holds a key with a NUL character or an unpaired surrogate' };
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return null;
}

/** After express.json: refuses bodies jsonProblem finds fault with, in the envelope. */
export function guardJsonBody(req: Request, res: Response, next: NextFunction): void {
  const problem = req.body === undefined ? null : jsonProblem(req.body);
  if (!problem) return next();
  sendError(res, problem.status, problem.status === 400 ? 'BAD_REQUEST' : 'VALIDATION_FAILED', `${problem.path}: ${problem.message}`, [
    { path: problem.path, message: problem.message },
  ]);
}
