/** The web process alone (production): refuses to start while migrations are pending. */
import { prepareAdminJs } from '../config/admin-env.js';
import { exitOnStartupError, loadConfigAndCheckServices, serveUntilShutdown, StartupError } from './common.js';
import { createMigratedRuntime } from './node-runtime.js';

try {
  const config = await loadConfigAndCheckServices();
  // The admin panel is loaded only now, once AdminJS has what it reads when it loads.
  prepareAdminJs({ production: config.isProduction });
  const { ensureAdminBundle, isBundleFresh } = await import('../../admin/bundle.js');
  const { serveWeb } = await import('./web-server.js');
  if (config.isProduction) {
    if (!(await isBundleFresh())) {
      throw new StartupError(
        'The admin components are not bundled: run `npm run admin:bundle` when building the image.',
      );
    }
  } else {
    await ensureAdminBundle((m) => console.log(m));
  }
  const rt = await createMigratedRuntime(config, 'gridbook-web');
  const running = await serveWeb(rt);
  await serveUntilShutdown(rt, () => running.close());
  rt.logger.info({ url: config.publicUrl }, 'web process listening');
} catch (error) {
  exitOnStartupError(error);
}
