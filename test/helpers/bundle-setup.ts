import '../../src/config/admin-env.js';
import { ensureAdminBundle } from '../../admin/bundle.js';

/**
 * The browser tests load the admin panel's component bundle, and the process tests start servers
 * that need it: built here once per run when stale, so that no test pays for it (or races for it).
 */
export default async function setup(): Promise<void> {
  await ensureAdminBundle((m) => console.log(m));
}
