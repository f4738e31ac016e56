import { translatePgError } from './pg-errors.js';
import type { Pool, PoolClient } from './pool.js';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Runs `work` in one transaction on one client: COMMIT when it resolves, ROLLBACK when it throws.
 * Services take the client as an explicit argument so that everything a business operation does,
 * its audit entry included, lands or fails together. PostgreSQL errors leave as domain errors,
 * unless `translateErrors` is false: the worker tells a retryable failure from a permanent one by
 * PostgreSQL's own error class (processing.service.ts).
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient) => Promise<T>,
  options: { isolation?: IsolationLevel; translateErrors?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation}` : 'BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed; do not return it to the pool.
      broken = true;
    }
    throw options.translateErrors === false ? error : translatePgError(error);
  } finally {
    client.release(broken);
  }
}
