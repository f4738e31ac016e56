/**
 * Checks what the database and the blob store promise each other (src/ops/integrity.ts): creation
 * audit entries, typed rows of processed submissions and no orphan rows, files and their blobs, the
 * audit chain. Read-only. Prints the report (`--json` for JSON); exit code 0 when everything holds,
 * 1 when a check fails (or PostgreSQL cannot be reached).
 */
import { resolveAuditKeys } from '../audit/audit-key.js';
import { loadConfig } from '../config/config.js';
import { createPool } from '../db/pool.js';
import { createBlobStore } from '../files/blob-store.js';
import { checkIntegrity, formatIntegrityReport } from '../ops/integrity.js';
import { checkServerBuild, exitOnStartupError, redact } from './common.js';

try {
  await checkServerBuild();
  const config = loadConfig();
  const json = process.argv.includes('--json');
  const pool = createPool(config.ownerDatabaseUrl, { max: 2, applicationName: 'gridbook-check-integrity' });
  const store = createBlobStore(config);
  const started = Date.now();
  let report;
  try {
    report = await checkIntegrity(pool, store, {
      graceHours: config.files.graceHours,
      skipStoreScan: process.argv.includes('--skip-store-scan'),
      auditKeys: await resolveAuditKeys(config, (m) => console.error(`Warning: ${m}`)),
    });
  } catch (error) {
    await pool.end().catch(() => {});
    store.destroy?.();
    console.error(`Cannot check ${redact(config.ownerDatabaseUrl)}: ${(error as Error).message}`);
    process.exit(1);
  }
  await pool.end();
  store.destroy?.();
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(formatIntegrityReport(report));
    console.log(`(${((Date.now() - started) / 1000).toFixed(2)} s)`);
  }
  process.exit(report.ok ? 0 : 1);
} catch (error) {
  exitOnStartupError(error);
}
