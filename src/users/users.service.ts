import { randomBytes } from 'node:crypto';
import { changedFields, recordAudit } from '../audit/audit.service.js';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../auth/password.js';
import type { ServiceContext } from '../context.js';
import type { Pool, Queryable } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors/app-error.js';
import { assertCan } from '../permissions/policy.js';
import { compileValidator } from '../validation/validate.js';
import {
  auditSnapshot,
  deleteUserSessions,
  findUserById,
  findUserWithHashById,
  normalizeEmail,
  PUBLIC_USER_COLUMNS,
  toPublicUser,
  type UserRow,
} from './users.repository.js';
import { ChangeOwnPasswordInput, CreateUserInput, PatchUserInput, type PublicUser } from './users.schema.js';

const validateCreate = compileValidator(CreateUserInput);
const validatePatch = compileValidator(PatchUserInput);
const validateChangeOwn = compileValidator(ChangeOwnPasswordInput);

export interface UsersServiceDeps {
  pool: Pool;
  bcryptRounds: number;
}

export interface FirstAdminResult {
  created: boolean;
  email: string;
  /** Set only when the password was generated: printed once, never stored in clear. */
  generatedPassword?: string;
}

export class UsersService {
  constructor(private readonly deps: UsersServiceDeps) {}

  async list(ctx: ServiceContext, opts: { limit?: number; afterId?: string } = {}): Promise<PublicUser[]> {
    assertCan(ctx.actor, 'list', { type: 'user' });
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
    const result = await this.deps.pool.query<UserRow>(
      `SELECT ${PUBLIC_USER_COLUMNS} FROM users WHERE id > $1 ORDER BY id LIMIT $2`,
      [opts.afterId ?? '0', limit],
    );
    return result.rows.map(toPublicUser);
  }

  async get(ctx: ServiceContext, id: string): Promise<PublicUser> {
    assertCan(ctx.actor, 'read', { type: 'user', id });
    const row = await findUserById(this.deps.pool, id);
    if (!row) throw new NotFoundError('User', id);
    return toPublicUser(row);
  }

  async create(ctx: ServiceContext, raw: unknown): Promise<PublicUser> {
    assertCan(ctx.actor, 'create', { type: 'user' });
    const input = validateCreate(raw);
    checkPasswordPolicy(input.password);
    const hash = await hashPassword(input.password, this.deps.bcryptRounds);
    return withTransaction(this.deps.pool, async (tx) => {
      const result = await tx.query<UserRow>(
        `INSERT INTO users (email, name, role, password_hash, active)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${PUBLIC_USER_COLUMNS}`,
        [normalizeEmail(input.email), input.name.trim(), input.role, hash, input.active],
      );
      const row = result.rows[0]!;
      await recordAudit(tx, ctx, {
        action: 'user.create',
        entityType: 'user',
        entityId: row.id,
        after: auditSnapshot(row),
      });
      return toPublicUser(row);
    });
  }

  /**
   * Changes what the patch names. Disabling a user or setting their password ends their sessions
   * at once (sessions live in PostgreSQL); a role change applies on their next request.
   */
  async update(ctx: ServiceContext, id: string, raw: unknown): Promise<PublicUser> {
    assertCan(ctx.actor, 'edit', { type: 'user', id });
    const patch = validatePatch(raw);
    if (patch.password !== undefined) checkPasswordPolicy(patch.password);
    const hash = patch.password !== undefined ? await hashPassword(patch.password, this.deps.bcryptRounds) : null;
    return withTransaction(this.deps.pool, async (tx) => {
      const before = await findUserById(tx, id, { forUpdate: true });
      if (!before) throw new NotFoundError('User', id);
      if (
        ctx.actor?.id === id &&
        (patch.active === false || (patch.role && patch.role !== 'admin' && before.role === 'admin'))
      ) {
        throw new ConflictError('You cannot disable yourself or remove your own admin role');
      }
      if (before.role === 'admin' && ((patch.role && patch.role !== 'admin') || patch.active === false)) {
        await this.assertAnotherActiveAdmin(tx, id);
      }
      const result = await tx.query<UserRow>(
        `UPDATE users SET
           email = COALESCE($2, email),
           name = COALESCE($3, name),
           role = COALESCE($4, role),
           active = COALESCE($5, active),
           password_hash = COALESCE($6, password_hash),
           password_changed_at = CASE WHEN $6::text IS NULL THEN password_changed_at ELSE now() END,
           failed_login_count = CASE WHEN $6::text IS NULL THEN failed_login_count ELSE 0 END,
           locked_until = CASE WHEN $6::text IS NULL THEN locked_until ELSE NULL END,
           updated_at = now()
         WHERE id = $1 RETURNING ${PUBLIC_USER_COLUMNS}`,
        [
          id,
          patch.email === undefined ? null : normalizeEmail(patch.email),
          patch.name === undefined ? null : patch.name.trim(),
          patch.role ?? null,
          patch.active ?? null,
          hash,
        ],
      );
      const after = result.rows[0]!;
      const diff = changedFields(auditSnapshot(before), auditSnapshot(after));
      if (hash) {
        diff.after.password = 'changed';
      }
      if (Object.keys(diff.after).length > 0) {
        await recordAudit(tx, ctx, { action: 'user.update', entityType: 'user', entityId: id, ...diff });
      }
      if (!after.active || hash) await deleteUserSessions(tx, id);
      return toPublicUser(after);
    });
  }

