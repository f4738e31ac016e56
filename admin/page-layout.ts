import { combineStyles } from '@adminjs/design-system';
import AdminJS, { initializeStore, ViewHelpers, type CurrentAdmin } from 'adminjs';
import { FAVICON_LINKS } from '../src/http/brand.js';
import { escapeHtml, jsonForScript } from '../src/http/escape.js';
import { mayUseReviewQueue, REVIEW_QUEUE_PAGE } from './pages/review-queue.page.js';

/**
 * The HTML shell of the admin panel and its login page, in place of AdminJS's own templates
 * (`adminjs/lib/frontend/layout-template.js`, `login-template.js`), which write the page's state
 * into an inline script with a bare JSON.stringify, link fonts from a public CDN, and carry every
 * resource and every translation to every visitor. Here:
 * - the state is written with `jsonForScript`, so a label holding `</script>` stays text;
 * - inline scripts carry the response's CSP nonce (the policy allows no other inline script);
 * - each signed-in user's state holds only the resources they may use, and the locale only their
 *   labels (see `localeFor` in admin.ts); the login page carries branding and core words only;
 * - fonts come from this host.
 */

/**
 * The answers of visibleResourceIds for the signed-in user object of one request (the router
 * loads a fresh one per request), so the locale and the page's state share one computation.
 */
const visibleMemo = new WeakMap<CurrentAdmin, { admin: AdminJS; ids: Set<string> }>();

/** A resource belongs in a user's panel when any of its actions is open to them. */
export function visibleResourceIds(admin: AdminJS, currentAdmin: CurrentAdmin | undefined): Set<string> {
  if (!currentAdmin) return new Set();
  const known = visibleMemo.get(currentAdmin);
  if (known?.admin === admin) return known.ids;
  const ids = new Set<string>();
  for (const resource of admin.resources) {
    const decorated = resource.decorate();
    if (Object.values(decorated.actions).some((action) => action.isAccessible(currentAdmin))) ids.add(decorated.id());
  }
  visibleMemo.set(currentAdmin, { admin, ids });
  return ids;
}

const RESET_CSS = `html,body,div,span,h1,h2,h3,h4,h5,h6,p,blockquote,pre,a,abbr,code,em,img,small,strong,sub,sup,
b,u,i,dl,dt,dd,ol,ul,li,fieldset,form,label,legend,table,caption,tbody,tfoot,thead,tr,th,td,article,aside,
canvas,details,figure,figcaption,footer,header,menu,nav,output,section,summary,time,mark,audio,video{margin:0;
padding:0;border:0;font-size:100%;font:inherit;vertical-align:baseline}article,aside,details,figcaption,figure,
footer,header,menu,nav,section{display:block}*[hidden]{display:none}body{line-height:1}ol,ul{list-style:none}
table{border-collapse:collapse;border-spacing:0}html,body,#app{margin:0;padding:0;width:100%;height:100%}
#app{isolation:isolate}:root{color-scheme:light}
table td,table th{word-break:normal!important;overflow-wrap:normal!important;hyphens:manual!important}
[data-css$="-list-table-wrapper"]{overflow-x:auto;max-width:100%}`;

interface Shell {
  language: string;
  title: string;
  nonce: string;
  assetsPath: (file: string) => string;
  /** `window.<name> = <value>` assignments, written as escaped JSON. */
  globals: Record<string, unknown>;
  /** The script that mounts the React application. */
  mount: string;
}

function page(shell: Shell): string {
  const nonce = escapeHtml(shell.nonce);
  const globals = Object.entries(shell.globals)
    .map(([name, value]) => `window.${name} = ${jsonForScript(value)};`)
    .join('\n');
  const script = (file: string) => `<script src="${escapeHtml(shell.assetsPath(file))}"></script>`;
  return `<!DOCTYPE html>
<html lang="${escapeHtml(shell.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>${escapeHtml(shell.title)}</title>
${FAVICON_LINKS}
<link rel="stylesheet" href="${escapeHtml(FONTS_CSS_PATH)}">
<script nonce="${nonce}">
${globals}
window.THEME_COMPONENTS = {};
window.AdminJS = { Components: {} };
</script>
${script('global.bundle.js')}
${script('design-system.bundle.js')}
${script('app.bundle.js')}
${script('components.bundle.js')}
<style>${RESET_CSS}</style>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}">
var root = createRoot(document.getElementById('app'));
${shell.mount}
</script>
</body>
</html>`;
}

/** Pages shown only to some users (AdminJS lists every page to everyone); their handlers check again. */
const PAGE_ACCESS: Record<string, (currentAdmin: CurrentAdmin) => boolean> = { [REVIEW_QUEUE_PAGE]: mayUseReviewQueue };

/** The page of the signed-in panel: AdminJS's state for this user only. */
export async function renderAdminPage(admin: AdminJS, currentAdmin: CurrentAdmin, nonce: string): Promise<string> {
  const store = await initializeStore(admin, currentAdmin);
  const state = store.getState();
  const visible = visibleResourceIds(admin, currentAdmin);
  const pages = state.pages.filter((p) => PAGE_ACCESS[p.name]?.(currentAdmin) ?? true);
  const reduxState = { ...state, resources: state.resources.filter((r) => visible.has(r.id)), pages };
  const h = new ViewHelpers({ options: admin.options });
  return page({
    language: state.locale.language,
    title: state.branding.companyName ?? 'Gridbook',
    nonce,
    assetsPath: (file) => h.assetPath(file, state.assets),
    globals: { REDUX_STATE: reduxState, THEME: combineStyles(state.branding.theme ?? {}) },
    mount: 'root.render(AdminJS.Application);',
  });
}

/** The sign-in page: branding and the words of the form, nothing of any grid. */
export async function renderLoginPage(
  admin: AdminJS,
  attributes: { action: string; errorMessage: string | null },
  nonce: string,
): Promise<string> {
  const store = await initializeStore(admin, undefined);
  const { branding, assets, locale, paths } = store.getState();
  const h = new ViewHelpers({ options: admin.options });
  return page({
    language: locale.language,
    title: branding.companyName ?? 'Gridbook',
    nonce,
    assetsPath: (file) => h.assetPath(file, assets),
    globals: {
      REDUX_STATE: { branding, assets, locale, paths },
      THEME: combineStyles(branding.theme ?? {}),
      __APP_STATE__: attributes,
    },
    mount: 'root.render(AdminJS.LoginApplication);',
  });
}

/** Roboto, the design system's font, served by the panel itself (no third-party origin). */
export const FONTS_CSS_PATH = '/admin/assets/fonts/roboto.css';
export const FONT_WEIGHTS = [300, 400, 500, 700] as const;
export const fontFile = (weight: number) => `roboto-latin-${weight}-normal.woff2`;
export const FONTS_CSS = FONT_WEIGHTS.map(
  (w) =>
    `@font-face{font-family:'Roboto';font-style:normal;font-display:swap;font-weight:${w};src:url(./${fontFile(w)}) format('woff2')}`,
).join('\n');
