import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, hashPassword, verifyPassword } from '../../src/auth/password.js';

describe('passwords', () => {
  it('counts every byte: passwords sharing their first 72 bytes do not match', async () => {
    const base = 'é'.repeat(36); // 72 bytes in UTF-8
    const hash = await hashPassword(`${base}one`, 4);
    expect(await verifyPassword(`${base}one`, hash)).toBe(true);
    expect(await verifyPassword(`${base}two`, hash)).toBe(false);
    expect(await verifyPassword(base, hash)).toBe(false);
  });

  it('is not fooled by NUL bytes (bcrypt stops reading at one)', async () => {
    const hash = await hashPassword('abc\u0000defghijkl', 4);
    expect(await verifyPassword('abc\u0000zzzzzzzzz', hash)).toBe(false);
  });

  it('refuses absurdly long candidates without hashing them', async () => {
    const hash = await hashPassword('x'.repeat(20), 4);
    expect(await verifyPassword('x'.repeat(5000), hash)).toBe(false);
  });

  it('states the policy per field', () => {
    expect(() => checkPasswordPolicy('short')).toThrow('password: must be at least 10 characters long');
    expect(() => checkPasswordPolicy('          ')).toThrow('password: must not be blank');
    expect(() => checkPasswordPolicy(undefined, 'newPassword')).toThrow('newPassword: is required');
    expect(checkPasswordPolicy('long enough!')).toBe('long enough!');
  });
});
