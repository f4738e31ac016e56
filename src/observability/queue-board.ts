import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { Queue } from 'bullmq';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over our queues, behind a guard: admins only, through the admin panel's session
 * (reloaded from the database by `isAdmin`, so a demoted admin loses it at once).
 */
export function queueBoard(queues: Queue[], isAdmin: (userId: string) => Promise<boolean>): Router[] {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'Gridbook queues' } } });
  const guard = async (req: Request, res: Response, next: NextFunction) => {
    const userId = req.session?.adminUser?.id;
    if (!userId) return res.redirect('/admin/login');
    try {
      if (await isAdmin(userId)) return next();
      res.status(403).type('text/plain').send('The queue board is for admins only');
    } catch (error) {
      next(error);
    }
  };
  return [guard as unknown as Router, serverAdapter.getRouter() as Router];
}
