/** Applies pending migrations (creating the database first if it does not exist). */
import { loadConfig } from '../config/config.js';
import { ensureDatabase } from '../db/database.js';
import { applyMigrations } from '../db/migrations.js';
import { checkServices, exitOnStartupError, redact } from './common.js';

try {
  const config = loadConfig();
  await checkServices(config);
  if (await ensureDatabase(config.databaseUrl)) console.log(`Created database ${redact(config.databaseUrl)}`);
  const applied = await applyMigrations(config.databaseUrl);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
  process.exit(0);
} catch (error) {
  exitOnStartupError(error);
}
