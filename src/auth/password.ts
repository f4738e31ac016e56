import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import { ValidationError } from '../errors/app-error.js';

/**
 * Passwords are hashed with bcrypt over a SHA-256 pre-hash (as Django's BCryptSHA256PasswordHasher):
 * bcrypt reads only the first 72 bytes of its input, so two long passphrases sharing a 72-byte
 * prefix would otherwise match each other. The pre-hash is base64 (44 bytes, no NUL bytes, which
 * bcrypt would also stop at), so every byte of the password counts.
 */

export const MIN_PASSWORD_LENGTH = 10;
/** Bounds the work an attacker can make us do per sign-in attempt. */
export const MAX_PASSWORD_BYTES = 1024;

function prehash(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('base64');
}

export async function hashPassword(password: string, rounds: number): Promise<string> {
  return bcrypt.hash(prehash(password), rounds);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
  return bcrypt.compare(prehash(password), hash);
}

/** A bcrypt hash of nothing anyone knows, compared against for unknown emails to even out timing. */
let decoyHash: Promise<string> | null = null;
export function decoyPasswordHash(rounds: number): Promise<string> {
  decoyHash ??= bcrypt.hash(prehash(`decoy-${Math.random()}-${Date.now()}`), rounds);
  return decoyHash;
}

/** The password rules, reported on the `password` field. */
export function checkPasswordPolicy(password: unknown, path = 'password'): string {
  if (typeof password !== 'string') throw ValidationError.field(path, 'is required');
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw ValidationError.field(path, `must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw ValidationError.field(path, `must be at most ${MAX_PASSWORD_BYTES} bytes long`);
  }
  if (password.trim().length === 0) throw ValidationError.field(path, 'must not be blank');
  return password;
}
