/**
 * The one error model. Domain code throws these; the HTTP layer maps them to the API envelope
 * (src/http/error-handler.ts) and the admin panel maps them to notices (admin/errors.ts).
 * Anything else that escapes is a bug and becomes a 500 with a request id.
 */

export interface ErrorDetail {
  /** Where the problem is: a field path such as `email` or `sections[2].fields[5].key`. */
  path: string;
  message: string;
  code?: string;
  /** The field's label, for the person reading the answer (DUPLICATE_VALUE). */
  label?: string;
  /** The other record involved, when the caller may see it (DUPLICATE_VALUE: the holder of the value). */
  submissionId?: string;
}

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'ACCOUNT_DISABLED'
  | 'TOO_MANY_REQUESTS'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DUPLICATE_VALUE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details: ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Problems listed in one answer at most: a body with 50,000 bad keys gets the first ones and a count. */
export const MAX_ERROR_DETAILS = 100;

export class ValidationError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    const kept =
      details.length > MAX_ERROR_DETAILS
        ? [
            ...details.slice(0, MAX_ERROR_DETAILS),
            {
              path: '(body)',
              message: `and ${(details.length - MAX_ERROR_DETAILS).toLocaleString('en-US')} more problems`,
            },
          ]
        : details;
    super('VALIDATION_FAILED', 422, message, kept);
  }

  /** One problem with one field. */
  static field(path: string, message: string): ValidationError {
    return new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('BAD_REQUEST', 400, message, details);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', 401, message);
  }
}

export class InvalidCredentialsError extends AppError {
  constructor() {
    super('INVALID_CREDENTIALS', 401, 'Wrong email or password');
  }
}

export class AccountLockedError extends AppError {
  constructor(readonly lockedUntil: Date) {
    const minutes = Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 60000));
    super(
      'ACCOUNT_LOCKED',
      429,
      `Too many failed sign-in attempts: this account is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}`,
    );
  }
}

export class AccountDisabledError extends AppError {
  constructor() {
    super('ACCOUNT_DISABLED', 403, 'This account is disabled; ask an administrator');
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super('TOO_MANY_REQUESTS', 429, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super('FORBIDDEN', 403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id?: string | number) {
    super('NOT_FOUND', 404, id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details: ErrorDetail[] = []) {
    super('CONFLICT', 409, message, details);
  }
}

/**
 * An answer repeats a value of a `unique` field that another submission of the template holds.
 * One detail per field: its path in the answer, its label, and the holder's id when the caller may
 * read that submission (the permission module decides).
 */
export class DuplicateValueError extends AppError {
  constructor(details: (ErrorDetail & { label: string })[]) {
    const first = details[0]!;
    const more = details.length > 1 ? ` (and ${details.length - 1} more field${details.length > 2 ? 's' : ''})` : '';
    super('DUPLICATE_VALUE', 409, `${first.label}: ${first.message}${more}`, details);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', 413, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('UNSUPPORTED_MEDIA_TYPE', 415, message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERVICE_UNAVAILABLE', 503, message, [], options);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
