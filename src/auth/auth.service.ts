import { recordAudit } from '../audit/audit.service.js';
import type { Config } from '../config/config.js';
import type { Actor, ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import {
  AccountDisabledError,
  AccountLockedError,
  InvalidCredentialsError,
  NotFoundError,
  TooManyRequestsError,
} from '../errors/app-error.js';
import { assertCan } from '../permissions/policy.js';
import { findUserWithHashByEmail, normalizeEmail, type UserRow } from '../users/users.repository.js';
import { decoyPasswordHash, verifyPassword } from './password.js';
import type { Metrics } from '../observability/metrics.js';

export interface AuthServiceDeps {
  pool: Pool;
  metrics?: Metrics;
  login: Config['login'];
  bcryptRounds: number;
}

/**
 * Sign-in with email and password, throttled two ways:
 * - per account: after `maxFailuresPerAccount` consecutive failures the account is locked for
 *   `lockMinutes`; while locked even the right password is refused, and the first failure after
 *   the lock ends locks it again (the counter resets only on success or an admin unlock);
 * - per client address: after `maxFailuresPerIp` failures within `ipWindowMinutes`, that address
 *   is refused before any password is checked (guessing across many accounts).
 * Both live in PostgreSQL, so every web node enforces the same limits.
 */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  async authenticate(ctx: ServiceContext, emailRaw: unknown, passwordRaw: unknown): Promise<UserRow> {
    const email = typeof emailRaw === 'string' ? normalizeEmail(emailRaw) : '';
    const password = typeof passwordRaw === 'string' ? passwordRaw : '';
    await this.assertIpNotThrottled(ctx.ip);

    const user = email ? await findUserWithHashByEmail(this.deps.pool, email) : null;
    if (user?.locked_until && user.locked_until > new Date()) {
      this.deps.metrics?.loginFailures.inc({ reason: 'locked' });
      await this.audit(ctx, user, 'auth.login_refused_locked');
      throw new AccountLockedError(user.locked_until);
    }
    // Unknown emails still cost one bcrypt comparison, so timing does not reveal which exist.
    const ok = await verifyPassword(password, user?.password_hash ?? (await decoyPasswordHash(this.deps.bcryptRounds)));
    if (!user || !ok) {
      this.deps.metrics?.loginFailures.inc({ reason: user ? 'wrong_password' : 'unknown_email' });
      const lockedUntil = await this.recordFailure(ctx, user, email);
      if (lockedUntil) throw new AccountLockedError(lockedUntil);
      throw new InvalidCredentialsError();
    }
    if (!user.active) {
      this.deps.metrics?.loginFailures.inc({ reason: 'disabled' });
      await this.audit(ctx, user, 'auth.login_refused_disabled');
      throw new AccountDisabledError();
    }
    await withTransaction(this.deps.pool, async (tx) => {
      await tx.query(
        `UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = now() WHERE id = $1`,
        [user.id],
      );
      await recordAudit(
        tx,
        { ...ctx, actor: toActor(user) },
        { action: 'auth.login', entityType: 'user', entityId: user.id },
      );
    });
    const { password_hash: _hash, ...safe } = user;
    return safe;
  }

  /** Admins lift the block on an address (its failures are forgotten). */
  async clearIpThrottle(ctx: ServiceContext, ip: string): Promise<void> {
    assertCan(ctx.actor, 'edit', { type: 'user' }, 'Only admins clear sign-in throttling');
    await withTransaction(this.deps.pool, async (tx) => {
      const removed = await tx.query<{ failures: number }>(
        'DELETE FROM login_ip_failures WHERE ip = $1 RETURNING failures',
        [ip],
      );
      if (!removed.rowCount) throw new NotFoundError('Throttled address', ip);
      await recordAudit(tx, ctx, {
        action: 'auth.clear_ip_throttle',
        entityType: 'login_throttle',
        entityId: ip,
        before: { failures: removed.rows[0]!.failures },
      });
    });
  }

  private async assertIpNotThrottled(ip: string | null): Promise<void> {
    if (!ip) return;
    const { maxFailuresPerIp, ipWindowMinutes } = this.deps.login;
    const result = await this.deps.pool.query<{ failures: number; retry_after: number }>(
      `SELECT failures, ceil(extract(epoch FROM window_start + make_interval(mins => $2) - now()))::int AS retry_after
         FROM login_ip_failures WHERE ip = $1 AND window_start > now() - make_interval(mins => $2)`,
      [ip, ipWindowMinutes],
    );
    const row = result.rows[0];
    if (row && row.failures >= maxFailuresPerIp) {
      this.deps.metrics?.loginFailures.inc({ reason: 'address_throttled' });
      const minutes = Math.max(1, Math.ceil(row.retry_after / 60));
      throw new TooManyRequestsError(
        `Too many failed sign-ins from your network address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
        row.retry_after,
      );
    }
  }

  /** Counts a failure for the account and the address; returns the lock end when this failure locks the account. */
  private async recordFailure(ctx: ServiceContext, user: UserRow | null, email: string): Promise<Date | null> {
    const { maxFailuresPerAccount, lockMinutes, ipWindowMinutes } = this.deps.login;
    return withTransaction(this.deps.pool, async (tx) => {
      let lockedUntil: Date | null = null;
      if (user) {
        const updated = await tx.query<{ failed_login_count: number; locked_until: Date | null }>(
          `UPDATE users SET failed_login_count = failed_login_count + 1,
                  locked_until = CASE WHEN failed_login_count + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
            WHERE id = $1 RETURNING failed_login_count, locked_until`,
          [user.id, maxFailuresPerAccount, lockMinutes],
        );
        const row = updated.rows[0];
        if (row && row.failed_login_count >= maxFailuresPerAccount) lockedUntil = row.locked_until;
      }
      if (ctx.ip) {
        await tx.query(
          `INSERT INTO login_ip_failures (ip, failures, window_start) VALUES ($1, 1, now())
           ON CONFLICT (ip) DO UPDATE SET
             failures = CASE WHEN login_ip_failures.window_start > now() - make_interval(mins => $2)
                             THEN login_ip_failures.failures + 1 ELSE 1 END,
             window_start = CASE WHEN login_ip_failures.window_start > now() - make_interval(mins => $2)
                                 THEN login_ip_failures.window_start ELSE now() END`,
          [ctx.ip, ipWindowMinutes],
        );
      }
      await recordAudit(tx, ctx, {
        action: lockedUntil ? 'auth.account_locked' : 'auth.login_failed',
        entityType: 'user',
        entityId: user?.id ?? null,
        after: { email, ...(lockedUntil ? { lockedUntil: lockedUntil.toISOString() } : {}) },
      });
      return lockedUntil;
    });
  }

  private async audit(ctx: ServiceContext, user: UserRow, action: string): Promise<void> {
    await withTransaction(this.deps.pool, (tx) =>
      recordAudit(tx, ctx, { action, entityType: 'user', entityId: user.id, after: { email: user.email } }).then(
        () => undefined,
      ),
    );
  }
}

export function toActor(user: Pick<UserRow, 'id' | 'email' | 'role'>): Actor {
  return { id: user.id, email: user.email, role: user.role };
}
