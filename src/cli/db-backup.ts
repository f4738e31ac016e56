/**
 * `npm run db:backup [-- <directory>]`: the database and the uploaded files, consistent with each
 * other, into a new directory (by default backups/gridbook-<date>-<time>). See src/ops/backup.ts.
 */
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { createBlobStore } from '../files/blob-store.js';
import { createBackup } from '../ops/backup.js';
import { checkServerBuild, exitOnCommandError, redact } from './common.js';

try {
  await checkServerBuild();
  const config = loadConfig();
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const dir = path.resolve(
    process.argv.slice(2).find((a) => !a.startsWith('-')) ??
      path.join(process.env.BACKUP_DIR ?? 'backups', `gridbook-${stamp}`),
  );
  const store = createBlobStore(config);
  console.log(`Backing up ${redact(config.ownerDatabaseUrl)} and its ${store.kind} files into ${dir}`);
  const started = Date.now();
  try {
    const manifest = await createBackup(config.ownerDatabaseUrl, store, dir, (message) => console.log(`  ${message}`));
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `Backup done in ${((Date.now() - started) / 1000).toFixed(1)} s: database ${mb(manifest.dump.bytes)}, ` +
        `${manifest.blobs.count} files (${mb(manifest.blobs.bytes)}); ${Object.entries(manifest.counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')}.`,
    );
    if (manifest.blobs.missing.length) {
      console.log(
        `${manifest.blobs.missing.length} blob(s) were purged while the backup ran (unreferenced files past their grace period): left out.`,
      );
    }
    console.log(`Restore with: npm run db:restore -- ${dir}`);
  } finally {
    store.destroy?.();
  }
} catch (error) {
  exitOnCommandError(error, 'Backup');
}
