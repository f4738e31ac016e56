/** The web process alone (production): refuses to start while migrations are pending. */
import { prepareAdminJs } from '../config/admin-env.js';
import { loadConfig } from '../config/config.js';
import { pendingMigrations } from '../db/migrations.js';
import { createRuntime } from '../runtime.js';
import {
  checkServerBuild,
  checkServices,
  exitOnStartupError,
  onShutdown,
  startMetricsServer,
  StartupError,
} from './common.js';

try {
  await checkServerBuild();
  const config = loadConfig();
  await checkServices(config);
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
  const rt = await createRuntime(config, { applicationName: 'gridbook-web' });
  const pending = await pendingMigrations(rt.pool);
  if (pending.length) {
    await rt.close();
    throw new StartupError(
      `The database has pending migrations: ${pending.join(', ')}. Run \`npm run migrate\` first.`,
    );
  }
  const running = await serveWeb(rt);
  const stopMetrics = await startMetricsServer(rt);
  rt.logger.info({ url: config.publicUrl }, 'web process listening');
  onShutdown(
    async () => {
      await running.close();
      await stopMetrics();
      await rt.close();
    },
    (m) => rt.logger.info(m),
  );
} catch (error) {
  exitOnStartupError(error);
}
