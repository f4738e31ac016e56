import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { databaseName } from '../config/config.js';
import { maintenanceUrl } from '../db/database.js';
import { quoteIdent } from '../db/identifiers.js';
import { migrationFiles } from '../db/migrations.js';
import { connectionConfig } from '../db/pool.js';
import { BlobMissingError, SHA256, type BlobStore } from '../files/storage.js';

/**
 * Backups: the database (pg_dump, custom format) and the uploaded files' content, in one directory
 *
 *   <dir>/manifest.json    what is in it: when, which migrations, counts, checksums
 *   <dir>/database.dump    pg_dump -Fc of the whole database
 *   <dir>/blobs/<sha256>   the content of every blob the dump references
 *
 * The list of blobs comes from the same snapshot as the dump (pg_dump --snapshot), so the backup
 * holds exactly the files its database names, read through the configured store (local disk or
 * S3) and checked against their hash on the way. Background export files are not included: they
 * expire and can be produced again.
 *
 * Restoring loads the dump into an empty database (or, with `force`, replaces the database),
 * puts the blobs back into the configured store, then the caller checks the result (integrity
 * check and audit chain).
 */

export const BACKUP_FORMAT = 'gridbook-backup/1';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  database: string;
  migrations: string[];
  counts: Record<string, number>;
  dump: { file: string; bytes: number; sha256: string };
  blobs: { count: number; bytes: number; missing: string[] };
}

export type Progress = (message: string) => void;

