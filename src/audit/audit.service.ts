import sql, { raw, type Sql } from 'sql-template-tag';
import type { ServiceContext } from '../context.js';
import type { Queryable } from '../db/pool.js';

export interface AuditInput {
  /** What happened, as `<entity>.<verb>`: `user.create`, `grid.soft_delete`, `auth.login_failed`. */
  action: string;
  entityType: string;
  entityId?: string | number | null;
  gridId?: string | number | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditEntry {
  id: string;
  createdAt: Date;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  gridId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  ip: string | null;
}

/** Keys whose values never enter the audit log, at any depth. */
const SECRET_KEYS = /^(password|password_hash|passwordHash|token|refresh_token|refreshToken|secret|token_hash)$/i;

export function redactSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map(redactSecrets) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_KEYS.test(key) ? '[redacted]' : redactSecrets(v);
    }
    return out as T;
  }
  return value;
}

/**
 * The fields that differ between two snapshots, as `{ before, after }` holding only those fields.
 * Values are compared by their JSON form, so dates and nested objects compare by content.
 */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key] ?? null;
      a[key] = after[key] ?? null;
    }
  }
  return { before: b, after: a };
}

const AUDIT_COLUMNS = 'actor_id, actor_label, action, entity_type, entity_id, grid_id, before, after, request_id, ip';

/** The row an audit entry is stored as: the one place its columns are filled and secrets redacted. */
function auditRow(ctx: ServiceContext, input: AuditInput) {
  return {
    actor_id: ctx.actor?.id ?? null,
    actor_label: ctx.actor?.email ?? null,
    action: input.action,
    entity_type: input.entityType,
    entity_id: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
    grid_id: input.gridId ?? null,
    before: input.before ? redactSecrets(input.before) : null,
    after: input.after ? redactSecrets(input.after) : null,
    request_id: ctx.requestId,
    ip: ctx.ip,
  };
}

/**
 * Writes one audit entry with the caller's client, so it commits or rolls back with the change it
 * describes. Append-only is enforced by triggers; the hash chain is sealed later, in the background
 * (see audit-chain.ts), so writers never serialize on a global lock.
 */
export async function recordAudit(tx: Queryable, ctx: ServiceContext, input: AuditInput): Promise<string> {
  const row = auditRow(ctx, input);
  const values = Object.values(row).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : v));
  const result = await tx.query<{ id: string }>(
    `INSERT INTO audit_log (${AUDIT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    values,
  );
  return result.rows[0]!.id;
}

/**
 * The audit entry of a row being inserted by the same statement, as a data-modifying WITH query to
 * compose with `sql`: `audited AS (${auditInsertFrom('created', ...)})` after
 * `created AS (INSERT ... RETURNING id)`. The entry's entity id is the new row's id (`source` is
 * the WITH query's name, written by the caller, never by a user). For hot paths that write a row
 * and its entry in one statement (one round trip, atomic without BEGIN and COMMIT).
 */
export function auditInsertFrom(source: string, ctx: ServiceContext, input: Omit<AuditInput, 'entityId'>): Sql {
  if (!/^[a-z_][a-z0-9_]*$/.test(source)) throw new Error(`not a WITH query name: ${source}`);
  const row = auditRow(ctx, input);
  const json = (v: Record<string, unknown> | null) => (v === null ? null : JSON.stringify(v));
  return sql`INSERT INTO audit_log (${raw(AUDIT_COLUMNS)})
    SELECT ${row.actor_id}::bigint, ${row.actor_label}::text, ${row.action}::text, ${row.entity_type}::text, ${raw(source)}.id::text,
           ${row.grid_id}::bigint, ${json(row.before)}::jsonb, ${json(row.after)}::jsonb, ${row.request_id}::text, ${row.ip}::text
      FROM ${raw(source)}`;
}

/**
 * Writes many entries in one statement (the worker records one per submission of a batch). Same
 * columns and redaction as recordAudit.
 */
export async function recordAuditBatch(tx: Queryable, ctx: ServiceContext, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await tx.query(
    `INSERT INTO audit_log (${AUDIT_COLUMNS})
     SELECT ${AUDIT_COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS x(actor_id bigint, actor_label text, action text, entity_type text, entity_id text,
            grid_id bigint, before jsonb, after jsonb, request_id text, ip text)`,
    [JSON.stringify(inputs.map((input) => auditRow(ctx, input)))],
  );
}

interface AuditRow {
  id: string;
  created_at: Date;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  grid_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  ip: string | null;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    createdAt: r.created_at,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    gridId: r.grid_id,
    before: r.before,
    after: r.after,
    requestId: r.request_id,
    ip: r.ip,
  };
}

/** The entries about one record, newest first (a record's "History"). */
export async function auditHistory(
  db: Queryable,
  entityType: string,
  entityId: string,
  limit = 200,
): Promise<AuditEntry[]> {
  const result = await db.query<AuditRow>(
    `SELECT * FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id DESC LIMIT $3`,
    [entityType, entityId, limit],
  );
  return result.rows.map(toEntry);
}
