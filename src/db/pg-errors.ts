import { AppError, ConflictError, ServiceUnavailableError, ValidationError } from '../errors/app-error.js';

interface PgError {
  code?: string;
  constraint?: string;
  column?: string;
  detail?: string;
  message?: string;
}

/** Messages for named constraints, so a unique violation reads as the domain rule it enforces. */
const CONSTRAINT_MESSAGES: Record<string, { path: string; message: string }> = {
  users_email_key: { path: 'email', message: 'a user with this email already exists' },
  grids_slug_key: { path: 'slug', message: 'a grid with this slug already exists' },
  grid_members_grid_user_key: { path: 'userId', message: 'this user is already a member of this grid' },
  templates_grid_slug_key: { path: 'slug', message: 'a template with this slug already exists in this grid' },
  submissions_idempotency_key: { path: 'Idempotency-Key', message: 'this key was already used' },
  saved_views_name_key: { path: 'name', message: 'you already have a view with this name on this list' },
};

// Connection-level failures: PostgreSQL down, restarting, or refusing connections.
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

export function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && typeof (error as PgError).code === 'string';
}

/**
 * Translates PostgreSQL errors into domain errors in one place (23505 unique, 23503 foreign key,
 * 23502 not null, 22001 too long, 23514 check, connection failures). Unknown errors pass through.
 */
export function translatePgError(error: unknown): unknown {
  if (error instanceof AppError || !isPgError(error)) {
    if (
      error instanceof Error &&
      /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
    ) {
      return new ServiceUnavailableError('The database is unavailable; try again shortly', { cause: error });
    }
    return error;
  }
  const known = error.constraint ? CONSTRAINT_MESSAGES[error.constraint] : undefined;
  switch (error.code) {
    case '23505':
      if (known) return new ConflictError(`${known.path}: ${known.message}`, [known]);
      return new ConflictError('This record conflicts with an existing one', [
        { path: error.constraint ?? '', message: error.detail ?? 'duplicate value' },
      ]);
    case '23503':
      return new ValidationError('A referenced record does not exist', [
        { path: error.constraint ?? '', message: error.detail ?? 'missing reference' },
      ]);
    case '23502':
      return ValidationError.field(error.column ?? 'unknown', 'is required');
    case '22001':
      return new ValidationError('A value is too long', [{ path: error.column ?? '', message: 'value too long' }]);
    case '22P05':
      return new ValidationError('A text holds a character the database cannot store (NUL)', [
        { path: error.column ?? '', message: error.message ?? 'untranslatable character' },
      ]);
    case '23514':
      if (known) return new ValidationError(`${known.path}: ${known.message}`, [known]);
      return new ValidationError('A value breaks a rule', [
        { path: error.constraint ?? '', message: 'check constraint violated' },
      ]);
    default:
      // Class 22, data exceptions: a value PostgreSQL refuses (a date out of range, a number too
      // large for its type, a bad encoding). The request's fault, not the server's.
      if (error.code!.startsWith('22')) {
        return new ValidationError(`A value was refused: ${error.message ?? 'invalid value'}`, [
          { path: error.column ?? '', message: error.message ?? 'invalid value' },
        ]);
      }
      if (UNAVAILABLE_CODES.has(error.code!) || UNAVAILABLE_NODE_CODES.has(error.code!)) {
        return new ServiceUnavailableError('The database is unavailable; try again shortly', { cause: error });
      }
      return error;
  }
}
