import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import type { Config } from './config.js';
import type { Logger } from '../observability/logger.js';

export interface Secrets {
  sessionSecret: string;
  jwtSecret: string;
}

/**
 * The secrets from the environment. Outside production, a missing one is generated once and kept in
 * the database (instance_secrets), so sessions survive restarts and every node of a development
 * setup agrees; production refuses to start without them (config.ts). There is no fallback in code.
 */
export async function resolveSecrets(db: Queryable, config: Config, logger: Logger): Promise<Secrets> {
  const get = async (name: string, given: string | undefined): Promise<string> => {
    if (given) return given;
    if (config.isProduction) throw new Error(`${name} is required in production`);
    await db.query('INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
      name,
      randomBytes(48).toString('base64url'),
    ]);
    const row = await db.query<{ value: string }>('SELECT value FROM instance_secrets WHERE name = $1', [name]);
    logger.warn(`${name} is not set: using a generated secret stored in the database (development only)`);
    return row.rows[0]!.value;
  };
  return {
    sessionSecret: await get('SESSION_SECRET', config.sessionSecret),
    jwtSecret: await get('JWT_SECRET', config.jwtSecret),
  };
}
