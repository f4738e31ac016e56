import type { NextFunction, Request, Response } from 'express';
import type { TokensService } from '../auth/tokens.service.js';
import type { Actor, ServiceContext } from '../context.js';
import type { Queryable } from '../db/pool.js';
import { UnauthenticatedError } from '../errors/app-error.js';
import { findUserById } from '../users/users.repository.js';
import { requestMetaOf } from './request-context.js';

/**
 * Who is calling the API: a bearer access token, or the admin panel's session (same origin; the
 * Origin check guards its writes). The user is re-read on every request, so disabling a user or
 * changing their role takes effect on their next call, tokens and sessions alike. Anonymous
 * callers get a context without an actor; routes that need one answer 401.
 */
export function apiAuthentication(deps: { pool: Queryable; tokens: TokensService }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const meta = requestMetaOf(res);
    const lang = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const accept = req.get('accept-language');
    const context: ServiceContext = {
      actor: null,
      requestId: meta.requestId,
      ip: meta.ip,
      languages: [lang, accept].filter((l): l is string => !!l).map((l) => l.slice(0, 500)),
    };
    res.locals.serviceContext = context;
    try {
      let userId: string | null = null;
      const header = req.get('authorization');
      if (header) {
        const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
        if (!match) {
          res.setHeader('WWW-Authenticate', 'Bearer');
          throw new UnauthenticatedError('Authorization must be "Bearer <access token>"');
        }
        userId = await deps.tokens.verifyAccessToken(match[1]!);
      } else if (req.session?.adminUser?.id) {
        userId = req.session.adminUser.id;
      }
      if (userId) {
        const user = await findUserById(deps.pool, userId);
        if (!user?.active) throw new UnauthenticatedError('This account is disabled or no longer exists');
        const actor: Actor = { id: user.id, email: user.email, role: user.role };
        context.actor = actor;
      }
      next();
    } catch (error) {
      next(error);
    }
  };
}
