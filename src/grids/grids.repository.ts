import type { GridRole } from '../context.js';
import type { Queryable } from '../db/pool.js';
import type { GridView, MemberView } from './grids.schema.js';

export interface GridRow {
  id: string;
  owner: string;
  slug: string;
  title: string;
  description: string;
  created_on: Date;
  modified_on: Date;
  deleted_on: Date | null;
  is_deleted: boolean;
}

export interface MemberRow {
  id: string;
  grid_id: string;
  user_id: string;
  email: string;
  name: string;
  role: GridRole;
  created_at: Date;
}

export const GRID_COLUMNS = 'id, owner, slug, title, description, created_on, modified_on, deleted_on, is_deleted';

export function toGridView(row: GridRow): GridView {
  return {
    id: row.id,
    owner: row.owner,
    slug: row.slug,
    title: row.title,
    description: row.description,
    createdOn: row.created_on.toISOString(),
    modifiedOn: row.modified_on.toISOString(),
    deletedOn: row.deleted_on?.toISOString() ?? null,
    isDeleted: row.is_deleted,
  };
}

export function toMemberView(row: MemberRow): MemberView {
  return {
    id: row.id,
    gridId: row.grid_id,
    userId: row.user_id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.created_at.toISOString(),
  };
}

export function gridAuditSnapshot(row: GridRow): Record<string, unknown> {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    owner: row.owner,
    isDeleted: row.is_deleted,
  };
}

export const isId = (id: string) => /^\d{1,18}$/.test(id);

export async function findGrid(db: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<GridRow | null> {
  if (!isId(id)) return null;
  const result = await db.query<GridRow>(
    `SELECT ${GRID_COLUMNS} FROM grids WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return result.rows[0] ?? null;
}

/** The user's role in a grid, or null when they are not a member. */
export async function gridRoleOf(db: Queryable, gridId: string, userId: string): Promise<GridRole | null> {
  if (!isId(gridId)) return null;
  const result = await db.query<{ role: GridRole }>(
    'SELECT role FROM grid_members WHERE grid_id = $1 AND user_id = $2',
    [gridId, userId],
  );
  return result.rows[0]?.role ?? null;
}

/** A user's role in each grid they belong to (deleted grids left out), keyed by grid id. */
export async function membershipsOf(db: Queryable, userId: string): Promise<Record<string, GridRole>> {
  const result = await db.query<{ grid_id: string; role: GridRole }>(
    'SELECT m.grid_id, m.role FROM grid_members m JOIN grids g ON g.id = m.grid_id WHERE m.user_id = $1 AND NOT g.is_deleted',
    [userId],
  );
  return Object.fromEntries(result.rows.map((r) => [r.grid_id, r.role]));
}

export async function findMember(db: Queryable, gridId: string, userId: string): Promise<MemberRow | null> {
  const result = await db.query<MemberRow>(
    `SELECT m.id, m.grid_id, m.user_id, u.email, u.name, m.role, m.created_at
       FROM grid_members m JOIN users u ON u.id = m.user_id
      WHERE m.grid_id = $1 AND m.user_id = $2`,
    [gridId, userId],
  );
  return result.rows[0] ?? null;
}
