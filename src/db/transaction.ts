import { translatePgError } from './pg-errors.js';
import type { Pool, PoolClient } from './pool.js';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /** `READ ONLY`: a consistent snapshot to read from (exports), refusing any write. */
  readOnly?: boolean;
  /**
   * PostgreSQL errors leave as domain errors unless this is false: the worker tells a retryable
   * failure from a permanent one by PostgreSQL's own error class (processing.service.ts).
   */
  translateErrors?: boolean;
}

function beginStatement(options: TransactionOptions): string {
  const modes = [
    options.isolation ? `ISOLATION LEVEL ${options.isolation}` : '',
    options.readOnly ? 'READ ONLY' : '',
  ].filter(Boolean);
  return ['BEGIN', ...modes].join(' ');
}

/**
 * Runs `work` in one transaction on a client the caller already holds (for example one that
 * holds session-level advisory locks around the transaction): COMMIT when it resolves, ROLLBACK
 * when it throws. Returns whether the connection is still usable beside the result or error.
 */
async function runIn<T>(
  client: PoolClient,
  work: (tx: PoolClient) => Promise<T>,
  options: TransactionOptions,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown; broken: boolean }> {
  try {
    await client.query(beginStatement(options));
    const value = await work(client);
    await client.query('COMMIT');
    return { ok: true, value };
  } catch (error) {
    let broken = false;
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed.
      broken = true;
    }
    return { ok: false, error: options.translateErrors === false ? error : translatePgError(error), broken };
  }
}

/** `withTransaction` on a client the caller holds and releases itself. */
export async function inTransaction<T>(
  client: PoolClient,
  work: (tx: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const outcome = await runIn(client, work, options);
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}

/**
 * Runs `work` in one transaction on one client: COMMIT when it resolves, ROLLBACK when it throws.
 * Services take the client as an explicit argument so that everything a business operation does,
 * its audit entry included, lands or fails together.
 */
export async function withTransaction<T>(
  pool: Pool,
  work: (tx: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const outcome = await runIn(client, work, options);
    if (outcome.ok) return outcome.value;
    broken = outcome.broken;
    throw outcome.error;
  } finally {
    // A connection that could not even roll back is not returned to the pool.
    client.release(broken);
  }
}

/** PostgreSQL's `lock_not_available` (a `lock_timeout` expired) and `deadlock_detected`. */
export const LOCK_NOT_AVAILABLE = '55P03';
export const DEADLOCK_DETECTED = '40P01';

/**
 * Runs `work` again while it fails for want of a lock: DDL on a live table takes its lock with a
 * short `lock_timeout` (so the writers queued behind it wait only that long), and is tried again
 * after a growing pause. Any other error, or the last attempt's, is thrown as it is.
 */
export async function retryWhenLocked<T>(
  work: (attempt: number) => Promise<T>,
  options: {
    attempts: number;
    pauseMs?: (attempt: number) => number;
    codes?: readonly string[];
    onRetry?: (attempt: number) => void;
  },
): Promise<T> {
  const codes = options.codes ?? [LOCK_NOT_AVAILABLE];
  const pause = options.pauseMs ?? ((attempt: number) => Math.min(5_000, 100 * attempt));
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= options.attempts || typeof code !== 'string' || !codes.includes(code)) throw error;
      options.onRetry?.(attempt);
      await new Promise((resolve) => setTimeout(resolve, pause(attempt)));
    }
  }
}
