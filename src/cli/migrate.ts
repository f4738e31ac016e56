/** Applies pending migrations (creating the database first if it does not exist), then grants the runtime roles. */
import { loadConfig } from '../config/config.js';
import { checkServerBuild, checkServices, exitOnStartupError, prepareDatabase } from './common.js';

try {
  await checkServerBuild();
  const config = loadConfig();
  await checkServices(config);
  const applied = await prepareDatabase(config, (m) => console.log(m));
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  process.exit(0);
} catch (error) {
  exitOnStartupError(error);
}
