import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('has development defaults pointing at localhost and no secrets in code', () => {
    const config = loadConfig({});
    // The owner is the local login of DATABASE_URL; the processes log in as the runtime role setup creates.
    expect(config.ownerDatabaseUrl).toBe('postgres://127.0.0.1:5432/gridbook');
    expect(config.databaseUrl).toBe('postgres://gridbook_app@127.0.0.1:5432/gridbook');
    expect(config.audit.key).toBeUndefined();
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.sessionSecret).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
  });

  it('takes DATABASE_URL as the runtime login when it names one, and DATABASE_OWNER_URL for the owner', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://gridbook_app:secret@db:5432/gridbook',
      DATABASE_OWNER_URL: 'postgres://gridbook:owner@db:5432/gridbook',
    });
    expect(config.databaseUrl).toBe('postgres://gridbook_app:secret@db:5432/gridbook');
    expect(config.ownerDatabaseUrl).toBe('postgres://gridbook:owner@db:5432/gridbook');
    expect(config.runtimeRoleDerived).toBe(false);
  });

  it('requires AUDIT_KEY in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), JWT_SECRET: 'y'.repeat(32) }),
    ).toThrow(/AUDIT_KEY is required in production/);
  });

  it('refuses production without real secrets, listing every problem at once', () => {
    try {
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'too-short', PORT: 'eighty' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toContain('SESSION_SECRET must be at least 32 characters long');
      expect(problems).toContain('JWT_SECRET is required in production (at least 32 random characters)');
      expect(problems).toContain('PORT must be an integer from 0 to 65535 (got "eighty")');
    }
  });

  it('accepts production with secrets and makes cookies secure behind https', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 'a'.repeat(40),
      JWT_SECRET: 'b'.repeat(40),
      AUDIT_KEY: 'c'.repeat(40),
      PUBLIC_URL: 'https://admin.example.com/',
    });
    expect(config.cookieSecure).toBe(true);
    expect(config.publicUrl).toBe('https://admin.example.com');
  });

  it('rejects URLs of the wrong kind', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x/y', REDIS_URL: 'not a url' })).toThrow(
      /DATABASE_URL must use postgres: or postgresql:[\s\S]*REDIS_URL is not a valid URL/,
    );
  });
});
