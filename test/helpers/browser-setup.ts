import { prepareAdminJs } from '../../src/config/admin-env.js';

/** Browser tests load the admin panel's component bundle: build it when stale. */
export default async function setup(): Promise<void> {
  prepareAdminJs({ production: false });
  const { ensureAdminBundle } = await import('../../admin/bundle.js');
  await ensureAdminBundle((m) => console.log(m));
}
