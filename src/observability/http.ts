import http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import { sendError } from '../http/envelope.js';
import { requestMetaOf } from '../http/request-context.js';
import type { LevelWithSilent } from 'pino';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** The route a request matched (`/api/v1/submissions/:submissionId`), never the raw URL: labels stay few. */
function routeOf(req: Request): string {
  // Express types the matched route as `any`.
  const route = req.route as { path?: unknown } | undefined;
  if (route?.path) return `${req.baseUrl}${typeof route.path === 'string' ? route.path : ''}`;
  if (req.originalUrl.startsWith('/admin/frontend/assets/')) return '/admin/frontend/assets/*';
  return req.baseUrl ? `${req.baseUrl}/*` : 'unmatched';
}

/** Request duration by route and status, recorded when the response is sent. */
export function httpMetrics(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe(
        { method: req.method, route: routeOf(req), status: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}

/** One access-log line per request, with its id; health checks and admin assets are not logged. */
export function accessLog(logger: Logger) {
  return pinoHttp({
    // pino-http types a logger of its own custom levels; ours is the plain pino logger.
    logger: logger as never,
    genReqId: (_req, res) => requestMetaOf(res as Response).requestId,
    customLogLevel: (_req, res, err): LevelWithSilent =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: {
      ignore: (req) =>
        /^\/(healthz|readyz|metrics)$/.test(req.url ?? '') || (req.url ?? '').startsWith('/admin/frontend/'),
    },
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string }) => ({
        method: req.method,
        url: req.url.split('?')[0],
        ip: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
    wrapSerializers: false,
    quietReqLogger: true,
  });
}

const isLoopback = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

/**
 * /metrics in Prometheus format. Protected: with a token configured it needs `Authorization: Bearer
 * <token>`; without one it answers only to the machine itself (scrape it through METRICS_PORT or a
 * token in production).
 */
export function metricsEndpoint(metrics: Metrics, token: string | undefined) {
  return async (req: Request, res: Response) => {
    const authorized = token ? req.get('authorization') === `Bearer ${token}` : isLoopback(req.socket.remoteAddress);
    if (!authorized) {
      sendError(
        res,
        token ? 401 : 403,
        token ? 'UNAUTHENTICATED' : 'FORBIDDEN',
        token
          ? 'A metrics token is required'
          : 'Metrics are served to this machine only: set METRICS_TOKEN or METRICS_PORT',
      );
      return;
    }
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}

/** /metrics on its own port (METRICS_PORT, on METRICS_HOST), for processes that have no web server or keep it private. */
export function serveMetrics(metrics: Metrics, port: number, host: string): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
    res.end(await metrics.registry.metrics());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
