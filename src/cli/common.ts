import { Redis } from 'ioredis';
import pg from 'pg';
import { databaseName, loadConfig, type Config } from '../config/config.js';
import { ensureDatabase, maintenanceUrl } from '../db/database.js';
import { applyMigrations } from '../db/migrations.js';
import { connectionConfig } from '../db/pool.js';
import { formsRoleFor, prepareRoles, RoleSetupError } from '../db/roles.js';
import type { Runtime } from '../runtime.js';
import { serveMetrics } from '../observability/http.js';
import { staleBuildProblem } from '../ops/server-build.js';

/** Connection URLs without their passwords, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Fails fast, with a message that says what to do, when PostgreSQL or Redis cannot be reached.
 * PostgreSQL is checked through its maintenance database so that a missing application database
 * (which `npm start` creates) is not mistaken for an unreachable server.
 */
export async function checkServices(config: Config): Promise<void> {
  const problems: string[] = [];
  const client = new pg.Client({
    ...connectionConfig(maintenanceUrl(config.ownerDatabaseUrl)),
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
  } catch (error) {
    problems.push(
      `Cannot reach PostgreSQL at ${redact(config.ownerDatabaseUrl)}: ${(error as Error).message}. Is it running? Set DATABASE_URL to point at it.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Cannot reach Redis at ${redact(config.redisUrl)}: ${(error as Error).message}. Is it running? Set REDIS_URL to point at it.`,
    );
  } finally {
    redis.disconnect();
  }
  if (problems.length) throw new StartupError(problems.join('\n'));
}

export class StartupError extends Error {}

/**
 * What setup, migrate and `npm start` do to the database, as its owner: create it if missing,
 * apply pending migrations, then create the runtime and forms roles if missing and grant them
 * what they need (src/db/roles.ts). Returns the migrations applied.
 */
export async function prepareDatabase(config: Config, say: (message: string) => void): Promise<string[]> {
  if (await ensureDatabase(config.ownerDatabaseUrl)) say(`Created database ${redact(config.ownerDatabaseUrl)}`);
  const applied = await applyMigrations(config.ownerDatabaseUrl);
  await grantRuntimeRoles(config, say);
  return applied;
}

/** Creates and grants the runtime and forms roles (also after a restore, whose dump has no grants). */
export async function grantRuntimeRoles(config: Config, say: (message: string) => void): Promise<void> {
  const runtime = new URL(connectionConfig(config.databaseUrl).connectionString);
  const client = new pg.Client(connectionConfig(config.ownerDatabaseUrl));
  await client.connect();
  try {
    const roles = await prepareRoles(client, {
      runtimeRole: decodeURIComponent(runtime.username),
      runtimePassword: runtime.password ? decodeURIComponent(runtime.password) : undefined,
    });
    for (const role of roles.created) say(`Created database role ${role}`);
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new StartupError(
        `Cannot set up the database roles as ${redact(config.ownerDatabaseUrl)}: ${(error as Error).message}. ` +
          `The owner's login needs CREATEROLE to create the roles; or create them yourself (CREATE ROLE ${decodeURIComponent(runtime.username)} LOGIN; ` +
          `CREATE ROLE ${formsRoleFor(databaseName(config.ownerDatabaseUrl))} NOLOGIN) and run setup again (README, "Database roles").`,
      );
    }
    if (error instanceof RoleSetupError) {
      if (config.isProduction) throw new StartupError(error.message);
      // Development with one login for everything: it works, without the audit log's protection.
      say(`Warning: ${error.message}`);
      return;
    }
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Refuses to run a server build older than the sources beside it (src/ops/server-build.ts). */
export async function checkServerBuild(): Promise<void> {
  const problem = await staleBuildProblem();
  if (problem) throw new StartupError(problem);
}

/**
 * The start of every command that needs PostgreSQL and Redis (start, web, worker, setup, migrate):
 * a fresh server build, the configuration, and both services reachable. Returns the configuration.
 */
export async function loadConfigAndCheckServices(): Promise<Config> {
  await checkServerBuild();
  const config = loadConfig();
  await checkServices(config);
  return config;
}

/** setup and migrate: prepares the database (prepareDatabase) and prints which migrations it applied. */
export async function migrateAndSay(config: Config): Promise<void> {
  const applied = await prepareDatabase(config, (m) => console.log(m));
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
}

/** /metrics on its own port when METRICS_PORT is set; returns how to stop it. */
export async function startMetricsServer(rt: Runtime): Promise<() => Promise<void>> {
  if (!rt.config.metrics.port) return async () => {};
  const server = await serveMetrics(rt.metrics, rt.config.metrics.port, rt.config.metrics.host);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * A web or worker node runs until SIGTERM or SIGINT (with /metrics when METRICS_PORT is set), then
 * stops its work (`stopServing`), its metrics server and its runtime, in that order.
 */
export async function serveUntilShutdown(rt: Runtime, stopServing: () => Promise<void>): Promise<void> {
  const stopMetrics = await startMetricsServer(rt);
  onShutdown(
    async () => {
      await stopServing();
      await stopMetrics();
      await rt.close();
    },
    (m) => rt.logger.info(m),
  );
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
export function onShutdown(stop: () => Promise<void>, log: (message: string) => void): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: finishing running work, then stopping`);
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

/** Prints a start-up failure without a stack trace when it is one we explain, and exits. */
export function exitOnStartupError(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StartupError || (error instanceof Error && error.name === 'ConfigError')) {
    console.error(`\nGridbook cannot start:\n${message}\n`);
  } else {
    console.error('\nGridbook cannot start:', error);
  }
  process.exit(1);
}

/**
 * The end of an operations command (backup, restore) that failed: its own failures are printed as
 * one line ("Backup failed: ..."), configuration and start-up ones as at start-up. Exits 1.
 */
export function exitOnCommandError(error: unknown, what: string): never {
  if (error instanceof Error && !['ConfigError', 'StartupError'].includes(error.name)) {
    console.error(`${what} failed: ${error.message}`);
    process.exit(1);
  }
  exitOnStartupError(error);
}
