/**
 * The one-command start for a single machine: creates the database if needed, applies migrations,
 * creates the first admin if none exists and prints how to sign in, then serves the admin panel and
 * the API and runs the worker, in one process.
 */
import { prepareAdminJs } from '../config/admin-env.js';
import { systemContext } from '../context.js';
import { createRuntime } from '../runtime.js';
import { startWorker } from '../worker.js';
import {
  exitOnStartupError,
  loadConfigAndCheckServices,
  onShutdown,
  prepareDatabase,
  startMetricsServer,
} from './common.js';

const say = (message: string) => console.log(message);

try {
  const config = await loadConfigAndCheckServices();
  // The admin panel is loaded only now, once AdminJS has what it reads when it loads.
  prepareAdminJs({ production: config.isProduction });
  const { ensureAdminBundle } = await import('../../admin/bundle.js');
  const { serveWeb } = await import('./web-server.js');
  const applied = await prepareDatabase(config, say);
  say(
    applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database schema is up to date',
  );
  await ensureAdminBundle(say);

  const rt = await createRuntime(config);
  const admin = await rt.services.users.ensureFirstAdmin(systemContext(), config.admin.email, config.admin.password);
  const running = await serveWeb(rt);
  const worker = await startWorker(rt);
  const stopMetrics = await startMetricsServer(rt);

  const url = `${config.publicUrl}/admin`;
  say('');
  say(`Gridbook is running: ${url}`);
  if (admin.created && admin.generatedPassword) {
    say(`First admin created. Sign in with:\n  email:    ${admin.email}\n  password: ${admin.generatedPassword}`);
    say('This password is shown only once: change it under "My account" after signing in.');
  } else if (admin.created) {
    say(`First admin created: sign in as ${admin.email} with the password from ADMIN_PASSWORD.`);
  } else {
    say(`Sign in as an existing admin (for example ${admin.email}).`);
  }
  say('Press Ctrl+C to stop.');

  onShutdown(async () => {
    await running.close();
    await worker.close();
    await stopMetrics();
    await rt.close();
  }, say);
} catch (error) {
  exitOnStartupError(error);
}
