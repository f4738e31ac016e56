import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../../src/db/migrations.js';

/**
 * Where tests run: the PostgreSQL server of TEST_DATABASE_URL (default: the local one) and the Redis
 * of REDIS_URL. Every test file gets its own database, cloned from a migrated template, and its own
 * Redis key prefix, so files run in parallel and runs never collide.
 */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrlFor(name: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The template's name changes with the migrations, so a changed migration gets a fresh template. */
export async function templateDatabaseName(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS_DIR)).sort()) {
    hash.update(file).update(await readFile(path.join(MIGRATIONS_DIR, file)));
  }
  return `gridbook_test_tpl_${hash.digest('hex').slice(0, 12)}`;
}
