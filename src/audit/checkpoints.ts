import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Pool, Queryable } from '../db/pool.js';
import type { BlobStore } from '../files/storage.js';
import type { Logger } from '../observability/logger.js';
import { GENESIS_HASH, verifyAuditChain, type ChainReport } from './audit-chain.js';
import type { AuditKeys } from './audit-key.js';

/**
 * Checkpoints of the audit chain, kept outside PostgreSQL in the file store (the local directory or
 * the S3 bucket), signed with the audit key: the head of the chain (link number, its hash and its
 * entry) at a moment. Whoever holds the database alone can rewrite or cut the chain's newest links
 * and entries, but cannot make the database's chain reach a checkpoint it no longer reaches, nor
 * forge a newer checkpoint. The sealer writes one after sealing, at most every
 * AUDIT_CHECKPOINT_INTERVAL_MS, and only for a chain it has verified since the previous one.
 */

export const CHECKPOINT_LATEST = 'audit-checkpoints/latest.json';

export interface Checkpoint {
  version: 1;
  /** The database the chain lives in (a store shared by mistake is then noticed). */
  database: string;
  /** The newest link it covers, and its hash and entry. */
  seq: string;
  hash: string;
  entryId: string;
  /** Links in the chain up to it. */
  count: number;
  /** The last link sealed before the chain was keyed (plain SHA-256), if any. */
  legacyUpTo: string | null;
  /** When it was written (ISO 8601). */
  at: string;
  keyId: string;
  /** HMAC-SHA256 of every field above, under the key `keyId` names. */
  mac: string;
}

type Unsigned = Omit<Checkpoint, 'mac'>;

function macOf(secret: Buffer, c: Unsigned): string {
  const text = [c.version, c.database, c.seq, c.hash, c.entryId, c.count, c.legacyUpTo ?? '', c.at, c.keyId].join('\n');
  return createHmac('sha256', secret).update('gridbook audit checkpoint\n').update(text).digest('hex');
}

export function signCheckpoint(keys: AuditKeys, fields: Omit<Unsigned, 'version' | 'keyId'>): Checkpoint {
  const unsigned: Unsigned = { version: 1, ...fields, keyId: keys.current.id };
  return { ...unsigned, mac: macOf(keys.current.secret, unsigned) };
}

export class CheckpointError extends Error {}

/** Parses a stored checkpoint and checks its signature; throws CheckpointError when it does not hold. */
export function parseCheckpoint(keys: AuditKeys, text: string): Checkpoint {
  let c: Checkpoint;
  try {
    c = JSON.parse(text) as Checkpoint;
  } catch {
    throw new CheckpointError('the newest checkpoint in the file store is not JSON');
  }
  if (!c || c.version !== 1 || typeof c.mac !== 'string' || typeof c.seq !== 'string' || !/^\d+$/.test(c.seq)) {
    throw new CheckpointError('the newest checkpoint in the file store is not a checkpoint');
  }
  const key = keys.byId.get(c.keyId);
  if (!key)
    throw new CheckpointError(
      `the newest checkpoint (written ${c.at}) is signed with key ${c.keyId}, which is neither AUDIT_KEY nor one of AUDIT_PREVIOUS_KEYS`,
    );
  const { mac, ...unsigned } = c;
  const expected = Buffer.from(macOf(key.secret, unsigned), 'hex');
  const given = Buffer.from(mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CheckpointError(
      `the newest checkpoint (written ${c.at}) does not carry a valid signature: it was altered or forged`,
    );
  }
  return c;
}

function objectsOf(store: BlobStore): Required<Pick<BlobStore, 'putObject' | 'getObject'>> {
  if (!store.putObject || !store.getObject)
    throw new Error(`the ${store.kind} file store cannot keep audit checkpoints`);
  return { putObject: store.putObject.bind(store), getObject: store.getObject.bind(store) };
}

