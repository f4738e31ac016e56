import { Type } from '@sinclair/typebox';
import { route, type RouteSpec } from '../http/routes.js';
import type { AuthService } from './auth.service.js';
import type { TokensService } from './tokens.service.js';
import { findUserById, toPublicUser } from '../users/users.repository.js';
import { PublicUser } from '../users/users.schema.js';
import type { Pool } from '../db/pool.js';
import { GridRoleSchema } from '../grids/grids.schema.js';

const TokenPair = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'seconds until the access token expires' }),
  tokenType: Type.Literal('Bearer'),
});

const Me = Type.Object({
  user: PublicUser,
  memberships: Type.Array(
    Type.Object({ gridId: Type.String(), slug: Type.String(), title: Type.String(), role: GridRoleSchema }),
  ),
});

export function authRoutes(services: { auth: AuthService; tokens: TokensService }, pool: Pool): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/auth/token',
      tag: 'auth',
      summary: 'Sign in with email and password: an access token and a refresh token',
      public: true,
      body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1024 }) }),
      response: TokenPair,
      handler: async ({ ctx, body }) => {
        const user = await services.auth.authenticate(ctx, body.email, body.password);
        return services.tokens.issue(ctx, user);
      },
    }),
    route({
      method: 'post',
      path: '/auth/refresh',
      tag: 'auth',
      summary: 'A new token pair for a refresh token (rotation; a reused token revokes its family)',
      public: true,
      body: Type.Object({ refreshToken: Type.String({ maxLength: 200 }) }),
      response: TokenPair,
      handler: ({ ctx, body }) => services.tokens.refresh(ctx, body.refreshToken),
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      tag: 'auth',
      summary: 'Revoke the refresh token and its family',
      public: true,
      body: Type.Object({ refreshToken: Type.String({ maxLength: 200 }) }),
      handler: async ({ ctx, body }) => {
        await services.tokens.logout(ctx, body.refreshToken);
        return { loggedOut: true };
      },
    }),
    route({
      method: 'get',
      path: '/me',
      tag: 'auth',
      summary: 'The caller, their role and grid memberships',
      response: Me,
      handler: async ({ ctx }) => {
        const user = (await findUserById(pool, ctx.actor!.id))!;
        const memberships = await pool.query<{ gridId: string; slug: string; title: string; role: string }>(
          `SELECT g.id AS "gridId", g.slug, g.title, m.role FROM grid_members m JOIN grids g ON g.id = m.grid_id
            WHERE m.user_id = $1 AND NOT g.is_deleted ORDER BY g.id`,
          [user.id],
        );
        return { user: toPublicUser(user), memberships: memberships.rows };
      },
    }),
  ];
}
