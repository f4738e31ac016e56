/** Applies pending migrations (creating the database first if it does not exist), then grants the runtime roles. */
import { exitOnStartupError, loadConfigAndCheckServices, migrateAndSay } from './common.js';

try {
  await migrateAndSay(await loadConfigAndCheckServices());
  process.exit(0);
} catch (error) {
  exitOnStartupError(error);
}
