import '../../src/config/admin-env.js';
import { ensureAdminBundle } from '../../admin/bundle.js';

/** Browser tests load the admin panel's component bundle: build it when stale. */
export default async function setup(): Promise<void> {
  await ensureAdminBundle((m) => console.log(m));
}
