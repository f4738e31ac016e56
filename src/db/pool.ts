import { userInfo } from 'node:os';
import pg from 'pg';

/**
 * How our connections read values, given to each pool and client we create (createPool, and the
 * admin panel's knex), never set on pg's global parsers, which every other pool in the process
 * would share. int8 stays a string (pg's default: ids can exceed 2^53 in theory; callers never do
 * arithmetic on them), numeric stays a string (exact decimals), and date stays 'YYYY-MM-DD'
 * instead of a local-midnight Date.
 */
export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === pg.types.builtins.DATE && format !== 'binary'
      ? (value: string) => value
      : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Anything that runs a query: the pool or a client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
}

/**
 * Client settings for a connection URL. A URL without a user name means "the operating-system user",
 * as for psql; node-postgres only looks at $USER, which service environments often lack.
 */
export function connectionConfig(databaseUrl: string): { connectionString: string } {
  const url = new URL(databaseUrl);
  if (url.username === '' && !process.env.PGUSER && !process.env.USER) url.username = userInfo().username;
  return { connectionString: url.toString() };
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    ...connectionConfig(databaseUrl),
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'gridbook',
    // Waiting for a free client under load is normal; an unreachable server fails fast anyway (ECONNREFUSED).
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 30000,
    statement_timeout: options.statementTimeoutMs,
    types: typeParsers,
  });
  // An idle client losing its connection (PostgreSQL restarted) emits 'error' on the pool; without
  // a listener Node would crash. The next query gets a fresh connection.
  pool.on('error', () => {});
  // So can a client that is checked out but between queries (a worker holding one for a batch):
  // without a listener on the client itself, the process crashes. Its next query fails cleanly
  // (the caller retries), and the broken client is not returned to the pool.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}