/** libpq settings for pg_dump / pg_restore: the URL without its password, which goes in the environment. */
function libpq(databaseUrl: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const url = new URL(connectionConfig(databaseUrl).connectionString);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { dbname: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

/** Runs a PostgreSQL client tool; rejects with its stderr when it fails. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${command} is not installed: install the PostgreSQL client tools (Debian: apt-get install postgresql-client)`,
            )
          : error,
      );
    });
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

const COUNTED = ['users', 'grids', 'templates', 'submissions', 'files', 'audit_log'];

export async function createBackup(
  databaseUrl: string,
  store: BlobStore,
  dir: string,
  progress: Progress = () => {},
): Promise<BackupManifest> {
  await mkdir(path.join(dir, 'blobs'), { recursive: true });
  if ((await readdir(dir)).some((name) => name !== 'blobs'))
    throw new Error(`${dir} is not empty: choose a new directory for the backup`);
  const client = new pg.Client({ ...connectionConfig(databaseUrl), application_name: 'gridbook-backup' });
  await client.connect();
  try {
    // One snapshot for the dump and for the list of blobs: the backup is consistent with itself.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const counts: Record<string, number> = {};
    for (const table of COUNTED) {
      counts[table] = Number(
        (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)).rows[0]!.n,
      );
    }
    const migrations = (
      await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY run_on, id')
    ).rows.map((r) => r.name);
    const blobs = (
      await client.query<{ sha256: string; size: string }>('SELECT sha256, size FROM blobs ORDER BY sha256')
    ).rows;

    progress('dumping the database (pg_dump)...');
    const dumpFile = path.join(dir, 'database.dump');
    const { dbname, env } = libpq(databaseUrl);
    await run(
      'pg_dump',
      [
        '--format=custom',
        '--no-owner',
        '--no-acl',
        `--snapshot=${snapshot}`,
        `--file=${dumpFile}`,
        `--dbname=${dbname}`,
      ],
      env,
    );
    await client.query('COMMIT');

    const missing: string[] = [];
    let bytes = 0;
    for (let i = 0; i < blobs.length; i++) {
      const { sha256 } = blobs[i]!;
      if (i % 100 === 0) progress(`copying files: ${i} / ${blobs.length}`);
      const target = path.join(dir, 'blobs', sha256);
      try {
        const hash = createHash('sha256');
        const source = await store.open(sha256);
        source.on('data', (chunk: Buffer) => hash.update(chunk));
        await pipeline(source, createWriteStream(target));
        if (hash.digest('hex') !== sha256)
          throw new Error(`the stored content of blob ${sha256} does not match its hash`);
        bytes += (await stat(target)).size;
      } catch (error) {
        // Purged by the clean-up after the snapshot (it was unreferenced): recorded, not fatal.
        if (!(error instanceof BlobMissingError)) throw error;
        missing.push(sha256);
      }
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      database: databaseName(databaseUrl),
      migrations,
      counts,
      dump: { file: 'database.dump', bytes: (await stat(dumpFile)).size, sha256: await sha256File(dumpFile) },
      blobs: { count: blobs.length - missing.length, bytes, missing },
    };
    await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

export async function readManifest(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch (error) {
    throw new Error(`${dir} is not a Gridbook backup (no readable manifest.json): ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new Error(`${dir}: unknown backup format ${String(manifest.format)} (expected ${BACKUP_FORMAT})`);
  return manifest;
}

export interface RestoreResult {
  manifest: BackupManifest;
  blobsRestored: number;
  /** Migrations this code has that the backup's database had not run yet (`npm run migrate` applies them). */
  pendingMigrations: string[];
}

/**
 * Restores a backup into the database of `databaseUrl` and the configured store. The database must
 * be missing or empty, unless `force`, which drops and recreates it (disconnecting its sessions:
 * stop the web and worker processes first). Checks every file against the manifest before
 * touching anything.
 */
export async function restoreBackup(
  databaseUrl: string,
  store: BlobStore,
  dir: string,
  options: { force?: boolean; progress?: Progress } = {},
): Promise<RestoreResult> {
  const progress = options.progress ?? (() => {});
  const manifest = await readManifest(dir);
  const dumpFile = path.join(dir, manifest.dump.file);
  progress('checking the backup...');
  if ((await sha256File(dumpFile).catch(() => null)) !== manifest.dump.sha256) {
    throw new Error(`${dumpFile} is missing or does not match the manifest's checksum: nothing was restored`);
  }
  const blobFiles = (await readdir(path.join(dir, 'blobs')).catch(() => [] as string[])).filter((name) =>
    SHA256.test(name),
  );
  if (blobFiles.length !== manifest.blobs.count)
    throw new Error(`the backup holds ${blobFiles.length} files, its manifest says ${manifest.blobs.count}`);
  for (let i = 0; i < blobFiles.length; i++) {
    if (i % 500 === 0 && i > 0) progress(`checking files: ${i} / ${blobFiles.length}`);
    const sha256 = blobFiles[i]!;
    if ((await sha256File(path.join(dir, 'blobs', sha256))) !== sha256) {
      throw new Error(
        `backup file blobs/${sha256} is corrupt (its content does not match its name): nothing was restored`,
      );
    }
  }

  const name = databaseName(databaseUrl);
  const admin = new pg.Client(connectionConfig(maintenanceUrl(databaseUrl)));
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (exists && !(await isEmpty(databaseUrl))) {
      if (!options.force)
        throw new Error(
          `database "${name}" is not empty: restore into a new database, or pass --force to replace its contents`,
        );
      progress(`dropping database "${name}"...`);
      await admin.query(`DROP DATABASE ${quoteIdent(name)} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } else if (!exists) {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    }
  } finally {
    await admin.end();
  }

  progress('restoring the database (pg_restore)...');
  const { dbname, env } = libpq(databaseUrl);
  await run(
    'pg_restore',
    ['--no-owner', '--no-acl', '--exit-on-error', '--single-transaction', `--dbname=${dbname}`, dumpFile],
    env,
  );

  // Blobs go back through the store; putFile moves its input, so each is staged in a copy first.
  const staging = path.join(os.tmpdir(), `gridbook-restore-${process.pid}`);
  await mkdir(staging, { recursive: true });
  let restored = 0;
  try {
    for (let i = 0; i < blobFiles.length; i++) {
      const sha256 = blobFiles[i]!;
      if (i % 100 === 0) progress(`restoring files: ${i} / ${blobFiles.length}`);
      const source = path.join(dir, 'blobs', sha256);
      const staged = path.join(staging, sha256);
      await copyFile(source, staged);
      const { size } = await stat(staged);
      await store.putFile(sha256, staged, size, 'application/octet-stream');
      await rm(staged, { force: true });
      restored++;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  const known = new Set(manifest.migrations);
  const pendingMigrations = (await migrationFiles()).filter((m) => !known.has(m));
  return { manifest, blobsRestored: restored, pendingMigrations };
}

async function isEmpty(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client(connectionConfig(databaseUrl));
  await client.connect();
  try {
    const tables = await client.query(
      `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' LIMIT 1`,
    );
    return tables.rowCount === 0;
  } finally {
    await client.end();
  }
}
