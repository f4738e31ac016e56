/** The worker process alone (production): BullMQ processors and periodic jobs. */
import { startWorker } from '../worker.js';
import { exitOnStartupError, loadConfigAndCheckServices, serveUntilShutdown } from './common.js';
import { createMigratedRuntime } from './node-runtime.js';

try {
  const config = await loadConfigAndCheckServices();
  const rt = await createMigratedRuntime(config, 'gridbook-worker');
  const worker = await startWorker(rt);
  await serveUntilShutdown(rt, () => worker.close());
} catch (error) {
  exitOnStartupError(error);
}
