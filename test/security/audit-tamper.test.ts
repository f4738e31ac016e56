import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/audit/audit-chain.js';
import { auditKeys } from '../../src/audit/audit-key.js';
import { CHECKPOINT_LATEST, latestCheckpoint, verifyAgainstStore } from '../../src/audit/checkpoints.js';
import { recordAudit } from '../../src/audit/audit.service.js';
import { connectionConfig } from '../../src/db/pool.js';
import { formsRoleFor, runtimeRoleProblems } from '../../src/db/roles.js';
import { withTransaction } from '../../src/db/transaction.js';
import { setupApp, type TestApp } from '../helpers/app.js';
import { ctxFor } from '../helpers/factories.js';
import { publishedSurvey, waitFor } from '../helpers/forms.js';
import { spawnCli } from '../helpers/process.js';
import { Tally } from './tally.js';

/**
 * The audit chain against whoever holds the database (the issue "the audit chain does not survive
 * whoever owns the table"): the app's runtime role cannot alter audit_log or its triggers; the owner
 * can, but an entry it edits (every later link recomputed in SQL) or the newest entries it removes
 * with their links make `npm run audit:verify` fail, naming the place and the kind of tampering,
 * because links are keyed with AUDIT_KEY (which the database never holds) and the sealer checkpoints
 * the head into the file store.
 */
