import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express, NextFunction, Request, Response, Router } from 'express';
import type { Queue } from 'bullmq';
import { BRAND, refusalPage } from '../http/brand.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

type RenderCallback = (error: Error | null, html?: string) => void;
type Engine = (file: string, options: object, callback: RenderCallback) => void;

/**
 * Bull Board's page template links its fonts from a third-party host, which our CSP refuses (and
 * which would tell that host who opens the board). Its own fonts fall back to the system's sans
 * serif; we link Roboto, served by the panel, in their place.
 */
export function withoutThirdPartyFonts(html: string): string {
  return html.replace(
    /<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^"]*"[^>]*>/g,
    '<link href="/admin/assets/fonts/roboto.css" rel="stylesheet">',
  );
}

/** A link back to the panel, always in sight at the foot of the board's sidebar (outside React's root). */
const BACK_LINK =
  '<a href="/admin" data-testid="back-to-panel" style="position:fixed;left:16px;bottom:44px;z-index:2147483000;padding:6px 10px;' +
  'border-radius:6px;background:#3040d6;color:#fff;font:500 13px Roboto,Arial,sans-serif;text-decoration:none">← Back to the admin panel</a>';

/** The board's page as we serve it: no third-party fonts, and the way back to the panel. */
export function boardPage(html: string): string {
  return withoutThirdPartyFonts(html).replace(/<body([^>]*)>/, (body) => `${body}\n${BACK_LINK}`);
}

/**
 * Bull Board over our queues, behind a guard: admins only, through the admin panel's session
 * (reloaded from the database by `isAdmin`, so a demoted admin loses it at once). It carries
 * Gridbook's logo and favicon, and a link back to the panel in its header.
 */
export function queueBoard(queues: Queue[], isAdmin: (userId: string) => Promise<boolean>): Router[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'Gridbook queues',
        boardLogo: { path: BRAND.favicon, width: 28, height: 28 },
        favIcon: { default: BRAND.favicon, alternative: BRAND.faviconPng },
        miscLinks: [{ text: '← Back to the admin panel', url: '/admin' }],
        hideDocsLink: true,
        theme: { light: { 'font-sans': "Roboto, 'Helvetica Neue', Arial, sans-serif" } },
      },
    },
  });
  const board = serverAdapter.getRouter() as Express;
  const ejs = (board as unknown as { engines: Record<string, Engine | undefined> }).engines['.ejs'];
  if (!ejs) throw new Error('Bull Board no longer renders its page with EJS: check withoutThirdPartyFonts');
  board.engine('ejs', (file: string, options: object, callback: RenderCallback) =>
    ejs(file, options, (error, html) => callback(error, html === undefined ? html : boardPage(html))),
  );
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const userId = req.session?.adminUser?.id;
    if (!userId) return res.redirect('/admin/login');
    try {
      if (await isAdmin(userId)) return next();
      res
        .status(403)
        .type('html')
        .send(
          refusalPage(
            'The queue board is for administrators',
            'The job queues are looked after by administrators. If something seems stuck, ask one of them.',
          ),
        );
    } catch (error) {
      next(error);
    }
  };
  return [guard as unknown as Router, board as unknown as Router];
}
