import path from 'node:path';
import express, { type Router } from 'express';
import { PROJECT_ROOT } from '../config/paths.js';

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
