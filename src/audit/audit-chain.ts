import { createHash } from 'node:crypto';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';

/**
 * The audit hash chain. Each link covers the previous link's hash and the canonical text of one
 * entry (audit_entry_canonical() in SQL, the single definition of what is hashed):
 *
 *   hash(n) = sha256(hash(n-1) + "\n" + canonical(entry))
 *
 * Entries are sealed in the background in the order the sealer takes them from audit_unsealed, so
 * writers never wait for one another. Altering, removing or reordering a sealed entry breaks the
 * chain at that point, which verifyAuditChain() reports.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** Only one sealer at a time, whatever the number of worker processes. */
const SEAL_LOCK_KEY = 7_114_201_001;

export function linkHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/**
 * Seals up to `batchSize` waiting entries in one transaction. Returns how many it sealed, or 0
 * when there is nothing to do or another process holds the sealing lock.
 */
export async function sealBatch(pool: Pool, batchSize = 1000): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SEAL_LOCK_KEY]);
    if (!lock.rows[0]!.ok) return 0;

    const head = await tx.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1',
    );
    let seq = head.rows[0] ? BigInt(head.rows[0].seq) : 0n;
    let prev = head.rows[0]?.hash ?? GENESIS_HASH;

    const pending = await tx.query<{ entry_id: string; canonical: string | null }>(
      `SELECT u.entry_id, CASE WHEN a.id IS NULL THEN NULL ELSE audit_entry_canonical(a) END AS canonical
         FROM audit_unsealed u LEFT JOIN audit_log a ON a.id = u.entry_id
        ORDER BY u.entry_id LIMIT $1`,
      [batchSize],
    );
    if (pending.rowCount === 0) return 0;

    const seqs: string[] = [];
    const entryIds: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const row of pending.rows) {
      // An entry removed before it was sealed (only possible around the triggers) cannot be
      // sealed; it leaves the queue and is simply absent from the chain.
      if (row.canonical === null) continue;
      seq += 1n;
      const hash = linkHash(prev, row.canonical);
      seqs.push(seq.toString());
      entryIds.push(row.entry_id);
      prevs.push(prev);
      hashes.push(hash);
      prev = hash;
    }
    if (seqs.length > 0) {
      await tx.query(
        `INSERT INTO audit_chain (seq, entry_id, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])`,
        [seqs, entryIds, prevs, hashes],
      );
    }
    await tx.query('DELETE FROM audit_unsealed WHERE entry_id = ANY($1::bigint[])', [
      pending.rows.map((r) => r.entry_id),
    ]);
    return seqs.length;
  });
}

/** Seals everything waiting (in batches). Returns how many entries it sealed. */
export async function sealAll(pool: Pool, batchSize = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await sealBatch(pool, batchSize);
    total += sealed;
    if (sealed < batchSize) return total;
  }
}

export type ChainProblemKind = 'altered' | 'removed' | 'broken_link' | 'unsealed_outside_queue';

export interface ChainProblem {
  kind: ChainProblemKind;
  seq: string | null;
  entryId: string | null;
  message: string;
}

export interface ChainReport {
  ok: boolean;
  /** Links checked, in order. */
  checked: number;
  headSeq: string | null;
  headHash: string | null;
  /** Entries written but not sealed yet (sealed within seconds while a worker runs). */
  pending: number;
  /** The first problem found in chain order; checking stops there. */
  problem: ChainProblem | null;
}

/** Walks the chain in order and reports the first entry that was altered, removed or reordered. */
export async function verifyAuditChain(db: Queryable, batchSize = 5000): Promise<ChainReport> {
  let lastSeq = 0n;
  let prev = GENESIS_HASH;
  let checked = 0;
  const fail = (problem: ChainProblem, pending: number): ChainReport => ({
    ok: false,
    checked,
    headSeq: checked ? lastSeq.toString() : null,
    headHash: checked ? prev : null,
    pending,
    problem,
  });
  const pendingCount = async () =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_unsealed')).rows[0]!.n);

  for (;;) {
    const batch = await db.query<{
      seq: string;
      entry_id: string;
      prev_hash: string;
      hash: string;
      canonical: string | null;
    }>(
      `SELECT c.seq, c.entry_id, c.prev_hash, c.hash,
              CASE WHEN a.id IS NULL THEN NULL ELSE audit_entry_canonical(a) END AS canonical
         FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.entry_id
        WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
      [lastSeq.toString(), batchSize],
    );
    for (const link of batch.rows) {
      const seq = BigInt(link.seq);
      if (seq !== lastSeq + 1n) {
        return fail(
          {
            kind: 'removed',
            seq: (lastSeq + 1n).toString(),
            entryId: null,
            message: `chain link ${lastSeq + 1n} is missing (links ${lastSeq + 1n}..${seq - 1n} were removed)`,
          },
          await pendingCount(),
        );
      }
      if (link.canonical === null) {
        return fail(
          {
            kind: 'removed',
            seq: link.seq,
            entryId: link.entry_id,
            message: `audit entry ${link.entry_id} (chain link ${link.seq}) was removed`,
          },
          await pendingCount(),
        );
      }
      if (link.prev_hash !== prev) {
        return fail(
          {
            kind: 'broken_link',
            seq: link.seq,
            entryId: link.entry_id,
            message: `chain link ${link.seq} (audit entry ${link.entry_id}) does not follow link ${lastSeq}: links were reordered or edited`,
          },
          await pendingCount(),
        );
      }
      if (linkHash(link.prev_hash, link.canonical) !== link.hash) {
        return fail(
          {
            kind: 'altered',
            seq: link.seq,
            entryId: link.entry_id,
            message: `audit entry ${link.entry_id} (chain link ${link.seq}) was altered after it was sealed`,
          },
          await pendingCount(),
        );
      }
      prev = link.hash;
      lastSeq = seq;
      checked += 1;
    }
    if (batch.rows.length < batchSize) break;
  }

  // An entry neither sealed nor waiting was inserted around the triggers: it can never be trusted.
  const stray = await db.query<{ id: string }>(
    `SELECT a.id FROM audit_log a
      WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = a.id)
        AND NOT EXISTS (SELECT 1 FROM audit_unsealed u WHERE u.entry_id = a.id)
      ORDER BY a.id LIMIT 1`,
  );
  const pending = await pendingCount();
  if (stray.rows[0]) {
    return fail(
      {
        kind: 'unsealed_outside_queue',
        seq: null,
        entryId: stray.rows[0].id,
        message: `audit entry ${stray.rows[0].id} is neither sealed nor waiting to be sealed: it was written around the append-only triggers`,
      },
      pending,
    );
  }
  return {
    ok: true,
    checked,
    headSeq: checked ? lastSeq.toString() : null,
    headHash: checked ? prev : null,
    pending,
    problem: null,
  };
}
