import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import { ADMIN_PATH, ASSETS_DIR, BRAND, pageHead } from './brand.js';

/**
 * The interactive API docs at /api/docs: Swagger UI (swagger-ui-dist, the Swagger team's static
 * build) over /api/v1/openapi.json, every file served by this host. The page has no inline script
 * (the CSP of /api/docs allows scripts from 'self' and a nonce we never give out here): its
 * start-up script is a file of ours (assets/api-docs.js).
 *
 * "Try it out" runs with the signed-in admin session (the API accepts the panel's cookie; the
 * Origin check in security.ts refuses cookie-carrying writes from any other site) or with a token
 * pasted under "Authorize".
 */
export const API_DOCS_PATH = '/api/docs';
const SPEC_PATH = '/api/v1/openapi.json';

const swaggerDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The files of swagger-ui-dist the page uses, and nothing else of the package. */
const SWAGGER_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;
const OWN_FILES = ['api-docs.js', 'api-docs.css'] as const;

const asset = (file: string) => `${API_DOCS_PATH}/assets/${file}`;

export function apiDocsPage(title: string): string {
  return `${pageHead(title)}
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<link rel="stylesheet" href="${asset('api-docs.css')}">
</head>
<body>
<header class="gb-docs-bar">
<a href="${ADMIN_PATH}" title="${BRAND.name}"><img src="${BRAND.logo}" alt="${BRAND.name}" width="133" height="28"></a>
<span class="gb-spacer"></span>
<a href="${SPEC_PATH}">OpenAPI document</a>
<a href="${ADMIN_PATH}" data-testid="back-to-panel">← Back to the admin panel</a>
</header>
<p class="gb-docs-note">Signed in to the admin panel? “Try it out” runs as you. Otherwise get a token from
<code>POST /auth/token</code> and paste its <code>accessToken</code> under “Authorize”.</p>
<div id="swagger-ui" data-spec-url="${SPEC_PATH}"></div>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script src="${asset('api-docs.js')}"></script>
</body>
</html>`;
}

export function apiDocsRouter(title: string): Router {
  const router = express.Router();
  const page = apiDocsPage(title);
  router.get('/', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-cache').send(page);
  });
  for (const file of SWAGGER_FILES) {
    router.get(`/assets/${file}`, (_req, res) => res.sendFile(path.join(swaggerDir, file), { maxAge: '1d' }));
  }
  for (const file of OWN_FILES) {
    router.get(`/assets/${file}`, (_req, res) => res.sendFile(path.join(ASSETS_DIR, file), { maxAge: '1h' }));
  }
  return router;
}
