/** What the web and worker processes share at start-up, beyond src/cli/common.ts. */
import type { Config } from '../config/config.js';
import { pendingMigrations } from '../db/migrations.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { StartupError } from './common.js';

/** The runtime of a web or worker node, refused (and closed) while migrations are pending. */
export async function createMigratedRuntime(config: Config, applicationName: string): Promise<Runtime> {
  const rt = await createRuntime(config, { applicationName });
  const pending = await pendingMigrations(rt.pool);
  if (pending.length) {
    await rt.close();
    throw new StartupError(
      `The database has pending migrations: ${pending.join(', ')}. Run \`npm run migrate\` first.`,
    );
  }
  return rt;
}
