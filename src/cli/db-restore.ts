/**
 * `npm run db:restore -- <backup directory> [--force]`: loads a backup made by db:backup into
 * DATABASE_URL's database (which must be empty or missing; --force replaces it: stop the web and
 * worker processes first) and its files into the configured store, then checks the result: the
 * integrity check (files, typed rows, audit entries) and the audit hash chain. A newer audit
 * checkpoint than the backup's chain is kept aside (audit-checkpoints/superseded-*.json) and one of
 * the restored chain written. Exit code 1 when anything fails.
 */
import { resolveAuditKeys } from '../audit/audit-key.js';
import { rebaseCheckpoint } from '../audit/checkpoints.js';
import { loadConfig } from '../config/config.js';
import { createPool } from '../db/pool.js';
import { createBlobStore } from '../files/blob-store.js';
import { restoreBackup } from '../ops/backup.js';
import { checkIntegrity, formatIntegrityReport } from '../ops/integrity.js';
import { checkServerBuild, exitOnCommandError, grantRuntimeRoles, redact } from './common.js';

try {
  await checkServerBuild();
  const config = loadConfig();
  const dir = process.argv.slice(2).find((a) => !a.startsWith('-'));
  if (!dir) {
    console.error('Usage: npm run db:restore -- <backup directory> [--force]');
    process.exit(2);
  }
  const store = createBlobStore(config);
  const started = Date.now();
  try {
    console.log(`Restoring ${dir} into ${redact(config.ownerDatabaseUrl)} and the ${store.kind} file store`);
    const result = await restoreBackup(config.ownerDatabaseUrl, store, dir, {
      force: process.argv.includes('--force'),
      progress: (message) => console.log(`  ${message}`),
    });
    console.log(
      `Restored the backup of ${result.manifest.createdAt} (${result.blobsRestored} files) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    // The dump carries no owners or grants: give the runtime and forms roles theirs again.
    await grantRuntimeRoles(config, (message) => console.log(`  ${message}`));
    if (result.pendingMigrations.length) {
      console.log(
        `The backup predates ${result.pendingMigrations.length} migration(s): run npm run migrate (or npm start) to apply them.`,
      );
    }
    const pool = createPool(config.ownerDatabaseUrl, { max: 2, applicationName: 'gridbook-restore-check' });
    try {
      const keys = await resolveAuditKeys(config);
      // The store's newest audit checkpoint may cover entries written after this backup.
      const rebased = await rebaseCheckpoint(pool, store, keys);
      if (rebased.superseded) {
        console.log(
          `  The newest audit checkpoint (link ${rebased.superseded.seq ?? '?'}, ` +
            `written ${rebased.superseded.at ?? '?'}) covers entries written after this backup, ` +
            `which the restore does not bring back; it is kept as ${rebased.superseded.keptAs}.`,
        );
      }
      if (rebased.written)
        console.log(`  Audit checkpoint of the restored chain written: link ${rebased.written.seq}.`);
      const report = await checkIntegrity(pool, store, { graceHours: config.files.graceHours, auditKeys: keys });
      console.log(formatIntegrityReport(report));
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await pool.end();
    }
  } finally {
    store.destroy?.();
  }
} catch (error) {
  exitOnCommandError(error, 'Restore');
}
