import connectPgSimple from 'connect-pg-simple';
import express, { type Express } from 'express';
import session from 'express-session';
import { buildAdmin } from '../admin/admin.js';
import { adminBodies } from '../admin/admin-bodies.js';
import { AdminHost } from '../admin/admin-host.js';
import { buildAdminRouter } from '../admin/admin-router.js';
import { loadAdminUser } from '../admin/admin-user.js';
import { databaseName } from './config/config.js';
import { createApiRouter } from './http/api.js';
import { brandAssets, BRAND_ASSETS_PATH } from './http/brand.js';
import { apiErrorHandler, apiNotFound } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { requestContext } from './http/request-context.js';
import { sameOriginForCookieWrites, securityHeaders } from './http/security.js';
import type { Runtime } from './runtime.js';
import { accessLog, httpMetrics, metricsEndpoint } from './observability/http.js';
import { QUEUE_BOARD_PATH, queueBoard } from './observability/queue-board.js';
import { listenForSchemaChanges } from './templates/schema-listener.js';

export interface WebApp {
  app: Express;
  adminHost: AdminHost;
  /** Marks the app as draining: /readyz answers 503 so load balancers stop sending traffic. */
  drain(): void;
  /** Stops background listeners (the app's HTTP server is the caller's). */
  close(): Promise<void>;
}

export const SESSION_COOKIE = 'gridbook.sid';

/** The web process's composition root: HTTP edge, sessions, admin panel, API, health. */
export async function createWebApp(rt: Runtime): Promise<WebApp> {
  const { config, pool, logger } = rt;
  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  app.use(requestContext());
  app.use(accessLog(logger));
  app.use(httpMetrics(rt.metrics));
  app.use(securityHeaders({ https: config.publicUrl.startsWith('https:') }));
  app.use(healthRoutes({ pool, redis: rt.redis, isDraining: () => draining }));
  if (!config.metrics.port) app.get('/metrics', metricsEndpoint(rt.metrics, config.metrics.token));
  app.get('/', (_req, res) => res.redirect('/admin'));
  // The logo and favicons: public, read before any session is looked up.
  const brand = brandAssets();
  app.use(BRAND_ASSETS_PATH, brand.assets);
  app.use(brand.faviconIco);
  app.use(sameOriginForCookieWrites(config.publicUrl));

  const PgStore = connectPgSimple(session);
  const sessions = session({
    name: SESSION_COOKIE,
    secret: rt.secrets.sessionSecret,
    store: new PgStore({ pool, tableName: 'session', createTableIfMissing: false, pruneSessionInterval: 15 * 60 }),
    resave: false,
    // No session row until someone signs in: anonymous traffic writes nothing.
    saveUninitialized: false,
    proxy: config.trustProxy,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      maxAge: config.sessionTtlHours * 3600 * 1000,
    },
  });
  // Limits first: an anonymous body is bounded before a session is looked up or a user loaded.
  app.use('/admin', adminBodies());
  app.use('/admin', sessions);
  // API clients with bearer tokens carry no session cookie: no session is looked up or made for them.
  app.use('/api', (req, res, next) =>
    req.headers.cookie?.includes(`${SESSION_COOKIE}=`) ? sessions(req, res, next) : next(),
  );

  app.use(
    QUEUE_BOARD_PATH,
    ...queueBoard(rt.queues.all(), async (id) => (await loadAdminUser(pool, id))?.role === 'admin'),
  );

  const adminHost = new AdminHost(async () => {
    const admin = await buildAdmin({
      pool,
      knex: rt.knex,
      databaseName: databaseName(config.databaseUrl),
      services: rt.services,
      catalog: rt.catalog,
      queues: rt.queues,
      exportThreshold: config.exports.asyncThreshold,
      templateTrashDays: config.templates.trashRetentionDays,
    });
    const router = buildAdminRouter(admin, {
      auth: rt.services.auth,
      loadAdminUser: (id) => loadAdminUser(pool, id),
      logger,
    });
    return { admin, router };
  }, logger);
  await adminHost.init();
  app.use('/admin', adminHost.handler);
  // A template published on any node rebuilds this node's admin panel (new tables appear at once)
  // and compiles the new version's rules before its first answer arrives (as start-up does for all).
  const schemaListener = listenForSchemaChanges(
    config.databaseUrl,
    (templateId) => {
      void adminHost.rebuild();
      void rt.catalog.warm(templateId).catch(() => undefined);
    },
    logger,
  );
  void rt.catalog.warm(null).catch(() => undefined);

  const api = createApiRouter(rt);
  app.use('/api/v1', api.v1);
  app.use('/api/docs', api.docs);
  app.use('/api', apiNotFound);
  app.use(apiErrorHandler(logger));

  return {
    app,
    adminHost,
    drain: () => {
      draining = true;
    },
    close: () => schemaListener.close(),
  };
}
