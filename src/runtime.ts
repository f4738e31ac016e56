import path from 'node:path';
import knexModule, { type Knex } from 'knex';
import type { Redis } from 'ioredis';
import { AuthService } from './auth/auth.service.js';
import { ConfigError, databaseName, type Config } from './config/config.js';
import { resolveSecrets, type Secrets } from './config/secrets.js';
import { connectionConfig, createPool, typeParsers, type Pool } from './db/pool.js';
import { runtimeRoleProblems } from './db/roles.js';
import { GridsService } from './grids/grids.service.js';
import { createQueues, type Queues } from './jobs/queues.js';
import { createRedis } from './jobs/redis.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { UsersService } from './users/users.service.js';
import { TokensService } from './auth/tokens.service.js';
import { TemplatesService } from './templates/templates.service.js';
import { PublishService } from './templates/publish.service.js';
import { TablesService } from './templates/tables.service.js';
import { UnpublishService } from './templates/unpublish.js';
import { TemplateTrash } from './templates/trash.js';
import { CompactionService } from './templates/compaction.js';
import { ConversionService } from './templates/conversions.service.js';
import { conversionJobId } from './jobs/queues.js';
import { TemplateCatalog } from './templates/catalog.js';
import { SubmissionsService } from './submissions/submissions.service.js';
import { createEnqueuer } from './submissions/enqueue.js';
import { SubmissionBatchService } from './submissions/batch.service.js';
import { ReviewService } from './review/review.service.js';
import { FollowUpsService } from './review/follow-ups.service.js';
import { ReviewQueueService } from './review/queue.service.js';
import { FilesService } from './files/files.service.js';
import { createBlobStore, stagingDir } from './files/blob-store.js';
import type { BlobStore } from './files/storage.js';
import { ExportService } from './exports/export.service.js';
import { WebhooksService } from './webhooks/webhooks.service.js';
import { SavedViewsService } from './views/saved-views.service.js';
import type { Services } from './services.js';

/**
 * The long-lived parts one process shares: configuration, logger, PostgreSQL pool, Redis, queues and
 * the services built on them. The web app and the worker are wired from it; tests build one against
 * their own database and Redis prefix.
 */
export interface Runtime {
  config: Config;
  logger: Logger;
  pool: Pool;
  /** Used by the admin panel's resources (@adminjs/sql queries through knex); one small pool. */
  knex: Knex;
  redis: Redis;
  queues: Queues;
  secrets: Secrets;
  catalog: TemplateCatalog;
  store: BlobStore;
  metrics: Metrics;
  services: Services;
  close(): Promise<void>;
}

export type { Services };

