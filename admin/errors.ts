import { ValidationError as AdminValidationError, type ActionResponse, type RecordJSON } from 'adminjs';
import { AppError } from '../src/errors/app-error.js';

/**
 * The adapter from the domain error model to AdminJS: validation problems become property errors
 * (shown under each field), every other domain error a notice. Unknown errors are rethrown: AdminJS
 * shows its generic error and the server logs them.
 */
export function toAdminValidationError(error: unknown, fieldMap: Record<string, string> = {}): unknown {
  if (!(error instanceof AppError)) return error;
  const propertyErrors: Record<string, { type: string; message: string }> = {};
  for (const detail of error.details) {
    const column = fieldMap[detail.path] ?? detail.path;
    if (column) propertyErrors[column] = { type: detail.code ?? error.code, message: detail.message };
  }
  return new AdminValidationError(propertyErrors, { type: error.code, message: error.message });
}

/** For custom actions: a domain error becomes an error notice on the same page. */
export function errorNotice(error: unknown, record?: RecordJSON): ActionResponse {
  if (!(error instanceof AppError)) throw error;
  return { record, notice: { message: error.message, type: 'error' } };
}

/**
 * What the panel says when a page is not there or not open to the person: AdminJS's own words
 * ("Resource of given id: users does not have an action with name: list or you are not authorized
 * to use it!") are for developers. Shown on the panel's not-found page (with its menu, so the way
 * on is one click away) and in notices. Not-found and not-allowed read alike on purpose: a page
 * must not tell someone what exists behind a door they may not open.
 */
export const NOT_OPEN =
  'This page does not exist, or it is not open to you. Use the menu on the left to find what you are looking for, or go back to the dashboard.';
export const RECORD_NOT_OPEN = 'This record does not exist (it may have been deleted), or it is not open to you.';
export const REFUSAL_MESSAGES = {
  pageNotFound_title: 'Nothing here for you',
  error404Resource: NOT_OPEN,
  error404Action: NOT_OPEN,
  error404Record: RECORD_NOT_OPEN,
  forbiddenError: 'You may not do this. If you need to, ask an administrator of this grid.',
};

/** AdminJS's own not-found notice for a record (api-controller.js), as the person should read it. */
export function humaneNotice(message: string): string {
  if (/^record with given id: ".*" cannot be found in resource ".*"$/is.test(message)) return RECORD_NOT_OPEN;
  return message;
}
