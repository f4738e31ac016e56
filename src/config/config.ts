/**
 * Typed configuration, read once from the environment.
 *
 * Every problem is collected and reported together, so a misconfigured deployment fails at start
 * with one readable message instead of one error per restart.
 */

import { defaultRuntimeRole } from '../db/roles.js';
import type { S3Options } from '../files/storage.s3.js';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnv;
  isProduction: boolean;
  port: number;
  host: string;
  /** Public origin of the web process (scheme://host[:port]); used for Origin checks and links. */
  publicUrl: string;
  /**
   * The runtime login of the web and worker processes (DATABASE_URL; when it names no login, the
   * role `<database>_app` that setup and `npm start` create). It owns nothing (src/db/roles.ts).
   */
  databaseUrl: string;
  /** The owner's login, for migrations, setup, backups and restores (DATABASE_OWNER_URL, else DATABASE_URL as given). */
  ownerDatabaseUrl: string;
  /** DATABASE_URL named no login: the runtime role is Gridbook's own `<database>_app`. */
  runtimeRoleDerived: boolean;
  redisUrl: string;
  queuePrefix: string;
  /** Undefined outside production when not set: a generated secret is kept in the database. */
  sessionSecret: string | undefined;
  jwtSecret: string | undefined;
  /** Secure cookies; on by default when PUBLIC_URL is https. */
  cookieSecure: boolean;
  trustProxy: boolean;
  storageDir: string;
  files: {
    driver: 'local' | 's3';
    /** Largest file accepted, whatever the field says (fields may set a lower maxSize). */
    maxBytes: number;
    maxFilesPerRequest: number;
    /** How long an unreferenced file and its blob are kept before the clean-up removes them. */
    graceHours: number;
    cleanupIntervalMs: number;
    s3: S3Options;
  };
  bcryptRounds: number;
  sessionTtlHours: number;
  login: {
    /** Consecutive failures before an account is locked. */
    maxFailuresPerAccount: number;
    lockMinutes: number;
    /** Failures from one IP address within the window before that address is throttled. */
    maxFailuresPerIp: number;
    ipWindowMinutes: number;
  };
  audit: {
    sealIntervalMs: number;
    /** The key of the audit chain's HMAC links and checkpoints (never stored in the database). */
    key: string | undefined;
    /** Keys of earlier links and checkpoints, still accepted by verification (rotation). */
    previousKeys: string[];
    /** At most how often the sealer writes a checkpoint of the chain head to the file store (0: every seal). */
    checkpointIntervalMs: number;
  };
  worker: {
    /** Jobs a worker process handles at once (they share batched transactions). */
    concurrency: number;
    batchSize: number;
    batchWaitMs: number;
    /** Under live load (another batch running), a batch short of this many waits up to batchFillWaitMs to fill. */
    batchMinSize: number;
    batchFillWaitMs: number;
    batchesInFlight: number;
    /** How often the sweeper looks for submissions left pending, and how old they must be. */
    sweepIntervalMs: number;
    sweepAfterSeconds: number;
    /** Job schedulers are declared again this often (they are lost if Redis is flushed). */
    schedulerRefreshMs: number;
    /** A job whose worker died is handed to another after this long (BullMQ lock and stall check). */
    lockDurationMs: number;
  };
  review: {
    /** Submissions waiting in review longer than this are flagged overdue. */
    slaHours: number;
    /** How often follow-ups and reviews are checked for being overdue. */
    overdueIntervalMs: number;
  };
  admin: {
    email: string | undefined;
    password: string | undefined;
  };
  logLevel: string;
  /** Human-readable logs (development); JSON otherwise. */
  logPretty: boolean;
  conversions: {
    /** A type change on a table of at least this many rows converts online (a shadow column filled in the background); smaller ones in one ALTER. */
    onlineMinRows: number;
    /** Rows per batch of the background conversion (each batch its own transaction). */
    batchRows: number;
    /** A pause between batches. */
    pauseMs: number;
    /** The swap's lock_timeout, and how many times it is tried. */
    swapLockTimeoutMs: number;
    swapAttempts: number;
  };
  exports: {
    /** Exports with more rows than this run in the background (progress, then a file to download). */
    asyncThreshold: number;
    retentionHours: number;
  };
  templates: {
    /** Days a deleted template (and its data) stays in the trash, restorable, before it is purged. */
    trashRetentionDays: number;
    trashPurgeIntervalMs: number;
  };
  webhooks: {
    /** Attempts per delivery (the first included), with exponential backoff from backoffMs. */
    attempts: number;
    backoffMs: number;
    timeoutMs: number;
    /** Deliveries sent at once by one worker process. */
    concurrency: number;
    /** Let webhooks reach private and loopback addresses (off: see src/webhooks/target.ts). */
    allowPrivate: boolean;
    sweepIntervalMs: number;
  };
  metrics: {
    /** When set, /metrics is served on this port (on metricsHost) instead of the main one. */
    port: number | undefined;
    host: string;
    /** When set, /metrics on the main port needs `Authorization: Bearer <token>`. */
    token: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const MIN_SECRET_LENGTH = 32;

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name} is required`);
    return '';
  }

  optional(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  url(name: string, fallback: string, protocols: string[]): string {
    const value = this.string(name, fallback);
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
      }
    } catch {
      this.problems.push(`${name} is not a valid URL`);
    }
    return value;
  }

  secret(name: string, required: boolean): string | undefined {
    const value = this.optional(name);
    if (!value) {
      if (required)
        this.problems.push(`${name} is required in production (at least ${MIN_SECRET_LENGTH} random characters)`);
      return undefined;
    }
    if (value.length < MIN_SECRET_LENGTH) {
      this.problems.push(`${name} must be at least ${MIN_SECRET_LENGTH} characters long`);
    }
    return value;
  }
}

export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);
  const nodeEnvRaw = r.string('NODE_ENV', 'development');
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    r.problems.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  }
  const nodeEnv = nodeEnvRaw as NodeEnv;
  const isProduction = nodeEnv === 'production';
  const port = r.int('PORT', 3000, 0, 65535);
  const publicUrl = r.url('PUBLIC_URL', `http://localhost:${port}`, ['http:', 'https:']).replace(/\/+$/, '');

  const config: Config = {
    nodeEnv,
    isProduction,
    port,
    host: r.string('HOST', '0.0.0.0'),
    publicUrl,
    ...databaseUrls(r),
    redisUrl: r.url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    queuePrefix: r.string('QUEUE_PREFIX', 'gridbook'),
    sessionSecret: r.secret('SESSION_SECRET', isProduction),
    jwtSecret: r.secret('JWT_SECRET', isProduction),
    cookieSecure: r.bool('COOKIE_SECURE', publicUrl.startsWith('https:')),
    trustProxy: r.bool('TRUST_PROXY', false),
    storageDir: r.string('STORAGE_DIR', 'var/storage'),
    files: {
      driver: (r.string('STORAGE_DRIVER', 'local') === 's3' ? 's3' : 'local') as 'local' | 's3',
      maxBytes: r.int('FILE_MAX_BYTES', 25 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
      maxFilesPerRequest: r.int('FILES_PER_REQUEST', 20, 1, 1000),
      graceHours: r.int('FILE_GRACE_HOURS', 24, 0, 24 * 365),
      cleanupIntervalMs: r.int('FILE_CLEANUP_INTERVAL_MS', 60 * 60 * 1000, 100, 7 * 24 * 3600 * 1000),
      s3: {
        endpoint: r.optional('S3_ENDPOINT'),
        region: r.string('S3_REGION', 'us-east-1'),
        bucket: r.string('S3_BUCKET', 'gridbook'),
        accessKeyId: r.optional('S3_ACCESS_KEY_ID'),
        secretAccessKey: r.optional('S3_SECRET_ACCESS_KEY'),
        forcePathStyle: r.bool('S3_FORCE_PATH_STYLE', true),
        prefix: r.string('S3_PREFIX', ''),
      },
    },
    bcryptRounds: r.int('BCRYPT_ROUNDS', 12, 4, 15),
    sessionTtlHours: r.int('SESSION_TTL_HOURS', 12, 1, 24 * 30),
    login: {
      maxFailuresPerAccount: r.int('LOGIN_MAX_FAILURES', 5, 1, 1000),
      lockMinutes: r.int('LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
      maxFailuresPerIp: r.int('LOGIN_MAX_FAILURES_PER_IP', 50, 1, 100000),
      ipWindowMinutes: r.int('LOGIN_IP_WINDOW_MINUTES', 15, 1, 24 * 60),
    },
    audit: {
      sealIntervalMs: r.int('AUDIT_SEAL_INTERVAL_MS', 1000, 100, 60 * 60 * 1000),
      key: r.secret('AUDIT_KEY', isProduction),
      previousKeys: (r.optional('AUDIT_PREVIOUS_KEYS') ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
      checkpointIntervalMs: r.int('AUDIT_CHECKPOINT_INTERVAL_MS', 60_000, 0, 24 * 3600 * 1000),
    },
    worker: {
      concurrency: r.int('WORKER_CONCURRENCY', 64, 1, 1000),
      batchSize: r.int('PROCESSING_BATCH_SIZE', 100, 1, 1000),
      batchWaitMs: r.int('PROCESSING_BATCH_WAIT_MS', 10, 0, 10_000),
      batchMinSize: r.int('PROCESSING_BATCH_MIN_SIZE', 25, 1, 1000),
      batchFillWaitMs: r.int('PROCESSING_BATCH_FILL_WAIT_MS', 50, 0, 10_000),
      batchesInFlight: r.int('PROCESSING_BATCHES_IN_FLIGHT', 2, 1, 100),
      sweepIntervalMs: r.int('SWEEP_INTERVAL_MS', 15_000, 100, 24 * 3600 * 1000),
      sweepAfterSeconds: r.int('SWEEP_AFTER_SECONDS', 30, 0, 7 * 24 * 3600),
      schedulerRefreshMs: r.int('SCHEDULER_REFRESH_MS', 30_000, 100, 24 * 3600 * 1000),
      lockDurationMs: r.int('WORKER_LOCK_MS', 30_000, 1000, 3600 * 1000),
    },
    review: {
      slaHours: r.int('REVIEW_SLA_HOURS', 48, 1, 24 * 365),
      overdueIntervalMs: r.int('OVERDUE_INTERVAL_MS', 5 * 60 * 1000, 100, 24 * 3600 * 1000),
    },
    admin: {
      email: r.optional('ADMIN_EMAIL'),
      password: r.optional('ADMIN_PASSWORD'),
    },
    logLevel: r.string('LOG_LEVEL', isProduction ? 'info' : 'debug'),
    logPretty: r.bool('LOG_PRETTY', nodeEnv === 'development' && process.stdout.isTTY === true),
    conversions: {
      onlineMinRows: r.int('CONVERSION_ONLINE_MIN_ROWS', 10_000, 1, 2_000_000_000),
      batchRows: r.int('CONVERSION_BATCH_ROWS', 5_000, 1, 1_000_000),
      pauseMs: r.int('CONVERSION_BATCH_PAUSE_MS', 0, 0, 60_000),
      swapLockTimeoutMs: r.int('CONVERSION_SWAP_LOCK_TIMEOUT_MS', 500, 10, 60_000),
      swapAttempts: r.int('CONVERSION_SWAP_ATTEMPTS', 20, 1, 1000),
    },
    exports: {
      asyncThreshold: r.int('EXPORT_ASYNC_THRESHOLD', 50_000, 0, 1_000_000_000),
      retentionHours: r.int('EXPORT_RETENTION_HOURS', 72, 1, 24 * 365),
    },
    templates: {
      trashRetentionDays: r.int('TEMPLATE_TRASH_RETENTION_DAYS', 30, 0, 3650),
      trashPurgeIntervalMs: r.int('TEMPLATE_TRASH_PURGE_INTERVAL_MS', 60 * 60 * 1000, 100, 24 * 3600 * 1000),
    },
    webhooks: {
      attempts: r.int('WEBHOOK_ATTEMPTS', 8, 1, 50),
      backoffMs: r.int('WEBHOOK_BACKOFF_MS', 10_000, 10, 24 * 3600 * 1000),
      timeoutMs: r.int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      concurrency: r.int('WEBHOOK_CONCURRENCY', 10, 1, 500),
      allowPrivate: r.bool('WEBHOOK_ALLOW_PRIVATE', false),
      sweepIntervalMs: r.int('WEBHOOK_SWEEP_INTERVAL_MS', 30_000, 100, 24 * 3600 * 1000),
    },
    metrics: {
      port: r.optional('METRICS_PORT') === undefined ? undefined : r.int('METRICS_PORT', 9464, 1, 65535),
      host: r.string('METRICS_HOST', '127.0.0.1'),
      token: r.optional('METRICS_TOKEN'),
    },
  };

  const driver = env.STORAGE_DRIVER?.trim();
  if (driver && driver !== 'local' && driver !== 's3')
    r.problems.push(`STORAGE_DRIVER must be local or s3 (got "${driver}")`);
  if (isProduction && config.bcryptRounds < 10) {
    r.problems.push('BCRYPT_ROUNDS must be at least 10 in production');
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

/**
 * DATABASE_URL is the runtime login; DATABASE_OWNER_URL the owner's (migrations, setup, backups).
 * A DATABASE_URL without a login (the local default: the operating-system user, with local trust
 * authentication) is the owner's, and the web and worker processes log in as `<database>_app` at
 * the same address instead, a role setup and `npm start` create.
 */
function databaseUrls(r: Reader): { databaseUrl: string; ownerDatabaseUrl: string; runtimeRoleDerived: boolean } {
  const given = r.url('DATABASE_URL', 'postgres://127.0.0.1:5432/gridbook', ['postgres:', 'postgresql:']);
  const owner = r.optional('DATABASE_OWNER_URL');
  if (owner !== undefined) r.url('DATABASE_OWNER_URL', owner, ['postgres:', 'postgresql:']);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return { databaseUrl: given, ownerDatabaseUrl: owner ?? given, runtimeRoleDerived: false };
  }
  if (url.username !== '') return { databaseUrl: given, ownerDatabaseUrl: owner ?? given, runtimeRoleDerived: false };
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) return { databaseUrl: given, ownerDatabaseUrl: owner ?? given, runtimeRoleDerived: false };
  url.username = defaultRuntimeRole(name);
  url.password = '';
  return { databaseUrl: url.toString(), ownerDatabaseUrl: owner ?? given, runtimeRoleDerived: true };
}

/** The database name in a connection URL (used to create it when it does not exist). */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new ConfigError(['DATABASE_URL must name a database (postgres://host:port/name)']);
  return name;
}
