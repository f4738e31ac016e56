import type { GlobalRole } from '../context.js';
import type { Queryable } from '../db/pool.js';
import type { PublicUser } from './users.schema.js';

/** Every column but password_hash: the hash is read only where a password is checked. */
export const PUBLIC_USER_COLUMNS =
  'id, email, name, role, active, failed_login_count, locked_until, last_login_at, password_changed_at, created_at, updated_at';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: GlobalRole;
  active: boolean;
  failed_login_count: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  password_changed_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface UserRowWithHash extends UserRow {
  password_hash: string;
}

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    lockedUntil: row.locked_until && row.locked_until > new Date() ? row.locked_until.toISOString() : null,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/** The fields of a user worth recording in the audit log. */
export function auditSnapshot(row: UserRow): Record<string, unknown> {
  return { email: row.email, name: row.name, role: row.role, active: row.active };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserById(
  db: Queryable,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<UserRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const result = await db.query<UserRow>(
    `SELECT ${PUBLIC_USER_COLUMNS} FROM users WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return result.rows[0] ?? null;
}

export async function findUserWithHashByEmail(db: Queryable, email: string): Promise<UserRowWithHash | null> {
  const result = await db.query<UserRowWithHash>(
    `SELECT ${PUBLIC_USER_COLUMNS}, password_hash FROM users WHERE email = $1`,
    [normalizeEmail(email)],
  );
  return result.rows[0] ?? null;
}

export async function findUserWithHashById(db: Queryable, id: string): Promise<UserRowWithHash | null> {
  const result = await db.query<UserRowWithHash>(
    `SELECT ${PUBLIC_USER_COLUMNS}, password_hash FROM users WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return result.rows[0] ?? null;
}

/** Ends every admin-panel session of a user (sessions live in PostgreSQL), except `keepSid`. */
export async function deleteUserSessions(db: Queryable, userId: string, keepSid?: string): Promise<number> {
  const result = await db.query(
    `DELETE FROM session WHERE sess -> 'adminUser' ->> 'id' = $1 AND sid IS DISTINCT FROM $2`,
    [userId, keepSid ?? null],
  );
  return result.rowCount ?? 0;
}