export interface RuntimeOptions {
  logger?: Logger;
  /** The blob store (the configured one otherwise). */
  store?: BlobStore;
  poolSize?: number;
  applicationName?: string;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.logLevel, 'gridbook', { pretty: config.logPretty });
  const pool = createPool(config.databaseUrl, {
    max: options.poolSize ?? 10,
    applicationName: options.applicationName,
  });
  const knex = knexModule.knex({
    client: 'pg',
    connection: {
      ...connectionConfig(config.databaseUrl),
      application_name: 'gridbook-admin',
      types: typeParsers as Knex.PgCustomTypesConfig,
    },
    pool: { min: 0, max: 4 },
  });
  const redis = createRedis(config.redisUrl, 'producer');
  redis.on('error', (err) => logger.debug({ err }, 'redis connection error'));
  const queues = createQueues(redis, config.queuePrefix, (err) => logger.debug({ err }, 'queue connection error'));
  try {
    await checkRuntimeRole(pool, config, logger);
    const secrets = await resolveSecrets(pool, config, logger);
    const catalog = new TemplateCatalog(pool);
    const metrics = new Metrics(queues.all());
    const enqueue = createEnqueuer(queues.submissions, logger);
    const store = options.store ?? createBlobStore(config);
    const review = new ReviewService({ pool, catalog, enqueue });
    const conversions = new ConversionService({
      pool,
      logger,
      settings: {
        minRows: config.conversions.onlineMinRows,
        batchRows: config.conversions.batchRows,
        pauseMs: config.conversions.pauseMs,
        swapLockTimeoutMs: config.conversions.swapLockTimeoutMs,
        swapAttempts: config.conversions.swapAttempts,
      },
      enqueue: async (id) => {
        await queues.conversions.add('convert', { conversionId: id }, { jobId: conversionJobId(id) });
      },
    });
    const services: Services = {
      users: new UsersService({ pool, bcryptRounds: config.bcryptRounds }),
      grids: new GridsService({ pool }),
      auth: new AuthService({ pool, login: config.login, bcryptRounds: config.bcryptRounds, metrics }),
      tokens: new TokensService({ pool, secret: secrets.jwtSecret }),
      templates: new TemplatesService({ pool }),
      publisher: new PublishService({ pool, metrics, conversions }),
      conversions,
      tables: new TablesService({ pool }),
      unpublisher: new UnpublishService({ pool }),
      templateTrash: new TemplateTrash({ pool, retentionDays: config.templates.trashRetentionDays }),
      compactions: new CompactionService({
        pool,
        enqueue: async (id) => {
          await queues.compactions.add('compact', { compactionId: id }, { jobId: `compact-${id}` });
        },
      }),
      submissions: new SubmissionsService({ pool, catalog, enqueue, metrics }),
      submissionBatches: new SubmissionBatchService({ pool, catalog, enqueue, metrics }),
      review,
      reviewQueue: new ReviewQueueService({ pool, review }),
      followUps: new FollowUpsService({ pool, reviewSlaHours: config.review.slaHours }),
      files: new FilesService({
        pool,
        store,
        catalog,
        stagingDir: stagingDir(config),
        maxBytes: config.files.maxBytes,
        maxFiles: config.files.maxFilesPerRequest,
        graceHours: config.files.graceHours,
        logger,
      }),
      exports: new ExportService({
        pool,
        catalog,
        dir: path.join(path.resolve(config.storageDir), 'exports'),
        asyncThreshold: config.exports.asyncThreshold,
        retentionHours: config.exports.retentionHours,
        enqueue: async (id) => {
          await queues.exports.add('export', { exportId: id }, { jobId: `export-${id}` });
        },
        logger,
      }),
      webhooks: new WebhooksService({ pool, allowPrivate: config.webhooks.allowPrivate }),
      savedViews: new SavedViewsService(pool),
    };
    return {
      config,
      logger,
      pool,
      knex,
      redis,
      queues,
      secrets,
      catalog,
      store,
      metrics,
      services,
      close: async () => {
        store.destroy?.();
        await queues.close();
        redis.disconnect();
        await knex.destroy();
        await pool.end();
      },
    };
  } catch (error) {
    await queues.close().catch(() => {});
    redis.disconnect();
    await knex.destroy();
    await pool.end();
    throw error;
  }
}

/**
 * The web and worker processes must not be able to alter the audit tables (src/db/roles.ts):
 * production refuses to run as a login that owns them; development says so.
 */
async function checkRuntimeRole(pool: Pool, config: Config, logger: Logger): Promise<void> {
  let problems: string[];
  try {
    problems = await runtimeRoleProblems(pool);
  } catch (error) {
    // 28000: the login does not exist (setup creates Gridbook's own runtime role).
    if ((error as { code?: string }).code === '28000' && config.runtimeRoleDerived) {
      throw new ConfigError([
        `${(error as Error).message}: run \`npm run setup\` (or \`npm start\`) first, which creates it`,
      ]);
    }
    throw error;
  }
  if (problems.length === 0) return;
  const message =
    `${problems.join('; ')}. The web and worker processes must log in as a runtime role that owns nothing: ` +
    `set DATABASE_URL to that login and DATABASE_OWNER_URL to the owner's (README, "Database roles")`;
  if (config.isProduction) throw new ConfigError([message]);
  logger.warn(message);
}

export { databaseName };
