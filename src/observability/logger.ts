import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Secrets never reach a log line: known secret fields are redacted wherever
 * a caller passes them by mistake.
 */
export function createLogger(level: string, name = 'gridbook'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'passwordHash',
        '*.password_hash',
        'req.headers.cookie',
        'req.headers.authorization',
        'headers.cookie',
        'headers.authorization',
        '*.token',
        '*.refreshToken',
      ],
      censor: '[redacted]',
    },
  });
}
