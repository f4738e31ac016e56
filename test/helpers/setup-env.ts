// Runs in every test worker before test files load: AdminJS reads its variables at import time.
import '../../src/config/admin-env.js';
