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
