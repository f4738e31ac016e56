import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Fields added to every log line written while some work runs: the request id during a request
 * (set by the HTTP edge), the job id during a job (set by the worker). Services log through the one
 * logger and their lines carry the id without passing it around.
 */
const logFields = new AsyncLocalStorage<Record<string, string>>();

export function withLogFields<T>(fields: Record<string, string>, work: () => T): T {
  return logFields.run({ ...logFields.getStore(), ...fields }, work);
}

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty) instead of JSON: for development terminals. */
  pretty?: boolean;
  /** Where JSON lines go (standard output otherwise). */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured JSON logs (pino). Secrets never reach a log line: known secret fields and the
 * Authorization and Cookie headers are redacted wherever a caller passes them.
 */
export function createLogger(level: string, name = 'gridbook', options: LoggerOptions = {}): Logger {
  const settings = {
    name,
    level,
    mixin: () => logFields.getStore() ?? {},
    redact: {
      paths: [
        'password',
        '*.password',
        'passwordHash',
        '*.password_hash',
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'headers.cookie',
        'headers.authorization',
        '*.token',
        '*.accessToken',
        '*.refreshToken',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  };
  if (options.destination) return pino(settings, options.destination);
  if (options.pretty) {
    return pino({
      ...settings,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return pino(settings);
}
