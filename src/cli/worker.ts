/** The worker process alone (production): BullMQ processors and periodic jobs. */
import { loadConfig } from '../config/config.js';
import { pendingMigrations } from '../db/migrations.js';
import { createRuntime } from '../runtime.js';
import { startWorker } from '../worker.js';
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
  const rt = await createRuntime(config, { applicationName: 'gridbook-worker' });
  const pending = await pendingMigrations(rt.pool);
  if (pending.length) {
    await rt.close();
    throw new StartupError(
      `The database has pending migrations: ${pending.join(', ')}. Run \`npm run migrate\` first.`,
    );
  }
  const worker = await startWorker(rt);
  const stopMetrics = await startMetricsServer(rt);
  onShutdown(
    async () => {
      await worker.close();
      await stopMetrics();
      await rt.close();
    },
    (m) => rt.logger.info(m),
  );
} catch (error) {
  exitOnStartupError(error);
}
