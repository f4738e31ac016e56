import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { sendError } from './envelope.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The nonce of this response's inline scripts (set for admin pages by securityHeaders). */
export function cspNonce(res: Response): string {
  return String(res.locals.cspNonce ?? '');
}

/**
 * Helmet headers. The admin panel's own inline scripts (the page's state and the script that
 * mounts the application, see admin/page-layout.ts) carry a nonce made for each response; no
 * other inline script runs, and nothing loads from another origin. Styles stay 'unsafe-inline':
 * styled-components injects them at run time (a style cannot run code). Framing is refused
 * everywhere. The API and everything else get the strictest policy: they never serve HTML that runs.
 */
export function securityHeaders(opts: { https: boolean }) {
  const common = {
    frameguard: { action: 'deny' as const },
    strictTransportSecurity: opts.https ? { maxAge: 15552000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' as const },
  };
  const admin = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [
          "'self'",
          (_req: IncomingMessage, res: ServerResponse) => `'nonce-${(res as Response).locals.cspNonce}'`,
        ],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: opts.https ? [] : null,
      },
    },
  });
  const strict = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!(req.path === '/admin' || req.path.startsWith('/admin/') || req.path.startsWith('/api/docs')))
      return strict(req, res, next);
    res.locals.cspNonce = randomBytes(18).toString('base64');
    admin(req, res, next);
  };
}

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : 'null';
  } catch {
    return 'null';
  }
}

/**
 * Refuses cross-site requests that change state with the caller's cookies (CSRF): a POST from
 * another site's form or script carries our session cookie but not our Origin. Requests without
 * cookies (API clients with bearer tokens) have nothing to forge and pass. Allowed origins are the
 * configured public URL and the origin the request itself was addressed to.
 */
export function sameOriginForCookieWrites(publicUrl: string) {
  const publicOrigin = new URL(publicUrl).origin;
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method) || !req.headers.cookie) return next();
    const fetchSite = req.get('sec-fetch-site');
    const origin = originOf(req.get('origin')) ?? originOf(req.get('referer'));
    const ownOrigin = `${req.protocol}://${req.get('host')}`;
    const sameOrigin =
      origin === null
        ? fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none'
        : origin === publicOrigin || origin === ownOrigin;
    if (sameOrigin && fetchSite !== 'cross-site' && fetchSite !== 'same-site') return next();
    if (req.path.startsWith('/api/')) {
      sendError(res, 403, 'FORBIDDEN', 'Cross-site request refused: the Origin of this request is not this site');
    } else {
      res
        .status(403)
        .type('text/plain')
        .send('Cross-site request refused: the Origin of this request is not this site');
    }
  };
}
