import http from 'node:http';
import { createWebApp, type WebApp } from '../app.js';
import type { Runtime } from '../runtime.js';

/**
 * The web process's HTTP server: web-only, so that the worker's entry point (which shares
 * common.ts) never loads the admin panel. Load it after prepareAdminJs (config/admin-env.ts).
 */
export interface RunningWeb {
  web: WebApp;
  server: http.Server;
  close(): Promise<void>;
}

export async function serveWeb(rt: Runtime): Promise<RunningWeb> {
  const web = await createWebApp(rt);
  const server = http.createServer(web.app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(rt.config.port, rt.config.host, () => resolve());
  });
  return {
    web,
    server,
    close: async () => {
      web.drain();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut: a deploy must not hang forever.
        setTimeout(() => {
          server.closeAllConnections();
        }, 10_000).unref();
      });
      await web.close();
    },
  };
}
