import { prepareAdminJs } from '../../src/config/admin-env.js';

/**
 * The browser tests load the admin panel's component bundle, and the process tests start servers
 * that need it: built here once per run when stale, so that no test pays for it (or races for it).
 */
export default async function setup(): Promise<void> {
  prepareAdminJs({ production: false });
  const { ensureAdminBundle } = await import('../../admin/bundle.js');
  await ensureAdminBundle((m) => console.log(m));
}
