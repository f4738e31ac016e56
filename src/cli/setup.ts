/**
 * Prepares a database for the separate web and worker processes: creates it if missing, applies
 * migrations and creates the first admin when none exists (from ADMIN_EMAIL and ADMIN_PASSWORD, or
 * with a generated password printed once). Idempotent: run it at every deploy, once.
 */
import { systemContext } from '../context.js';
import { createPool } from '../db/pool.js';
import { UsersService } from '../users/users.service.js';
import { exitOnStartupError, loadConfigAndCheckServices, migrateAndSay } from './common.js';

try {
  const config = await loadConfigAndCheckServices();
  await migrateAndSay(config);
  const pool = createPool(config.ownerDatabaseUrl, { max: 2, applicationName: 'gridbook-setup' });
  try {
    const users = new UsersService({ pool, bcryptRounds: config.bcryptRounds });
    const admin = await users.ensureFirstAdmin(systemContext(), config.admin.email, config.admin.password);
    if (admin.generatedPassword) {
      console.log(
        `First admin created: ${admin.email} / ${admin.generatedPassword} (shown once; change it after signing in)`,
      );
    } else if (admin.created) {
      console.log(`First admin created: ${admin.email} (password from ADMIN_PASSWORD)`);
    } else {
      console.log(`An admin exists (${admin.email})`);
    }
  } finally {
    await pool.end();
  }
  process.exit(0);
} catch (error) {
  exitOnStartupError(error);
}
