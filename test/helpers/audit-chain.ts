import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sealAll } from '../../src/audit/audit-chain.js';
import { auditKeys } from '../../src/audit/audit-key.js';
import { recordAudit } from '../../src/audit/audit.service.js';
import { writeCheckpoint } from '../../src/audit/checkpoints.js';
import { connectionConfig } from '../../src/db/pool.js';
import { withTransaction } from '../../src/db/transaction.js';
import { LocalBlobStore } from '../../src/files/storage.local.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { ctxFor } from './factories.js';

export interface SealedChain {
  db: TestDatabase;
  pool: pg.Pool;
  /** The ids of the ten entries, in chain order (link n is ids[n - 1]). */
  ids: string[];
  key: string;
  storageDir: string;
  /** Edits as a superuser would: with triggers switched off for this session. */
  tamper(sql: string, params?: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** A database of its own with ten audit entries, sealed under a fresh key, and a checkpoint in a file store of its own. */
export async function sealedChain(): Promise<SealedChain> {
  const key = randomBytes(32).toString('hex');
  const db = await createTestDatabase();
  const storageDir = await mkdtemp(path.join(os.tmpdir(), 'gridbook-audit-'));
  const pool = new pg.Pool(connectionConfig(db.url));
  const ids = await withTransaction(pool, async (tx) => {
    const out: string[] = [];
    for (let i = 0; i < 10; i++) {
      out.push(
        await recordAudit(tx, ctxFor(null), { action: `test.e${i}`, entityType: 'thing', entityId: i, after: { i } }),
      );
    }
    return out;
  });
  await sealAll(pool, key);
  await writeCheckpoint(pool, new LocalBlobStore(storageDir), auditKeys(key));
  return {
    db,
    pool,
    ids,
    key,
    storageDir,
    tamper: async (sql, params = []) => {
      const client = await pool.connect();
      try {
        await client.query('SET session_replication_role = replica');
        await client.query(sql, params);
      } finally {
        await client.query('RESET session_replication_role');
        client.release();
      }
    },
    close: async () => {
      await pool.end();
      await db.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}
