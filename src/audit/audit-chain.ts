import { createHash, createHmac } from 'node:crypto';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { auditKeys, type AuditKeys } from './audit-key.js';
import type { Checkpoint } from './checkpoints.js';

/**
 * The audit hash chain. Each link covers the previous link's hash, its own position and the
 * canonical text of one entry, under the audit key (HMAC-SHA256; see audit-key.ts):
 *
 *   hash(n) = HMAC(AUDIT_KEY, hash(n-1) + "\n" + n + "\n" + canonical(entry))
 *
 * The key never enters the database, so a chain rewritten there (an entry edited, every later link
 * recomputed in SQL) does not verify. Links sealed before the chain was keyed (key_id NULL) are
 * plain SHA-256 of hash(n-1) + "\n" + canonical(entry); the first keyed link covers them.
 *
 * Entries are sealed in the background in the order the sealer takes them from audit_unsealed, so
 * writers never wait for one another. The sealer also writes signed checkpoints of the chain head
 * to the file store (checkpoints.ts), so the newest entries cannot be removed with their links
 * unnoticed. verifyAuditChain() reports the first link that fails, and how.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** Only one sealer at a time, whatever the number of worker processes. */
const SEAL_LOCK_KEY = 7_114_201_001;

/**
 * The columns of an entry as the canonical text needs them, read as text. Only built-in functions,
 * schema-qualified: the canonical text is computed here, not by a SQL function the database's
 * owner could redefine to hide an edit.
 */
export const ENTRY_COLUMNS = `a.id::text AS e_id,
  pg_catalog.to_char(pg_catalog.timezone('UTC', a.created_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS e_at,
  a.actor_id::text AS e_actor, a.actor_label AS e_actor_label, a.action AS e_action, a.entity_type AS e_entity_type,
  a.entity_id AS e_entity_id, a.grid_id::text AS e_grid, a.before::text AS e_before, a.after::text AS e_after,
  a.request_id AS e_request_id, a.ip AS e_ip`;

interface EntryColumns {
  e_id: string | null;
  e_at: string;
  e_actor: string | null;
  e_actor_label: string | null;
  e_action: string;
  e_entity_type: string;
  e_entity_id: string | null;
  e_grid: string | null;
  e_before: string | null;
  e_after: string | null;
  e_request_id: string | null;
  e_ip: string | null;
}

/**
 * The canonical text of an entry: exactly what the SQL function audit_entry_canonical() gives
 * (jsonb's text form: keys ordered by length then bytes, ", " and ": " separators), built from the
 * columns. JSON.stringify escapes a string as PostgreSQL's escape_json does for valid text.
 */
export function canonicalEntry(e: EntryColumns): string {
  const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  const raw = (v: string | null) => (v === null ? 'null' : v);
  return (
    `{"at": ${str(e.e_at)}, "id": ${raw(e.e_id)}, "ip": ${str(e.e_ip)}, "grid": ${raw(e.e_grid)}, ` +
    `"actor": ${raw(e.e_actor)}, "after": ${raw(e.e_after)}, "action": ${str(e.e_action)}, "before": ${raw(e.e_before)}, ` +
    `"entityId": ${str(e.e_entity_id)}, "requestId": ${str(e.e_request_id)}, "actorLabel": ${str(e.e_actor_label)}, ` +
    `"entityType": ${str(e.e_entity_type)}}`
  );
}

/** A link sealed before the chain was keyed: plain SHA-256 (anyone can recompute it). */
export function linkHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonical).digest('hex');
}

/** A keyed link. */
export function keyedLinkHash(secret: Buffer, prevHash: string, seq: string, canonical: string): string {
  return createHmac('sha256', secret)
    .update(prevHash)
    .update('\n')
    .update(seq)
    .update('\n')
    .update(canonical)
    .digest('hex');
}

function asKeys(keys: AuditKeys | string): AuditKeys {
  return typeof keys === 'string' ? auditKeys(keys) : keys;
}

/**
 * Seals up to `batchSize` waiting entries in one transaction. Returns how many it sealed, or 0
 * when there is nothing to do or another process holds the sealing lock.
 */
