import type AdminJS from 'adminjs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../src/observability/logger.js';

export interface BuiltAdmin {
  admin: AdminJS;
  router: RequestHandler;
}

/**
 * Holds the current admin panel behind a stable Express handler, so the panel can be rebuilt while
 * the process runs (AdminJS has no supported way to add resources to a live instance). Requests in
 * flight finish on the router they started with; the next ones use the new one. Rebuilds are
 * serialized and coalesced: a burst of requests to rebuild costs at most one more rebuild.
 */
export class AdminHost {
  private current: BuiltAdmin | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly build: () => Promise<BuiltAdmin>,
    private readonly logger: Logger,
  ) {}

  get admin(): AdminJS {
    if (!this.current) throw new Error('admin panel not built yet');
    return this.current.admin;
  }

  readonly handler: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    if (!this.current) {
      res.status(503).type('text/plain').send('The admin panel is starting');
      return;
    }
    this.current.router(req, res, next);
  };

  async init(): Promise<void> {
    this.current = await this.build();
  }

  /** Rebuilds the panel; resolves when a build that started after this call has finished. */
  rebuild(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const started = Date.now();
        try {
          this.current = await this.build();
          this.logger.info({ ms: Date.now() - started }, 'admin panel rebuilt');
        } catch (error) {
          this.logger.error({ err: error }, 'admin panel rebuild failed; keeping the previous one');
        }
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