/** The newest checkpoint in the store, its signature checked; null when none was ever written. */
export async function latestCheckpoint(store: BlobStore, keys: AuditKeys): Promise<Checkpoint | null> {
  const text = await objectsOf(store).getObject(CHECKPOINT_LATEST);
  return text === null ? null : parseCheckpoint(keys, text);
}

/** Writes a checkpoint as the newest, and keeps the last one of each day beside it. */
export async function storeCheckpoint(store: BlobStore, checkpoint: Checkpoint): Promise<void> {
  const objects = objectsOf(store);
  const body = `${JSON.stringify(checkpoint, null, 2)}\n`;
  await objects.putObject(`audit-checkpoints/${checkpoint.at.slice(0, 10)}.json`, body);
  await objects.putObject(CHECKPOINT_LATEST, body);
}

/**
 * What `npm run audit:verify` and the integrity check run: the whole chain under the keys, against
 * the newest checkpoint in the store. A checkpoint whose signature fails is itself the problem.
 */
export async function verifyAgainstStore(
  db: Queryable,
  store: BlobStore | null,
  keys: AuditKeys,
): Promise<ChainReport> {
  let checkpoint: Checkpoint | null;
  try {
    checkpoint = store?.getObject ? await latestCheckpoint(store, keys) : null;
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    const report = await verifyAuditChain(db, keys);
    return {
      ...report,
      ok: false,
      problem: report.problem ?? { kind: 'bad_checkpoint', seq: null, entryId: null, message: error.message },
    };
  }
  return verifyAuditChain(db, keys, { checkpoint });
}

export interface CheckpointOutcome {
  written: Checkpoint | null;
  /** Why none was written when the chain does not verify since the previous checkpoint. */
  problem: ChainReport['problem'];
}

/**
 * Writes a checkpoint of the chain head when it moved past the newest one, after verifying the
 * links added since (or the whole chain, the first time). A chain that fails, or that no longer
 * reaches the newest checkpoint, gets no checkpoint: the evidence stays as it is.
 */
