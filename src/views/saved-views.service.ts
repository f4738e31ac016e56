import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/audit.service.js';
import type { ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { NotFoundError, UnauthenticatedError, ValidationError } from '../errors/app-error.js';
import { isViewParam } from '../search/list-query.js';
import { compileValidator } from '../validation/validate.js';

/**
 * Saved views (docs/search.md): a user's named filters, sort and columns of one admin list, one of
 * them their default for that list. Each user sees and changes only their own views: every
 * statement is keyed by the actor, so another user's view is "not found". Every change writes its
 * audit entry in the same transaction.
 */

const NAME_MAX = 100;
/** A view's query, serialized, at most this long: filters and columns, not a document. */
const QUERY_MAX_BYTES = 8_192;

export const SaveViewInput = Type.Object({
  name: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  query: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.String({ maxLength: 2_000 }), {
    maxProperties: 60,
  }),
  isDefault: Type.Optional(Type.Boolean()),
});
export const RenameViewInput = Type.Object({ name: Type.String({ minLength: 1, maxLength: NAME_MAX }) });

const validateSave = compileValidator(SaveViewInput);
const validateRename = compileValidator(RenameViewInput);

export interface SavedView {
  id: string;
  resource: string;
  name: string;
  /** URL query parameters of the list (`filters.*`, with the search and the columns, `sortBy`, `direction`). */
  query: Record<string, string>;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

interface SavedViewRow {
  id: string;
  resource: string;
  name: string;
  query: Record<string, string>;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, resource, name, query, is_default, created_at, updated_at';

const toView = (r: SavedViewRow): SavedView => ({
  id: r.id,
  resource: r.resource,
  name: r.name,
  query: r.query,
  isDefault: r.is_default,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

function actorId(ctx: ServiceContext): string {
  if (!ctx.actor) throw new UnauthenticatedError('Sign in to use saved views');
  return ctx.actor.id;
}

/** A name as kept: trimmed, not empty. */
function nameOf(raw: string): string {
  const name = raw.replaceAll('\0', '').toWellFormed().trim();
  if (!name) throw ValidationError.field('name', 'must not be empty');
  return name;
}

/** Only what a view keeps (filters, search, columns, sort), never the page or anything else. */
function queryOf(query: Record<string, string>): Record<string, string> {
  const details = Object.keys(query)
    .filter((key) => !isViewParam(key))
    .map((key) => ({ path: `query.${key}`, message: 'is not part of a view (filters, search, columns and sort are)' }));
  if (details.length) throw new ValidationError('A view keeps filters, sort and columns only', details);
  const kept = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v.replaceAll('\0', '').toWellFormed()]));
  if (Buffer.byteLength(JSON.stringify(kept)) > QUERY_MAX_BYTES)
    throw ValidationError.field('query', `must be at most ${QUERY_MAX_BYTES} bytes`);
  return kept;
}

export class SavedViewsService {
  constructor(private readonly pool: Pool) {}

  /** The actor's views of one list, by name. */
  async list(ctx: ServiceContext, resource: string): Promise<SavedView[]> {
    const result = await this.pool.query<SavedViewRow>(
      `SELECT ${COLUMNS} FROM saved_views WHERE user_id = $1 AND resource = $2 ORDER BY lower(name), id`,
      [actorId(ctx), resource],
    );
    return result.rows.map(toView);
  }

  /** Saves the list's current query as a new named view (a name already used on this list is a conflict). */
  async create(ctx: ServiceContext, resource: string, input: unknown): Promise<SavedView> {
    const userId = actorId(ctx);
    const body = validateSave(input);
    const name = nameOf(body.name);
    const query = queryOf(body.query);
    return withTransaction(this.pool, async (tx) => {
      if (body.isDefault) await this.clearDefault(tx, userId, resource);
      const { rows } = await tx.query<SavedViewRow>(
        `INSERT INTO saved_views (user_id, resource, name, query, is_default) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [userId, resource, name, JSON.stringify(query), body.isDefault === true],
      );
      const view = toView(rows[0]!);
      await recordAudit(tx, ctx, {
        action: 'saved_view.create',
        entityType: 'saved_view',
        entityId: view.id,
        after: { resource, name, query, isDefault: view.isDefault },
      });
      return view;
    });
  }

  async rename(ctx: ServiceContext, id: string, input: unknown): Promise<SavedView> {
    const name = nameOf(validateRename(input).name);
    return this.updateOwn(ctx, id, 'name', name, {
      action: 'saved_view.rename',
      before: (row) => ({ name: row.name }),
      after: { name },
    });
  }

  /** Makes the view the actor's default for its list (the previous default stops being one), or no longer the default. */
  async setDefault(ctx: ServiceContext, id: string, isDefault: boolean): Promise<SavedView> {
    return this.updateOwn(ctx, id, 'is_default', isDefault, {
      action: 'saved_view.set_default',
      before: (row) => ({ isDefault: row.is_default }),
      after: { isDefault },
      first: isDefault ? (tx, row, userId) => this.clearDefault(tx, userId, row.resource) : undefined,
    });
  }

  /** Sets one column of one of the actor's views, with its audit entry, in one transaction. */
  private async updateOwn(
    ctx: ServiceContext,
    id: string,
    column: 'name' | 'is_default',
    value: string | boolean,
    audit: {
      action: string;
      before: (row: SavedViewRow) => Record<string, unknown>;
      after: Record<string, unknown>;
      first?: (tx: Queryable, row: SavedViewRow, userId: string) => Promise<void>;
    },
  ): Promise<SavedView> {
    const userId = actorId(ctx);
    return withTransaction(this.pool, async (tx) => {
      const before = await this.lockOwn(tx, userId, id);
      await audit.first?.(tx, before, userId);
      const { rows } = await tx.query<SavedViewRow>(
        `UPDATE saved_views SET ${column} = $3, updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
        [id, userId, value],
      );
      await recordAudit(tx, ctx, {
        action: audit.action,
        entityType: 'saved_view',
        entityId: id,
        before: audit.before(before),
        after: audit.after,
      });
      return toView(rows[0]!);
    });
  }

  async remove(ctx: ServiceContext, id: string): Promise<void> {
    const userId = actorId(ctx);
    await withTransaction(this.pool, async (tx) => {
      const before = await this.lockOwn(tx, userId, id);
      await tx.query('DELETE FROM saved_views WHERE id = $1 AND user_id = $2', [id, userId]);
      await recordAudit(tx, ctx, {
        action: 'saved_view.delete',
        entityType: 'saved_view',
        entityId: id,
        before: { resource: before.resource, name: before.name, query: before.query, isDefault: before.is_default },
      });
    });
  }

  /** The actor's own view, locked for the change; another user's (or none) is not found. */
  private async lockOwn(tx: Queryable, userId: string, id: string): Promise<SavedViewRow> {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Saved view');
    const { rows } = await tx.query<SavedViewRow>(
      `SELECT ${COLUMNS} FROM saved_views WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [id, userId],
    );
    if (!rows[0]) throw new NotFoundError('Saved view');
    return rows[0];
  }

  private async clearDefault(tx: Queryable, userId: string, resource: string): Promise<void> {
    await tx.query(
      'UPDATE saved_views SET is_default = false, updated_at = now() WHERE user_id = $1 AND resource = $2 AND is_default',
      [userId, resource],
    );
  }
}