  /** Unlocks an account locked by failed sign-ins. */
  async unlock(ctx: ServiceContext, id: string): Promise<PublicUser> {
    assertCan(ctx.actor, 'edit', { type: 'user', id });
    return withTransaction(this.deps.pool, async (tx) => {
      const result = await tx.query<UserRow>(
        `UPDATE users SET failed_login_count = 0, locked_until = NULL, updated_at = now()
          WHERE id = $1 RETURNING ${PUBLIC_USER_COLUMNS}`,
        [id],
      );
      const row = result.rows[0];
      if (!row) throw new NotFoundError('User', id);
      await recordAudit(tx, ctx, { action: 'user.unlock', entityType: 'user', entityId: id });
      return toPublicUser(row);
    });
  }

  /** A signed-in user changes their own password; their other sessions end. */
  async changeOwnPassword(ctx: ServiceContext, raw: unknown, currentSessionId?: string): Promise<void> {
    const actor = ctx.actor;
    if (!actor) throw new ValidationError('Sign in to change your password');
    const input = validateChangeOwn(raw);
    checkPasswordPolicy(input.newPassword, 'newPassword');
    if (input.newPassword === input.currentPassword) {
      throw ValidationError.field('newPassword', 'must differ from the current password');
    }
    const hash = await hashPassword(input.newPassword, this.deps.bcryptRounds);
    await withTransaction(this.deps.pool, async (tx) => {
      const row = await findUserWithHashById(tx, actor.id);
      if (!row) throw new NotFoundError('User', actor.id);
      if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
        throw ValidationError.field('currentPassword', 'is not your current password');
      }
      await tx.query(
        `UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1`,
        [actor.id, hash],
      );
      await recordAudit(tx, ctx, {
        action: 'user.change_own_password',
        entityType: 'user',
        entityId: actor.id,
        after: { password: 'changed' },
      });
      await deleteUserSessions(tx, actor.id, currentSessionId);
    });
  }

  /**
   * Creates the first admin when none exists: from ADMIN_EMAIL/ADMIN_PASSWORD when given, otherwise
   * with a generated password returned once. Safe to run at every start, on every node.
   */
  async ensureFirstAdmin(
    ctx: ServiceContext,
    email: string | undefined,
    password: string | undefined,
  ): Promise<FirstAdminResult> {
    return withTransaction(this.deps.pool, async (tx) => {
      // Serializes concurrent starts so that exactly one of them creates the admin.
      await tx.query(`SELECT pg_advisory_xact_lock(7114201002)`);
      const existing = await tx.query<{ email: string }>(
        `SELECT email FROM users WHERE role = 'admin' AND active ORDER BY id LIMIT 1`,
      );
      if (existing.rows[0]) return { created: false, email: existing.rows[0].email };

      const adminEmail = normalizeEmail(email ?? 'admin@example.com');
      const generatedPassword = password ? undefined : randomBytes(15).toString('base64url');
      const adminPassword = password ?? generatedPassword!;
      checkPasswordPolicy(adminPassword, 'ADMIN_PASSWORD');
      const hash = await hashPassword(adminPassword, this.deps.bcryptRounds);
      const taken = await tx.query('SELECT 1 FROM users WHERE email = $1', [adminEmail]);
      if (taken.rowCount) {
        throw new ConflictError(
          `ADMIN_EMAIL ${adminEmail} belongs to an existing user who is not an active admin: choose another email`,
        );
      }
      const result = await tx.query<UserRow>(
        `INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'Administrator', 'admin', $2)
         RETURNING ${PUBLIC_USER_COLUMNS}`,
        [adminEmail, hash],
      );
      const row = result.rows[0]!;
      await recordAudit(tx, ctx, {
        action: 'user.create_first_admin',
        entityType: 'user',
        entityId: row.id,
        after: auditSnapshot(row),
      });
      return { created: true, email: adminEmail, generatedPassword };
    });
  }

  private async assertAnotherActiveAdmin(tx: Queryable, exceptId: string): Promise<void> {
    const others = await tx.query(`SELECT 1 FROM users WHERE role = 'admin' AND active AND id <> $1 LIMIT 1`, [
      exceptId,
    ]);
    if (!others.rowCount) throw new ConflictError('This is the last active admin: make another admin first');
  }
}
