import { createRequire } from 'node:module';
import path from 'node:path';
import { buildAssets, buildRoute, convertToExpressRoute } from '@adminjs/express';
import AdminJS, { Router as AdminJSRoutes } from 'adminjs';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuthService } from '../src/auth/auth.service.js';
import { AppError } from '../src/errors/app-error.js';
import { reenterRequestContext, requestMetaOf } from '../src/http/request-context.js';
import { cspNonce } from '../src/http/security.js';
import type { Logger } from '../src/observability/logger.js';
import type { AdminUser } from './admin-user.js';
import { humaneNotice, NOT_OPEN, RECORD_NOT_OPEN } from './errors.js';
import { FONTS_CSS, FONTS_CSS_PATH, FONT_WEIGHTS, fontFile, renderAdminPage, renderLoginPage } from './page-layout.js';

declare module 'express-session' {
  interface SessionData {
    adminUser?: AdminUser;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    fields?: Record<string, unknown>;
  }
}

export interface AdminRouterDeps {
  auth: AuthService;
  /** Loads a user as the admin panel sees them, or null when missing or disabled. */
  loadAdminUser: (userId: string) => Promise<AdminUser | null>;
  logger: Logger;
}

/** AdminJS's routes that answer with the page shell (the React app then routes by URL itself). */
const PAGE_ACTIONS = new Set(['index', 'resource', 'resourceAction', 'recordAction', 'bulkAction', 'page']);

const fontsDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@fontsource/roboto/package.json')),
  'files',
);

/**
 * The admin panel's router, built for one AdminJS instance. It replaces @adminjs/express's
 * authenticated router because an admin back-office needs what that one lacks: the session id
 * regenerated at login (no session fixation), throttled sign-in with clear messages, the user
 * reloaded on every request (a disabled user is out at once, a role change applies at once), and
 * logout on POST; and its own page shell (page-layout.ts: escaped state, CSP nonces, per-user
 * resources). The session middleware and the bounded body parser (admin-bodies.ts) are set up
 * once by the app, in front of this router, so rebuilding the panel never adds listeners to the
 * session store and no body is read before its limits apply.
 */
