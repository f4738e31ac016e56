import path from 'node:path';
import express, { type Router } from 'express';
import { PROJECT_ROOT } from '../config/paths.js';
import { escapeHtml } from './escape.js';

/**
 * Gridbook's logo and favicon, served by this host (src/http/assets/) for every page of ours: the
 * admin panel, its sign-in page, the queue board and the API docs. Nothing is fetched from another
 * origin (the CSP says 'self').
 */
export const BRAND_ASSETS_PATH = '/admin/assets/gridbook';
export const BRAND = {
  name: 'Gridbook',
  logo: `${BRAND_ASSETS_PATH}/logo.svg`,
  favicon: `${BRAND_ASSETS_PATH}/favicon.svg`,
  faviconPng: `${BRAND_ASSETS_PATH}/favicon.png`,
} as const;

export const ASSETS_DIR = path.join(PROJECT_ROOT, 'src', 'http', 'assets');

/** `<link>` tags for the favicon (SVG, with the PNG for browsers without SVG icons). */
export const FAVICON_LINKS = `<link rel="icon" type="image/svg+xml" href="${BRAND.favicon}">
<link rel="alternate icon" type="image/png" href="${BRAND.faviconPng}">`;

/** The admin panel's path: where our own pages lead back to. */
export const ADMIN_PATH = '/admin';

/**
 * The start of a page of ours up to its own stylesheets: doctype, charset, viewport, the title
 * (escaped) with the product's name, the favicons and our self-hosted Roboto.
 */
export function pageHead(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${BRAND.name}</title>
${FAVICON_LINKS}
<link rel="stylesheet" href="${ADMIN_PATH}/assets/fonts/roboto.css">`;
}

/** The logo and favicons under BRAND_ASSETS_PATH, and /favicon.ico for browsers that ask the root. */
export function brandAssets(): { assets: Router; faviconIco: Router } {
  const files = new Map([
    ['/logo.svg', 'logo.svg'],
    ['/favicon.svg', 'favicon.svg'],
    ['/favicon.png', 'favicon.png'],
  ]);
  const assets = express.Router();
  for (const [route, file] of files) {
    assets.get(route, (_req, res) => res.sendFile(path.join(ASSETS_DIR, file), { maxAge: '1d' }));
  }
  const faviconIco = express.Router();
  faviconIco.get('/favicon.ico', (_req, res) => res.sendFile(path.join(ASSETS_DIR, 'favicon.ico'), { maxAge: '1d' }));
  return { assets, faviconIco };
}

/** A page of ours that refuses something in words, with the logo and the way back to the panel (no script). */
export function refusalPage(title: string, message: string): string {
  return `${pageHead(title)}
<style>body{margin:0;background:#f6f7fb;color:#1c1c38;font:15px/1.5 Roboto,Arial,sans-serif}
main{max-width:520px;margin:15vh auto;padding:32px;background:#fff;border-radius:8px;box-shadow:0 2px 12px rgba(28,28,56,.08)}
h1{font-size:22px;font-weight:500;margin:24px 0 8px}a{color:#3040d6}</style>
</head>
<body><main>
<img src="${BRAND.logo}" alt="${BRAND.name}" width="152" height="32">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${ADMIN_PATH}" data-testid="back-to-panel">← Back to the admin panel</a></p>
</main></body>
</html>`;
}