export async function writeCheckpoint(
  db: Queryable,
  store: BlobStore,
  keys: AuditKeys,
  now = new Date(),
): Promise<CheckpointOutcome> {
  let previous: Checkpoint | null;
  try {
    previous = await latestCheckpoint(store, keys);
  } catch (error) {
    if (error instanceof CheckpointError)
      return { written: null, problem: { kind: 'bad_checkpoint', seq: null, entryId: null, message: error.message } };
    throw error;
  }
  const head = await db.query<{ seq: string }>('SELECT seq FROM public.audit_chain ORDER BY seq DESC LIMIT 1');
  const headSeq = head.rows[0]?.seq ?? '0';
  if (previous && BigInt(headSeq) <= BigInt(previous.seq)) {
    if (BigInt(headSeq) === BigInt(previous.seq)) return { written: null, problem: null };
    // Fewer links than the checkpoint covers: verification reports it; nothing is overwritten.
    const report = await verifyAuditChain(db, keys, { checkpoint: previous });
    return { written: null, problem: report.problem };
  }
  let report: ChainReport;
  if (previous && previous.seq !== '0') {
    // The previous checkpoint's link must still be there, unchanged; then only the new links are walked.
    const anchor = await db.query<{ hash: string; entry_id: string }>(
      'SELECT hash, entry_id::text FROM public.audit_chain WHERE seq = $1',
      [previous.seq],
    );
    if (anchor.rows[0]?.hash !== previous.hash || anchor.rows[0]?.entry_id !== previous.entryId) {
      const full = await verifyAuditChain(db, keys, { checkpoint: previous });
      return { written: null, problem: full.problem };
    }
    report = await verifyAuditChain(db, keys, {
      from: { seq: previous.seq, hash: previous.hash, legacyUpTo: previous.legacyUpTo },
    });
  } else {
    report = await verifyAuditChain(db, keys);
  }
  if (!report.ok || report.headSeq === null) return { written: null, problem: report.problem };
  const database = (await db.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
  const checkpoint = signCheckpoint(keys, {
    database,
    seq: report.headSeq,
    hash: report.headHash!,
    entryId: report.headEntryId!,
    count: Number(report.headSeq),
    legacyUpTo: report.legacyUpTo,
    at: now.toISOString(),
  });
  await storeCheckpoint(store, checkpoint);
  return { written: checkpoint, problem: null };
}

export interface RebaseOutcome {
  /** The checkpoint the restored chain does not reach, kept aside under `keptAs`. */
  superseded: { seq: string | null; at: string | null; keptAs: string } | null;
  written: Checkpoint | null;
  problem: ChainReport['problem'];
}

/**
 * After a restore (`npm run db:restore`, an operation of the owner holding the key): the store's
 * newest checkpoint may cover entries written after the backup, which the restored database cannot
 * hold. When the restored chain verifies on its own but not against that checkpoint, the
 * checkpoint is kept aside as `audit-checkpoints/superseded-<time>.json` (the record of what was
 * lost) and a checkpoint of the restored head becomes the newest. A chain that fails by itself gets
 * nothing: its problem is reported.
 */
export async function rebaseCheckpoint(
  db: Queryable,
  store: BlobStore,
  keys: AuditKeys,
  now = new Date(),
): Promise<RebaseOutcome> {
  const objects = objectsOf(store);
  const own = await verifyAuditChain(db, keys);
  if (!own.ok) return { superseded: null, written: null, problem: own.problem };
  const text = await objects.getObject(CHECKPOINT_LATEST);
  let superseded: RebaseOutcome['superseded'] = null;
  if (text !== null) {
    let previous: Checkpoint | null = null;
    try {
      previous = parseCheckpoint(keys, text);
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
    }
    const holds = previous ? (await verifyAuditChain(db, keys, { checkpoint: previous })).ok : false;
    if (holds) {
      const outcome = await writeCheckpoint(db, store, keys, now);
      return { superseded: null, written: outcome.written, problem: outcome.problem };
    }
    const keptAs = `audit-checkpoints/superseded-${now.toISOString().replace(/[:.]/g, '-').toLowerCase()}.json`;
    await objects.putObject(keptAs, text);
    superseded = { seq: previous?.seq ?? null, at: previous?.at ?? null, keptAs };
  }
  // An empty restored chain gets a checkpoint of nothing (link 0), so the superseded one is not the newest.
  const database = (await db.query<{ name: string }>('SELECT current_database() AS name')).rows[0]!.name;
  const checkpoint = signCheckpoint(keys, {
    database,
    seq: own.headSeq ?? '0',
    hash: own.headHash ?? GENESIS_HASH,
    entryId: own.headEntryId ?? '',
    count: Number(own.headSeq ?? 0),
    legacyUpTo: own.legacyUpTo,
    at: now.toISOString(),
  });
  await storeCheckpoint(store, checkpoint);
  return { superseded, written: checkpoint, problem: null };
}

/**
 * The sealer's side: after each seal, a checkpoint at most every `intervalMs` (0: after every seal
 * that sealed something). A chain that fails is logged as an error once per head.
 */
export class Checkpointer {
  private lastAt = 0;
  /** Links were sealed since the last checkpoint (or the process just started). */
  private dirty = true;
  private reported: string | null = null;

  constructor(
    private readonly deps: { pool: Pool; store: BlobStore; keys: AuditKeys; intervalMs: number; logger: Logger },
  ) {}

  async afterSeal(sealed: number, now = Date.now()): Promise<Checkpoint | null> {
    if (sealed > 0) this.dirty = true;
    if (!this.dirty || now - this.lastAt < this.deps.intervalMs) return null;
    const outcome = await writeCheckpoint(this.deps.pool, this.deps.store, this.deps.keys, new Date(now));
    if (outcome.problem) {
      if (this.reported !== outcome.problem.message) {
        this.reported = outcome.problem.message;
        this.deps.logger.error(
          { problem: outcome.problem },
          `audit chain: no checkpoint written: ${outcome.problem.message}`,
        );
      }
      return null;
    }
    this.lastAt = now;
    this.dirty = false;
    return outcome.written;
  }
}
