/**
 * Verifies the audit hash chain under AUDIT_KEY, against the newest checkpoint in the file store,
 * and reports the first link that fails: which entry, and what kind of tampering (altered, removed,
 * links reordered or forged without the key, the newest entries cut off, a forged checkpoint).
 * Exit code 0 when the chain holds, 1 when it does not. Read-only.
 */
import { resolveAuditKeys } from '../audit/audit-key.js';
import { verifyAgainstStore } from '../audit/checkpoints.js';
import { loadConfig } from '../config/config.js';
import { createPool } from '../db/pool.js';
import { createBlobStore } from '../files/blob-store.js';
import { checkServerBuild, exitOnStartupError } from './common.js';

try {
  await checkServerBuild();
  const config = loadConfig();
  const keys = await resolveAuditKeys(config, (m) => console.error(`Warning: ${m}`));
  const pool = createPool(config.ownerDatabaseUrl, { max: 2, applicationName: 'gridbook-audit-verify' });
  const store = createBlobStore(config);
  const started = Date.now();
  let report;
  try {
    report = await verifyAgainstStore(pool, store, keys);
  } finally {
    await pool.end();
    store.destroy?.();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  const checkpoint = report.checkpoint
    ? `Newest checkpoint: link ${report.checkpoint.seq}, written ${report.checkpoint.at}.`
    : 'No checkpoint in the file store yet: removal of the newest entries cannot be detected before the sealer writes one.';
  if (report.ok) {
    console.log(`Audit chain OK: ${report.checked} sealed entries verified in ${seconds} s.`);
    if (report.headSeq)
      console.log(`Chain head: link ${report.headSeq} (audit entry ${report.headEntryId}), hash ${report.headHash}`);
    if (report.legacyUpTo)
      console.log(
        `Links 1..${report.legacyUpTo} were sealed before the chain was keyed (SHA-256); the keyed links after them cover them.`,
      );
    console.log(checkpoint);
    if (report.pending)
      console.log(`${report.pending} newer entries are waiting to be sealed (the worker seals them within seconds).`);
    process.exit(0);
  }
  const problem = report.problem!;
  console.error(`Audit chain BROKEN (${problem.kind}): ${problem.message}.`);
  if (problem.entryId || problem.seq) {
    console.error(
      `First failure: ${problem.entryId ? `audit entry ${problem.entryId}` : 'no entry'}${problem.seq ? `, chain link ${problem.seq}` : ''}.`,
    );
  }
  console.error(`${report.checked} links verified before it.`);
  console.error(checkpoint);
  process.exit(1);
} catch (error) {
  exitOnStartupError(error);
}
