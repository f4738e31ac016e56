import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEntry, ENTRY_COLUMNS, sealAll, verifyAuditChain } from '../../src/audit/audit-chain.js';
import { auditKeys } from '../../src/audit/audit-key.js';
import { verifyAgainstStore, writeCheckpoint } from '../../src/audit/checkpoints.js';
import { LocalBlobStore } from '../../src/files/storage.local.js';
import { recordAudit } from '../../src/audit/audit.service.js';
import { connectionConfig } from '../../src/db/pool.js';
import { withTransaction } from '../../src/db/transaction.js';
import { createTestDatabase } from '../helpers/database.js';
import { setupRuntime, type TestContext } from '../helpers/app.js';
import { ctxFor } from '../helpers/factories.js';
import { sealedChain, type SealedChain } from '../helpers/audit-chain.js';

describe('audit log', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await setupRuntime();
  });
  afterAll(() => t.close());

  const write = (n: number, action = 'test.event') =>
    withTransaction(t.rt.pool, async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        ids.push(await recordAudit(tx, ctxFor(null), { action, entityType: 'thing', entityId: i, after: { i } }));
      }
      return ids;
    });

  it('refuses UPDATE, DELETE and TRUNCATE: the runtime role has no such privilege, and the triggers stop even the owner', async () => {
    const [id] = await write(1);
    await expect(t.rt.pool.query(`UPDATE audit_log SET action = 'x' WHERE id = $1`, [id])).rejects.toThrow(
      /permission denied/,
    );
    await expect(t.rt.pool.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(/permission denied/);
    await expect(t.rt.pool.query(`TRUNCATE audit_log CASCADE`)).rejects.toThrow(/permission denied/);
    await sealAll(t.rt.pool, t.config.audit.key!);
    await expect(t.rt.pool.query(`DELETE FROM audit_chain`)).rejects.toThrow(/permission denied/);
    const owner = new pg.Pool(connectionConfig(t.db.url));
    try {
      await expect(owner.query(`UPDATE audit_log SET action = 'x' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
      await expect(owner.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
      await expect(owner.query(`TRUNCATE audit_log CASCADE`)).rejects.toThrow(/append-only/);
      await expect(owner.query(`DELETE FROM audit_chain`)).rejects.toThrow(/append-only/);
    } finally {
      await owner.end();
    }
  });

  it('computes the canonical text of an entry exactly as the SQL definition does, whatever the values', async () => {
    const texts = [
      'plain',
      'quote " and \\ backslash',
      'newline\n tab\t cr\r',
      '\u0001\u001f\u007f controls',
      'é 名前 😀 \u2028\u2029',
      '</script>',
      '',
    ];
    const ids: string[] = [];
    for (const [i, text] of texts.entries()) {
      const row = await t.rt.pool.query<{ id: string }>(
        `INSERT INTO audit_log (actor_label, action, entity_type, entity_id, grid_id, before, after, request_id, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          i % 2 ? null : text,
          `test.${i}`,
          text || 'thing',
          i % 3 ? text : null,
          i % 2 ? String(1000 + i) : null,
          i % 2
            ? null
            : JSON.stringify({
                [text]: text,
                n: 1.5,
                big: 12345678901234567000,
                list: [true, null, { z: 1, a: [] }],
                nested: { bb: 1, a: 2 },
              }),
          JSON.stringify({ i, text, keys: { [`k${text}`]: text } }),
          text || null,
          i % 2 ? '203.0.113.9' : null,
        ],
      );
      ids.push(row.rows[0]!.id);
    }
    const rows = await t.rt.pool.query(
      `SELECT audit_entry_canonical(a) AS sql, ${ENTRY_COLUMNS} FROM audit_log a WHERE a.id = ANY($1::bigint[]) ORDER BY a.id`,
      [ids],
    );
    expect(rows.rowCount).toBe(texts.length);
    for (const row of rows.rows) expect(canonicalEntry(row)).toBe(row.sql);
  });

  it('rolls back with the change it describes', async () => {
    const before = await t.rt.pool.query('SELECT count(*)::int AS n FROM audit_log');
    await expect(
      withTransaction(t.rt.pool, async (tx) => {
        await recordAudit(tx, ctxFor(null), { action: 'test.rollback', entityType: 'thing' });
        throw new Error('business failure');
      }),
    ).rejects.toThrow('business failure');
    const after = await t.rt.pool.query('SELECT count(*)::int AS n FROM audit_log');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('never stores secrets in before/after', async () => {
    const id = await withTransaction(t.rt.pool, (tx) =>
      recordAudit(tx, ctxFor(null), {
        action: 'test.secret',
        entityType: 'thing',
        after: { email: 'a@b.c', password: 'hunter22hunter22', nested: { password_hash: '$2b$xx' } },
      }),
    );
    const row = await t.rt.pool.query('SELECT after FROM audit_log WHERE id = $1', [id]);
    expect(JSON.stringify(row.rows[0].after)).not.toMatch(/hunter22|\$2b\$/);
  });

  it('seals entries written concurrently, including those committed out of id order', async () => {
    // A transaction takes an id, then waits while later ids commit and get sealed.
    const slow = await t.rt.pool.connect();
    await slow.query('BEGIN');
    const slowId = await recordAudit(slow, ctxFor(null), { action: 'test.slow', entityType: 'thing' });
    await Promise.all([write(20), write(20), write(20)]);
    await sealAll(t.rt.pool, t.config.audit.key!);
    await slow.query('COMMIT');
    slow.release();
    await sealAll(t.rt.pool, t.config.audit.key!);
    const sealed = await t.rt.pool.query('SELECT 1 FROM audit_chain WHERE entry_id = $1', [slowId]);
    expect(sealed.rowCount).toBe(1);
    const report = await verifyAuditChain(t.rt.pool, t.config.audit.key!);
    expect(report).toMatchObject({ ok: true, pending: 0 });
    expect(report.checked).toBeGreaterThanOrEqual(61);
  });
});

describe('a sealed chain, tampered with', () => {
  let chain: SealedChain;
  beforeEach(async () => {
    chain = await sealedChain();
  });
  afterEach(() => chain.close());

  it('detects reordered links and removed links', async () => {
    const report0 = await verifyAuditChain(chain.pool, chain.key);
    expect(report0.ok).toBe(true);
    // Swap which entries links 2 and 3 point to.
    await chain.tamper(`UPDATE audit_chain SET entry_id = -entry_id WHERE seq IN (2, 3)`);
    await chain.tamper(
      `UPDATE audit_chain SET entry_id = CASE seq WHEN 2 THEN $2::bigint ELSE $1::bigint END WHERE seq IN (2, 3)`,
      [chain.ids[1], chain.ids[2]],
    );
    const reordered = await verifyAuditChain(chain.pool, chain.key);
    expect(reordered.ok).toBe(false);
    expect(reordered.problem?.seq).toBe('2');

    await chain.tamper('DELETE FROM audit_chain WHERE seq = 9');
    const removed = await verifyAuditChain(chain.pool, chain.key);
    expect(removed.problem?.seq).toBe('2');
  });

  it('reports an entry slipped in around the triggers', async () => {
    await chain.tamper(`INSERT INTO audit_log (action, entity_type) VALUES ('forged', 'thing')`);
    const report = await verifyAuditChain(chain.pool, chain.key);
    expect(report.ok).toBe(false);
    expect(report.problem?.kind).toBe('unsealed_outside_queue');
  });
});

describe('audit key rotation', () => {
  it('verifies links sealed under an earlier key listed in AUDIT_PREVIOUS_KEYS, and names a link under an unknown key', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool(connectionConfig(db.url));
    try {
      const [oldKey, newKey] = [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')];
      const write = () =>
        withTransaction(pool, (tx) => recordAudit(tx, ctxFor(null), { action: 'test.rotate', entityType: 'thing' }));
      await write();
      await sealAll(pool, oldKey);
      await write();
      await sealAll(pool, auditKeys(newKey, [oldKey]));
      expect(await verifyAuditChain(pool, auditKeys(newKey, [oldKey]))).toMatchObject({ ok: true, checked: 2 });
      const alone = await verifyAuditChain(pool, newKey);
      expect(alone.problem).toMatchObject({ kind: 'unknown_key', seq: '1' });
      expect(alone.problem!.message).toMatch(
        /sealed with key [0-9a-f]{16}, which is neither AUDIT_KEY nor one of AUDIT_PREVIOUS_KEYS/,
      );
      const links = await pool.query<{ key_id: string }>('SELECT key_id FROM audit_chain ORDER BY seq');
      expect(links.rows.map((r) => r.key_id)).toEqual([auditKeys(oldKey).current.id, auditKeys(newKey).current.id]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});

describe('a chain sealed before it was keyed', () => {
  it('verifies its SHA-256 links, covered by the first keyed link and the checkpoint, and catches a rewrite of them', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool(connectionConfig(db.url));
    const storageDir = await mkdtemp(path.join(os.tmpdir(), 'gridbook-audit-'));
    try {
      const key = randomBytes(32).toString('hex');
      const keys = auditKeys(key);
      const store = new LocalBlobStore(storageDir);
      const write = (n: number) =>
        withTransaction(pool, async (tx) => {
          for (let i = 0; i < n; i++)
            await recordAudit(tx, ctxFor(null), { action: 'test.legacy', entityType: 'thing', entityId: i });
        });
      // Three links as the sealer made them before the chain was keyed: plain SHA-256, no key id.
      await write(3);
      await pool.query(`
        DO $$ DECLARE r record; prev text := repeat('0', 64); n bigint := 0; h text; BEGIN
          FOR r IN SELECT a FROM audit_log a ORDER BY a.id LOOP
            n := n + 1;
            h := encode(sha256(convert_to(prev || E'\\n' || audit_entry_canonical(r.a), 'UTF8')), 'hex');
            INSERT INTO audit_chain (seq, entry_id, prev_hash, hash) VALUES (n, (r.a).id, prev, h);
            prev := h;
          END LOOP;
          DELETE FROM audit_unsealed;
        END $$`);
      await write(2);
      await sealAll(pool, keys);
      const { written } = await writeCheckpoint(pool, store, keys);
      expect(written).toMatchObject({ seq: '5', legacyUpTo: '3' });
      expect(await verifyAgainstStore(pool, store, keys)).toMatchObject({ ok: true, checked: 5, legacyUpTo: '3' });

      // The owner edits a legacy entry and recomputes the legacy links: the first keyed link no longer follows.
      await pool.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await pool.query('ALTER TABLE audit_chain DISABLE TRIGGER USER');
      await pool.query(
        `UPDATE audit_log SET entity_id = 'forged' WHERE id = (SELECT entry_id FROM audit_chain WHERE seq = 2)`,
      );
      await pool.query(`
        DO $$ DECLARE r record; prev text; BEGIN
          SELECT hash INTO prev FROM audit_chain WHERE seq = 1;
          FOR r IN SELECT c.seq, a FROM audit_chain c JOIN audit_log a ON a.id = c.entry_id WHERE c.seq IN (2, 3) ORDER BY c.seq LOOP
            UPDATE audit_chain SET prev_hash = prev, hash = encode(sha256(convert_to(prev || E'\\n' || audit_entry_canonical(r.a), 'UTF8')), 'hex')
             WHERE seq = r.seq RETURNING hash INTO prev;
          END LOOP;
        END $$`);
      await pool.query('ALTER TABLE audit_chain ENABLE TRIGGER USER');
      await pool.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      expect((await verifyAgainstStore(pool, store, keys)).problem).toMatchObject({ kind: 'broken_link', seq: '4' });
    } finally {
      await pool.end();
      await db.drop();
      await rm(storageDir, { recursive: true, force: true });
    }
  });
});
