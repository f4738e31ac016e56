import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import { PROJECT_ROOT } from '../config/paths.js';
import { connectionConfig, type Queryable } from './pool.js';

export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateLogger {
  info(message: string): void;
}

/**
 * Applies every pending migration in migrations/ (SQL files, each in its own transaction).
 * node-pg-migrate holds an advisory lock while it runs; with `wait`, two nodes starting at once
 * apply them once, one after the other, instead of the second failing.
 */
export async function applyMigrations(databaseUrl: string, logger?: MigrateLogger): Promise<string[]> {
  const applied = await runner({
    databaseUrl: connectionConfig(databaseUrl),
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    checkOrder: true,
    advisoryLockMode: 'wait',
    log: () => {},
    logger: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => logger?.info(m),
      error: (m: string) => logger?.info(m),
    },
  });
  const names = applied.map((m) => m.name);
  for (const name of names) logger?.info(`migration applied: ${name}`);
  return names;
}

/** Migration names present in migrations/, in order. */
export async function migrationFiles(): Promise<string[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
}

/** Migrations that exist on disk but have not been applied to this database. */
export async function pendingMigrations(db: Queryable): Promise<string[]> {
  const files = await migrationFiles();
  const exists = await db.query<{ exists: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [
    `public.${MIGRATIONS_TABLE}`,
  ]);
  if (!exists.rows[0]?.exists) return files;
  const done = await db.query<{ name: string }>(`SELECT name FROM public.${MIGRATIONS_TABLE}`);
  const applied = new Set(done.rows.map((r) => r.name));
  return files.filter((f) => !applied.has(f));
}