export function buildAdminRouter(admin: AdminJS, deps: AdminRouterDeps): Router {
  const router = express.Router();
  const { loginPath, logoutPath, rootPath } = admin.options;
  const local = (path: string) => path.replace(rootPath, '') || '/';

  // Body parsing runs in stream callbacks, outside the request's async context.
  router.use(reenterRequestContext());
  buildAssets({ admin, assets: AdminJSRoutes.assets, routes: AdminJSRoutes.routes, router });
  router.get(local(FONTS_CSS_PATH), (_req, res) => {
    res.type('text/css').set('Cache-Control', 'public, max-age=86400').send(FONTS_CSS);
  });
  for (const weight of FONT_WEIGHTS) {
    const file = fontFile(weight);
    router.get(local(`${path.posix.dirname(FONTS_CSS_PATH)}/${file}`), (_req, res) => {
      res.sendFile(path.join(fontsDir, file), { maxAge: '7d', headers: { 'Content-Type': 'font/woff2' } });
    });
  }

  const renderLogin = async (res: Response, status: number, errorMessage: string | null) => {
    res
      .status(status)
      .type('html')
      .send(await renderLoginPage(admin, { action: loginPath, errorMessage }, cspNonce(res)));
  };

  router.get(local(loginPath), async (req, res) => {
    if (req.session.adminUser) return res.redirect(rootPath);
    await renderLogin(res, 200, null);
  });

  router.post(local(loginPath), async (req, res, next) => {
    const meta = requestMetaOf(res);
    const fields = req.fields ?? {};
    try {
      const user = await deps.auth.authenticate({ actor: null, ...meta }, fields.email, fields.password);
      const adminUser = await deps.loadAdminUser(user.id);
      if (!adminUser) return renderLogin(res, 403, 'This account is disabled; ask an administrator');
      // A fresh session id at login: a session id planted before sign-in is worth nothing after it.
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.adminUser = adminUser;
        req.session.save((saveErr) => {
          if (saveErr) return next(saveErr);
          res.redirect(302, rootPath);
        });
      });
    } catch (error) {
      if (error instanceof AppError) {
        await renderLogin(res, error.status, error.message);
        return;
      }
      next(error);
    }
  });

  const logout = (req: Request, res: Response, next: NextFunction) => {
    req.session.destroy((err) => (err ? next(err) : res.redirect(loginPath)));
  };
  // AdminJS's sign-out button is a link (GET). A cross-site link must not sign anyone out, so GET
  // signs out only when the browser says the request comes from this site; otherwise it asks.
  router.get(local(logoutPath), (req, res, next) => {
    const site = req.get('sec-fetch-site');
    if (site === undefined || site === 'same-origin' || site === 'none') return logout(req, res, next);
    res.status(200).type('html').send(`<!doctype html><meta charset="utf-8"><title>Sign out</title>
<form method="post" action="${logoutPath}"><button type="submit">Sign out of Gridbook</button></form>`);
  });
  router.post(local(logoutPath), logout);

  // Everything past this point needs a signed-in, active user, reloaded from the database.
  router.use(async (req, res, next) => {
    const sessionUser = req.session.adminUser;
    // Anonymous requests never write a session (no row per visitor).
    if (!sessionUser) return res.redirect(loginPath);
    try {
      const fresh = await deps.loadAdminUser(sessionUser.id);
      if (!fresh) {
        req.session.destroy(() => res.redirect(loginPath));
        return;
      }
      req.session.adminUser = fresh;
      next();
    } catch (error) {
      next(error);
    }
  });

  // AdminJS answers a missing record with its own developer's wording in the notice.
  router.use('/api', (_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const notice = (body as { notice?: { message?: unknown } } | null)?.notice;
      if (notice && typeof notice.message === 'string') notice.message = humaneNotice(notice.message);
      return json(body);
    };
    next();
  });

  // A resource or action that does not exist (a mistyped link, a form table not published on this
  // node yet) is a 404 with a notice, not the 500 AdminJS throws for it.
  const actionsOf = new Map(admin.resources.map((r) => [r.id(), new Set(Object.keys(r.decorate().actions))]));
  router.use('/api/resources/:resourceId', (req, res, next) => {
    const actions = actionsOf.get(req.params.resourceId!);
    // /actions/<action>[/...], /records/<id>/<action>, /bulk/<action>
    const parts = req.path.split('/').filter(Boolean);
    const action = parts[0] === 'records' ? parts[2] : parts[1];
    if (actions && (action === undefined || actions.has(action))) return next();
    res.status(404).json({ notice: { message: NOT_OPEN, type: 'error' } });
  });

  for (const route of AdminJSRoutes.routes) {
    if (route.method === 'GET' && !route.path.startsWith('/api/') && PAGE_ACTIONS.has(route.action)) {
      router.get(convertToExpressRoute(route.path), async (req, res, next) => {
        try {
          res.type('html').send(await renderAdminPage(admin, req.session.adminUser!, cspNonce(res)));
        } catch (error) {
          next(error);
        }
      });
    } else {
      buildRoute({ admin, route, router });
    }
  }

  // What AdminJS throws for requests a stale link or a crawler sends: a record that is not there
  // (its NotFoundError), or a GET on an action that only takes POST. 4xx, not the app's 500.
  router.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    const err = error as { name?: string; message?: string };
    if (!req.path.startsWith('/api/')) return next(error);
    if (err?.name === 'NotFoundError')
      return res.status(404).json({ notice: { message: RECORD_NOT_OPEN, type: 'error' } });
    if (/can be invoked only via `post`/.test(err?.message ?? '')) {
      return res
        .status(405)
        .set('Allow', 'POST')
        .json({ notice: { message: 'This action takes a POST', type: 'error' } });
    }
    return next(error);
  });
  return router;
}