export async function sealBatch(pool: Pool, keys: AuditKeys | string, batchSize = 1000): Promise<number> {
  const { current } = asKeys(keys);
  return withTransaction(pool, async (tx) => {
    const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [SEAL_LOCK_KEY]);
    if (!lock.rows[0]!.ok) return 0;

    const head = await tx.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM public.audit_chain ORDER BY seq DESC LIMIT 1',
    );
    let seq = head.rows[0] ? BigInt(head.rows[0].seq) : 0n;
    let prev = head.rows[0]?.hash ?? GENESIS_HASH;

    const pending = await tx.query<EntryColumns & { entry_id: string }>(
      `SELECT u.entry_id, ${ENTRY_COLUMNS}
         FROM public.audit_unsealed u LEFT JOIN public.audit_log a ON a.id = u.entry_id
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
      if (row.e_id === null) continue;
      seq += 1n;
      const hash = keyedLinkHash(current.secret, prev, seq.toString(), canonicalEntry(row));
      seqs.push(seq.toString());
      entryIds.push(row.entry_id);
      prevs.push(prev);
      hashes.push(hash);
      prev = hash;
    }
    if (seqs.length > 0) {
      await tx.query(
        `INSERT INTO public.audit_chain (seq, entry_id, prev_hash, hash, key_id)
         SELECT s, e, p, h, $5 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS x(s, e, p, h)`,
        [seqs, entryIds, prevs, hashes, current.id],
      );
    }
    await tx.query('DELETE FROM public.audit_unsealed WHERE entry_id = ANY($1::bigint[])', [
      pending.rows.map((r) => r.entry_id),
    ]);
    return seqs.length;
  });
}

/** Seals everything waiting (in batches). Returns how many entries it sealed. */
export async function sealAll(pool: Pool, keys: AuditKeys | string, batchSize = 1000): Promise<number> {
  const k = asKeys(keys);
  let total = 0;
  for (;;) {
    const sealed = await sealBatch(pool, k, batchSize);
    total += sealed;
    if (sealed < batchSize) return total;
  }
}

/**
 * - altered: an entry no longer matches its link (edited after sealing; the message says when its
 *   link was recomputed without the key, as SQL would);
 * - removed: an entry or a link in the middle of the chain is gone;
 * - broken_link: a link does not follow the one before it (links reordered or edited);
 * - unkeyed_link, unknown_key: a link not sealed with the audit key where one must be;
 * - truncated: the chain ends before the newest checkpoint (the newest entries were removed with
 *   their links);
 * - checkpoint_mismatch: the link a checkpoint recorded is not the one in the database;
 * - bad_checkpoint: a checkpoint in the file store whose signature does not verify;
 * - unsealed_outside_queue: an entry written around the append-only triggers.
 */
export type ChainProblemKind =
  | 'altered'
  | 'removed'
  | 'broken_link'
  | 'unkeyed_link'
  | 'unknown_key'
  | 'truncated'
  | 'checkpoint_mismatch'
  | 'bad_checkpoint'
  | 'unsealed_outside_queue';

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
  headEntryId: string | null;
  /** The last link sealed before the chain was keyed (plain SHA-256), if any. */
  legacyUpTo: string | null;
  /** The checkpoint the chain was checked against (null: none found). */
  checkpoint: { seq: string; at: string } | null;
  /** Entries written but not sealed yet (sealed within seconds while a worker runs). */
  pending: number;
  /** The first problem found in chain order; checking stops there. */
  problem: ChainProblem | null;
}

export interface VerifyOptions {
  /** The newest checkpoint, its signature checked: the chain must reach it, through its hash. */
  checkpoint?: Checkpoint | null;
  /** Start after this link instead of at the genesis (the sealer's check of what is new). */
  from?: { seq: string; hash: string; legacyUpTo: string | null };
  batchSize?: number;
}

/**
 * Walks the chain in order and reports the first link that fails: an entry altered or removed, a
 * link reordered, forged without the key or missing, the chain cut short of its newest checkpoint.
 */
export async function verifyAuditChain(
  db: Queryable,
  keysIn: AuditKeys | string,
  options: VerifyOptions = {},
): Promise<ChainReport> {
  const keys = asKeys(keysIn);
  const batchSize = options.batchSize ?? 5000;
  const checkpoint = options.checkpoint ?? null;
  let lastSeq = options.from ? BigInt(options.from.seq) : 0n;
  let prev = options.from?.hash ?? GENESIS_HASH;
  let lastEntry: string | null = null;
  let legacyUpTo: bigint | null = options.from?.legacyUpTo ? BigInt(options.from.legacyUpTo) : null;
  // Unkeyed links may only come first: before any keyed one, and within the checkpoint's legacy part.
  let keyedSeen = options.from !== undefined;
  const legacyAllowedTo = checkpoint ? BigInt(checkpoint.legacyUpTo ?? '0') : null;
  let checkpointHash: string | null = null;
  let checkpointEntry: string | null = null;
  let checked = 0;

  const report = (problem: ChainProblem | null, pending: number): ChainReport => ({
    ok: problem === null,
    checked,
    headSeq: lastSeq > 0n ? lastSeq.toString() : null,
    headHash: lastSeq > 0n ? prev : null,
    headEntryId: lastEntry,
    legacyUpTo: legacyUpTo === null ? null : legacyUpTo.toString(),
    checkpoint: checkpoint ? { seq: checkpoint.seq, at: checkpoint.at } : null,
    pending,
    problem,
  });
  const pendingCount = async () =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM public.audit_unsealed')).rows[0]!.n);
  const fail = async (problem: ChainProblem) => report(problem, await pendingCount());

  for (;;) {
    const batch = await db.query<
      EntryColumns & { seq: string; entry_id: string; prev_hash: string; hash: string; key_id: string | null }
    >(
      `SELECT c.seq, c.entry_id, c.prev_hash, c.hash, c.key_id, ${ENTRY_COLUMNS}
         FROM public.audit_chain c LEFT JOIN public.audit_log a ON a.id = c.entry_id
        WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`,
      [lastSeq.toString(), batchSize],
    );
    for (const link of batch.rows) {
      const seq = BigInt(link.seq);
      const at = `chain link ${link.seq} (audit entry ${link.entry_id})`;
      if (seq !== lastSeq + 1n) {
        return fail({
          kind: 'removed',
          seq: (lastSeq + 1n).toString(),
          entryId: null,
          message: `chain link ${lastSeq + 1n} is missing (links ${lastSeq + 1n}..${seq - 1n} were removed)`,
        });
      }
      if (link.e_id === null) {
        return fail({
          kind: 'removed',
          seq: link.seq,
          entryId: link.entry_id,
          message: `audit entry ${link.entry_id} (chain link ${link.seq}) was removed`,
        });
      }
      if (link.prev_hash !== prev) {
        return fail({
          kind: 'broken_link',
          seq: link.seq,
          entryId: link.entry_id,
          message: `${at} does not follow link ${lastSeq}: links were reordered or edited`,
        });
      }
      const canonical = canonicalEntry(link);
      let expected: string;
      if (link.key_id === null) {
        if (keyedSeen || (legacyAllowedTo !== null && seq > legacyAllowedTo)) {
          return fail({
            kind: 'unkeyed_link',
            seq: link.seq,
            entryId: link.entry_id,
            message: `${at} was not sealed with the audit key, where every link is: the chain was rewritten from here`,
          });
        }
        expected = linkHash(link.prev_hash, canonical);
        legacyUpTo = seq;
      } else {
        const key = keys.byId.get(link.key_id);
        if (!key) {
          return fail({
            kind: 'unknown_key',
            seq: link.seq,
            entryId: link.entry_id,
            message: `${at} was sealed with key ${link.key_id}, which is neither AUDIT_KEY nor one of AUDIT_PREVIOUS_KEYS`,
          });
        }
        keyedSeen = true;
        expected = keyedLinkHash(key.secret, link.prev_hash, link.seq, canonical);
      }
      if (expected !== link.hash) {
        const recomputed = link.key_id !== null && link.hash === linkHash(link.prev_hash, canonical);
        return fail({
          kind: 'altered',
          seq: link.seq,
          entryId: link.entry_id,
          message: recomputed
            ? `audit entry ${link.entry_id} (chain link ${link.seq}) was altered after it was sealed, and its link recomputed without the audit key`
            : `audit entry ${link.entry_id} (chain link ${link.seq}) was altered after it was sealed (it no longer matches its keyed link)`,
        });
      }
      if (checkpoint && link.seq === checkpoint.seq) {
        checkpointHash = link.hash;
        checkpointEntry = link.entry_id;
      }
      prev = link.hash;
      lastSeq = seq;
      lastEntry = link.entry_id;
      checked += 1;
    }
    if (batch.rows.length < batchSize) break;
  }

  if (checkpoint) {
    const covered = BigInt(checkpoint.seq);
    if (lastSeq < covered) {
      return fail({
        kind: 'truncated',
        seq: (lastSeq + 1n).toString(),
        entryId: null,
        message:
          `chain links ${lastSeq + 1n}..${checkpoint.seq} are missing: the newest checkpoint (written ${checkpoint.at}) covers the chain ` +
          `up to link ${checkpoint.seq} (audit entry ${checkpoint.entryId}), and the database's chain ends at link ${lastSeq}: ` +
          'the newest entries were removed with their links',
      });
    }
    if (covered > 0n && (checkpointHash !== checkpoint.hash || checkpointEntry !== checkpoint.entryId)) {
      return fail({
        kind: 'checkpoint_mismatch',
        seq: checkpoint.seq,
        entryId: checkpointEntry,
        message:
          `chain link ${checkpoint.seq} is not the one the checkpoint of ${checkpoint.at} recorded (audit entry ` +
          `${checkpoint.entryId}): the chain up to it was rewritten`,
      });
    }
  }

  if (!options.from) {
    // An entry neither sealed nor waiting was inserted around the triggers: it can never be trusted.
    const stray = await db.query<{ id: string }>(
      `SELECT a.id FROM public.audit_log a
        WHERE NOT EXISTS (SELECT 1 FROM public.audit_chain c WHERE c.entry_id = a.id)
          AND NOT EXISTS (SELECT 1 FROM public.audit_unsealed u WHERE u.entry_id = a.id)
        ORDER BY a.id LIMIT 1`,
    );
    if (stray.rows[0]) {
      return fail({
        kind: 'unsealed_outside_queue',
        seq: null,
        entryId: stray.rows[0].id,
        message: `audit entry ${stray.rows[0].id} is neither sealed nor waiting to be sealed: it was written around the append-only triggers`,
      });
    }
  }
  return report(null, await pendingCount());
}
