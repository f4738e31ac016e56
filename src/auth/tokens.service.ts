import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { recordAudit } from '../audit/audit.service.js';
import type { Actor, ServiceContext } from '../context.js';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { UnauthenticatedError } from '../errors/app-error.js';
import { findUserById, type UserRow } from '../users/users.repository.js';
import { toActor } from './auth.service.js';

export const ACCESS_TOKEN_AUDIENCE = 'gridbook-api';
export const ACCESS_TOKEN_ISSUER = 'gridbook';
/** The only algorithm accepted: a token claiming `none`, RS256 or anything else is refused. */
const ALGORITHMS = ['HS256'];
/** Verified access tokens remembered (about 300 bytes each). */
const VERIFIED_TOKENS_KEPT = 10_000;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  tokenType: 'Bearer';
}

export interface TokensServiceDeps {
  pool: Pool;
  secret: string;
  accessTtlSeconds?: number;
  refreshTtlDays?: number;
  clock?: () => Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * API tokens: a short-lived JWT access token (HS256, `exp`, `aud`, `iss` checked) and an opaque
 * refresh token stored hashed. Refreshing rotates; presenting a used refresh token again (a stolen
 * copy being replayed, or the legitimate client after theft) revokes its whole family. Every
 * request re-reads the user, so a disabled user's tokens stop working at once.
 */
export class TokensService {
  private readonly key: Uint8Array<ArrayBuffer>;
  /** The key imported once for verifying: given as bytes, jose would import it again on every request. */
  private verifyKey: Promise<CryptoKey> | undefined;
  /**
   * Access tokens already verified, with their subject and expiry: a client sends the same token
   * with every request until it expires, and its signature and claims cannot change. A hit still
   * checks the expiry; the user behind it is re-read by the caller on every request.
   */
  private readonly verified = new Map<string, { sub: string; exp: number }>();
  private readonly accessTtl: number;
  private readonly refreshTtlDays: number;
  private readonly now: () => Date;

  constructor(private readonly deps: TokensServiceDeps) {
    this.key = new TextEncoder().encode(deps.secret);
    this.accessTtl = deps.accessTtlSeconds ?? 900;
    this.refreshTtlDays = deps.refreshTtlDays ?? 30;
    this.now = deps.clock ?? (() => new Date());
  }

  /** Issues a pair for a user who just signed in (a new family). */
  async issue(ctx: ServiceContext, user: UserRow): Promise<TokenPair> {
    return withTransaction(this.deps.pool, async (tx) => {
      const pair = await this.newPair(tx, user, randomUUID());
      await recordAudit(
        tx,
        { ...ctx, actor: toActor(user) },
        { action: 'auth.token_issued', entityType: 'user', entityId: user.id },
      );
      return pair;
    });
  }

  async refresh(ctx: ServiceContext, refreshToken: unknown): Promise<TokenPair> {
    if (typeof refreshToken !== 'string' || refreshToken.length < 20 || refreshToken.length > 200) {
      throw new UnauthenticatedError('Invalid refresh token');
    }
    const outcome = await withTransaction(this.deps.pool, async (tx) => {
      const found = await tx.query<{
        id: string;
        family_id: string;
        user_id: string;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
      }>(
        'SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
        [hashToken(refreshToken)],
      );
      const token = found.rows[0];
      if (!token) return { error: 'Invalid refresh token' } as const;
      if (token.revoked_at) return { error: 'This session was signed out; sign in again' } as const;
      if (token.used_at) {
        // Reuse: whoever holds the newer tokens may be a thief. End the whole family.
        await tx.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
          token.family_id,
        ]);
        await recordAudit(tx, ctx, {
          action: 'auth.refresh_token_reused',
          entityType: 'user',
          entityId: token.user_id,
          after: { family: token.family_id },
        });
        return { error: 'This refresh token was already used; the session is revoked, sign in again' } as const;
      }
      if (token.expires_at <= this.now()) return { error: 'Refresh token expired; sign in again' } as const;
      const user = await findUserById(tx, token.user_id);
      if (!user?.active) return { error: 'This account is disabled' } as const;
      await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [token.id]);
      return { pair: await this.newPair(tx, user, token.family_id) } as const;
    });
    // The revocation above must commit even though the caller gets an error.
    if ('error' in outcome) throw new UnauthenticatedError(outcome.error);
    return outcome.pair;
  }

  /** Ends the sign-in the refresh token belongs to (its whole family). */
  async logout(ctx: ServiceContext, refreshToken: unknown): Promise<void> {
    if (typeof refreshToken !== 'string') throw new UnauthenticatedError('Invalid refresh token');
    await withTransaction(this.deps.pool, async (tx) => {
      const found = await tx.query<{ family_id: string; user_id: string }>(
        'SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1',
        [hashToken(refreshToken)],
      );
      const token = found.rows[0];
      if (!token) throw new UnauthenticatedError('Invalid refresh token');
      await tx.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
        token.family_id,
      ]);
      await recordAudit(tx, ctx, { action: 'auth.logout', entityType: 'user', entityId: token.user_id });
    });
  }

  private remember(token: string, sub: string, exp: number): void {
    this.verified.delete(token);
    // Bounded: the oldest entry goes first (a Map keeps insertion order).
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { sub, exp });
  }

  /** Verifies an access token and returns the user id it names; throws 401 otherwise. */
  async verifyAccessToken(token: string): Promise<string> {
    const known = this.verified.get(token);
    if (known && this.now().getTime() / 1000 < known.exp) return known.sub;
    try {
      this.verifyKey ??= crypto.subtle.importKey('raw', this.key, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      const { payload } = await jwtVerify(token, await this.verifyKey, {
        algorithms: ALGORITHMS,
        audience: ACCESS_TOKEN_AUDIENCE,
        issuer: ACCESS_TOKEN_ISSUER,
        currentDate: this.now(),
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || !/^\d{1,18}$/.test(payload.sub))
        throw new UnauthenticatedError('Invalid access token');
      this.remember(token, payload.sub, payload.exp!);
      return payload.sub;
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Access token expired; refresh it');
      throw new UnauthenticatedError('Invalid access token');
    }
  }

  private async newPair(
    tx: { query: Pool['query'] },
    user: Pick<UserRow, 'id' | 'role'>,
    familyId: string,
  ): Promise<TokenPair> {
    const now = this.now();
    const accessToken = await new SignJWT({ role: user.role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuer(ACCESS_TOKEN_ISSUER)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(now.getTime() / 1000) + this.accessTtl)
      .setJti(randomUUID())
      .sign(this.key);
    const refreshToken = randomBytes(32).toString('base64url');
    await tx.query(`INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)`, [
      hashToken(refreshToken),
      familyId,
      user.id,
      new Date(now.getTime() + this.refreshTtlDays * 86_400_000),
    ]);
    return { accessToken, refreshToken, expiresIn: this.accessTtl, tokenType: 'Bearer' };
  }
}

export type { Actor };