describe('the audit chain against the database owner', () => {
  let t: TestApp | null = null;
  let owner: pg.Pool | null = null;
  const tally = new Tally('security: audit chain tampering');

  afterAll(() => tally.publish());
  afterEach(async () => {
    await owner?.end();
    owner = null;
    await t?.close();
    t = null;
  });

  /**
   * The app with its worker (runtime role, sealer, checkpoints) and 12 entries written by the app,
   * sealed and checkpointed by the worker. Then the worker stops, so what follows is the attacker's.
   */
  const prepare = async (): Promise<{
    app: TestApp;
    ownerPool: pg.Pool;
    ids: string[];
    seqOf: Map<string, string>;
  }> => {
    const app = await setupApp({
      worker: true,
      env: { AUDIT_SEAL_INTERVAL_MS: '100', AUDIT_CHECKPOINT_INTERVAL_MS: '0' },
    });
    t = app;
    const ownerPool = new pg.Pool(connectionConfig(app.db.url));
    owner = ownerPool;
    const ids = await withTransaction(app.rt.pool, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        out.push(
          await recordAudit(tx, ctxFor(null), {
            action: `test.e${i}`,
            entityType: 'payment',
            entityId: i,
            after: { amount: 100 + i },
          }),
        );
      }
      return out;
    });
    const keys = auditKeys(app.config.audit.key!);
    const head = await waitFor(
      async () =>
        (await app.rt.pool.query<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_chain')).rows[0]!.seq,
      (seq) => seq !== null && Number(seq) >= ids.length,
      30_000,
      'sealed',
    );
    await waitFor(
      () => latestCheckpoint(app.rt.store, keys),
      (c) => c?.seq === head,
      30_000,
      'the sealer wrote a checkpoint of the head',
    );
    await app.worker!.close();
    app.worker = null;
    const links = await ownerPool.query<{ seq: string; entry_id: string }>(
      'SELECT seq::text, entry_id::text FROM audit_chain',
    );
    return { app, ownerPool, ids, seqOf: new Map(links.rows.map((r) => [r.entry_id, r.seq])) };
  };

  const cliEnv = (app: TestApp) => ({
    DATABASE_URL: app.db.url,
    STORAGE_DIR: app.config.storageDir,
    AUDIT_KEY: app.config.audit.key!,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
  });

  /** What the issue describes: switch the triggers off as the owner, edit, recompute every later link in SQL. */
  const rewriteFrom = async (db: pg.Pool, entryId: string, set: string) => {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await client.query('ALTER TABLE audit_chain DISABLE TRIGGER USER');
      await client.query(`UPDATE audit_log SET ${set} WHERE id = $1`, [entryId]);
      await client.query(
        `DO $$
         DECLARE r record; prev text;
         BEGIN
           SELECT c.seq INTO r FROM audit_chain c WHERE c.entry_id = ${Number(entryId)};
           SELECT coalesce((SELECT hash FROM audit_chain WHERE seq = r.seq - 1), repeat('0', 64)) INTO prev;
           FOR r IN SELECT c.seq, a AS entry FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id
                     WHERE c.seq >= r.seq ORDER BY c.seq LOOP
             UPDATE audit_chain SET prev_hash = prev,
                    hash = encode(sha256(convert_to(prev || E'\\n' || audit_entry_canonical(r.entry), 'UTF8')), 'hex')
              WHERE seq = r.seq RETURNING hash INTO prev;
           END LOOP;
         END $$`,
      );
      await client.query('ALTER TABLE audit_chain ENABLE TRIGGER USER');
      await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };

  it(
    'the runtime role the app runs as owns nothing and cannot alter audit_log, its chain or their triggers',
    { timeout: 120_000 },
    async () => {
      const app = await setupApp();
      t = app;
      // Publishing creates tables at runtime: they belong to the forms role, not to the runtime login.
      const s = await publishedSurvey(app);
      const db = app.rt.pool;
      const who = (await db.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
      expect(who).toBe(`${app.db.name}_app`);
      expect(await runtimeRoleProblems(db)).toEqual([]);
      const owned = await db.query(`SELECT relname FROM pg_class WHERE pg_get_userbyid(relowner) = current_user`);
      expect(owned.rows).toEqual([]);
      const formsOwner = await db.query<{ owner: string }>(
        'SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c WHERE c.oid = $1::regclass',
        [s.sectionTable],
      );
      expect(formsOwner.rows).toEqual([{ owner: formsRoleFor(app.db.name) }]);

      const [id] = await withTransaction(db, async (tx) => [
        await recordAudit(tx, ctxFor(null), { action: 'test.one', entityType: 'thing' }),
      ]);
      const attempts: [string, RegExp][] = [
        ['ALTER TABLE audit_log DISABLE TRIGGER USER', /must be owner of table audit_log/],
        ['ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only', /must be owner of table audit_log/],
        ['ALTER TABLE audit_chain DISABLE TRIGGER ALL', /must be owner of table audit_chain/],
        ['ALTER TABLE audit_log ADD COLUMN note text', /must be owner of table audit_log/],
        ['ALTER TABLE audit_log OWNER TO CURRENT_USER', /must be owner of table audit_log/],
        ['DROP TRIGGER audit_log_append_only ON audit_log', /must be owner of (table|relation) audit_log/],
        ['DROP TABLE audit_log CASCADE', /must be owner of table audit_log/],
        [
          `CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
          /must be owner of function audit_refuse_change|permission denied for schema public/,
        ],
        [
          `CREATE OR REPLACE FUNCTION audit_entry_canonical(e audit_log) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$`,
          /must be owner of function audit_entry_canonical|permission denied for schema public/,
        ],
        ['SET session_replication_role = replica', /permission denied to set parameter/],
        // A schema named after the owner would come first in the owner's search_path ("$user").
        ['CREATE SCHEMA shadow', /permission denied for database/],
        ['CREATE TABLE public.audit_shadow (x int)', /permission denied for schema public/],
        [`UPDATE audit_log SET action = 'x' WHERE id = ${Number(id)}`, /permission denied for table audit_log/],
        [`DELETE FROM audit_log WHERE id = ${Number(id)}`, /permission denied for table audit_log/],
        ['TRUNCATE audit_log', /permission denied for table audit_log/],
        [`UPDATE audit_chain SET hash = 'x'`, /permission denied for table audit_chain/],
        ['DELETE FROM audit_chain', /permission denied for table audit_chain/],
        ['UPDATE template_versions SET ddl = ARRAY[]::text[]', /permission denied for table template_versions/],
        ['DELETE FROM pgmigrations', /permission denied for table pgmigrations/],
      ];
      for (const [sql, refusal] of attempts) {
        await expect(db.query(sql), sql).rejects.toThrow(refusal);
        tally.add('owner-only statements refused to the runtime role');
      }
      // Nor can it become the owner.
      owner = new pg.Pool(connectionConfig(app.db.url));
      const ownerRole = (await owner.query<{ role: string }>('SELECT current_user AS role')).rows[0]!.role;
      await expect(db.query(`SET ROLE ${ownerRole}`)).rejects.toThrow(/permission denied to set role/);
    },
  );

  it(
    'an entry edited by the owner, with every later link recomputed in SQL, fails audit:verify and check:integrity, naming it',
    { timeout: 180_000 },
    async () => {
      const { app, ownerPool, ids, seqOf } = await prepare();
      const victim = ids[4]!;
      await rewriteFrom(ownerPool, victim, `after = '{"amount": 1000000}'`);
      // The rewritten chain is consistent as plain SHA-256: what verification without a key would accept.
      const links = await ownerPool.query<{ ok: boolean }>(
        `SELECT bool_and(c.hash = encode(sha256(convert_to(c.prev_hash || E'\\n' || audit_entry_canonical(a), 'UTF8')), 'hex')) AS ok
         FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id WHERE c.seq >= $1`,
        [seqOf.get(victim)],
      );
      expect(links.rows[0]!.ok).toBe(true);

      const verify = spawnCli('src/cli/audit-verify.ts', cliEnv(app));
      expect(await verify.exited, verify.output()).toBe(1);
      expect(verify.output()).toContain(
        `Audit chain BROKEN (altered): audit entry ${victim} (chain link ${seqOf.get(victim)}) ` +
          `was altered after it was sealed, and its link recomputed without the audit key`,
      );
      expect(verify.output()).toContain(`First failure: audit entry ${victim}, chain link ${seqOf.get(victim)}.`);

      const integrity = spawnCli('src/cli/check-integrity.ts', cliEnv(app));
      expect(await integrity.exited, integrity.output()).toBe(1);
      expect(integrity.output()).toMatch(new RegExp(`FAIL +audit-chain[\\s\\S]*altered: audit entry ${victim} `));
      tally.add('rewrites detected');
    },
  );

  it(
    'the newest entries deleted with their links fail audit:verify, which reports the missing range',
    { timeout: 180_000 },
    async () => {
      const { app, ownerPool, ids, seqOf } = await prepare();
      const head = await latestCheckpoint(app.rt.store, auditKeys(app.config.audit.key!));
      const keep = Number(seqOf.get(ids[8]!));
      const client = await ownerPool.connect();
      try {
        await client.query('BEGIN');
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
        await client.query('ALTER TABLE audit_chain DISABLE TRIGGER USER');
        const gone = await client.query<{ entry_id: string }>(
          'DELETE FROM audit_chain WHERE seq > $1 RETURNING entry_id',
          [keep],
        );
        await client.query('DELETE FROM audit_log WHERE id = ANY($1::bigint[])', [gone.rows.map((r) => r.entry_id)]);
        await client.query('ALTER TABLE audit_chain ENABLE TRIGGER USER');
        await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      // What is left is a sound chain on its own: only the checkpoint tells that it was longer.
      expect((await verifyAuditChain(ownerPool, app.config.audit.key!)).ok).toBe(true);

      const verify = spawnCli('src/cli/audit-verify.ts', cliEnv(app));
      expect(await verify.exited, verify.output()).toBe(1);
      expect(verify.output()).toContain(
        `Audit chain BROKEN (truncated): chain links ${keep + 1}..${head!.seq} are missing: ` +
          `the newest checkpoint (written ${head!.at}) covers the chain up to link ${head!.seq} (audit entry ` +
          `${head!.entryId})`,
      );
      expect(verify.output()).toContain(`the database's chain ends at link ${keep}`);
      tally.add('truncations detected');
    },
  );

  it(
    'neither a redefined canonical function, nor a chain rewritten as unkeyed, nor a forged checkpoint passes',
    { timeout: 120_000 },
    async () => {
      const { app, ownerPool, ids, seqOf } = await prepare();
      const keys = auditKeys(app.config.audit.key!);

      // 1. A checkpoint edited in the store (to hide a truncation) no longer carries a valid signature.
      const file = path.join(app.config.storageDir, CHECKPOINT_LATEST);
      const original = await readFile(file, 'utf8');
      await writeFile(file, JSON.stringify({ ...JSON.parse(original), seq: '1' }));
      const forged = await verifyAgainstStore(ownerPool, app.rt.store, keys);
      expect(forged.ok).toBe(false);
      expect(forged.problem?.kind).toBe('bad_checkpoint');
      await writeFile(file, original);
      expect((await verifyAgainstStore(ownerPool, app.rt.store, keys)).ok).toBe(true);

      // 2. Edit an entry and redefine audit_entry_canonical() to give its old text: no link recomputed at all.
      const victim = ids[2]!;
      const old = (
        await ownerPool.query<{ text: string }>(
          'SELECT audit_entry_canonical(a) AS text FROM audit_log a WHERE id = $1',
          [victim],
        )
      ).rows[0]!.text;
      await ownerPool.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
      await ownerPool.query(`UPDATE audit_log SET after = '{"amount": 0}' WHERE id = $1`, [victim]);
      await ownerPool.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
      await ownerPool.query(
        `CREATE OR REPLACE FUNCTION audit_entry_canonical(e audit_log) RETURNS text LANGUAGE sql STABLE AS $$
         SELECT CASE WHEN e.id = ${Number(victim)} THEN ${pg.escapeLiteral(old)} ELSE jsonb_build_object(
           'id', e.id, 'at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'actor', e.actor_id,
           'actorLabel', e.actor_label, 'action', e.action, 'entityType', e.entity_type, 'entityId', e.entity_id, 'grid', e.grid_id,
           'before', e.before, 'after', e.after, 'requestId', e.request_id, 'ip', e.ip)::text END $$`,
      );
      const hidden = await verifyAgainstStore(ownerPool, app.rt.store, keys);
      expect(hidden.problem).toMatchObject({ kind: 'altered', entryId: victim, seq: seqOf.get(victim) });

      // 3. Every link rewritten as an unkeyed SHA-256 link, from the genesis: consistent, but not keyed.
      await ownerPool.query('ALTER TABLE audit_chain DISABLE TRIGGER USER');
      await ownerPool.query('UPDATE audit_chain SET key_id = NULL');
      await ownerPool.query('ALTER TABLE audit_chain ENABLE TRIGGER USER');
      await rewriteFrom(ownerPool, ids[0]!, 'action = action');
      const unkeyed = await verifyAgainstStore(ownerPool, app.rt.store, keys);
      expect(unkeyed.problem).toMatchObject({ kind: 'unkeyed_link', seq: '1' });

      tally.add('rewrites detected', 3);
    },
  );
});
