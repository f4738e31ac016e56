// Runs in every test worker before test files load: AdminJS reads its variables when it loads.
import { prepareAdminJs } from '../../src/config/admin-env.js';

prepareAdminJs({ production: false });
