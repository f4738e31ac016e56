import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/config.js';

/**
 * The key of the audit chain: every link and every checkpoint is an HMAC-SHA256 under it, so a
 * chain recomputed in SQL (by anyone holding the database but not the key) does not verify. The
 * database never holds it. Each link records the id of its key (a fingerprint, not the key), so
 * links sealed under an earlier key still verify with AUDIT_PREVIOUS_KEYS after a rotation.
 */
export interface AuditKey {
  id: string;
  secret: Buffer;
}

export interface AuditKeys {
  /** The key new links and checkpoints are sealed with. */
  current: AuditKey;
  /** Every key accepted by verification, by id (the current one included). */
  byId: Map<string, AuditKey>;
}

export class AuditKeyError extends Error {
  override name = 'ConfigError';
}

/** A key's public id: 16 hex digits of an HMAC under it, which tells nothing of the key. */
export function auditKeyId(secret: Buffer): string {
  return createHmac('sha256', secret).update('gridbook audit key id').digest('hex').slice(0, 16);
}

export function auditKeys(current: string, previous: string[] = []): AuditKeys {
  const make = (value: string): AuditKey => {
    const secret = Buffer.from(value, 'utf8');
    return { id: auditKeyId(secret), secret };
  };
  const key = make(current);
  const byId = new Map<string, AuditKey>([[key.id, key]]);
  for (const value of previous) {
    const k = make(value);
    if (!byId.has(k.id)) byId.set(k.id, k);
  }
  return { current: key, byId };
}

/** Where development keeps a generated key: beside the uploaded files, never in the database. */
export function devKeyPath(config: Config): string {
  return path.join(path.resolve(config.storageDir), 'audit.key');
}

/**
 * The keys from AUDIT_KEY (and AUDIT_PREVIOUS_KEYS). Production refuses to run without AUDIT_KEY
 * (config.ts). In development a random key is generated once into `<STORAGE_DIR>/audit.key`
 * (mode 0600), which every process sharing STORAGE_DIR then uses; there is no key in code.
 */
export async function resolveAuditKeys(config: Config, warn: (message: string) => void = () => {}): Promise<AuditKeys> {
  if (config.audit.key) return auditKeys(config.audit.key, config.audit.previousKeys);
  if (config.isProduction)
    throw new AuditKeyError('AUDIT_KEY is required in production (at least 32 random characters)');
  const file = devKeyPath(config);
  let value: string;
  try {
    value = (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(path.dirname(file), { recursive: true });
    try {
      // 'wx': two processes starting at once write it once; the loser reads the winner's.
      await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    value = (await readFile(file, 'utf8')).trim();
    // Another process may have created the file and not written it yet.
    for (let i = 0; i < 20 && value.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      value = (await readFile(file, 'utf8')).trim();
    }
    warn(`AUDIT_KEY is not set: using a generated key kept in ${file} (development only)`);
  }
  if (value.length < 32) throw new AuditKeyError(`${file} does not hold an audit key: remove it, or set AUDIT_KEY`);
  return auditKeys(value, config.audit.previousKeys);
}
