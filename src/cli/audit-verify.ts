/**
 * Verifies the audit hash chain and reports the first entry that was altered, removed or
 * reordered. Exit code 0 when the chain holds, 1 when it does not. Read-only.
 */
import { verifyAuditChain } from '../audit/audit-chain.js';
import { loadConfig } from '../config/config.js';
import { createPool } from '../db/pool.js';
import { exitOnStartupError } from './common.js';

try {
  const config = loadConfig();
  const pool = createPool(config.ownerDatabaseUrl, { max: 2, applicationName: 'gridbook-audit-verify' });
  const started = Date.now();
  const report = await verifyAuditChain(pool);
  await pool.end();
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  if (report.ok) {
    console.log(`Audit chain OK: ${report.checked} sealed entries verified in ${seconds} s.`);
    if (report.headSeq) console.log(`Chain head: link ${report.headSeq}, hash ${report.headHash}`);
    if (report.pending) console.log(`${report.pending} newer entries are waiting to be sealed (the worker seals them within seconds).`);
    process.exit(0);
  }
  console.error(`Audit chain BROKEN: ${report.problem!.message}.`);
  console.error(`${report.checked} links verified before it.`);
  process.exit(1);
} catch (error) {
  exitOnStartupError(error);
}
